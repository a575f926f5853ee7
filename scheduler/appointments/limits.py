"""Limits on failed code + NIK checks: one counter per booking code and one per address,
shared by every endpoint and page that checks them (look-up, cancel, reschedule, my data,
erase), so switching between the API and the pages buys no extra tries.

Only a failed check (a 404: unknown code or wrong NIK) counts. The figures are the
LOOKUP_LIMIT_PER_CODE and LOOKUP_LIMIT_PER_ADDRESS settings.
"""

import math
import time

from flask import current_app, g, request

from scheduler.appointments import services
from scheduler.extensions import limiter


def _failed_lookup(response):
    return response.status_code == 404


def _code_key():
    # The API and the signed pages carry the code in the URL, the look-up page in its form.
    code = (request.view_args or {}).get("code") or request.form.get("code", "")
    return "code:" + services.normalize_code(code)


def _limited_page(request_limit):
    # The central error handler renders g.form_page for the 429 it is about to raise.
    minutes = max(1, math.ceil((request_limit.reset_at - time.time()) / 60))
    g.form_page = ("appointments/limited.html", {"minutes": minutes})


def _lookup_limits(fn, **options):
    fn = limiter.shared_limit(
        lambda: current_app.config["LOOKUP_LIMIT_PER_CODE"],
        key_func=_code_key,
        deduct_when=_failed_lookup,
        scope="lookup-code",
        **options,
    )(fn)
    fn = limiter.shared_limit(
        lambda: current_app.config["LOOKUP_LIMIT_PER_ADDRESS"],
        deduct_when=_failed_lookup,
        scope="lookup-address",
        **options,
    )(fn)
    return fn


def lookup_limits(fn):
    """The look-up limits on an API endpoint (a breach is the API's 429)."""
    return _lookup_limits(fn)


def page_lookup_limits(fn):
    """The look-up limits on a page: only its POSTs are checks (the form itself always
    opens), and a breach is a page saying how many minutes to wait."""
    return _lookup_limits(fn, methods=["POST"], on_breach=_limited_page)
