"""Pages' forms: the NIK is typed again for every request, never carried in a page."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from scheduler.appointments.forms import LookupForm
from scheduler.forms import PageForm


class MyDataForm(LookupForm):
    """Booking code and NIK."""


class EraseForm(LookupForm):
    confirm = BooleanField(
        _l("Saya mengerti: data saya dihapus dan tidak dapat dikembalikan."),
        validators=[DataRequired(_l("Centang untuk menyetujui penghapusan."))],
    )


class DownloadForm(PageForm):
    token = HiddenField(validators=[DataRequired()])
