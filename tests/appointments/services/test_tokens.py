"""Signed check-in tokens and links, the QR code, the calendar file (services/tokens.py)."""

import pytest
from itsdangerous import BadSignature

from scheduler.appointments import services
from tests.factories import make_appointment, make_slot


@pytest.fixture
def booked(ctx):
    return make_appointment(make_slot())


def test_the_checkin_token_names_the_code_and_refuses_a_forgery(booked):
    token = services.checkin_token(booked)
    assert services.code_from_checkin_token(f"  {token}\n") == booked.code
    assert booked.nik_masked not in token
    # A character inside the signature: the last one may carry only padding bits.
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(BadSignature):
        services.code_from_checkin_token(forged)


def test_a_link_signature_opens_only_its_own_code(booked):
    signature = services.link_signature(booked.code)
    assert services.verify_link(booked.code, signature)
    assert not services.verify_link("ACDE3467", signature)
    assert not services.verify_link(booked.code, None)
    assert services.appointment_link(booked).endswith(f"/janji/{booked.code}?s={signature}")


def test_the_qr_code_and_the_calendar_file(booked):
    assert services.qr_png(booked).startswith(b"\x89PNG")
    ics = services.ics_bytes(booked).decode()
    assert f"UID:{booked.code}@antre-ktp-el" in ics
    assert "STATUS:CONFIRMED" in ics
