"""Who books: the applicant's details and the checks on them, phone numbers and codes."""

from dataclasses import dataclass
from datetime import date

import phonenumbers
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock, names
from scheduler import nik as niks
from scheduler.errors import (
    ValidationError,
)

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B
CODE_LENGTH = 8
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


@dataclass
class Applicant:
    """What a resident tells us about themselves when booking."""

    nik: str
    name: str
    birth_date: date
    phone: str
    email: str | None = None
    married: bool = False
    locale: str = "id"
    assistance: str | None = None  # elderly, pregnant, disabled, ill: served first


def normalize_code(raw):
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[: CODE_LENGTH + 4]


def normalize_phone(raw, field="phone"):
    """An Indonesian (or international) mobile number in E.164 (+62...); raises ValidationError."""
    try:
        number = phonenumbers.parse(raw or "", "ID")
    except phonenumbers.NumberParseException:
        number = None
    # A number whose type is mobile is valid (number_type is is_valid_number's own test
    # of the national number): the usual answer costs one classification, not two.
    if number is not None and phonenumbers.number_type(number) in MOBILE_TYPES:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            fields={
                field: _l("Nomor HP tidak sah. Tulis seperti 081234567890 atau +6281234567890.")
            }
        )
    raise ValidationError(
        fields={field: _l("Gunakan nomor HP (WhatsApp/SMS), bukan nomor telepon rumah.")}
    )


def check_applicant(applicant, on_date, accept_mismatch_reason=None, at_desk=False, new_name=True):
    """Validate NIK, name (`new_name`: as typed now), birth date and age on the slot's
    date; returns the NikInfo. The desk (at_desk), which sees the resident's papers, takes
    a NIK of a region code the data no longer holds (a region renumbered since the NIK was
    issued)."""
    if new_name:
        names.check_name(applicant.name)
    info = niks.parse_nik(applicant.nik)
    if not at_desk:
        niks.check_region(info)
    today = clock.now().date()
    if applicant.birth_date > today:
        raise ValidationError(fields={"birth_date": _l("Tanggal lahir tidak boleh di masa depan.")})
    if not accept_mismatch_reason:
        niks.check_birth_date(info, applicant.birth_date)
    minimum = current_app.config["MINIMUM_RECORDING_AGE"]
    if relativedelta(on_date, applicant.birth_date).years < minimum:
        turns = applicant.birth_date + relativedelta(years=minimum)
        raise ValidationError(
            fields={
                "birth_date": _l(
                    "Perekaman KTP-el mulai usia %(age)s tahun. Anda dapat memesan jadwal mulai "
                    "%(on)s.",
                    age=minimum,
                    on=turns.isoformat(),
                )
            }
        )
    return info
