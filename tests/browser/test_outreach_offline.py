"""The outreach desk without signal, in Debian's Chromium: opened once with signal, it
keeps the participants on the device, reopens with the network cut (service worker),
checks three participants in from the camera (jsQR on a fake video of their QR codes),
notes their outcomes, and sends everything when the network is back; a second device
that did the same for one of them is shown the conflict."""

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.outreach import roster, services
from scheduler.outreach.models import OutreachSyncEvent
from scheduler.staff.models import AuditEntry
from tests.browser import support
from tests.browser.test_staff import COUNT_DECODES
from tests.factories import make_user
from tests.outreach.conftest import approve, make_request, pupil, roster_csv

pytestmark = pytest.mark.browser

DURING = datetime(2026, 12, 9, 1, 40, tzinfo=UTC)  # Wednesday 08:40 WIB, in the session
PASSWORD = "kata-sandi-meja-2026"
# The staff member has not allowed the camera yet (headless Chromium would grant it at
# once): until the page says so, opening it fails as a refusal does.
CAMERA_LATER = """
try {
  if (localStorage.getItem("camera") !== "allowed" && navigator.mediaDevices) {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException("not allowed yet", "NotAllowedError"));
  }
} catch (e) { /* a document without storage (a worker's, an opaque one) has no camera */ }
"""


def _qr_frames_video(pngs, path, seconds_each=2, width=640, height=480, fps=10):
    """A YUV4MPEG2 video showing each QR code in turn (Chromium loops the file)."""
    from PIL import Image

    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for png in pngs:
            qr = Image.open(io.BytesIO(png)).convert("RGB")
            side = int(min(width, height) * 0.8)
            qr = qr.resize((side, side), Image.Resampling.NEAREST)
            frame = Image.new("RGB", (width, height), "white")
            frame.paste(qr, ((width - side) // 2, (height - side) // 2))
            y, cb, cr = frame.convert("YCbCr").split()
            half = (width // 2, height // 2)
            planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
            for _ in range(seconds_each * fps):
                out.write(b"FRAME\n")
                out.write(planes)
    return path


@pytest.fixture
def outreach_day(committed_db):
    coordinator = make_user("coordinator")
    admin = make_user("admin")
    req = make_request(coordinator, institution_name="SMA Negeri 1 Bae")
    approve(req, admin, kits=2, start="08:00", end="10:00")
    session = req.session
    roster.import_roster(session.id, coordinator, "r.csv", roster_csv([pupil(i) for i in range(4)]))
    desks = [
        make_user(
            "staff", sites=[session.site], email=f"meja{i}@disdukcapil.test", password=PASSWORD
        )
        for i in (1, 2)
    ]
    people = sorted(services.session_appointments(session), key=lambda a: a.name)
    found = {
        "session_id": session.id,
        "emails": [u.email for u in desks],
        "people": [(a.code, a.name) for a in people],
        "pngs": [appointments.qr_png(a) for a in people[:3]],
    }
    db.session.commit()
    clock.freeze(DURING)
    return found


def _log_in(page, url, email):
    page.goto(url("staff_views.login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/masuk" not in u)


def _statuses():
    rows = db.session.execute(sa.select(Appointment.code, Appointment.status)).all()
    db.session.commit()
    return dict(rows)


def _row(page, code):
    return page.locator(f'#participants tr[data-code="{code}"]')


def _pending(page):
    return int(page.get_attribute("#queue-state", "data-pending"))


def _wait_pending(page, n, timeout=10_000):
    page.wait_for_function(
        "n => document.getElementById('queue-state').dataset.pending === String(n)",
        arg=n,
        timeout=timeout,
    )


def _wait_status(page, code, label):
    page.wait_for_function(
        """([code, label]) => document.querySelector(
             `#participants tr[data-code="${code}"] .desk-status`).textContent === label""",
        arg=[code, label],
    )


def _open_desk(context, url, email, session_id):
    context.clock.install(time=DURING)
    page = context.new_page()
    _log_in(page, url, email)
    page.goto(url("outreach_views.desk", session_id=session_id))
    page.locator("#participants tr").first.wait_for()
    # The service worker controls the page and has kept it for a visit without signal.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    page.wait_for_function(
        "() => caches.open('antre-meja-v1').then(c => c.keys()).then(k => k.length >= 4)"
    )
    return page


def test_the_desk_works_offline_and_syncs_later(outreach_day, pw, new_context, url, tmp_path):
    session_id = outreach_day["session_id"]
    (a, a_name), (b, _b_name), (c, _c_name), (d, _d_name) = outreach_day["people"]
    video = _qr_frames_video(outreach_day["pngs"], tmp_path / "queue.y4m")
    browser = support.launch(
        pw, ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    )
    try:
        # Device 1 opens the session with signal, its camera not yet allowed.
        one = new_context("id", phone=True, browser_=browser)
        one.add_init_script(COUNT_DECODES)
        one.add_init_script(CAMERA_LATER)
        page = _open_desk(one, url, outreach_day["emails"][0], session_id)
        assert page.locator("#participants tr").count() == 4
        assert "Kamera tidak dapat dibuka" in page.inner_text("#scan-status")
        # Device 2 (another staff member) opens it too, then loses signal.
        two = new_context("id", phone=True, browser_=browser)
        other = _open_desk(two, url, outreach_day["emails"][1], session_id)
        two.set_offline(True)

        # No signal on device 1: the page reopens from the device, camera allowed.
        one.grant_permissions(["camera"])
        page.evaluate("() => localStorage.setItem('camera', 'allowed')")
        one.set_offline(True)
        page.reload()
        page.locator("#participants tr").first.wait_for()
        assert "Tanpa sinyal" in page.inner_text("#net")
        page.wait_for_function(
            """codes => codes.every(code => document.querySelector(
                 `#participants tr[data-code="${code}"] .desk-status`).textContent === "Hadir")""",
            arg=[a, b, c],
            timeout=45_000,
        )
        # jsQR read the three codes from the camera.
        decoded = set(page.evaluate("() => window.__decoded"))
        assert len(decoded) == 3
        assert _row(page, d).locator(".desk-status").inner_text() == "Belum hadir"

        _wait_pending(page, 3)
        _row(page, a).get_by_role("button", name="Terekam").click()
        _wait_status(page, a, "Terekam")
        _row(page, b).get_by_role("button", name="Gagal rekam").click()
        _row(page, b).get_by_label("Alasan gagal rekam").select_option("Iris tidak terbaca")
        _row(page, b).get_by_role("button", name="Gagal rekam").click()
        _wait_status(page, b, "Gagal rekam")
        _row(page, c).get_by_role("button", name="Terekam").click()
        _wait_pending(page, 6)
        assert "6 catatan menunggu dikirim" in page.inner_text("#queue-state")
        # Nothing reached the server yet.
        assert {_statuses()[x] for x in (a, b, c, d)} == {"booked"}

        # Device 2, offline, also checks in A (typed code) and records them.
        other.fill("#code-input", a)
        other.click("#code-form button[type=submit]")
        _wait_status(other, a, "Hadir")
        _row(other, a).get_by_role("button", name="Terekam").click()
        _wait_pending(other, 2)

        # Signal again on device 1: the queue goes, in order, and the tally follows.
        one.set_offline(False)
        _wait_pending(page, 0, timeout=30_000)
        statuses = _statuses()
        assert [statuses[x] for x in (a, b, c, d)] == [
            "recorded",
            "recording_failed",
            "recorded",
            "booked",
        ]
        assert "Terhubung" in page.inner_text("#net")
        assert page.locator("#problems").is_hidden()
        counts = page.locator("#counts")
        assert counts.locator('tr[data-status="recorded"] td').inner_text() == "2"
        assert counts.locator('tr[data-status="recording_failed"] td').inner_text() == "1"
        page.goto(url("outreach_views.tally", session_id=session_id))
        tally = page.locator("table").first.inner_text()
        assert "Terekam\t2" in tally and "Gagal rekam\t1" in tally
        detail = db.session.scalar(
            sa.select(AuditEntry.detail).where(
                AuditEntry.appointment_code == a, AuditEntry.action == "recorded"
            )
        )
        db.session.commit()
        assert "offline desk: device 2026-12-09T08:4" in detail

        # Device 2 comes back: one outcome for A, and a clear conflict on this device.
        two.set_offline(False)
        _wait_pending(other, 0, timeout=30_000)
        problems = other.locator("#problem-list li")
        problems.first.wait_for()
        assert problems.count() == 2
        text = problems.first.inner_text()
        assert a_name in text and "perangkat atau loket lain" in text
        assert _row(other, a).locator(".desk-status").inner_text() == "Terekam"
        assert _statuses()[a] == "recorded"
        events = db.session.scalars(
            sa.select(OutreachSyncEvent.result).where(OutreachSyncEvent.code == a)
        ).all()
        db.session.commit()
        assert sorted(events) == ["applied", "applied", "conflict", "conflict"]
        assert one.js_errors == [] and two.js_errors == []
        assert one.hosts | two.hosts <= {"127.0.0.1"}
    finally:
        browser.close()
