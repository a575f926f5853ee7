"""Wide pages fit the screen: the outreach attendance sheet, the desk's roster and the
outbox, on a 360 px phone and a 1280 px desk (no sideways scrolling, every button on
screen). Screenshots go to test-artifacts/screenshots/layout-*."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from scheduler.appointments import services as appointments
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.outreach import services as outreach
from tests.browser import support
from tests.browser.conftest import STAFF_PASSWORD, book_directly
from tests.factories import make_nik, make_user

pytestmark = pytest.mark.browser

FITS = """() => ({
  doc: document.documentElement.scrollWidth,
  view: window.innerWidth,
  off: [...document.querySelectorAll("main button, main a, main img")]
    .filter(el => el.offsetParent !== null)
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(el => el.outerHTML.slice(0, 80)),
})"""


@pytest.fixture
def outreach_sheet(seeded):
    """An approved school session with four participants; the admin who sees it all."""
    admin = make_user("admin", email="admin@disdukcapil.test", password=STAFF_PASSWORD)
    coordinator = make_user("coordinator", password=STAFF_PASSWORD)
    today = seeded.today()
    request = outreach.create_request(
        coordinator,
        outreach.RequestInput(
            institution_kind="school",
            institution_name="SMA Negeri 2 Kudus dengan nama yang cukup panjang",
            address="Jl. Ganesha, Purwosari",
            kecamatan="Kota Kudus",
            desa="Purwosari",
            expected_participants=4,
            preferred_dates=[today + timedelta(days=2), today + timedelta(days=3)],
            contact_name="Bu Sri",
            contact_phone="081234567890",
        ),
    )
    approved = outreach.approve_request(
        request.id, admin, today + timedelta(days=2), *_hours(), 2, "Tim A"
    )
    session = approved.session
    slots = outreach.session_slots(session)
    for n in range(4):
        slot = slots[n % len(slots)]
        born = date(2008, 1, 1) + timedelta(days=n)
        appointments.book_into_slot(
            slot,
            appointments.Applicant(
                nik=make_nik(born),
                name=f"Siswa Bernama Panjang {n}",
                birth_date=born,
                phone="+6281234567890",
            ),
        )
    # A failed message with a long provider error: the outbox must wrap it, not scroll.
    message = db.session.scalars(sa.select(OutboxMessage).limit(1)).first()
    if message is not None:
        message.status, message.attempts = "dead", 8
        message.last_error = "provider said: " + "x" * 300
    db.session.commit()
    return session.id, admin.email


def _hours():
    from datetime import time

    return time(8), time(10)


def _login(page, url, email):
    page.goto(url("staff_views.login"))
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(STAFF_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda u: "/masuk" not in u)


@pytest.mark.parametrize("width", [360, 1280])
def test_wide_pages_fit_phone_and_desk(width, seeded, outreach_sheet, new_context, url):
    session_id, email = outreach_sheet
    tomorrow = seeded.today() + timedelta(days=1)
    for slot in seeded.slots(seeded.office_id, on=tomorrow)[:2]:
        book_directly(slot.id, name="Nama Penduduk Yang Panjang Sekali")
    context = new_context("id", phone=width == 360)
    page = context.new_page()
    _login(page, url, email)
    pages = {
        "attendance": url("outreach_views.attendance", session_id=session_id),
        "roster": url("staff_views.roster", site_id=seeded.office_id, date=tomorrow.isoformat()),
        "outbox": url("notifications_views.outbox"),
    }
    for name, address in pages.items():
        page.goto(address)
        support.screenshot(page, "layout", str(width), name)
        found = page.evaluate(FITS)
        # A phone widens its layout viewport to what overflows: both must stay the screen's.
        assert found["doc"] <= width and found["view"] == width, f"{name} at {width}: {found}"
        assert not found["off"], f"{name}: off screen at {width}: {found['off']}"
    assert not context.js_errors
