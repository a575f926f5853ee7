"""Admin forms for sites, their week, exceptions and holidays."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from scheduler import regions
from scheduler.forms import PageForm, SubForm
from scheduler.sites.models import SITE_KINDS

TOO_LONG = _l("Paling banyak %(max)d karakter.")
REQUIRED = _l("Wajib diisi.")
KIND_LABELS = {
    "office": _l("Kantor Disdukcapil"),
    "subdistrict": _l("Kantor kecamatan"),
    "school": _l("Sekolah"),
    "village_hall": _l("Balai desa"),
}
ZONE_CHOICES = {
    "Asia/Jakarta": _l("WIB (UTC+7)"),
    "Asia/Makassar": _l("WITA (UTC+8)"),
    "Asia/Jayapura": _l("WIT (UTC+9)"),
}
WEEKDAYS = (
    _l("Senin"),
    _l("Selasa"),
    _l("Rabu"),
    _l("Kamis"),
    _l("Jumat"),
    _l("Sabtu"),
    _l("Minggu"),
)
CATEGORY_LABELS = {"public": _l("Libur nasional"), "cuti_bersama": _l("Cuti bersama")}


class _Time(TimeField):
    """A local HH:MM time, with a message in the page's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Tulis jam seperti 08:00.")) from None


class _Date(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Tulis tanggal seperti 2026-12-24.")) from None


class SiteForm(PageForm):
    name = StringField(
        _l("Nama lokasi"), validators=[DataRequired(REQUIRED), Length(max=100, message=TOO_LONG)]
    )
    kind = SelectField(_l("Jenis"), choices=[(k, KIND_LABELS[k]) for k in SITE_KINDS])
    address = StringField(
        _l("Alamat"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)]
    )
    kecamatan_code = SelectField(
        _l("Kecamatan"), validators=[DataRequired(REQUIRED)], validate_choice=False
    )
    desa = SelectField(_l("Desa/kelurahan"), validate_choice=False)
    timezone = SelectField(_l("Zona waktu"), choices=list(ZONE_CHOICES.items()))
    stations = IntegerField(
        _l("Jumlah alat perekaman"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=50, message=_l("Antara 0 dan 50.")),
        ],
    )
    slot_minutes = IntegerField(
        _l("Lama satu sesi (menit)"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=5, max=240, message=_l("Antara 5 dan 240 menit.")),
        ],
    )
    closes_on_cuti_bersama = BooleanField(_l("Tutup pada hari cuti bersama"))
    active = BooleanField(_l("Aktif (dapat dipesan warga)"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regency = regions.current()
        self.kecamatan_code.choices = [("", "—")] + [(k.code, k.name) for k in regency.kecamatan]
        regions.set_desa_choices(self.desa, self.kecamatan_code, regency)

    def validate_kecamatan_code(self, field):
        if regions.current().find_kecamatan(field.data) is None:
            raise FieldError(_l("Pilih kecamatan dari daftar."))

    def validate_desa(self, field):
        kec = regions.current().find_kecamatan(self.kecamatan_code.data)
        if field.data and kec is not None and kec.find_desa(field.data) is None:
            raise FieldError(_l("Desa ini tidak berada di kecamatan yang dipilih."))

    def site_fields(self):
        """The columns of Site this form fills."""
        kec = regions.current().find_kecamatan(self.kecamatan_code.data)
        return {
            "name": self.name.data.strip(),
            "kind": self.kind.data,
            "address": self.address.data.strip(),
            "kecamatan": kec.name,
            "kecamatan_code": kec.code,
            "desa": self.desa.data or "",
            "timezone": self.timezone.data,
            "stations": self.stations.data,
            "slot_minutes": self.slot_minutes.data,
            "closes_on_cuti_bersama": self.closes_on_cuti_bersama.data,
            "active": self.active.data,
        }


class DayForm(SubForm):
    opens_at = _Time(_l("Jam buka"), validators=[Optional()])
    closes_at = _Time(_l("Jam tutup"), validators=[Optional()])
    break_starts_at = _Time(_l("Istirahat mulai"), validators=[Optional()])
    break_ends_at = _Time(_l("Istirahat selesai"), validators=[Optional()])


class WeekForm(PageForm):
    days = FieldList(FormField(DayForm), min_entries=7, max_entries=7)

    def hours(self):
        """weekday -> (opens, closes, break start, break end) for set_weekly_hours."""
        return {
            weekday: (
                day.opens_at.data,
                day.closes_at.data,
                day.break_starts_at.data,
                day.break_ends_at.data,
            )
            for weekday, day in enumerate(self.days)
        }


class ExceptionForm(PageForm):
    starts_on = _Date(_l("Dari tanggal"), validators=[InputRequired(REQUIRED)])
    ends_on = _Date(_l("Sampai tanggal"), validators=[InputRequired(REQUIRED)])
    closed = BooleanField(_l("Tutup sepanjang rentang ini"))
    opens_at = _Time(_l("Jam buka"), validators=[Optional()])
    closes_at = _Time(_l("Jam tutup"), validators=[Optional()])
    break_starts_at = _Time(_l("Istirahat mulai"), validators=[Optional()])
    break_ends_at = _Time(_l("Istirahat selesai"), validators=[Optional()])
    reason = StringField(
        _l("Keterangan (misalnya Ramadan)"), validators=[Length(max=200, message=TOO_LONG)]
    )
    all_sites = BooleanField(_l("Berlaku untuk semua lokasi"))


class HolidayForm(PageForm):
    on = _Date(_l("Tanggal"), validators=[InputRequired(REQUIRED)])
    name = StringField(
        _l("Nama hari libur"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    category = SelectField(_l("Jenis"), choices=list(CATEGORY_LABELS.items()))
