"""The camera check-in in a real browser: headless Chromium whose fake camera shows the
resident's QR code (a .y4m video built from the QR PNG), against a live server. The
browser, the server and the video come from the browser harness (tests/browser/support.py)."""

import os
import shutil

import pytest
import sqlalchemy as sa

from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.staff.models import AuditEntry
from tests.browser import support
from tests.factories import make_site, make_slot, make_user
from tests.staff.conftest import book, today_at

PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.skipif(
    support.chromium_missing() is not None, reason=str(support.chromium_missing())
)


@pytest.fixture
def live_server(committed_db):
    server = support.LiveServer(committed_db).start()
    yield server.url
    server.stop()


def test_camera_checkin_in_chromium(committed_db, live_server, tmp_path, monkeypatch):
    monkeypatch.setitem(committed_db.config, "ROSTER_REFRESH_SECONDS", 1)
    sync_api = pytest.importorskip("playwright.sync_api")
    site = make_site("Kantor Disdukcapil Kudus")
    appointment = book(make_slot(site, starts_at=today_at(8, 30)), name="Dewi Lestari")
    clerk = make_user("staff", sites=[site], email="loket1@example.test")
    db.session.commit()
    code, clerk_id = appointment.code, clerk.id
    video = tmp_path / "qr.y4m"
    support.qr_video(appointments.qr_png(appointment), video)
    db.session.remove()

    args = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_api.sync_playwright() as pw:
        browser = support.launch(pw, args)
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
            support.wait_until(
                page,
                f"() => document.querySelector(\"{status}\").textContent.trim() === 'Terekam'",
            )
            assert page.evaluate("window.__stillHere") is True
            assert page.inner_text("[data-count=recorded]") == "1"
        finally:
            browser.close()

    row = db.session.scalar(sa.select(Appointment).where(Appointment.code == code))
    assert row.status == "recorded" and row.checked_in_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.appointment_code == code))
    assert entry.user_id == clerk_id and entry.action == "check_in" and entry.detail == "qr"
