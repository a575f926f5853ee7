"""Every message of a page form follows the page's language, WTForms' own included
("This field is required.", "Number must be between ...", "Not a valid integer value.")."""

from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po

from scheduler.extensions import db
from scheduler.outreach import services
from tests.factories import make_site, make_user
from tests.outreach.conftest import approve, make_request

WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
CATALOGUE = Path(__file__).resolve().parents[1] / "scheduler/translations/id/LC_MESSAGES/wtforms.po"


def _english_messages():
    with WTFORMS_POT.open("rb") as fh:
        catalog = read_po(fh)
    found = []
    for message in catalog:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            # The fixed part before the first placeholder: "Number must be between "
            found += [i.split("%")[0] for i in ids]
    return found


ENGLISH = _english_messages()


def test_the_catalogue_has_every_message_of_the_installed_wtforms():
    with WTFORMS_POT.open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with CATALOGUE.open("rb") as fh:
        have = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(fh) if m.id}
    missing = [m for m in wanted if not have.get(m) or not any(have[m])]
    assert not missing, f"WTForms messages without Indonesian text: {missing}"


def login(client, user):
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True


def page(client, path, data, lang):
    resp = client.post(f"{path}?lang={lang}", data=data)
    assert resp.status_code == 422, resp.status_code
    return resp.get_data(as_text=True)


def assert_indonesian(html, *expected):
    english = [m for m in ENGLISH if len(m) > 8 and m in html]
    assert not english, f"English WTForms messages on an Indonesian page: {english}"
    for text in expected:
        assert text in html


REQUEST = {
    "institution_kind": "school",
    "institution_name": "SMA 1",
    "address": "Jl. Uji",
    "kecamatan": "33.19.09",
    "desa": "Japan",
    "expected_participants": "9999",  # beyond 5000
    "preferred_date_1": "31-31-2026",  # not a date
    "preferred_date_2": "",
    "contact_name": "",
    "contact_phone": "0812",
}


@pytest.fixture
def coordinator(ctx):
    user = make_user("coordinator")
    db.session.commit()
    return user


@pytest.fixture
def admin(ctx):
    user = make_user("admin")
    db.session.commit()
    return user


def test_request_form_in_both_languages(client, coordinator):
    login(client, coordinator)
    html = page(client, "/jemput-bola/baru", REQUEST, "id")
    assert_indonesian(
        html, "Angka harus antara 1 dan 5000.", "Isian ini wajib diisi.", "Tulis tanggal seperti"
    )
    html = page(client, "/jemput-bola/baru", REQUEST, "en")
    assert "Number must be between 1 and 5000." in html
    assert "This field is required." in html
    assert "Write the date like" in html


def test_approve_and_decline_in_both_languages(client, admin, coordinator):
    req = make_request(coordinator)
    db.session.commit()
    login(client, admin)
    bad = {"date": "", "start": "8", "end": "12:00", "kits": "dua", "team": ""}
    html = page(client, f"/jemput-bola/{req.id}/setujui", bad, "id")
    assert_indonesian(html, "Tulis angka bulat, misalnya 25.", "Isian ini wajib diisi.")
    html = page(client, f"/jemput-bola/{req.id}/setujui", bad, "en")
    assert "Not a valid integer value." in html and "This field is required." in html
    html = page(client, f"/jemput-bola/{req.id}/tolak", {"reason": ""}, "id")
    assert_indonesian(html, "Isian ini wajib diisi.")
    html = page(client, f"/jemput-bola/{req.id}/tolak", {"reason": ""}, "en")
    assert "This field is required." in html


def test_session_booking_form_in_both_languages(client, admin, coordinator):
    req = make_request(coordinator)
    approve(req, admin, kits=1, start="08:00", end="09:00")
    session = req.session
    db.session.commit()
    path = f"/jemput-bola/sesi/{session.id}?s={services.session_signature(session.id)}"
    bad = {
        "slot_id": "x",
        "nik": "",
        "name": "",
        "birth_date": "kemarin",
        "phone": "",
        "email": "a",
    }
    sep = "&"
    resp = client.post(f"{path}{sep}lang=id", data=bad)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    # The main booking form's own words (the session's form is built on it).
    assert_indonesian(html, "NIK wajib diisi.", "Nama wajib diisi.", "Alamat email tidak sah.")
    resp = client.post(f"{path}{sep}lang=en", data=bad)
    html = resp.get_data(as_text=True)
    assert "The NIK is required." in html and "Invalid email address." in html


def test_stock_forms_in_both_languages(client, admin):
    login(client, admin)
    for lang, expected in (("id", "Angka harus antara 1 dan"), ("en", "Number must be between")):
        html = page(client, "/petugas/stok/penerimaan", {"d-quantity": "0"}, lang)
        assert expected in html
        html = page(client, "/petugas/stok/koreksi", {"c-delta": "lima", "c-note": ""}, lang)
        if lang == "id":
            assert_indonesian(html, "Tulis angka bulat, misalnya 25.", "Isian ini wajib diisi.")
        else:
            assert "Not a valid integer value." in html


def test_replacement_page_in_both_languages(client):
    site = make_site()
    user = make_user("staff", sites=[site])
    db.session.commit()
    login(client, user)
    bad = {"site_id": str(site.id), "nik": "", "name": "", "birth_date": "2000-13-45", "phone": ""}
    html = page(client, "/petugas/kartu-pengganti", bad, "id")
    assert_indonesian(html, "Isian ini wajib diisi.", "Tulis tanggal seperti")
    html = page(client, "/petugas/kartu-pengganti", bad, "en")
    assert "This field is required." in html and "Write the date like" in html
