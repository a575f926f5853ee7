"""The service's own address in the links it gives out (messages, calendar files, QR
codes, outreach pages): PUBLIC_BASE_URL when set, else the address the request came to.

A process without a request (the worker, the command line) has only PUBLIC_BASE_URL:
asked for a link without it, it raises ConfigError saying so, rather than send a resident
a link to a guessed host.
"""

from flask import current_app, has_request_context, request, url_for

from scheduler.config import ConfigError


def public_root():
    """The service's address without a trailing slash (`https://host[/prefix]`)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/")
    if has_request_context():
        # The address the request came to, as ProxyFix gave it (scheme, host, prefix).
        return request.root_url.rstrip("/")
    raise ConfigError(
        "PUBLIC_BASE_URL is not set: outside a request (the worker, the command line) "
        "links to the service need it, e.g. PUBLIC_BASE_URL = 'https://antre.example.go.id'"
    )


def public_url(path):
    """An absolute link to a path of the service (`/janji/...`)."""
    return public_root() + path


def public_url_for(endpoint, **values):
    """`url_for(endpoint, **values)` as an absolute link at the service's public address."""
    path = url_for(endpoint, **values)
    if has_request_context() and request.script_root and path.startswith(request.script_root):
        # PUBLIC_BASE_URL (or the root URL) already ends with the prefix the app runs under.
        path = path[len(request.script_root) :]
    return public_url(path)
