"""Browser harness: the test app served live on 127.0.0.1, Debian's Chromium driven by
Playwright, seeded data, phone and desk contexts, screenshots.

Every test here skips, with the reason, where Chromium or Playwright is missing.
The live server runs in this process, so the frozen clock of tests/conftest.py applies
to the pages too; data is really committed (`committed_db`) and emptied afterwards.
"""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import url_for

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.extensions import db
from scheduler.sites import services as sites
from tests.browser import support
from tests.factories import make_nik, make_site, make_user

LOCALES = {"id": "id-ID", "en": "en-US"}
STAFF_PASSWORD = "kata-sandi-petugas-2026"


@dataclass(frozen=True)
class SlotInfo:
    id: int
    starts_at: datetime  # UTC
    local: datetime  # the site's wall clock


@dataclass(frozen=True)
class Seed:
    """Plain values only: touching an ORM object after a commit would open a new
    transaction, and on SQLite (BEGIN IMMEDIATE) that blocks the live server."""

    office_id: int
    office_name: str
    subdistrict_id: int
    subdistrict_name: str
    staff_email: str
    staff_password: str

    def slots(self, site_id, on=None):
        """The site's bookable slots (optionally of one local date), earliest first."""
        site, found = sites.list_bookable_slots(site_id)
        result = [
            SlotInfo(s.id, s.starts_at, sites.to_local(site, s.starts_at))
            for s in found
            if on is None or sites.to_local(site, s.starts_at).date() == on
        ]
        db.session.commit()
        return result

    def today(self):
        return clock.now().astimezone(ZoneInfo("Asia/Jakarta")).date()


# Package scope: Playwright's sync API allows one instance at a time, so this one ends
# with the package, before any other test (tests/staff) starts its own.
@pytest.fixture(scope="package")
def pw():
    reason = support.chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(pw):
    browser = support.launch(pw)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def live_server(app):
    server = support.LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def seeded(committed_db):
    """Two sites with two weeks of generated slots, and a staff user of the office."""
    office = make_site("Kantor Disdukcapil Kudus", kind="office", stations=2)
    subdistrict = make_site("Kantor Kecamatan Kota Kudus", kind="subdistrict", stations=1)
    sites.generate_slots(days=14)
    email = "petugas@disdukcapil.test"
    make_user("staff", sites=[office], email=email, password=STAFF_PASSWORD)
    seed = Seed(office.id, office.name, subdistrict.id, subdistrict.name, email, STAFF_PASSWORD)
    db.session.commit()
    return seed


@pytest.fixture
def url(app, live_server):
    """url(endpoint, **values): an absolute URL on the live server."""

    def build(endpoint, **values):
        with app.test_request_context():
            return live_server.url + url_for(endpoint, **values)

    return build


@pytest.fixture
def tr(app):
    """tr(lang, msgid, **values): the text a page in that language shows for a source
    string, from the app's own catalogues."""
    from flask_babel import force_locale, gettext

    def translate(lang, msgid, **values):
        with app.test_request_context(), force_locale(lang):
            return gettext(msgid, **values)

    return translate


@pytest.fixture
def new_context(browser, live_server):
    """new_context(lang="id", phone=True, javascript=True, browser=None, **options)."""
    made = []

    def make(lang="id", phone=True, javascript=True, browser_=None, **options):
        settings = dict(support.PHONE) if phone else {"viewport": {"width": 1280, "height": 800}}
        settings.update(options)
        context = (browser_ or browser).new_context(
            base_url=live_server.url,
            locale=LOCALES[lang],
            timezone_id="Asia/Jakarta",
            java_script_enabled=javascript,
            accept_downloads=True,
            **settings,
        )
        context.set_default_timeout(10_000)
        errors = context.js_errors = []
        hosts = context.hosts = set()
        context.on("page", lambda page: page.on("pageerror", lambda exc: errors.append(exc)))
        # What the Content-Security-Policy refused (an inline script or style, eval...):
        # Chromium reports each on the console. Checked when the test ends.
        refused = context.csp_refusals = []
        context.on(
            "console",
            lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        context.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
        made.append(context)
        return context

    yield make
    refusals = [text for context in made for text in context.csp_refusals]
    for context in made:
        context.close()
    assert refusals == [], "the pages' Content-Security-Policy refused something"


@pytest.fixture
def phone(new_context):
    """A page in a 360×740 touch phone, in Bahasa Indonesia."""
    return new_context("id").new_page()


@pytest.fixture
def desk(new_context):
    """A page in a desktop browser, in Bahasa Indonesia."""
    return new_context("id", phone=False).new_page()


@dataclass(frozen=True)
class Booked:
    code: str
    nik: str
    nik_masked: str
    name: str
    signature: str
    token: str  # the QR code's text


def book_directly(slot_id, birth_date=date(2000, 5, 17), female=False, name="Siti Rahmawati"):
    """An appointment made through the service (for journeys that start after booking)."""
    applicant = appointments.Applicant(
        nik=make_nik(birth_date, female),
        name=name,
        birth_date=birth_date,
        phone="+6281234567890",
        email=None,
        married=False,
        locale="id",
    )
    appointment, _created = appointments.book_appointment(slot_id, applicant, channel="web")
    booked = Booked(
        code=appointment.code,
        nik=applicant.nik,
        nik_masked=appointment.nik_masked,
        name=appointment.name,
        signature=appointments.link_signature(appointment.code),
        token=appointments.checkin_token(appointment),
    )
    db.session.commit()
    return booked


def status_of(code):
    """An appointment's status now, read in a transaction that ends at once."""
    db.session.expire_all()
    status = appointments.get_by_code(code).status
    db.session.commit()
    return status
