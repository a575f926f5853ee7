"""Names refuse hidden and control characters, wherever a person's name is taken."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler import names
from scheduler.errors import ValidationError
from tests.factories import booking_body, make_slot

HIDDEN = [
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u200b",  # ZERO WIDTH SPACE
    "\u200d",  # ZERO WIDTH JOINER
    "\ufeff",  # ZERO WIDTH NO-BREAK SPACE (BOM)
    "\u00ad",  # SOFT HYPHEN
    "\u2028",  # LINE SEPARATOR
    "\x07",
    "\x1b",
]


@pytest.fixture
def slot(ctx):
    return make_slot(capacity=3)


def test_plain_names_of_any_script_pass():
    for name in (
        "Budi Santoso",
        "Ni Luh Putu Ayu",
        "Dewi Sartika-Putri",
        "Ahmad Nur'aini",
        "Ṣalāḥ ad-Dīn",
        "李小龙",
        "I Gusti Ngurah Rai, S.H.",
    ):
        assert names.check_name(name) == name


@given(
    st.text(min_size=0, max_size=10),
    st.sampled_from(HIDDEN) | st.characters(categories=["Cc", "Cf", "Co", "Zl", "Zp"]),
    st.text(min_size=0, max_size=10),
)
def test_any_hidden_or_control_character_is_refused(before, hidden, after):
    with pytest.raises(ValidationError) as refused:
        names.check_name(before + hidden + after)
    assert set(refused.value.fields) == {"name"}


@given(st.text(st.characters(categories=["L", "M", "N", "P", "Zs"]), max_size=40))
def test_visible_text_is_accepted(text):
    assert names.check_name(text) == text
    assert all(unicodedata.category(ch) not in names.REFUSED_CATEGORIES for ch in text)


@pytest.mark.parametrize("hidden", [h for h in HIDDEN if h.isprintable() or ord(h) > 127])
def test_the_api_refuses_it_on_name_in_both_languages(client, slot, hidden):
    body = booking_body(slot, name="Budi" + hidden + " Santoso")
    resp = client.post("/api/v1/appointments", json=body)
    assert resp.status_code == 422
    assert "tersembunyi" in resp.get_json()["error"]["fields"]["name"]
    english = client.post("/api/v1/appointments", json=body, headers={"Accept-Language": "en"})
    assert "hidden" in english.get_json()["error"]["fields"]["name"]


def test_the_booking_form_shows_it_next_to_the_name(client, slot):
    body = booking_body(slot, name="Budi\u202eotnaS")
    form = {k: v for k, v in body.items() if k != "slot_id"}
    form["birth_date"] = "17-05-2000"
    form["consent"] = "y"
    resp = client.post(f"/pesan/{slot.id}", data=form)
    assert resp.status_code == 422
    assert "Ketik ulang nama Anda" in resp.get_data(as_text=True)


def test_a_roster_row_is_rejected_with_the_reason(ctx):
    from datetime import date

    from scheduler.outreach import roster
    from tests.factories import make_nik

    values = {
        "nik": make_nik(date(2000, 5, 3)),
        "name": "Sri\u200bWahyuni",
        "birth_date": "2000-05-03",
        "phone": "081234567890",
    }
    applicant, fields = roster.check_row(values, date(2026, 12, 9))
    assert applicant is None and fields["name"] == names.MESSAGE
    applicant, fields = roster.check_row({**values, "name": "Sri Wahyuni"}, date(2026, 12, 9))
    assert fields is None and applicant.name == "Sri Wahyuni"


def test_an_outreach_contact_name_is_checked_too(client, ctx):
    from tests.outreach.conftest import Actor, make_user, request_body

    coordinator = Actor(make_user("coordinator"))
    resp = client.post(
        "/api/v1/outreach/requests",
        json=request_body(contact_name="Bu Sri\u2066 Wahyuni"),
        headers=coordinator.headers,
    )
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"]["contact_name"] == str(names.MESSAGE)
