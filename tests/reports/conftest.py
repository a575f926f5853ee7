"""Fixtures for reports: the dashboard's cache starts empty in every test."""

import pytest

from scheduler.reports import dashboard


@pytest.fixture(autouse=True)
def _empty_dashboard_cache(app):
    with app.app_context():
        dashboard.clear_cache()
    yield
    with app.app_context():
        dashboard.clear_cache()
