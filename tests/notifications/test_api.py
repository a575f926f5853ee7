import pytest

from scheduler import clock
from scheduler.extensions import db
from scheduler.notifications import services
from scheduler.staff import services as staff
from scheduler.staff.models import User
from tests.notifications.conftest import outbox_rows


def make_user(role, email=None):
    """A user without a usable password (argon2 is slow; these tests sign in directly)."""
    user = User(
        email=email or f"{role}-{id(object())}@example.test",
        name="Test",
        password_hash="!",
        role=role,
        active=True,
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def admin(ctx):
    user = make_user("admin", email="admin@example.test")
    return {"Authorization": "Bearer " + staff.create_token(user.email)}


@pytest.fixture
def messages(ctx):
    services.enqueue(
        "booking_confirmed",
        name="Siti Aminah",
        phone="+6281234567890",
        email="siti@example.test",
        reference="ACDE3467",
        nik_masked="3319**********01",
        context={"code": "ACDE3467", "link": "https://antre.example.go.id/janji/ACDE3467?s=x"},
    )
    rows = outbox_rows()
    rows[1].status = "dead"
    rows[1].last_error = "email: SMTP 451 try later"
    db.session.commit()
    return rows


def test_admin_lists_messages_without_personal_data(client, admin, messages):
    resp = client.get("/api/v1/outbox", headers=admin)
    assert resp.status_code == 200
    listed = resp.get_json()["messages"]
    assert [m["id"] for m in listed] == [messages[1].id, messages[0].id]
    m = listed[1]
    assert m["status"] == "pending" and m["route"] == "phone"
    assert m["nik_masked"] == "3319**********01" and m["reference"] == "ACDE3467"
    assert m["created_at"].endswith("+07:00")
    text = resp.get_data(as_text=True)
    for personal in ("Siti", "Aminah", "81234567890", "siti@example.test"):
        assert personal not in text


def test_status_filter(client, admin, messages):
    resp = client.get("/api/v1/outbox?status=dead", headers=admin)
    (m,) = resp.get_json()["messages"]
    assert m["status"] == "dead" and m["last_error"] == "email: SMTP 451 try later"
    assert client.get("/api/v1/outbox?status=sent", headers=admin).get_json() == {"messages": []}


def test_bad_status_is_a_validation_error(client, admin):
    resp = client.get("/api/v1/outbox?status=lost", headers=admin)
    assert resp.status_code == 422
    assert "status" in resp.get_json()["error"]["fields"]


def test_no_token_is_401(client):
    assert client.get("/api/v1/outbox").status_code == 401


def test_staff_are_403(client, messages):
    staff_user = make_user("staff")
    token = staff.create_token(staff_user.email)
    resp = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"


def test_retry_a_dead_message(client, admin, messages):
    dead = messages[1]
    resp = client.post(f"/api/v1/outbox/{dead.id}/retry", headers=admin)
    assert resp.status_code == 200
    assert resp.get_json()["message"]["status"] == "pending"
    assert resp.get_json()["message"]["attempts"] == 0
    again = client.post(f"/api/v1/outbox/{messages[0].id}/retry", headers=admin)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"
    assert client.post("/api/v1/outbox/999999/retry", headers=admin).status_code == 404


def test_openapi_documents_the_message(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/outbox"]["get"]
    assert op["security"] == [{"bearer": []}]
    assert any(p["name"] == "status" for p in op["parameters"])
    props = doc["components"]["schemas"]["MessageOut"]["properties"]
    assert {"id", "event", "status", "nik_masked", "last_error"} <= set(props)
    assert not {"phone", "email", "recipient_name", "name"} & set(props)


def login(client, user):
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def test_admin_page_lists_and_retries(client, messages):
    admin = make_user("admin")
    login(client, admin)
    page = client.get("/petugas/pesan-keluar")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ACDE3467" in html and "email: SMTP 451 try later" in html
    assert "+6281234567890" not in html and "siti@example.test" not in html
    assert "Pesan keluar" in html and "Kirim ulang" in html
    resp = client.post(f"/petugas/pesan-keluar/{messages[1].id}/kirim-ulang")
    assert resp.status_code == 302
    assert {r.status for r in outbox_rows()} == {"pending"}
    assert client.get("/petugas/pesan-keluar?status=dead&lang=en").status_code == 200


def test_admin_page_retries_every_dead_message(client, messages):
    login(client, make_user("admin"))
    resp = client.post("/petugas/pesan-keluar/kirim-ulang-semua", follow_redirects=True)
    assert "1 pesan mati dijadwalkan" in resp.get_data(as_text=True)
    assert {r.status for r in outbox_rows()} == {"pending"}


def test_admin_page_needs_a_login(client):
    assert client.get("/petugas/pesan-keluar").status_code == 302  # to the login page


def test_admin_page_is_for_admins_only(client):
    login(client, make_user("staff"))
    assert client.get("/petugas/pesan-keluar").status_code == 403
    assert client.post("/petugas/pesan-keluar/kirim-ulang-semua").status_code == 403


def test_menu_links_the_page_for_admins(client):
    login(client, make_user("admin"))
    assert "/petugas/pesan-keluar" in client.get("/petugas").get_data(as_text=True)
