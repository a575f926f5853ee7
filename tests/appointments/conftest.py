from tests.page_client import client  # noqa: F401  (pages: a fresh locale per request)
