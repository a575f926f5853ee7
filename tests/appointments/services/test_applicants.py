"""Who books: phone numbers, booking codes, the applicant's checks (services/applicants.py)."""

from datetime import date

import pytest

from scheduler import clock
from scheduler.appointments.services import (
    Applicant,
    check_applicant,
    normalize_code,
    normalize_phone,
    read_phone,
)
from scheduler.errors import ValidationError
from tests.factories import make_nik


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+61 412 345 678", "+61412345678"),  # a mobile abroad is a mobile
        ("021 555 1234", "bukan nomor telepon rumah"),  # Jakarta fixed line
        ("0291 432 100", "bukan nomor telepon rumah"),  # Kudus fixed line
        ("0812", "tidak sah"),
        ("08123456789012345", "tidak sah"),
        ("+999 1234 5678", "tidak sah"),
        ("telepon saya", "tidak sah"),
        ("", "tidak sah"),
    ],
)
def test_phone_numbers_mobile_fixed_and_invalid(ctx, raw, expected):
    if expected.startswith("+"):
        assert normalize_phone(raw) == expected
        return
    with pytest.raises(ValidationError) as refused:
        normalize_phone(raw)
    assert expected in str(refused.value.fields["phone"])


def test_a_typed_code_is_read_as_the_booking_code(ctx):
    assert normalize_code(" acde-3467 ") == "ACDE3467"
    assert normalize_code(None) == ""


def test_an_applicant_too_young_on_the_slots_date_hears_when_they_may_book(ctx):
    minimum = ctx.config["MINIMUM_RECORDING_AGE"]
    born = date(clock.now().year - minimum, 12, 31)
    applicant = Applicant(
        nik=make_nik(born), name="Remaja", birth_date=born, phone="+6281234567890"
    )
    with pytest.raises(ValidationError) as refused:
        check_applicant(applicant, date(clock.now().year, 6, 1))
    assert f"mulai 31 Desember {born.year + minimum}." in str(refused.value.fields["birth_date"])


def test_every_entry_path_cleans_an_applicant_the_same_way(ctx):
    applicant = Applicant.of(
        nik=" 3201234567890001 ",
        name="  Siti \t  Aminah ",
        birth_date=date(1990, 1, 1),
        phone="+6281234567890",
        email="  ",
        assistance="",
    )
    assert applicant.nik == "3201234567890001"
    assert applicant.name == "Siti Aminah"
    assert applicant.email is None and applicant.assistance is None
    assert (
        Applicant.of(nik="1", name="A", birth_date=None, phone="", email=" a@example.com ").email
        == "a@example.com"
    )


def test_a_phone_fault_is_returned_with_the_number_as_typed(ctx):
    assert read_phone("0812-3456-7890") == ("+6281234567890", {})
    phone, faults = read_phone("021 555 1234")
    assert phone == "021 555 1234"
    assert "bukan nomor telepon rumah" in str(faults["phone"])
