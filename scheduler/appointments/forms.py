"""Forms of the resident pages. They check shape only; the booking rules live in services."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from scheduler.db import MAX_ID
from scheduler.forms import DATE_FORMATS, LocalDateField, PageForm, SubForm

TOO_LONG = _l("Paling banyak %(max)d karakter.")
# The help a resident may ask for at the desk (appointments.models.ASSISTANCE_KINDS).
ASSISTANCE_LABELS = {
    "elderly": _l("Lanjut usia"),
    "pregnant": _l("Ibu hamil"),
    "disabled": _l("Penyandang disabilitas"),
    "ill": _l("Sedang sakit"),
}


def assistance_field():
    """Optional: whether the resident needs help at the desk (served first)."""
    return SelectField(
        _l("Perlu bantuan atau didahulukan? (boleh dikosongkan)"),
        choices=[("", _l("Tidak perlu"))] + list(ASSISTANCE_LABELS.items()),
        default="",
    )


def phone_field():
    """The phone the booking's messages go to (one for a whole family)."""
    return TelField(
        _l("Nomor WhatsApp / HP"),
        validators=[DataRequired(_l("Nomor HP wajib diisi.")), Length(max=30, message=TOO_LONG)],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": 30},
    )


def email_field():
    """Optional: an email address for the messages too."""
    return EmailField(
        _l("Email (boleh dikosongkan)"),
        validators=[
            Optional(),
            Email(_l("Alamat email tidak sah.")),
            Length(max=254, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


def no_control(form, field):
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in field.data or ""):
        raise ValidationError(_l("Berisi karakter yang tidak diizinkan."))


def _nik_field():
    return StringField(
        _l("NIK (16 digit)"),
        validators=[DataRequired(_l("NIK wajib diisi.")), Length(max=40, message=TOO_LONG)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 40},
    )


class BookingForm(PageForm):
    nik = _nik_field()
    name = StringField(
        _l("Nama lengkap (sesuai Kartu Keluarga)"),
        validators=[
            DataRequired(_l("Nama wajib diisi.")),
            Length(max=100, message=TOO_LONG),
            no_control,
        ],
        render_kw={"autocomplete": "name", "maxlength": 100},
    )
    birth_date = LocalDateField(
        _l("Tanggal lahir"),
        format=DATE_FORMATS,
        validators=[InputRequired(_l("Tanggal lahir wajib diisi."))],
        render_kw={"autocomplete": "bday"},
    )
    phone = phone_field()
    email = email_field()
    married = BooleanField(_l("Saya sudah menikah atau pernah menikah"))
    assistance = assistance_field()
    consent = BooleanField(
        _l("Saya setuju data saya diproses untuk perekaman KTP-el"),
        validators=[DataRequired(_l("Anda harus menyetujui pemrosesan data untuk memesan."))],
    )


class LookupForm(PageForm):
    code = StringField(
        _l("Kode booking"),
        validators=[
            DataRequired(_l("Kode booking wajib diisi.")),
            Length(max=20, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 20},
    )
    nik = _nik_field()


class NikConfirmForm(PageForm):
    """Cancel: the NIK is asked again, never carried in the page."""

    nik = _nik_field()


class RescheduleForm(PageForm):
    slot_id = IntegerField(
        _l("Jam yang baru"),
        validators=[InputRequired(_l("Pilih jam yang baru.")), NumberRange(min=1, max=MAX_ID)],
    )
    nik = _nik_field()


def applicant_of(form):
    """The applicant a valid booking form (or a form built on it) names, and the phone's
    fault if it has one (reported with the booking's other faults)."""
    from scheduler.appointments import services

    phone, phone_errors = services.read_phone(form.phone.data)
    applicant = services.Applicant.of(
        nik=form.nik.data,
        name=form.name.data,
        birth_date=form.birth_date.data,
        phone=phone,
        email=form.email.data,
        married=form.married.data,
        locale=str(get_locale() or "id"),
        assistance=form.assistance.data,
    )
    return applicant, phone_errors


def booking_faults(form, on_date=None):
    """{field: message} of a booking form its own validation refused, with what the
    booking rules would refuse of its other fields (NIK, name, birth date and age on
    `on_date`, phone): every fault at once."""
    from scheduler.appointments import services

    faults = {f.name: f.errors[0] for f in form if f.errors}
    given = {
        name: getattr(form, name).data.strip()
        for name in ("nik", "name", "phone")
        if name not in faults and (getattr(form, name).data or "").strip()
    }
    if "birth_date" not in faults and form.birth_date.data:
        given["birth_date"] = form.birth_date.data
    return {**services.applicant_errors(**given, on_date=on_date), **faults}


class MemberForm(SubForm):
    """One member of a family's booking."""

    nik = StringField(
        _l("NIK (16 digit)"),
        validators=[DataRequired(_l("NIK wajib diisi.")), Length(max=40, message=TOO_LONG)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 40},
    )
    name = StringField(
        _l("Nama lengkap (sesuai Kartu Keluarga)"),
        validators=[
            DataRequired(_l("Nama wajib diisi.")),
            Length(max=100, message=TOO_LONG),
            no_control,
        ],
        render_kw={"maxlength": 100},
    )
    birth_date = LocalDateField(
        _l("Tanggal lahir"),
        format=DATE_FORMATS,
        validators=[InputRequired(_l("Tanggal lahir wajib diisi."))],
    )
    married = BooleanField(_l("Sudah atau pernah menikah"))
    assistance = assistance_field()


class HouseholdForm(PageForm):
    """A family's booking: the members one by one, one phone for all."""

    members = FieldList(FormField(MemberForm), min_entries=1, max_entries=6)
    phone = phone_field()
    email = email_field()
    consent = BooleanField(
        _l("Kami setuju data kami diproses untuk perekaman KTP-el"),
        validators=[DataRequired(_l("Anda harus menyetujui pemrosesan data untuk memesan."))],
    )
