"""Stock page parts for an installation that prints at more than one place: adding a
printing office and moving blanks between offices (routes on the cards page blueprint)."""

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.auth import page_roles
from scheduler.cards import offices
from scheduler.cards.forms import OfficeForm, TransferForm
from scheduler.cards.views import _stock_context, _stock_forms, bp
from scheduler.errors import DomainError, ValidationError
from scheduler.forms import form_errors
from scheduler.sites import services as sites


def office_forms(office_list):
    """The transfer form (only with two offices or more) and the new-office form."""
    transfer = TransferForm(prefix="t") if len(office_list) > 1 else None
    if transfer is not None:
        choices = [(o["id"], o["name"]) for o in office_list]
        transfer.from_office_id.choices = transfer.to_office_id.choices = choices
        transfer.to_office_id.data = transfer.to_office_id.data or choices[1][0]
    office = OfficeForm(prefix="k")
    office.site_id.choices = [("", _("— tidak ada —"))] + [
        (s.id, s.name) for s in sites.list_sites()
    ]
    return {"transfer": transfer, "office": office}


def _post(form, act):
    try:
        if not form.validate_on_submit():
            raise ValidationError(fields=form_errors(form))
        message = act(form)
    except DomainError:
        g.form_page = ("cards/stock.html", _stock_context(_stock_forms()))
        raise
    flash(message)
    return redirect(url_for("cards_views.stock"))


@bp.post("/petugas/stok/pindah")
@page_roles("admin")
def stock_transfer():
    def act(f):
        offices.transfer_stock(
            f.from_office_id.data,
            f.to_office_id.data,
            f.quantity.data,
            reference=f.reference.data,
            user_id=current_user.id,
        )
        return _("%(n)s blangko dipindah; antrean cetak dijadwalkan ulang.", n=f.quantity.data)

    return _post(TransferForm(prefix="t"), act)


@bp.post("/petugas/stok/kantor-cetak")
@page_roles("admin")
def stock_office():
    def act(f):
        office = offices.add_office(f.name.data, site_id=f.site_id.data)
        return _("Kantor cetak %(name)s ditambahkan.", name=office.name)

    return _post(OfficeForm(prefix="k"), act)
