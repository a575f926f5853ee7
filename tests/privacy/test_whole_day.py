"""A whole day of the demo office, and the purge three months later, with every log line,
page, API answer and command output kept and searched for a full NIK or phone number.

The residents book on the web and through the API, look up, reschedule, cancel, see
their data and download it; the desk checks them in and records them; cards are
printed; the worker sends the messages; residents erase their data; the purge runs.
Whatever the service said to anyone in that time is in `said`."""

import logging
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler import nik as niks
from scheduler.appointments.models import Appointment
from scheduler.cards.models import CardRequest
from scheduler.errors import ValidationError
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.requestlog import JsonFormatter
from scheduler.staff.demo import DEMO_PASSWORDS, demo_user_email
from tests.conftest import FROZEN_NOW
from tests.factories import make_nik

DAY = FROZEN_NOW.date()
# Standing alone: not inside a hex key, a signature or a masked number.
PHONE_LIKE = re.compile(r"(?<![0-9A-Za-z*+_-])(?:\+?62|0)8\d{7,11}(?![0-9A-Za-z*_-])")
SIXTEEN_DIGITS = re.compile(r"(?<![0-9A-Za-z_-])\d{16}(?![0-9A-Za-z_-])")


class Transcript:
    """Every answer and command output of the day, as text."""

    def __init__(self, client, app):
        self.client, self.app, self.texts = client, app, []

    def call(self, method, path, own=(), **kw):
        """`own`: what this resident just typed, which a refused form gives back to them in
        its boxes (so that one press books another time when the slot filled meanwhile):
        their own input, in an answer nobody stores (no-store), taken out of the search."""
        resp = self.client.open(path, method=method, **kw)
        text = resp.get_data(as_text=True)
        for value in own:
            text = text.replace(f'value="{value}"', 'value="(typed)"')
        self.texts.append(f"{method} {path} {resp.status_code}\n{resp.headers}\n")
        self.texts.append(text)
        return resp

    def cli(self, *args):
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        self.texts.append(result.output)
        return result.output


@pytest.fixture
def log_lines():
    """Every log record of the day, formatted as the JSON log would write it."""
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(JsonFormatter().format(record))

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def _resident(serial, born, female=False, email=None):
    return {
        "nik": make_nik(born, female=female, serial=serial),
        "name": f"Warga Sehari {serial}",
        "birth_date": born.isoformat(),
        "phone": f"08123{serial:03d}{serial:04d}",
        "email": email,
        "consent": True,
    }


def _first_slot(day, t, site_id):
    slots = t.call("GET", f"/api/v1/sites/{site_id}/slots?from={day}&to={day}").get_json()
    return [s for s in slots["slots"] if s["available"]][0]["id"]


def _residents_book(t, office_id):
    """Tuesday's bookings: four through the API, two on the web (one after a mistake)."""
    tuesday = DAY + timedelta(days=1)
    slot = _first_slot(tuesday, t, office_id)
    people = [_resident(i, date(1990 + i, 3, 10), female=i % 2 == 0) for i in range(1, 7)]
    people[0]["email"] = "warga.satu@contoh.co.id"
    for person in people[:4]:
        resp = t.call("POST", "/api/v1/appointments", json={**person, "slot_id": slot})
        person["code"] = resp.get_json()["appointment"]["code"]
    for person in people[4:]:
        form = {**person, "consent": "y", "email": person["email"] or ""}
        wrong = {**form, "birth_date": "1980-01-01"}
        own = (person["nik"], person["phone"])
        assert t.call("POST", f"/pesan/{slot}", data=wrong, own=own).status_code == 422
        resp = t.call("POST", f"/pesan/{slot}", data=form)
        assert resp.status_code == 302
        t.call("GET", resp.headers["Location"])
        person["code"] = resp.headers["Location"].split("/janji/")[1].split("?")[0]
    return slot, people


def _residents_change(t, people, office_id):
    later = _first_slot(DAY + timedelta(days=2), t, office_id)
    t.call("POST", "/cek", data={"code": people[1]["code"], "nik": people[1]["nik"]})
    moved = t.call(
        "POST",
        f"/api/v1/appointments/{people[2]['code']}/reschedule",
        json={"nik": people[2]["nik"], "slot_id": later},
    )
    assert moved.status_code == 200
    cancel = f"/api/v1/appointments/{people[3]['code']}/cancel"
    assert t.call("POST", cancel, json={"nik": people[3]["nik"]}).status_code == 200
    t.call("POST", f"/api/v1/appointments/{people[0]['code']}/lookup", json={"nik": "salah"})


def _desk_day(t, people, office_id):
    """Tuesday at the main office: the clerk's roster, check-ins, outcomes, cards."""
    clock.freeze(FROZEN_NOW + timedelta(days=1))
    staff_token = t.cli("users", "token", "--email", demo_user_email("staff")).split()[-1]
    admin_token = t.cli("users", "token", "--email", demo_user_email("admin")).split()[-1]
    as_staff = {"Authorization": f"Bearer {staff_token}"}
    as_admin = {"Authorization": f"Bearer {admin_token}"}
    login = {"email": demo_user_email("staff"), "password": DEMO_PASSWORDS["staff"]}
    assert t.call("POST", "/masuk", data=login).status_code == 302
    t.call("GET", f"/petugas/daftar?site_id={office_id}")
    for person in (people[0], people[1], people[4]):
        resp = t.call("POST", "/api/v1/checkins", json={"code": person["code"]}, headers=as_staff)
        assert resp.status_code == 200, resp.get_json()
    t.call("POST", f"/api/v1/appointments/{people[0]['code']}/recorded", json={}, headers=as_staff)
    t.call("POST", f"/api/v1/appointments/{people[1]['code']}/recorded", json={}, headers=as_staff)
    t.call(
        "POST",
        f"/api/v1/appointments/{people[4]['code']}/recording-failed",
        json={"reason": "Sidik jari tidak terbaca"},
        headers=as_staff,
    )
    t.call("GET", f"/petugas/daftar?site_id={office_id}")
    t.call("GET", "/petugas/antrean-kartu")
    t.call("POST", "/keluar")
    delivery = {"quantity": 20, "received_on": (DAY + timedelta(days=1)).isoformat()}
    t.call("POST", "/api/v1/stock/deliveries", json=delivery, headers=as_admin)
    queue = t.call("GET", "/api/v1/print-queue", headers=as_admin).get_json()
    for card in queue["cards"][:1]:
        t.call("POST", f"/api/v1/appointments/{card['code']}/printed", json={}, headers=as_admin)
    t.call("GET", "/api/v1/outbox", headers=as_admin)
    admin = {"email": demo_user_email("admin"), "password": DEMO_PASSWORDS["admin"]}
    assert t.call("POST", "/masuk", data=admin).status_code == 302
    for page in (
        "/petugas/pesan-keluar",
        "/petugas/antrean-kartu",
        "/petugas/cetak",
        "/petugas/audit",
    ):
        assert t.call("GET", page).status_code == 200
    t.call("POST", "/keluar")


def _residents_own_data(t, people):
    page = t.call("POST", "/data-saya", data={"code": people[0]["code"], "nik": people[0]["nik"]})
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    t.call("POST", "/data-saya/unduh", data={"token": token.group(1)})
    for person in (people[1], people[3]):
        path = f"/api/v1/appointments/{person['code']}/my-data"
        assert t.call("POST", path, json={"nik": person["nik"]}).status_code == 200
    for person in (people[3], people[4], people[1]):  # cancelled, failed, recorded
        path = f"/api/v1/appointments/{person['code']}/erase"
        assert t.call("POST", path, json={"nik": person["nik"]}).status_code == 200
    erase = {"code": people[5]["code"], "nik": people[5]["nik"], "confirm": "y"}
    assert t.call("POST", "/data-saya/hapus", data=erase).status_code == 200


def _everyone_held(people):
    """Every NIK and phone number the office held during the day (the demo's too)."""
    rows = db.session.execute(sa.select(Appointment.nik_encrypted, Appointment.phone)).all()
    cards = db.session.execute(sa.select(CardRequest.nik_encrypted, CardRequest.phone)).all()
    outbox = db.session.scalars(sa.select(OutboxMessage.phone)).all()
    found = {niks.decrypt_nik(token) for token, _phone in [*rows, *cards] if token}
    phones = {p for _token, p in [*rows, *cards] if p} | {p for p in outbox if p}
    typed = {p["nik"] for p in people}
    return found | typed, phones | {p["phone"] for p in people}


def _is_a_nik(text):
    try:
        niks.parse_nik(text)
    except ValidationError:
        return False
    return True


def _phone_forms(phone):
    digits = re.sub(r"\D", "", phone)
    national = digits[2:] if digits.startswith("62") else digits.lstrip("0")
    return {"0" + national, "62" + national, "+62" + national, national}


def test_a_whole_day_never_shows_a_full_nik_or_phone_number(client, app, log_lines, monkeypatch):
    t = Transcript(client, app)
    t.cli("seed-demo")
    office_id = next(
        s["id"] for s in t.call("GET", "/api/v1/sites?kind=office").get_json()["sites"]
    )
    slot, people = _residents_book(t, office_id)
    _residents_change(t, people, office_id)
    held_niks, held_phones = _everyone_held(people)
    _desk_day(t, people, office_id)
    t.cli("jobs", "run-once")  # the worker: messages out, no-shows, purges
    _residents_own_data(t, people)
    more_niks, more_phones = _everyone_held(people)
    held_niks |= more_niks
    held_phones |= more_phones
    clock.freeze(FROZEN_NOW + timedelta(days=120))
    t.cli("privacy", "purge", "--dry-run")
    t.cli("privacy", "purge")
    t.cli("jobs", "run-once")
    for page in ("/cek", "/"):
        t.call("GET", page)

    said = "\n".join(t.texts + log_lines)
    assert len(held_niks) >= 10 and len(held_phones) >= 8  # the demo's residents and ours
    assert "Warga Sehari 1" in said  # the transcript is real: names do appear on pages
    leaked_niks = [n for n in held_niks if n in said]
    assert leaked_niks == [], f"full NIK in the output: {leaked_niks}"
    leaked_phones = [p for p in held_phones for form in _phone_forms(p) if form in said]
    assert leaked_phones == [], f"full phone number in the output: {leaked_phones}"
    # Nothing that looks like a NIK or a mobile number at all, known or not.
    valid_niks = [c for c in set(SIXTEEN_DIGITS.findall(said)) if _is_a_nik(c)]
    assert valid_niks == []
    assert PHONE_LIKE.findall(said) == []
