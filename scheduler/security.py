"""What every request and answer goes through: the body size limit, and the headers that
keep pages from being framed, sniffed, cached or leaking their address.

A request body is limited to MAX_CONTENT_LENGTH (64 KB: a booking is under 1 KB); a view
that takes an upload declares its own limit with `@body_limit(...)`, applied before
anything (CSRF's form parsing included) reads the body. A larger body is a 413.

Every answer says `nosniff`, a Content-Security-Policy (nothing framed, scripts only from
our own files, styles from our files or a `<style nonce=...>` of the page) and a
Referrer-Policy. Any answer that did not choose its own caching gets `no-store`: pages
and API answers carry names, masked NIKs, a form refilled with what was typed; static
files and the QR image set their own Cache-Control.
"""

import secrets

from flask import g, request

BODY_LIMIT = 64 * 1024

# JSON, the OpenAPI document, a CSV or a PNG: nothing in them runs or is styled.
_CSP_NON_HTML = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_CSP_HTML = (
    "default-src 'self'; script-src 'self'; style-src 'self'{nonce}; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),  # for browsers older than frame-ancestors
)


def body_limit(limit):
    """Mark a view that accepts a larger body (an upload): `limit` is a number of bytes or
    a function of none returning it (read per request, from the config)."""

    def decorate(view):
        view.body_limit = limit
        return view

    return decorate


def csp_nonce():
    """This answer's nonce for an inline <style> (templates: `nonce="{{ csp_nonce() }}"`)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def init_app(app):
    """Install the body limit (before any other before-request hook: CSRF reads the form)
    and the answer headers."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: no limit at all
        app.config["MAX_CONTENT_LENGTH"] = BODY_LIMIT
    app.before_request_funcs.setdefault(None, []).insert(0, _apply_body_limit)
    app.after_request(_secure_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


def _apply_body_limit():
    view = request.url_rule and request.url_rule.endpoint
    limit = getattr(_view_function(view), "body_limit", None)
    if limit is not None:
        request.max_content_length = limit() if callable(limit) else limit


def _view_function(endpoint):
    from flask import current_app

    return current_app.view_functions.get(endpoint) if endpoint else None


def _secure_headers(response):
    headers = response.headers
    for name, value in _FIXED_HEADERS:
        headers.setdefault(name, value)
    if "Content-Security-Policy" not in headers:
        if response.mimetype == "text/html":
            nonce = g.get("csp_nonce")
            headers["Content-Security-Policy"] = _CSP_HTML.format(
                nonce=f" 'nonce-{nonce}'" if nonce else ""
            )
        else:
            headers["Content-Security-Policy"] = _CSP_NON_HTML
    if "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response
