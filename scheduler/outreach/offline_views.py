"""The outreach desk that works without signal: an installable page (manifest, service
worker) for one session, the participants it keeps on the device, and the sync of its
queue. The page is a shell without personal data; the participants come from desk_data
(never cached by the service worker) into the device's IndexedDB, per user and session.
"""

import os

from flask import current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from scheduler.auth import page_roles
from scheduler.openapi import parse_body
from scheduler.outreach import services, sync
from scheduler.outreach.schemas import SyncIn
from scheduler.outreach.views import bp
from scheduler.staff.desk import FAILURE_REASONS

DESK_ROLES = ("admin", "staff")
# The service worker controls the outreach session pages only.
SW_SCOPE = "/jemput-bola/sesi/"


def _no_store(resp):
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _texts():
    """The words the desk's script shows, in the page's language."""
    return {
        "status": {
            "booked": _("Belum hadir"),
            "checked_in": _("Hadir"),
            "recorded": _("Terekam"),
            "recording_failed": _("Gagal rekam"),
            "no_show": _("Tidak hadir"),
            "cancelled": _("Dibatalkan"),
        },
        "actions": {
            "checkin": _("Check-in"),
            "recorded": _("Terekam"),
            "recording_failed": _("Gagal rekam"),
            "absent": _("Tidak hadir"),
        },
        "reasons": [str(label) for label in FAILURE_REASONS.values()],
        "online": _("Terhubung"),
        "offline": _("Tanpa sinyal: dicatat di perangkat ini"),
        "queued": _("%(n)s catatan menunggu dikirim"),
        "all_sent": _("Semua catatan sudah terkirim"),
        "synced_at": _("terakhir dikirim %(t)s"),
        "checked_in": _("Check-in: %(name)s, jadwal %(time)s"),
        "already": _("%(name)s sudah %(status)s"),
        "unknown_qr": _("Kode QR ini bukan peserta sesi ini."),
        "unknown_code": _("Kode booking ini bukan peserta sesi ini."),
        "no_data": _("Data peserta belum ada di perangkat ini. Buka halaman ini dengan sinyal."),
        "expired": _("Data peserta di perangkat ini sudah lebih dari sehari dan dihapus."),
        "closed": _("Sesi ini sudah ditutup; data peserta dihapus dari perangkat ini."),
        "not_yours": _("Sesi ini bukan tugas Anda; data di perangkat ini dihapus."),
        "login": _(
            "Sesi masuk berakhir. Masuk lagi untuk mengirim catatan; catatan tetap tersimpan."
        ),
        "reason": _("Alasan gagal rekam"),
        "cancel": _("Batal"),
        "dismiss": _("Tutup"),
        "start": _("Arahkan kode QR ke kamera."),
        "nocamera": _("Kamera tidak dapat dibuka. Ketik kode booking di bawah."),
        "pause": _("Jeda kamera"),
        "resume": _("Lanjutkan kamera"),
        "saved_at": _("Data peserta diunduh %(t)s"),
    }


@bp.get("/jemput-bola/sesi/<int:session_id>/meja")
@page_roles(*DESK_ROLES)
def desk(session_id):
    """The desk's shell: no participant in it, so the service worker may keep it."""
    session = services.get_session(session_id, current_user, roles=DESK_ROLES)
    return render_template(
        "outreach/desk.html",
        session=session,
        texts=_texts(),
        sw_url=url_for("outreach_views.desk_worker"),
        sw_scope=request.script_root + SW_SCOPE,
    )


@bp.get("/jemput-bola/sesi/<int:session_id>/meja/data")
@page_roles(*DESK_ROLES)
def desk_data(session_id):
    copy = sync.desk_copy(session_id, current_user)
    copy["user_id"] = current_user.id
    copy["csrf_token"] = generate_csrf()
    return _no_store(jsonify(copy))


@bp.post("/jemput-bola/sesi/<int:session_id>/meja/sinkron")
@page_roles(*DESK_ROLES)
def desk_sync(session_id):
    """The page's twin of the API's sync (a login session and a CSRF token)."""
    data = parse_body(SyncIn)
    results = sync.sync_events(session_id, current_user, sync.events_from(data))
    return _no_store(jsonify(results=results))


@bp.get("/jemput-bola/meja-sw.js")
def desk_worker():
    """The service worker, served from the application's own path so that its scope can
    cover the session pages (a script under /static/ could only control /static/)."""
    path = os.path.join(current_app.static_folder, "js", "outreach-sw.js")
    with open(path, "rb") as f:
        resp = make_response(f.read())
    resp.headers["Content-Type"] = "text/javascript; charset=utf-8"
    resp.headers["Service-Worker-Allowed"] = request.script_root + SW_SCOPE
    # A new release's worker is picked up on the next visit with signal.
    resp.headers["Cache-Control"] = "no-cache"
    # A worker's own answer sets its policy: it must reach this origin (the desk page and
    # the static files it keeps), and nothing else.
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return resp


@bp.get("/jemput-bola/sesi/<int:session_id>/meja.webmanifest")
@page_roles(*DESK_ROLES)
def desk_manifest(session_id):
    session = services.get_session(session_id, current_user, roles=DESK_ROLES)
    manifest = {
        "name": _("Meja jemput bola: %(name)s", name=session.request.institution_name),
        "short_name": _("Meja jemput bola"),
        "start_url": url_for("outreach_views.desk", session_id=session.id),
        "scope": request.script_root + SW_SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "lang": str(get_locale() or "id"),
        "icons": [
            {
                "src": url_for("static", filename=f"icons/desk-{n}.png"),
                "sizes": f"{n}x{n}",
                "type": "image/png",
            }
            for n in (192, 512)
        ],
    }
    resp = jsonify(manifest)
    resp.headers["Content-Type"] = "application/manifest+json"
    return resp
