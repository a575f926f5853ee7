from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, Length, Optional

from scheduler.appointments.forms import assistance_field
from scheduler.auth import ROLE_LABELS
from scheduler.forms import LocalDateField, PageForm


class LoginForm(PageForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(PageForm):
    current = PasswordField(_l("Kata sandi sekarang"), validators=[DataRequired()])
    new = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Ulangi kata sandi baru"), validators=[DataRequired()])


ROLE_CHOICES = list(ROLE_LABELS.items())


class UserForm(PageForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Nama"), validators=[Optional(), Length(max=100)])
    password = PasswordField(_l("Kata sandi awal"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Peran"), choices=ROLE_CHOICES)
    sites = SelectMultipleField(_l("Lokasi tugas"), coerce=int, validate_choice=False)


class UserEditForm(PageForm):
    name = StringField(_l("Nama"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Peran"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Aktif"))
    sites = SelectMultipleField(_l("Lokasi tugas"), coerce=int, validate_choice=False)


class TokenForm(PageForm):
    user_id = SelectField(_l("Pengguna"), coerce=int, validate_choice=False)
    # Its own id: the new-user form on the same page has a "name" field too.
    name = StringField(
        _l("Nama token (mis. pemindai loket 1)"), validators=[Length(max=100)], id="token-name"
    )


class CheckinForm(PageForm):
    site_id = SelectField(_l("Lokasi loket"), coerce=int, validate_choice=False)
    code = StringField(_l("Kode booking"), validators=[Optional(), Length(max=40)])
    qr = StringField(_l("Teks kode QR"), validators=[Optional(), Length(max=500)])


class WalkInForm(PageForm):
    site_id = SelectField(_l("Lokasi"), coerce=int, validate_choice=False)
    nik = StringField(_l("NIK"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=100)])
    birth_date = LocalDateField(_l("Tanggal lahir"), validators=[DataRequired()])
    phone = TelField(_l("Nomor HP"), validators=[DataRequired(), Length(max=30)])
    married = BooleanField(_l("Sudah/pernah menikah"))
    assistance = assistance_field()
    birth_date_override_reason = StringField(
        _l("Alasan menerima tanggal lahir yang tidak cocok dengan NIK"),
        validators=[Optional(), Length(max=200)],
    )


class RejectionForm(PageForm):
    code = StringField(_l("Kode booking"), validators=[DataRequired(), Length(max=40)])
    reason = SelectField(_l("Alasan penolakan pusat"), validate_choice=False)
    note = StringField(
        _l("Catatan (mis. nomor surat dari pusat)"), validators=[Optional(), Length(max=200)]
    )
