"""Forms of the home-visit pages: the request (no login) and the admins' plan."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from scheduler.forms import LocalDateField, PageForm
from scheduler.outreach.forms import HHMM, LINES, TEXT

REASON_LABELS = {
    "elderly": _l("Lanjut usia, sulit bepergian"),
    "bedridden": _l("Sakit dan terbaring di tempat tidur"),
    "disabled": _l("Penyandang disabilitas"),
}


class HomeVisitForm(PageForm):
    nik = StringField(
        _l("NIK warga yang dikunjungi"), validators=[TEXT, DataRequired(), Length(max=40)]
    )
    name = StringField(
        _l("Nama lengkap (sesuai KK)"), validators=[TEXT, DataRequired(), Length(max=100)]
    )
    birth_date = LocalDateField(_l("Tanggal lahir"), validators=[InputRequired()])
    married = BooleanField(_l("Sudah/pernah menikah"))
    reason = SelectField(_l("Alasan tidak dapat datang"), choices=list(REASON_LABELS.items()))
    reason_note = TextAreaField(
        _l("Keterangan (mis. kursi roda, jam istirahat)"),
        validators=[LINES, Optional(), Length(max=300)],
    )
    address = StringField(_l("Alamat rumah"), validators=[TEXT, DataRequired(), Length(max=200)])
    kecamatan = SelectField(_l("Kecamatan"), choices=[], validate_choice=False)
    desa = SelectField(
        _l("Desa/kelurahan"), choices=[], validators=[DataRequired()], validate_choice=False
    )
    contact_name = StringField(
        _l("Nama keluarga atau koordinator desa yang dapat dihubungi"),
        validators=[TEXT, DataRequired(), Length(max=100)],
    )
    contact_phone = StringField(
        _l("Nomor HP (WhatsApp) yang dihubungi"), validators=[TEXT, DataRequired(), Length(max=30)]
    )
    consent = BooleanField(
        _l("Saya setuju data ini diproses untuk perekaman KTP-el di rumah"),
        validators=[DataRequired(_l("Anda harus menyetujui pemrosesan data untuk memesan."))],
    )


class PlanForm(PageForm):
    date = LocalDateField(_l("Tanggal kunjungan"), validators=[InputRequired()])
    team = StringField(_l("Tim"), validators=[TEXT, DataRequired(), Length(max=60)])
    start = StringField(_l("Jam mulai"), validators=[TEXT, DataRequired(), HHMM], default="09:00")
    minutes = IntegerField(
        _l("Menit per kunjungan (termasuk perjalanan)"),
        validators=[InputRequired(), NumberRange(15, 240)],
        default=60,
    )
