"""Role checks for pages and the API. Knows roles by name only, not the user model."""

import functools

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.errors import Forbidden, Unauthorized

ROLES = ("admin", "staff", "coordinator")
# What a page shows for each role (tests/test_labels.py: every role has one).
ROLE_LABELS = {
    "staff": _l("Petugas"),
    "admin": _l("Admin"),
    "coordinator": _l("Koordinator (sekolah/desa)"),
}


def api_roles(*roles):
    """API endpoint for a bearer token whose user has one of `roles` (never a session)."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                raise Unauthorized()
            if roles and current_user.role not in roles:
                raise Forbidden()
            return fn(*args, **kwargs)

        return wrapper

    return deco


def page_roles(*roles):
    """Page for a logged-in user with one of `roles`; others are sent to the login page."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("staff_views.login", next=request.full_path))
            if roles and current_user.role not in roles:
                raise Forbidden()
            return fn(*args, **kwargs)

        return wrapper

    return deco
