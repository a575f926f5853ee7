"""The camera check-in in a real browser: headless Chromium whose fake camera shows the
resident's QR code (a .y4m video built here from the QR PNG), against a live server."""

import io
import os
import shutil
import threading

import pytest
import sqlalchemy as sa

from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.staff.models import AuditEntry
from tests.factories import make_site, make_slot, make_user
from tests.staff.conftest import book, today_at

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="Debian's Chromium is not installed (make browsers); no browser is downloaded",
)


def write_y4m(png_bytes, path, width=640, height=480, frames=20):
    """A YUV4MPEG2 video (4:2:0) whose every frame shows the QR code on white."""
    from PIL import Image

    qr = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    side = min(width, height) - 80
    qr = qr.resize((side, side), Image.NEAREST)
    canvas = Image.new("RGB", (width, height), "white")
    canvas.paste(qr, ((width - side) // 2, (height - side) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(frame)


@pytest.fixture
def live_server(committed_db):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, committed_db, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


def test_camera_checkin_in_chromium(committed_db, live_server, tmp_path, monkeypatch):
    monkeypatch.setitem(committed_db.config, "ROSTER_REFRESH_SECONDS", 1)
    sync_api = pytest.importorskip("playwright.sync_api")
    site = make_site("Kantor Disdukcapil Kudus")
    appointment = book(make_slot(site, starts_at=today_at(8, 30)), name="Dewi Lestari")
    clerk = make_user("staff", sites=[site], email="loket1@example.test")
    db.session.commit()
    code, clerk_id = appointment.code, clerk.id
    video = tmp_path / "qr.y4m"
    write_y4m(appointments.qr_png(appointment), video)
    db.session.remove()

    args = [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-gpu",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            page = browser.new_page(viewport={"width": 800, "height": 1000}, locale="id-ID")
            page.goto(f"{live_server}/masuk")
            page.fill("input[name=email]", "loket1@example.test")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server}/petugas")
            page.goto(f"{live_server}/petugas/check-in")
            page.wait_for_selector("#verdict.verdict-ok", timeout=30000)
            text = page.inner_text("#verdict")
            assert "Dewi Lestari" in text and code in text
            page.screenshot(path=str(tmp_path / "checkin.png"))
            if os.environ.get("DESK_SCREENSHOT"):
                shutil.copy(tmp_path / "checkin.png", os.environ["DESK_SCREENSHOT"])

            # The roster shows it, and follows a change made at another desk without a
            # full reload (the marker on window would not survive one).
            page.goto(f"{live_server}/petugas/daftar")
            status = f"tr[data-code='{code}'] [data-status]"
            assert page.inner_text(status) == "Sudah check-in"
            page.evaluate("window.__stillHere = true")
            with committed_db.test_request_context():
                row = appointments.get_by_code(code)
                appointments.mark_recorded(row)
                db.session.remove()
            page.wait_for_function(
                f"document.querySelector(\"{status}\").textContent.trim() === 'Terekam'",
                timeout=10000,
            )
            assert page.evaluate("window.__stillHere") is True
            assert page.inner_text("[data-count=recorded]") == "1"
        finally:
            browser.close()

    row = db.session.scalar(sa.select(Appointment).where(Appointment.code == code))
    assert row.status == "recorded" and row.checked_in_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.appointment_code == code))
    assert entry.user_id == clerk_id and entry.action == "check_in" and entry.detail == "qr"
