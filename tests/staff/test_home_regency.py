"""A NIK from anywhere in Indonesia books and records here; the desk sees where it was
issued (the regency's name, never the full NIK); a region code that is no kecamatan of
Indonesia is refused online in words, and taken at the desk."""

from datetime import date

import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from tests.factories import booking_body, make_nik, make_slot
from tests.staff.conftest import book, login, today_at

BORN = date(1995, 3, 14)


def test_a_nik_of_another_regency_books_and_the_roster_names_its_regency(client, clerk, site, slot):
    tangerang = make_nik(BORN, region="360315")  # Pasar Kemis, Kabupaten Tangerang
    kudus = make_nik(date(1990, 1, 2))
    online = client.post(
        "/api/v1/appointments",
        json=booking_body(make_slot(site), birth_date=BORN, nik=make_nik(BORN, region="360315")),
    )
    assert online.status_code == 201, online.get_json()
    book(slot, birth_date=BORN, nik=tangerang, name="Rina Tangerang")
    book(slot, birth_date=date(1990, 1, 2), nik=kudus, name="Sri Kudus")
    login(client, clerk)
    page = client.get(f"/petugas/daftar?site_id={site.id}").get_data(as_text=True)
    assert tangerang not in page and kudus not in page
    row = page[page.index(">Rina Tangerang<") :].split("</tr>")[0]
    assert "3603**********" in row and "Kabupaten Tangerang" in row
    own = page[page.index(">Sri Kudus<") :].split("</tr>")[0]
    assert "Kabupaten Kudus" not in own  # the regency served goes without saying


def test_the_check_in_answer_names_the_home_regency(client, clerk, site, slot):
    appointment = book(slot, birth_date=BORN, nik=make_nik(BORN, region="737105"))
    db.session.commit()
    login(client, clerk)
    token = appointments.checkin_token(appointment)
    answer = client.post("/petugas/check-in/pindai", json={"qr": token, "site_id": site.id})
    body = answer.get_json()
    assert answer.status_code == 200 and body["home_regency"] == "Kota Makassar"
    assert make_nik(BORN, region="737105")[:12] not in answer.get_data(as_text=True)


def _nik_error(client, future, nik, lang="id"):
    resp = client.post(
        "/api/v1/appointments",
        json=booking_body(future, birth_date=BORN, nik=nik),
        headers={"Accept-Language": lang},
    )
    assert resp.status_code == 422
    return resp.get_json()["error"]["fields"]["nik"]


def test_a_region_code_that_is_no_kecamatan_is_refused_in_words(client, site):
    future = make_slot(site)
    message = _nik_error(client, future, make_nik(BORN, region="331999"))
    assert "33.19.99" in message and "Kabupaten Kudus" in message and "99" in message
    assert "loket" in message
    english = _nik_error(client, future, make_nik(BORN, region="331999"), lang="en")
    assert "Kabupaten Kudus" in english and "kecamatan" in english and "desk" in english
    unknown = _nik_error(client, future, make_nik(BORN, region="339901"))
    assert "33.99" in unknown and "tidak dikenal" in unknown
    assert "not known" in _nik_error(client, future, make_nik(BORN, region="339901"), lang="en")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 0


def test_the_desk_takes_a_nik_of_a_renumbered_region(client, clerk, site, slot):
    """A NIK is for life: one issued before a region was renumbered (Papua's new provinces)
    keeps a code the current list lacks; the clerk sees the papers and records it."""
    clock.freeze(today_at(8, 40))
    login(client, clerk)
    old_code = make_nik(BORN, region="919901")
    resp = client.post(
        "/petugas/tanpa-janji",
        data={
            "site_id": site.id,
            "nik": old_code,
            "name": "Yakobus Wenda",
            "birth_date": BORN.isoformat(),
            "phone": "081234567890",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    page = client.get(f"/petugas/daftar?site_id={site.id}").get_data(as_text=True)
    row = page[page.index(">Yakobus Wenda<") :].split("</tr>")[0]
    assert "9199" in row and "tidak dikenal" in row
