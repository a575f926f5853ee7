"""Staff pages: login throttling and sessions, users and tokens, roster, check-in, walk-in,
audit log."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.staff.models import ApiToken, AuditEntry, User
from tests.factories import make_nik, make_slot
from tests.staff.conftest import book, login, today_at

PASSWORD = "correct-horse-battery"


def attempt(client, email, password, address="10.0.0.1"):
    return client.post(
        "/masuk",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


# --------------------------------------------------------------------- login and sessions


def test_login_is_throttled_per_account_across_addresses(client, clerk):
    for i in range(5):
        assert attempt(client, clerk.email, "wrong", f"10.0.1.{i}").status_code == 401
    resp = attempt(client, clerk.email, PASSWORD, "10.0.1.99")
    assert resp.status_code == 429 and "Retry-After" in resp.headers
    # Another account is not locked by it.
    other = attempt(client, "someone@example.test", "wrong", "10.0.2.1")
    assert other.status_code == 401


def test_login_is_throttled_per_address_across_accounts(client, clerk):
    for i in range(10):
        assert attempt(client, f"u{i}@example.test", "wrong", "10.0.3.1").status_code == 401
    assert attempt(client, clerk.email, PASSWORD, "10.0.3.1").status_code == 429
    assert attempt(client, clerk.email, PASSWORD, "10.0.3.2").status_code == 302


def test_successful_logins_are_not_counted(client, clerk):
    for _ in range(8):
        assert attempt(client, clerk.email, PASSWORD).status_code == 302


def test_session_ends_after_max_hours(client, clerk):
    login(client, clerk)
    assert client.get("/petugas/check-in").status_code == 200
    clock.freeze(clock.now() + timedelta(hours=12, minutes=1))
    resp = client.get("/petugas/check-in")
    assert resp.status_code == 302 and "/masuk" in resp.headers["Location"]


def test_logout_ends_the_session(client, clerk):
    login(client, clerk)
    assert client.post("/keluar").status_code == 302
    assert client.get("/petugas/daftar").status_code == 302


def test_password_change_ends_other_sessions(ctx, client, clerk):
    other = ctx.test_client()
    login(client, clerk)
    login(other, clerk)
    resp = client.post(
        "/petugas/kata-sandi",
        data={
            "current": PASSWORD,
            "new": "a-new-long-passphrase",
            "confirm": "a-new-long-passphrase",
        },
    )
    assert resp.status_code == 302
    assert client.get("/petugas/check-in").status_code == 200
    assert other.get("/petugas/check-in").status_code == 302
    assert attempt(client, clerk.email, "a-new-long-passphrase").status_code == 302


def test_password_change_refuses_a_wrong_current_or_short_new(client, clerk):
    login(client, clerk)
    resp = client.post(
        "/petugas/kata-sandi", data={"current": "wrong", "new": "x" * 12, "confirm": "x" * 12}
    )
    assert resp.status_code == 422 and 'id="current-error"' in resp.get_data(as_text=True)
    resp = client.post(
        "/petugas/kata-sandi", data={"current": PASSWORD, "new": "short", "confirm": "short"}
    )
    assert resp.status_code == 422 and 'id="new-error"' in resp.get_data(as_text=True)


# ------------------------------------------------------------------- users and tokens


def test_admin_creates_assigns_and_disables_a_user(client, admin, site):
    login(client, admin)
    resp = client.post(
        "/petugas/pengguna",
        data={
            "email": "New@Example.test",
            "password": "long-enough-pw",
            "role": "staff",
            "sites": [str(site.id)],
        },
    )
    assert resp.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.test"))
    assert user.role == "staff" and user.site_ids == {site.id}
    assert user.password_hash.startswith("$argon2")

    newbie = client.application.test_client()
    login(newbie, user, "long-enough-pw")
    resp = client.post(
        f"/petugas/pengguna/{user.id}", data={"role": "staff", "sites": [str(site.id)]}
    )
    assert resp.status_code == 302
    assert db.session.get(User, user.id).active is False
    assert newbie.get("/petugas/daftar").status_code == 302  # the session ended
    assert attempt(newbie, user.email, "long-enough-pw", "10.9.9.9").status_code == 401
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["user_create", "user_update"]


def test_admin_cannot_disable_themselves(client, admin):
    login(client, admin)
    resp = client.post(f"/petugas/pengguna/{admin.id}", data={"role": "admin"})
    assert resp.status_code == 422


def test_token_shown_once_stored_as_hash_and_revocable(client, admin, clerk, appointment):
    login(client, admin)
    resp = client.post("/petugas/token", data={"user_id": clerk.id, "name": "Pemindai loket 1"})
    assert resp.status_code == 201
    page = resp.get_data(as_text=True)
    token = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert token.startswith("ak_")
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Pemindai loket 1"))
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert token not in client.get("/petugas/pengguna").get_data(as_text=True)

    scanner = client.application.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    qr = appointments.checkin_token(appointment)
    assert scanner.post("/api/v1/checkins", json={"qr": qr}, headers=headers).status_code == 200
    assert db.session.get(ApiToken, row.id).last_used_at == clock.now()

    assert client.post(f"/petugas/token/{row.id}/cabut", data={"confirm": "1"}).status_code == 302
    resp = scanner.post("/api/v1/checkins", json={"qr": qr}, headers=headers)
    assert resp.status_code == 401


# ------------------------------------------------------------------------------ roster


def test_roster_shows_the_day_with_masked_nik_and_counts(client, clerk, site, slot):
    nik = make_nik(date(1999, 9, 9))
    first = book(slot, birth_date=date(1999, 9, 9), nik=nik, name="Ani Wulandari")
    book(slot, birth_date=date(1998, 1, 1), name="Bayu Saputra")
    db.session.commit()
    appointments.check_in(first)
    login(client, clerk)
    page = client.get(f"/petugas/daftar?site_id={site.id}").get_data(as_text=True)
    assert "Ani Wulandari" in page and "Bayu Saputra" in page
    assert nik not in page and nik[:4] + "*" * 10 + nik[-2:] in page
    assert 'data-count="booked">1<' in page and 'data-count="checked_in">1<' in page
    assert "08:30" in page
    fragment = client.get(f"/petugas/daftar/bagian?site_id={site.id}")
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert "Ani Wulandari" in fragment.get_data(as_text=True)
    viewed = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "view_roster"))
    assert viewed.user_id == clerk.id and viewed.site_id == site.id


def test_roster_of_another_site_is_not_shown(client, clerk, other_site, site):
    book(make_slot(other_site, starts_at=today_at(9)), name="Rahasia Orang")
    login(client, clerk)
    page = client.get(f"/petugas/daftar?site_id={other_site.id}").get_data(as_text=True)
    assert "Rahasia Orang" not in page
    assert client.get(f"/petugas/daftar/bagian?site_id={other_site.id}").status_code == 404


def form_actions(html):
    return re.findall(r'<form method="post" action="([^"]+)"', html)


def test_roster_buttons_record_outcomes(client, clerk, site, appointment):
    login(client, clerk)
    base = f"/petugas/janji/{appointment.code}"
    page = client.get(f"/petugas/daftar?site_id={site.id}").get_data(as_text=True)
    assert {f"{base}/check-in", f"{base}/no-show", f"{base}/office-cancel"} <= set(
        form_actions(page)
    )
    assert client.post(f"{base}/check-in", data={"site_id": site.id}).status_code == 302
    page = client.get(f"/petugas/daftar?site_id={site.id}").get_data(as_text=True)
    assert {f"{base}/recorded", f"{base}/recording-failed"} <= set(form_actions(page))
    resp = client.post(
        f"{base}/recording-failed", data={"reason_kind": "worn_fingerprints", "reason": ""}
    )
    assert resp.status_code == 302
    row = db.session.get(Appointment, appointment.id)
    assert row.status == "recording_failed" and "Sidik jari" in row.outcome_reason


def test_roster_button_on_another_sites_appointment_is_404(client, other_clerk, appointment):
    login(client, other_clerk)
    resp = client.post(f"/petugas/janji/{appointment.code}/office-cancel", data={"reason": "x"})
    assert resp.status_code == 404
    assert db.session.get(Appointment, appointment.id).status == "booked"


# ---------------------------------------------------------------------------- check-in


def test_checkin_page_without_javascript(client, clerk, site, appointment):
    login(client, clerk)
    page = client.get("/petugas/check-in").get_data(as_text=True)
    assert 'name="code"' in page and "jsQR.js" in page
    resp = client.post("/petugas/check-in", data={"site_id": site.id, "code": appointment.code})
    assert resp.status_code == 200
    assert "verdict-ok" in resp.get_data(as_text=True)
    again = client.post("/petugas/check-in", data={"site_id": site.id, "code": appointment.code})
    assert again.status_code == 409
    assert "verdict-bad" in again.get_data(as_text=True)


def test_checkin_scan_endpoint_answers_json(client, clerk, site, appointment):
    login(client, clerk)
    resp = client.post("/petugas/check-in/pindai", json={"qr": "forged.token", "site_id": site.id})
    assert resp.status_code == 422
    assert resp.get_json()["code"] == "invalid_qr" and resp.get_json()["ok"] is False
    good = appointments.checkin_token(appointment)
    resp = client.post("/petugas/check-in/pindai", json={"qr": good, "site_id": site.id})
    assert resp.status_code == 200 and resp.get_json()["name"] == "Budi Santoso"


# ----------------------------------------------------------------------------- walk-in


def test_walk_in_page(client, clerk, site, slot):
    clock.freeze(today_at(8, 40))
    login(client, clerk)
    page = client.get("/petugas/tanpa-janji").get_data(as_text=True)
    assert "08:30-09:00" in page
    body = {
        "site_id": site.id,
        "nik": make_nik(date(1980, 4, 4)),
        "name": "Joko Widodo",
        "birth_date": "1980-04-05",
        "phone": "081234567890",
    }
    resp = client.post("/petugas/tanpa-janji", data=body)
    assert resp.status_code == 422
    assert 'id="birth_date-error"' in resp.get_data(as_text=True)
    resp = client.post(
        "/petugas/tanpa-janji", data={**body, "birth_date_override_reason": "Akta lahir"}
    )
    assert resp.status_code == 302
    row = db.session.scalar(sa.select(Appointment).where(Appointment.name == "Joko Widodo"))
    assert row.status == "checked_in" and row.channel == "walk_in"


# ------------------------------------------------------------------------------- audit


def test_audit_page_filters(client, admin, clerk, appointment):
    db.session.commit()
    appointments.check_in(appointment)
    from scheduler.staff import desk

    desk.mark_recorded(clerk, appointment.code)
    login(client, admin)
    page = client.get(f"/petugas/audit?action=recorded&code={appointment.code.lower()}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and clerk.email in text and appointment.code in text
    empty = client.get("/petugas/audit?action=no_show").get_data(as_text=True)
    assert appointment.code not in empty
    assert client.get("/petugas/audit?on=not-a-date").status_code == 422


def test_desk_pages_speak_english(client, clerk, site):
    login(client, clerk)
    page = client.get("/petugas/check-in?lang=en").get_data(as_text=True)
    assert "Scan the QR code" in page and "Booking code" in page
    roster = client.get(f"/petugas/daftar?site_id={site.id}").get_data(as_text=True)
    assert "No appointments on this day yet." in roster
