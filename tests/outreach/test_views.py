"""The outreach pages: request to running session, roster, sheet, tally, invitations."""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.outreach import services
from scheduler.outreach.models import OutreachRequest
from scheduler.sites.models import Slot
from scheduler.staff.models import User
from tests.factories import make_nik
from tests.outreach.conftest import approve, make_request, make_user, pupil, roster_csv


def login(client, user):
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True


def logout(client):
    with client.session_transaction() as sess:
        sess.clear()


@pytest.fixture
def session(ctx, coordinator, admin):
    req = make_request(coordinator.user)
    approve(req, admin.user, kits=1, start="08:00", end="09:00")
    db.session.commit()
    return req.session


def test_anonymous_is_sent_to_login_and_staff_cannot_open_coverage(client, staff_member):
    resp = client.get("/jemput-bola")
    assert resp.status_code == 302 and "/masuk" in resp.headers["Location"]
    login(client, staff_member.user)
    assert client.get("/cakupan").status_code == 403
    assert client.get("/jemput-bola/baru").status_code == 403


def test_coordinator_requests_through_the_page(client, coordinator):
    login(client, coordinator.user)
    page = client.get("/jemput-bola/baru")
    assert page.status_code == 200 and "Purwosari" in page.get_data(as_text=True)
    form = {
        "institution_kind": "village_hall",
        "institution_name": "Balai Desa Japan",
        "address": "Desa Japan, Dawe",
        "kecamatan": "33.19.09",
        "desa": "Japan",
        "expected_participants": "40",
        "preferred_date_1": "2026-12-10",
        "preferred_date_2": "2026-12-11",
        "contact_name": "Pak Kades",
        "contact_phone": "081234567890",
        "notes": "",
    }
    resp = client.post("/jemput-bola/baru", data=form)
    assert resp.status_code == 302
    req = db.session.scalar(sa.select(OutreachRequest))
    assert req.desa == "Japan" and req.kecamatan == "Dawe"
    assert req.preferred_dates == ["2026-12-10", "2026-12-11"]
    detail = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Balai Desa Japan" in detail and "Menunggu tinjauan" in detail
    # A desa of another kecamatan comes back next to its field.
    resp = client.post("/jemput-bola/baru", data={**form, "desa": "Purwosari"})
    assert resp.status_code == 422
    assert 'id="desa-error"' in resp.get_data(as_text=True)


def test_coordinator_sees_only_own_requests_on_pages(client, coordinator, other_coordinator):
    mine = make_request(coordinator.user)
    theirs = make_request(other_coordinator.user, institution_name="SMP Lain")
    login(client, coordinator.user)
    listing = client.get("/jemput-bola").get_data(as_text=True)
    assert "SMA Negeri 2 Kudus" in listing and "SMP Lain" not in listing
    assert client.get(f"/jemput-bola/{mine.id}").status_code == 200
    assert client.get(f"/jemput-bola/{theirs.id}").status_code == 404


def test_admin_approves_on_the_page_and_sees_errors_next_to_fields(client, coordinator, admin):
    req = make_request(coordinator.user)
    login(client, admin.user)
    resp = client.post(
        f"/jemput-bola/{req.id}/setujui",
        data={"date": "2026-12-09", "start": "10:00", "end": "09:00", "kits": "1", "team": "Tim A"},
    )
    assert resp.status_code == 422 and 'id="end-error"' in resp.get_data(as_text=True)
    resp = client.post(
        f"/jemput-bola/{req.id}/setujui",
        data={"date": "2026-12-09", "start": "08:00", "end": "10:00", "kits": "2", "team": "Tim A"},
    )
    assert resp.status_code == 302
    page = client.get(f"/jemput-bola/{req.id}").get_data(as_text=True)
    assert "Dijadwalkan" in page and "/jemput-bola/sesi/" in page
    # Approving again: the state error is shown on the page, not a crash.
    resp = client.post(
        f"/jemput-bola/{req.id}/setujui",
        data={"date": "2026-12-09", "start": "08:00", "end": "10:00", "kits": "1", "team": "Tim B"},
    )
    assert resp.status_code == 409


def test_decline_on_the_page_shows_the_reason_to_the_coordinator(client, coordinator, admin):
    req = make_request(coordinator.user)
    login(client, admin.user)
    resp = client.post(f"/jemput-bola/{req.id}/tolak", data={"reason": "Jadwal tim penuh"})
    assert resp.status_code == 302
    logout(client)
    login(client, coordinator.user)
    page = client.get(f"/jemput-bola/{req.id}").get_data(as_text=True)
    assert "Ditolak" in page and "Jadwal tim penuh" in page


def test_roster_upload_page_streams_progress_and_the_report(client, coordinator, session):
    login(client, coordinator.user)
    bad = ["3319020101090001", "X", "2009-01-02", "0812"]
    first = pupil(1)
    data = roster_csv([first, pupil(2), bad])
    resp = client.post(
        f"/jemput-bola/sesi/{session.id}/peserta",
        data={"file": (io.BytesIO(data), "peserta.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "<progress" in text and 'value="3"' in text
    assert "2 peserta terdaftar" in text
    assert "Baris" in text and "birth_date" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 2
    # The participants page shows masked NIKs only.
    page = client.get(f"/jemput-bola/{session.request_id}").get_data(as_text=True)
    nik = first[0]
    assert nik not in page and nik[:4] + "*" * 10 + nik[-2:] in page


def test_streamed_import_rolls_back_when_it_fails(client, coordinator, session, monkeypatch):
    from scheduler.outreach import roster

    real = roster.appointments.book_into_slot
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(roster.appointments, "book_into_slot", flaky)
    login(client, coordinator.user)
    resp = client.post(
        f"/jemput-bola/sesi/{session.id}/peserta",
        data={"file": (io.BytesIO(roster_csv([pupil(1), pupil(2)])), "p.csv")},
        content_type="multipart/form-data",
    )
    assert "tidak ada peserta yang didaftarkan" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 0
    assert all(s.booked_count == 0 for s in db.session.scalars(sa.select(Slot)))


def test_bad_roster_file_is_shown_on_the_session_page(client, coordinator, session):
    login(client, coordinator.user)
    resp = client.post(
        f"/jemput-bola/sesi/{session.id}/peserta",
        data={"file": (io.BytesIO(b"foo,bar\n1,2\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert 'id="file-error"' in resp.get_data(as_text=True)


def test_attendance_sheet_has_a_qr_per_participant(client, coordinator, session):
    from scheduler.outreach import roster

    rows = [pupil(1), pupil(2)]
    roster.import_roster(session.id, coordinator.user, "r.csv", roster_csv(rows))
    login(client, coordinator.user)
    text = client.get(f"/jemput-bola/sesi/{session.id}/daftar-hadir").get_data(as_text=True)
    assert text.count('src="data:image/png;base64,') == 2
    assert rows[0][0] not in text and rows[0][1] in text


def test_public_session_page_books_with_the_signed_link(client, session):
    url = services.booking_url(session).split("antre.example.go.id", 1)[1]
    page = client.get(url)
    assert page.status_code == 200
    assert "kursi tersisa" in page.get_data(as_text=True)
    assert client.get(f"/jemput-bola/sesi/{session.id}?s=forged").status_code == 404
    slot = services.session_slots(session)[0]
    born = date(2008, 6, 1)
    form = {
        "slot_id": str(slot.id),
        "nik": make_nik(born, female=True),
        "name": "Rina",
        "birth_date": born.isoformat(),
        "phone": "081234567890",
        "consent": "y",
    }
    resp = client.post(url, data=form)
    assert resp.status_code == 302 and "/janji/" in resp.headers["Location"]
    # The same page as any booking: QR code, what to bring, calendar file, cancel link.
    text = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "qr.png" in text and "Yang perlu dibawa" in text and "Dipesan" in text
    assert "Tambah ke kalender" in text and "/batal?s=" in text
    appointment = db.session.scalar(sa.select(Appointment))
    assert appointment.site_id == session.site_id and appointment.slot_id == slot.id
    # Same rules as any booking: the same NIK again is refused on the page.
    resp = client.post(url, data=form)
    assert resp.status_code == 409
    # Under age on the session day: the message sits next to the birth date.
    young = date(2011, 2, 2)
    resp = client.post(
        url,
        data={**form, "nik": make_nik(young), "birth_date": young.isoformat()},
    )
    assert resp.status_code == 422 and 'id="birth_date-error"' in resp.get_data(as_text=True)


def test_the_session_form_asks_as_the_main_one_and_names_every_fault(client, session):
    from tests.factories import make_slot

    url = services.booking_url(session).split("antre.example.go.id", 1)[1]
    outreach = client.get(url).get_data(as_text=True)
    main = client.get(f"/pesan/{make_slot().id}").get_data(as_text=True)
    consent = "Data Anda (NIK, nama, tanggal lahir, nomor HP, email) dipakai Disdukcapil"
    for same in (consent, 'name="assistance"', "Harus sama dengan tanggal lahir dalam NIK."):
        assert same in outreach and same in main, same
    slot = services.session_slots(session)[0]
    born = date(2008, 6, 1)
    resp = client.post(
        url,
        data={
            "slot_id": str(slot.id),
            "nik": make_nik(born, region="331999"),
            "name": "Rina",
            "birth_date": born.isoformat(),
            "phone": "12345",
            "email": "nope",
            "consent": "y",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    for field in ("nik", "phone", "email"):
        assert f'id="{field}-error"' in html, field
    english = client.get(url + "&lang=en").get_data(as_text=True)
    assert "Book this slot" in english and "dipakai Disdukcapil" not in english


def test_admin_opens_the_session_to_the_public_list(client, admin, session):
    login(client, admin.user)
    listed = f"/api/v1/sites/{session.site_id}/slots?from=2026-12-09&to=2026-12-09"
    assert client.get(listed).get_json()["slots"] == []
    resp = client.post(f"/jemput-bola/sesi/{session.id}/publik", data={"is_public": "1"})
    assert resp.status_code == 302
    slots = client.get(listed).get_json()["slots"]
    assert len(slots) == 2 and {s["session_kind"] for s in slots} == {"outreach"}
    client.post(f"/jemput-bola/sesi/{session.id}/publik", data={"is_public": "0"})
    assert client.get(listed).get_json()["slots"] == []


def test_tally_after_the_session_marks_the_request_done(client, coordinator, admin, session):
    from scheduler.outreach import roster

    roster.import_roster(
        session.id, coordinator.user, "r.csv", roster_csv([pupil(i) for i in range(3)])
    )
    db.session.commit()
    login(client, admin.user)
    ids = [a.id for a in services.session_appointments(session)]
    early = client.post(
        f"/jemput-bola/sesi/{session.id}/hasil", data={f"outcome-{ids[0]}": "recorded"}
    )
    assert early.status_code == 409
    clock.freeze(datetime(2026, 12, 9, 3, 0, tzinfo=UTC))  # 10:00 WIB, after the session
    resp = client.post(
        f"/jemput-bola/sesi/{session.id}/hasil",
        data={
            f"outcome-{ids[0]}": "recorded",
            f"outcome-{ids[1]}": "has_card",
            f"outcome-{ids[2]}": "absent",
            "summary": "Listrik padam 15 menit",
        },
    )
    assert resp.status_code == 302
    counts = services.tally_counts(session)
    assert (counts["recorded"], counts["has_card"], counts["absent"], counts["untallied"]) == (
        1,
        1,
        1,
        0,
    )
    assert db.session.get(OutreachRequest, session.request_id).status == "done"
    page = client.get(f"/jemput-bola/sesi/{session.id}/hasil").get_data(as_text=True)
    assert "Listrik padam 15 menit" in page
    bad = client.post(f"/jemput-bola/sesi/{session.id}/hasil", data={f"outcome-{ids[0]}": "zzz"})
    assert bad.status_code == 422


def test_staff_of_the_site_may_tally_others_may_not(client, session):
    outsider = make_user("staff")
    login(client, outsider)
    assert client.get(f"/jemput-bola/sesi/{session.id}/hasil").status_code == 404
    insider = make_user("staff", sites=[session.site])
    logout(client)
    login(client, insider)
    assert client.get(f"/jemput-bola/sesi/{session.id}/hasil").status_code == 200
    assert "SMA Negeri 2 Kudus" in client.get("/jemput-bola").get_data(as_text=True)


def test_invitation_link_sets_the_coordinators_password_once(client, admin):
    login(client, admin.user)
    resp = client.post(
        "/jemput-bola/undangan", data={"email": "Kades@Japan.desa.id", "name": "Kades"}
    )
    link = re.search(r'href="(http[^"]+/undangan/[^"]+)"', resp.get_data(as_text=True)).group(1)
    path = link.split("antre.example.go.id", 1)[1]
    logout(client)
    assert client.get(path).status_code == 200
    short = client.post(path, data={"password": "pendek", "confirm": "pendek"})
    assert short.status_code == 422 and 'id="password-error"' in short.get_data(as_text=True)
    ok = client.post(path, data={"password": "rahasia-desa-2026", "confirm": "rahasia-desa-2026"})
    assert ok.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "kades@japan.desa.id"))
    assert user.role == "coordinator"
    assert client.get(path).status_code == 404  # used
    assert client.get(path[:-3] + "abc").status_code == 404  # forged


def test_invitation_expires(client, admin, app):
    link = services.invite_coordinator("baru@sekolah.sch.id", "Bu Guru")
    path = link.split("antre.example.go.id", 1)[1]
    days = app.config["OUTREACH_INVITE_DAYS"]
    clock.freeze(clock.now() + timedelta(days=days, minutes=1))
    resp = client.get(path)
    assert resp.status_code == 404 and "kedaluwarsa" in resp.get_data(as_text=True)


def test_coverage_page_ranks_desa_and_draws_the_chart(client, admin):
    login(client, admin.user)
    csv_data = (
        b"kecamatan;desa;wktp;recorded;school\n"
        b"Dawe;Colo;4000;3900;\n"
        b"Bae;Panjang;6000;5990;\n"
        b"Bae;Panjang;400;320;SMA Negeri 1 Kudus\n"
    )
    resp = client.post(
        "/cakupan/unggah",
        data={"file": (io.BytesIO(csv_data), "c.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    resp = client.post(
        "/cakupan",
        data={
            "kecamatan": "33.19.04",
            "desa": "Wonosoco",
            "school": "",
            "wktp": "2000",
            "recorded": "1995",
        },
    )
    assert resp.status_code == 302
    text = client.get("/cakupan").get_data(as_text=True)
    assert "<svg" in text and "<rect" in text
    assert text.index(">Colo<") < text.index(">Panjang<") < text.index(">Wonosoco<")
    # Regency: 12,000 WKTP, 11,885 recorded = 99.04 %, below the 99.40 % target.
    assert "99,04\xa0%" in text and "99,40" in text
    assert "SMA Negeri 1 Kudus" in text
    bad = client.post(
        "/cakupan",
        data={"kecamatan": "33.19.04", "desa": "Wonosoco", "wktp": "10", "recorded": "11"},
    )
    assert bad.status_code == 422 and 'id="recorded-error"' in bad.get_data(as_text=True)


def test_coverage_csv_with_a_bad_line_saves_nothing(client, admin):
    login(client, admin.user)
    csv_data = b"kecamatan,desa,wktp,recorded\nDawe,Colo,100,90\nDawe,Atlantis,10,5\n"
    resp = client.post(
        "/cakupan/unggah",
        data={"file": (io.BytesIO(csv_data), "c.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and "Baris 3" in resp.get_data(as_text=True)
    from scheduler.outreach.models import CoverageFigure

    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverageFigure)) == 0


def test_pages_and_api_messages_speak_english(client, coordinator):
    login(client, coordinator.user)
    page = client.get("/jemput-bola?lang=en").get_data(as_text=True)
    assert "Make a request" in page
    resp = client.post(
        "/api/v1/outreach/requests",
        json={"preferred_dates": ["2026-12-09"]},
        headers={**coordinator.headers, "Accept-Language": "en"},
    )
    assert resp.status_code == 422
    from tests.outreach.conftest import request_body

    resp = client.post(
        "/api/v1/outreach/requests",
        json=request_body(desa="Colo"),
        headers={**coordinator.headers, "Accept-Language": "en"},
    )
    assert resp.get_json()["error"]["fields"]["desa"].startswith("No such desa")


def test_nul_in_a_page_form_is_a_field_error(client, coordinator):
    login(client, coordinator.user)
    resp = client.post("/jemput-bola/baru", data={"institution_name": "SMA\x00", "address": "x"})
    assert resp.status_code == 422
    assert 'id="institution_name-error"' in resp.get_data(as_text=True)


def test_coverage_page_takes_a_date_and_draws_the_months(client, admin):
    login(client, admin.user)
    for counted_on, recorded in (("2026-10-31", "1980"), ("", "1990")):
        resp = client.post(
            "/cakupan",
            data={
                "kecamatan": "33.19.04",
                "desa": "Wonosoco",
                "wktp": "2000",
                "recorded": recorded,
                "counted_on": counted_on,
            },
        )
        assert resp.status_code == 302
    text = client.get("/cakupan").get_data(as_text=True)
    # October and December drawn (November carries October's figure), with their values.
    assert "Cakupan perekaman per bulan" in text and text.count("<circle") == 3
    assert "99,00" in text and "99,50" in text
    future = client.post(
        "/cakupan",
        data={
            "kecamatan": "33.19.04",
            "desa": "Wonosoco",
            "wktp": "2000",
            "recorded": "1990",
            "counted_on": "2027-01-01",
        },
    )
    assert future.status_code == 422 and "masa depan" in future.get_data(as_text=True)
