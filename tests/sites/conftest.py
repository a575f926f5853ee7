import functools

import pytest

from tests import factories
from tests.page_client import client  # noqa: F401  (pages: a fresh locale per request)


@pytest.fixture(autouse=True)
def _fast_password_hash(monkeypatch):
    # argon2 takes half a second by design; these tests need one hash, not one per user.
    monkeypatch.setattr(factories, "hash_password", _cached_hash)


@functools.cache
def _cached_hash(password):
    from scheduler.staff.services import hash_password

    return hash_password(password)
