"""A family's booking (one Kartu Keluarga): every member into the chosen slot or the ones
right after it, all or nothing, each with their own code and QR code, one message."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.sites.models import Slot
from tests.factories import make_nik, make_site, make_slot

PATH = "/api/v1/appointments/group"


@pytest.fixture
def site(ctx):
    return make_site("Kantor Keluarga", hours=False)


def member(birth, **extra):
    return {
        "nik": make_nik(birth),
        "name": f"Anggota {birth.year}",
        "birth_date": birth.isoformat(),
        **extra,
    }


def family(n=3):
    return [member(date(1970 + 10 * i, 3, 1 + i)) for i in range(n)]


def body(slot, members, **extra):
    return {
        "slot_id": slot.id,
        "phone": "081234567890",
        "consent": True,
        "members": members,
        **extra,
    }


def count(model):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_family_books_one_slot_with_own_codes_and_one_message(client, site):
    slot = make_slot(site, capacity=4)
    resp = client.post(PATH, json=body(slot, family(3), email="keluarga@example.com"))
    assert resp.status_code == 201, resp.get_json()
    booked = resp.get_json()["appointments"]
    assert len(booked) == 3 and len({a["code"] for a in booked}) == 3
    assert {a["slot"]["id"] for a in booked} == {slot.id}
    assert all(a["qr_png_url"] and a["status"] == "booked" for a in booked)
    assert [a["name"] for a in booked] == [m["name"] for m in family(3)]
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {m.event for m in messages} == {"household_booking_confirmed"}
    assert {m.reference for m in messages} == {booked[0]["code"]}  # one message, its channels
    context = messages[0].context
    assert [m["code"] for m in context["members"]] == [a["code"] for a in booked]
    assert all(f["nik"] not in resp.get_data(as_text=True) for f in family(3))


def test_members_spill_into_the_slots_right_after(client, site):
    first = make_slot(site, capacity=2)
    second = make_slot(site, starts_at=first.ends_at, capacity=2)
    resp = client.post(PATH, json=body(first, family(3)))
    assert resp.status_code == 201, resp.get_json()
    slots = [a["slot"]["id"] for a in resp.get_json()["appointments"]]
    assert slots == [first.id, first.id, second.id]


def test_not_enough_seats_without_a_gap_books_no_one(client, site):
    first = make_slot(site, capacity=2)
    make_slot(site, starts_at=first.ends_at + timedelta(minutes=30), capacity=5)  # a gap
    resp = client.post(PATH, json=body(first, family(3)))
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "slot_full"
    assert count(Appointment) == 0 and db.session.get(Slot, first.id).booked_count == 0


@pytest.mark.parametrize(
    "index, change, field",
    [
        (2, {"birth_date": "1990-03-04"}, "members.2.birth_date"),
        (1, {"nik": "12345"}, "members.1.nik"),
        (0, {"name": ""}, "members.0.name"),
        (1, {"assistance": "vip"}, "members.1.assistance"),
    ],
)
def test_one_bad_member_refuses_the_whole_family(client, site, index, change, field):
    slot = make_slot(site, capacity=6)
    members = family(3)
    members[index] = {**members[index], **change}
    resp = client.post(PATH, json=body(slot, members))
    assert resp.status_code == 422, resp.get_json()
    fields = resp.get_json()["error"]["fields"]
    assert list(fields) == [field], fields
    assert count(Appointment) == 0 and count(OutboxMessage) == 0
    assert db.session.get(Slot, slot.id).booked_count == 0


def test_a_member_already_booked_refuses_the_family_naming_them(client, site):
    slot = make_slot(site, capacity=6)
    members = family(3)
    single = {**members[1], "slot_id": slot.id, "phone": "081234567891", "consent": True}
    assert client.post("/api/v1/appointments", json=single).status_code == 201
    resp = client.post(PATH, json=body(slot, members))
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "duplicate_booking" and list(error["fields"]) == ["members.1.nik"]
    assert count(Appointment) == 1 and db.session.get(Slot, slot.id).booked_count == 1


def test_member_names_are_kept_with_single_spaces(client, site):
    slot = make_slot(site, capacity=2)
    members = [member(date(1980, 3, 1), name="Budi   Santoso"), member(date(1990, 4, 2))]
    resp = client.post(PATH, json=body(slot, members))
    assert resp.status_code == 201
    assert resp.get_json()["appointments"][0]["name"] == "Budi Santoso"


def test_the_same_nik_twice_and_the_group_size(client, site):
    slot = make_slot(site, capacity=6)
    members = family(2)
    twice = client.post(PATH, json=body(slot, [members[0], members[1], members[0]]))
    assert twice.status_code == 422 and "members.2.nik" in twice.get_json()["error"]["fields"]
    seven = [member(date(1960 + i, 1, 1 + i)) for i in range(7)]
    too_many = client.post(PATH, json=body(slot, seven))
    assert too_many.status_code == 422 and "members" in too_many.get_json()["error"]["fields"]
    none = client.post(PATH, json=body(slot, []))
    assert none.status_code == 422 and "members" in none.get_json()["error"]["fields"]
    no_consent = client.post(PATH, json=body(slot, members, consent=False))
    assert no_consent.status_code == 422 and "consent" in no_consent.get_json()["error"]["fields"]
    assert count(Appointment) == 0


def _form(slot_members, **extra):
    data = {"phone": "081234567890", "consent": "y", **extra}
    for i, m in enumerate(slot_members):
        for key in ("nik", "name", "birth_date"):
            data[f"members-{i}-{key}"] = m[key]
    return data


def test_the_page_adds_members_one_by_one_without_javascript(client, site):
    slot = make_slot(site, capacity=6)
    page = client.get(f"/pesan/{slot.id}/keluarga").get_data(as_text=True)
    assert 'name="members-0-nik"' in page and 'name="members-1-nik"' not in page
    members = family(2)
    added = client.post(
        f"/pesan/{slot.id}/keluarga", data={**_form(members[:1]), "add_member": "1"}
    )
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    assert 'name="members-1-nik"' in html and members[0]["nik"] in html
    removed = client.post(
        f"/pesan/{slot.id}/keluarga", data={**_form(members), "remove_member": "0"}
    ).get_data(as_text=True)
    assert members[0]["nik"] not in removed and members[1]["nik"] in removed
    done = client.post(f"/pesan/{slot.id}/keluarga", data=_form(members))
    assert done.status_code == 302, done.get_data(as_text=True)
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    codes = db.session.scalars(sa.select(Appointment.code)).all()
    assert len(codes) == 2 and all(code in shown for code in codes)
    assert shown.count('class="qr"') == 2
    forged = done.headers["Location"].rsplit("s=", 1)[0] + "s=palsu"
    assert client.get(forged).status_code == 404


def test_the_page_shows_a_bad_member_next_to_their_field(client, site):
    slot = make_slot(site, capacity=6)
    members = family(2)
    members[1] = {**members[1], "birth_date": "1980-01-01"}
    resp = client.post(f"/pesan/{slot.id}/keluarga?lang=en", data=_form(members))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="members-1-birth_date-error"' in html
    assert count(Appointment) == 0


def test_the_summary_lists_each_members_own_fault_in_words(client, site):
    """A family form its own checks refuse (a member's name left empty) lists that
    member's field in the error summary, linked to it: never the list's raw errors."""
    slot = make_slot(site, capacity=6)
    data = _form(family(2))
    data["members-1-name"] = ""
    resp = client.post(f"/pesan/{slot.id}/keluarga", data=data)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#members-1-name"' in summary
    assert "{" not in summary and "[" not in summary
    assert 'id="members-1-name-error"' in html
    assert count(Appointment) == 0
