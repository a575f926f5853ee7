"""A test client for HTML pages.

The `client` fixture's requests share the test's app context, so what Flask-Babel and
`g` keep there (the chosen locale, `g.form_page`) would leak from one request into the
next; a browser's requests never share them. This client forgets them before each one.
"""

import flask_babel
import pytest
from flask import g

from tests.conftest import CommittingClient


class PageClient(CommittingClient):
    def open(self, *args, **kwargs):
        flask_babel.refresh()
        g.pop("form_page", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(ctx):
    ctx.test_client_class = PageClient
    try:
        yield ctx.test_client()
    finally:
        ctx.test_client_class = None
