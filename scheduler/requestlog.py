"""Logs: one JSON object a line (LOG_FORMAT "json"), and one line per request
(REQUEST_LOG) with its method, route template, status, duration and request id.

A request line never holds the path, the query or a header beyond the request id: paths
carry booking codes, queries signatures, bodies NIKs and phone numbers. The route
template (`/janji/<code>`) says which page was asked for without saying whose.
"""

import json
import logging
import os
import re
import time
from datetime import UTC, datetime

from flask import current_app, has_request_context, request

from scheduler import metrics

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming X-Request-ID may look like (nginx's $request_id is 32 hex digits, a
# UUID fits too); anything else, and no header at all, gets a new one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}\Z")
_STARTED = "antre.started"
_ID = "antre.request_id"
UNMATCHED = "<unmatched>"

logger = logging.getLogger("scheduler.request")


_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object; inside a request it carries the request id."""

    _second = (None, "")  # (whole second, its ISO text): one strftime a second

    def _time(self, created):
        second = int(created)
        if self._second[0] != second:
            text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = (second, text)
        return f"{self._second[1]}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record):
        entry = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        elif has_request_context() and _ID in request.environ:
            entry["request_id"] = request.environ[_ID]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry)


class TextFormatter(logging.Formatter):
    """The plain format, a request's fields appended as key=value."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if fields:
            text += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return text


def configure_logging(app):
    """The root logger's format and level from LOG_FORMAT and LOG_LEVEL, unless something
    (a test runner, a host application) has given it handlers already."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        json_lines = app.config["LOG_FORMAT"] == "json"
        handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])


def init_app(app):
    """Time every request, give it an id, and log and measure it once it is answered."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)


def request_id():
    """The current request's id (as logged and returned in X-Request-ID)."""
    return request.environ.get(_ID)


def _start():
    environ = request.environ
    environ[_STARTED] = time.perf_counter()
    incoming = environ.get("HTTP_X_REQUEST_ID")
    environ[_ID] = incoming if incoming and _REQUEST_ID.match(incoming) else os.urandom(16).hex()


def _finish(response):
    environ = request.environ
    started = environ.get(_STARTED)
    if started is None:  # answered before our first hook ran (another hook's abort)
        _start()
        started = environ[_STARTED]
    duration = time.perf_counter() - started
    rule = request.url_rule
    route = rule.rule if rule is not None else UNMATCHED
    method = request.method
    status = response.status_code
    response.headers[REQUEST_ID_HEADER] = environ[_ID]
    metrics.observe_request(method, route, status, duration)
    if current_app.config["REQUEST_LOG"] and logger.isEnabledFor(logging.INFO):
        fields = {
            "request_id": environ[_ID],
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(duration * 1000, 2),
        }
        # makeRecord + handle is logger.info without looking for the caller's source
        # line, which this line never shows (a few microseconds on every request).
        logger.handle(
            logger.makeRecord(
                logger.name,
                logging.INFO,
                __file__,
                0,
                "request",
                (),
                None,
                extra={"fields": fields},
            )
        )
    return response
