"""Forms of the outreach pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from scheduler import l10n, regions
from scheduler.appointments.forms import BookingForm
from scheduler.forms import LocalDateField, PageForm


def no_control(multiline=False):
    """Refuse control characters (a NUL would not even reach PostgreSQL); newlines and tabs
    are fine in a multi-line field."""
    allowed = {"\n", "\r", "\t"} if multiline else set()

    def check(form, field):
        text = field.data or ""
        if any((ord(ch) < 32 or ord(ch) == 127) and ch not in allowed for ch in text):
            raise ValidationError(_l("Berisi karakter yang tidak diizinkan."))

    return check


TEXT = no_control()
LINES = no_control(multiline=True)


def _clock_time(form, field):
    """08:00, 8:00, 08.00 or 8.00 (Indonesian writes 8.00)."""
    if l10n.parse_time(field.data) is None:
        raise ValidationError(_l("Tulis jam seperti 08.00 atau 08:00."))


HHMM = _clock_time
KINDS = [("school", _l("Sekolah")), ("village_hall", _l("Balai desa"))]


def set_area_choices(form):
    """The regency's kecamatan, and the desa of the chosen one (all, grouped, before a
    kecamatan is chosen), on a form with `kecamatan` and `desa` selects."""
    regency = regions.current()
    form.kecamatan.choices = [("", "—")] + [(k.code, k.name) for k in regency.kecamatan]
    regions.set_desa_choices(form.desa, form.kecamatan, regency)
    return form


class RequestForm(PageForm):
    institution_kind = SelectField(_l("Jenis lembaga"), choices=KINDS)
    institution_name = StringField(
        _l("Nama sekolah atau balai desa"), validators=[TEXT, DataRequired(), Length(max=100)]
    )
    address = StringField(_l("Alamat"), validators=[TEXT, DataRequired(), Length(max=200)])
    kecamatan = SelectField(_l("Kecamatan"), choices=[], validate_choice=False)
    desa = SelectField(
        _l("Desa/kelurahan"), choices=[], validators=[DataRequired()], validate_choice=False
    )
    expected_participants = IntegerField(
        _l("Perkiraan jumlah peserta"), validators=[InputRequired(), NumberRange(1, 5000)]
    )
    preferred_date_1 = LocalDateField(_l("Tanggal pilihan 1"), validators=[InputRequired()])
    preferred_date_2 = LocalDateField(_l("Tanggal pilihan 2"), validators=[InputRequired()])
    preferred_date_3 = LocalDateField(
        _l("Tanggal pilihan 3 (boleh kosong)"), validators=[Optional()]
    )
    contact_name = StringField(
        _l("Nama narahubung"), validators=[TEXT, DataRequired(), Length(max=100)]
    )
    contact_phone = StringField(
        _l("Nomor HP narahubung"), validators=[TEXT, DataRequired(), Length(max=30)]
    )
    notes = TextAreaField(
        _l("Catatan (listrik, ruangan, akses)"), validators=[LINES, Optional(), Length(max=1000)]
    )


class ApproveForm(PageForm):
    date = LocalDateField(_l("Tanggal sesi"), validators=[InputRequired()])
    start = StringField(_l("Jam mulai"), validators=[TEXT, DataRequired(), HHMM], default="08:00")
    end = StringField(_l("Jam selesai"), validators=[TEXT, DataRequired(), HHMM], default="12:00")
    kits = IntegerField(
        _l("Jumlah perangkat perekaman"), validators=[InputRequired(), NumberRange(1, 100)]
    )
    team = StringField(_l("Tim"), validators=[TEXT, DataRequired(), Length(max=60)])


class DeclineForm(PageForm):
    reason = TextAreaField(
        _l("Alasan penolakan"), validators=[LINES, DataRequired(), Length(max=500)]
    )


class CancelForm(PageForm):
    reason = StringField(_l("Alasan pembatalan"), validators=[TEXT, Optional(), Length(max=200)])


class RosterForm(PageForm):
    file = FileField(_l("Berkas peserta (CSV atau XLSX)"), validators=[FileRequired()])


class PublicForm(PageForm):
    """Only its CSRF token: the button says which way it goes."""


class TallyForm(PageForm):
    summary = TextAreaField(_l("Ringkasan sesi"), validators=[LINES, Optional(), Length(max=2000)])


class InviteForm(PageForm):
    email = EmailField(_l("Email koordinator"), validators=[TEXT, DataRequired(), Length(max=254)])
    name = StringField(
        _l("Nama (kepala sekolah, kepala desa atau stafnya)"),
        validators=[TEXT, DataRequired(), Length(max=100)],
    )


class AcceptForm(PageForm):
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
    )


class SessionBookingForm(BookingForm):
    """The main booking form (the same fields, words and consent) with the session's times."""

    slot_id = RadioField(
        _l("Jam"), coerce=int, validators=[InputRequired(_l("Pilih salah satu jam sesi ini."))]
    )


class CoverageForm(PageForm):
    kecamatan = SelectField(_l("Kecamatan"), choices=[], validate_choice=False)
    desa = SelectField(
        _l("Desa/kelurahan"), choices=[], validators=[DataRequired()], validate_choice=False
    )
    school = StringField(
        _l("Sekolah (kosongkan untuk angka desa)"), validators=[TEXT, Optional(), Length(max=100)]
    )
    wktp = IntegerField(_l("Wajib KTP-el (WKTP)"), validators=[InputRequired(), NumberRange(0)])
    recorded = IntegerField(_l("Sudah merekam"), validators=[InputRequired(), NumberRange(0)])
    counted_on = LocalDateField(
        _l("Angka per tanggal (kosongkan: hari ini)"), validators=[Optional()]
    )


class CoverageUploadForm(PageForm):
    file = FileField(_l("Berkas CSV"), validators=[FileRequired()])
