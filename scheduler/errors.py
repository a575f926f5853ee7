"""Domain errors and the one place that turns any error into a response."""

import logging

from flask import current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from limits.errors import StorageError
from werkzeug.exceptions import HTTPException

from scheduler import outage
from scheduler.forms import render_form

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = _l("Permintaan tidak dapat diproses.")

    def __init__(self, message=None, fields=None):
        # The message stays lazy: it is translated once, when the answer is written.
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(self.message)

    def __str__(self):
        return str(self.message)


class ValidationError(DomainError):
    code, status = "validation_error", 422
    default_message = _l("Periksa kembali isian yang ditandai.")


class BirthDateMismatch(ValidationError):
    """The birth date does not match the NIK (the desk may accept it, with a reason)."""


class NotFound(DomainError):
    code, status = "not_found", 404
    default_message = _l("Data tidak ditemukan.")


class SlotFull(DomainError):
    code, status = "slot_full", 409
    default_message = _l("Jadwal ini sudah penuh. Silakan pilih jam lain.")


class SlotClosed(DomainError):
    code, status = "slot_closed", 409
    default_message = _l(
        "Lokasi tutup pada jam ini (hari libur atau penutupan), jadi jadwal ini tidak "
        "menerima pemesanan baru. Silakan pilih hari atau jam lain."
    )


class DuplicateBooking(DomainError):
    code, status = "duplicate_booking", 409
    default_message = _l(
        "NIK ini sudah memiliki janji temu yang aktif. Batalkan atau ubah janji itu dulu."
    )


class AlreadyRecorded(DomainError):
    code, status = "already_recorded", 409
    default_message = _l("NIK ini sudah direkam; KTP-el sedang diproses.")


class InvalidState(DomainError):
    code, status = "invalid_state", 409
    default_message = _l("Tindakan ini tidak dapat dilakukan pada status sekarang.")


class NoCurrentSlot(DomainError):
    code, status = "no_current_slot", 409
    default_message = _l("Tidak ada jadwal yang sedang berjalan di lokasi ini.")


class AlreadyCheckedIn(DomainError):
    code, status = "already_checked_in", 409
    default_message = _l("Janji temu ini sudah check-in.")


class InvalidQR(DomainError):
    code, status = "invalid_qr", 422
    default_message = _l("Kode QR tidak sah atau janji temu sudah dibatalkan.")


class WrongSiteOrDay(DomainError):
    code, status = "wrong_site_or_day", 409
    default_message = _l("Janji temu ini untuk lokasi atau hari lain, atau di luar jam check-in.")


class Unauthorized(DomainError):
    code, status = "unauthorized", 401
    default_message = _l("Silakan masuk terlebih dahulu.")


class Forbidden(DomainError):
    code, status = "forbidden", 403
    default_message = _l("Anda tidak berhak melakukan tindakan ini.")


class RateLimited(DomainError):
    code, status = "rate_limited", 429
    default_message = _l("Terlalu banyak percobaan. Coba lagi nanti.")

    def __init__(self, message=None, fields=None, retry_after=60):
        super().__init__(message, fields)
        self.retry_after = retry_after


class IdempotencyConflict(DomainError):
    code, status = "idempotency_conflict", 409
    default_message = _l("Idempotency-Key ini sudah dipakai untuk permintaan yang berbeda.")


HTTP_CODES = {
    400: ("validation_error", _l("Permintaan tidak dapat dibaca.")),
    401: ("unauthorized", Unauthorized.default_message),
    403: ("forbidden", Forbidden.default_message),
    404: ("not_found", _l("Halaman atau data tidak ditemukan.")),
    405: ("method_not_allowed", _l("Metode ini tidak didukung untuk alamat ini.")),
    413: ("too_large", _l("Berkas atau isian terlalu besar.")),
    415: ("validation_error", _l("Kirim data sebagai JSON.")),
    422: ("validation_error", ValidationError.default_message),
    429: ("rate_limited", RateLimited.default_message),
}


def wants_json():
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_payload(code, message, fields=None):
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = {k: str(v) for k, v in fields.items()}
    return {"error": body}


def _render_html(status, message, fields=None):
    # A view that shows a form registers it in g.form_page = (template, context) so that
    # a domain error re-renders the same form with the message next to the field.
    page = getattr(g, "form_page", None)
    if page is not None and status < 500:
        template, context = page
        return render_form(
            template, status=status, errors=fields or {}, error_message=str(message), **context
        )
    return render_template("errors/error.html", status=status, message=str(message)), status


def register_error_handlers(app):
    """Install the handlers that give every error the docs/api.md shape or an error page."""
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(StorageError, _handle_limit_storage_down)
    for kind in outage.ERROR_TYPES:
        app.register_error_handler(kind, _handle_database_error)
    app.register_error_handler(Exception, _handle_unexpected)


def _handle_domain_error(exc):
    if wants_json():
        resp = jsonify(error_payload(exc.code, exc.message, exc.fields))
        resp.status_code = exc.status
    else:
        resp = current_app.make_response(_render_html(exc.status, exc.message, exc.fields))
    if isinstance(exc, RateLimited):
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


def _handle_http_error(exc):
    status = exc.code or 500
    code, message = HTTP_CODES.get(status, ("error", exc.description))
    if status == 429:
        message = RateLimited.default_message
    if status == 400 and getattr(exc, "description", "") and "CSRF" in exc.description:
        message = _l("Sesi formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.")
    if wants_json():
        resp = jsonify(error_payload(code, message))
        resp.status_code = 422 if status in (400, 415) else status
    else:
        resp, _ = _render_html(status, message)
        resp = current_app.make_response((resp, status))
    if status == 429:
        retry = _retry_after(exc)
        resp.headers["Retry-After"] = str(retry)
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    return resp


def _handle_limit_storage_down(exc):
    # The rate limits' storage (Redis) is unreachable: a look-up or a login cannot be
    # counted, and letting it through would open the door to guessing. Not a bug of
    # the request: 503, try again shortly.
    log.error("rate-limit storage failed on %s %s: %s", request.method, request.path, exc)
    return _unavailable()


def _handle_database_error(exc):
    if not outage.is_outage(exc):
        return _handle_unexpected(exc)
    # One line, no traceback: the statement's parameters (names, phone numbers) stay
    # out of the log, and an outage of minutes does not bury the log in tracebacks.
    log.error(
        "database unavailable on %s %s: %s",
        request.method,
        request.path,
        outage.describe(exc),
    )
    return _unavailable()


def _handle_unexpected(exc):
    log.exception("unhandled error on %s %s", request.method, request.path)
    message = _l("Terjadi kesalahan pada sistem. Silakan coba lagi.")
    if wants_json():
        resp = jsonify(error_payload("internal_error", message))
        resp.status_code = 500
        return resp
    return render_template("errors/error.html", status=500, message=str(message)), 500


def _unavailable():
    """503 `unavailable` with Retry-After: a service the answer needs (the database, the
    rate limits' storage) does not answer; the request may be sent again shortly."""
    message = _l("Layanan sedang terganggu. Silakan coba lagi beberapa saat lagi.")
    if wants_json():
        resp = jsonify(error_payload("unavailable", message))
        resp.status_code = 503
    else:
        # The page must not need the database: the header's login state would load the
        # user from it.
        outage.forget_user()
        resp = current_app.make_response(_render_html(503, message))
    resp.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return resp


def _retry_after(exc):
    limit = getattr(exc, "limit", None)
    try:
        return int(limit.limit.get_expiry())
    except Exception:  # the limit object varies between Flask-Limiter versions
        return 60
