"""Forms of the print desk, pickup desk and stock pages."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from scheduler.forms import LocalDateField, PageForm

QTY = [InputRequired(), NumberRange(min=1, max=1_000_000)]


def _office_or_none(value):
    return int(value) if value not in (None, "", "None") else None


def _office_field(label=_l("Kantor cetak")):
    """The printing office of a stock change: removed from the form (views) while the
    installation prints at one place only."""
    return SelectField(label, coerce=_office_or_none, validate_choice=False)


class DeliveryForm(PageForm):
    office_id = _office_field()
    quantity = IntegerField(_l("Jumlah blangko diterima"), validators=QTY)
    received_on = LocalDateField(_l("Tanggal terima"), validators=[InputRequired()])
    reference = StringField(_l("Nomor surat / referensi"), validators=[Length(max=100)])
    expected_id = SelectField(_l("Kiriman yang diumumkan"), coerce=int, validate_choice=False)


class ExpectedForm(PageForm):
    office_id = _office_field()
    quantity = IntegerField(_l("Jumlah"), validators=QTY)
    expected_on = LocalDateField(_l("Perkiraan tanggal tiba"), validators=[InputRequired()])
    note = StringField(_l("Catatan"), validators=[Length(max=200)])


class SpoilageForm(PageForm):
    office_id = _office_field()
    quantity = IntegerField(_l("Jumlah blangko rusak"), validators=QTY)
    reason = StringField(_l("Alasan"), validators=[DataRequired(), Length(max=200)])


class CorrectionForm(PageForm):
    office_id = _office_field()
    delta = IntegerField(
        _l("Koreksi (+ tambah, - kurang)"),
        validators=[InputRequired(), NumberRange(min=-1_000_000, max=1_000_000)],
    )
    note = StringField(
        _l("Catatan (hasil stock opname)"), validators=[DataRequired(), Length(max=200)]
    )


class PrintSiteForm(PageForm):
    site_id = SelectField(_l("Lokasi cetak"), coerce=int, validate_choice=False)
    printers = IntegerField(
        _l("Printer"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    operators = IntegerField(
        _l("Operator"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    cards_per_printer = IntegerField(
        _l("Kartu per printer per hari"),
        default=150,
        validators=[InputRequired(), NumberRange(min=1, max=5000)],
    )
    office_id = _office_field(_l("Mencetak dengan blangko dari"))


class TransferForm(PageForm):
    from_office_id = SelectField(_l("Dari kantor cetak"), coerce=int, validate_choice=False)
    to_office_id = SelectField(_l("Ke kantor cetak"), coerce=int, validate_choice=False)
    quantity = IntegerField(_l("Jumlah blangko"), validators=QTY)
    reference = StringField(_l("Nomor surat / referensi"), validators=[Length(max=100)])


class OfficeForm(PageForm):
    name = StringField(_l("Nama kantor cetak"), validators=[DataRequired(), Length(max=100)])
    site_id = SelectField(_l("Lokasi"), coerce=_office_or_none, validate_choice=False)


class PrintedForm(PageForm):
    misprints = IntegerField(
        _l("Salah cetak"), default=0, validators=[Optional(), NumberRange(min=0, max=20)]
    )


class HandOverForm(PageForm):
    collected_by = RadioField(
        _l("Diambil oleh"),
        choices=[("self", _l("Pemilik kartu sendiri")), ("family", _l("Anggota keluarga"))],
        default="self",
        validators=[InputRequired()],
    )
    collector_name = StringField(_l("Nama anggota keluarga"), validators=[Length(max=100)])
    on_family_card = BooleanField(_l("Nama ini tercantum di Kartu Keluarga pemilik kartu"))
    ikd_activated = BooleanField(_l("IKD (KTP digital) diaktifkan di loket ini"))


class PriorityForm(PageForm):
    priority = SelectField(
        _l("Prioritas"),
        coerce=int,
        choices=[
            (0, _l("Biasa")),
            (1, _l("Didahulukan (lansia, ujian)")),
            (2, _l("Mendesak (rumah sakit)")),
        ],
    )
    reason = StringField(_l("Alasan"), validators=[Length(max=200)])


class ReplacementForm(PageForm):
    site_id = SelectField(_l("Lokasi pengajuan"), coerce=int, validate_choice=False)
    nik = StringField(_l("NIK"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=100)])
    birth_date = LocalDateField(_l("Tanggal lahir"), validators=[InputRequired()])
    phone = TelField(_l("Nomor HP"), validators=[DataRequired(), Length(max=30)])
    married = BooleanField(_l("Sudah/pernah menikah"))
    reason = SelectField(
        _l("Alasan penggantian"),
        choices=[
            ("lost", _l("Hilang")),
            ("damaged", _l("Rusak")),
            ("changed_data", _l("Perubahan data")),
        ],
    )
