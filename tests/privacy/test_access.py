"""A resident's access answer (my-data): everything held, nothing in full."""

from datetime import date

from scheduler.appointments import services as appointments
from scheduler.extensions import db
from scheduler.staff import desk
from tests.factories import make_nik
from tests.privacy.conftest import bearer


def my_data(client, code, nik, **kw):
    return client.post(f"/api/v1/appointments/{code}/my-data", json={"nik": nik}, **kw)


def test_the_answer_holds_the_booking_its_history_and_messages(client, booked):
    body, a = booked
    resp = my_data(client, a["code"], body["nik"])
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    data = resp.get_json()
    assert data["booking"]["code"] == a["code"]
    assert data["booking"]["name"] == "Budi Santoso"
    assert data["booking"]["nik_masked"] == a["nik_masked"]
    assert data["booking"]["phone_masked"] == "+6281****890"
    assert data["booking"]["email_masked"] == "b***@contoh.co.id"
    assert [e["event"] for e in data["history"]] == ["booked"]
    assert data["history"][0]["at"].endswith("+07:00")
    # One message to the phone, one to the email, both masked.
    assert [m["event"] for m in data["messages"]] == ["booking_confirmed"] * 2
    assert {m["to"] for m in data["messages"]} == {"+6281****890", "b***@contoh.co.id"}
    assert data["card"]["status"] == "not_recorded"
    assert data["staff_reads"] == []
    assert data["retention"] == {"personal_data_until": None, "rule": "open_booking"}
    text = resp.get_data(as_text=True)
    assert body["nik"] not in text and "81234567890" not in text and "budi@" not in text


def test_a_wrong_nik_answers_exactly_like_an_unknown_code(client, booked):
    body, a = booked
    wrong = my_data(client, a["code"], make_nik(date(2000, 5, 17), serial=4321))
    unknown = my_data(client, "ZZZZZZZZ", body["nik"])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "not_found"


def test_failed_guesses_share_the_look_up_limit(client, booked):
    body, a = booked
    statuses = []
    for serial in range(1, 8):
        nik = make_nik(date(1990, 1, 1), serial=serial)
        statuses.append(my_data(client, a["code"], nik).status_code)
    assert statuses[:5] == [404] * 5 and statuses[5] == 429
    # The look-up counts the same failures: the code is locked for it too.
    lookup = client.post(f"/api/v1/appointments/{a['code']}/lookup", json={"nik": body["nik"]})
    assert lookup.status_code == 429


def test_history_names_the_staff_who_acted_and_reads_who_looked(client, booked, clerk, site):
    body, a = booked
    appointment = appointments.get_by_code(a["code"])
    slot_day = appointment.slot.starts_at.astimezone(desk.sites.zone(site)).date()
    desk.roster(clerk, site.id, slot_day)
    db.session.commit()
    data = my_data(client, a["code"], body["nik"]).get_json()
    assert [r["action"] for r in data["staff_reads"]] == ["view_roster"]
    assert data["staff_reads"][0]["staff"] == "Test User (staff)"
    assert "clerk@" not in str(data)


def test_the_outbox_read_by_an_admin_is_listed(client, booked, ctx):
    from tests.factories import make_user

    body, a = booked
    admin = make_user("admin", email="boss@example.test")
    assert client.get("/api/v1/outbox", headers=bearer(admin)).status_code == 200
    data = my_data(client, a["code"], body["nik"]).get_json()
    assert [r["action"] for r in data["staff_reads"]] == ["view_outbox"]
