"""Who books: the applicant's details and the checks on them, phone numbers and codes."""

from dataclasses import dataclass
from datetime import date

import phonenumbers
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock, l10n, names
from scheduler import nik as niks
from scheduler.errors import BirthDateMismatch, ValidationError

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

    @classmethod
    def of(
        cls,
        *,
        nik,
        name,
        birth_date,
        phone,
        email=None,
        married=False,
        locale="id",
        assistance=None,
    ):
        """The applicant as every entry path takes one (page, API, desk, roster, home
        visit): NIK and email trimmed, an empty email or assistance is none, and the
        name's runs of spaces are one space, so the same name typed twice is one name."""
        return cls(
            nik=(nik or "").strip(),
            name=" ".join((name or "").split()),
            birth_date=birth_date,
            phone=phone,
            email=(email or "").strip() or None,
            married=married,
            locale=locale,
            assistance=assistance or None,
        )


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


def read_phone(raw, field="phone"):
    """(number in E.164, {}) or, when it is not a mobile number, (raw, {field: message}):
    the phone's fault is reported with the booking's other faults, all at once."""
    try:
        return normalize_phone(raw, field), {}
    except ValidationError as exc:
        return raw, exc.fields


def check_applicant(
    applicant,
    on_date,
    accept_mismatch_reason=None,
    at_desk=False,
    new_name=True,
    errors=None,
):
    """Validate NIK, name (`new_name`: as typed now), birth date and age on the slot's
    date; returns the NikInfo. Raises one ValidationError naming every field at fault,
    with `errors` (what the edge found already, such as the phone) among them. The desk
    (at_desk), which sees the resident's papers, takes a NIK of a region code the data no
    longer holds (a region renumbered since the NIK was issued)."""
    fields = dict(errors or {})
    info = _collect(fields, applicant, on_date, accept_mismatch_reason, at_desk, new_name)
    if fields:
        # The desk may accept a birth date that does not match the NIK: say it was that.
        mismatch = (
            info is not None
            and not accept_mismatch_reason
            and applicant.birth_date <= clock.now().date()
            and not niks.matches_birth_date(info, applicant.birth_date)
        )
        raise (BirthDateMismatch if mismatch else ValidationError)(fields=fields)
    return info


def applicant_errors(nik=None, name=None, birth_date=None, phone=None, on_date=None):
    """{field: message} for what is wrong with the values given (None: not checked), so a
    form whose shape is already wrong still says what else is: every fault at once."""
    fields = {}
    if phone is not None:
        _gather(fields, normalize_phone, phone)
    if name is not None:
        _gather(fields, names.check_name, name)
    info = _check_nik(fields, nik, at_desk=False) if nik is not None else None
    if birth_date is not None:
        _check_birth_date(fields, info, birth_date, on_date, accept_mismatch_reason=None)
    return fields


def _gather(fields, check, *args, **kwargs):
    """Run a check; its field messages join `fields` (the first message a field gets
    stays). Returns the check's answer, or None when it refused."""
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        for key, message in exc.fields.items():
            fields.setdefault(key, message)
        return None


def _collect(fields, applicant, on_date, accept_mismatch_reason, at_desk, new_name):
    if new_name:
        _gather(fields, names.check_name, applicant.name)
    info = _check_nik(fields, applicant.nik, at_desk)
    _check_birth_date(fields, info, applicant.birth_date, on_date, accept_mismatch_reason)
    return info


def _check_nik(fields, nik, at_desk):
    info = _gather(fields, niks.parse_nik, nik)
    if info is not None and not at_desk:
        _gather(fields, niks.check_region, info)
    return info


def _check_birth_date(fields, info, birth_date, on_date, accept_mismatch_reason):
    if birth_date > clock.now().date():
        fields.setdefault("birth_date", _l("Tanggal lahir tidak boleh di masa depan."))
        return
    if info is not None and not accept_mismatch_reason:
        _gather(fields, niks.check_birth_date, info, birth_date)
    if on_date is None or "birth_date" in fields:
        return
    minimum = current_app.config["MINIMUM_RECORDING_AGE"]
    if relativedelta(on_date, birth_date).years < minimum:
        turns = birth_date + relativedelta(years=minimum)
        fields["birth_date"] = _l(
            "Perekaman KTP-el mulai usia %(age)s tahun. Anda dapat memesan jadwal mulai %(on)s.",
            age=minimum,
            on=l10n.Day(turns),
        )
