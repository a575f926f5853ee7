"""The users page: each form keeps only what was typed into it; revoking a token asks."""

import re

import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.staff.models import ApiToken
from tests.staff.conftest import login


def _value(html, field_id):
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, field_id
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_creating_a_token_leaves_the_new_user_form_empty(client, admin, clerk):
    login(client, admin)
    resp = client.post("/petugas/token", data={"user_id": clerk.id, "name": "Pemindai loket 1"})
    assert resp.status_code == 201
    html = resp.get_data(as_text=True)
    assert _value(html, "name") == "" and _value(html, "token-name") == ""
    assert html.count('id="name"') == 1


def test_a_refused_token_keeps_its_name_in_its_own_form_only(client, admin):
    login(client, admin)
    resp = client.post("/petugas/token", data={"user_id": "x", "name": "Pemindai loket 2"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert _value(html, "token-name") == "Pemindai loket 2"
    assert _value(html, "name") == ""
    assert 'id="user_id-error"' in html


def test_a_refused_user_keeps_its_name_in_the_user_form_only(client, admin):
    login(client, admin)
    resp = client.post(
        "/petugas/pengguna",
        data={
            "email": "bukan-email",
            "name": "Budi",
            "password": "long-enough-pw",
            "role": "staff",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert _value(html, "name") == "Budi" and _value(html, "token-name") == ""


@pytest.mark.parametrize(
    "lang, question, button",
    [("id", "Cabut token API", "Ya, cabut token ini"), ("en", "Revoke API token", "Yes, revoke")],
)
def test_revoking_a_token_asks_first(client, admin, clerk, lang, question, button):
    from scheduler.staff import services

    services.issue_token(admin, clerk.id, "Pemindai loket 3")
    db.session.commit()
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Pemindai loket 3"))
    login(client, admin)
    users = client.get(f"/petugas/pengguna?lang={lang}").get_data(as_text=True)
    link = f'href="/petugas/token/{row.id}/cabut"'
    assert link in users  # a link to the question, not a button that revokes
    page = client.get(f"/petugas/token/{row.id}/cabut?lang={lang}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert question in html and button in html and "Pemindai loket 3" in html
    # Neither the question nor a post without the confirmation revokes.
    assert client.post(f"/petugas/token/{row.id}/cabut").status_code == 200
    db.session.refresh(row)
    assert row.revoked_at is None
    resp = client.post(f"/petugas/token/{row.id}/cabut", data={"confirm": "1"})
    assert resp.status_code == 302
    db.session.refresh(row)
    assert row.revoked_at is not None
    assert client.get("/petugas/token/999999/cabut").status_code == 404
