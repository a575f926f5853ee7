"""A resident's own data on the web: see it ("Data saya", also as a JSON file) and erase
it. Code and NIK are asked on every visit, with the look-up's limits; the NIK is never
written back into a page."""

import json

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from scheduler.appointments.limits import page_lookup_limits
from scheduler.appointments.views import refused_fields
from scheduler.errors import DomainError
from scheduler.forms import render_form
from scheduler.privacy import labels, services
from scheduler.privacy.forms import DownloadForm, EraseForm, MyDataForm

bp = Blueprint("privacy_views", __name__)


def _page_context():
    return {"labels": labels, "label": labels.label}


@bp.route("/data-saya", methods=["GET", "POST"])
@page_lookup_limits
def my_data():
    form = MyDataForm(
        data={"code": request.args.get("kode", "")} if request.method == "GET" else None
    )
    if request.method == "GET" or not form.validate_on_submit():
        return render_form("privacy/ask.html", form)
    try:
        data, token = services.open_my_data(form.code.data, form.nik.data)
    except DomainError as exc:
        return render_form("privacy/ask.html", form, error=exc, errors=refused_fields(exc))
    return render_template(
        "privacy/my_data.html",
        data=data,
        download=DownloadForm(data={"token": token}),
        **_page_context(),
    )


@bp.post("/data-saya/unduh")
def download():
    form = DownloadForm()
    data = services.my_data_for_token(form.token.data if form.validate_on_submit() else "")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    resp = Response(body, mimetype="application/json")
    code = data["booking"]["code"]
    resp.headers["Content-Disposition"] = f'attachment; filename="data-saya-{code}.json"'
    return resp


@bp.route("/data-saya/hapus", methods=["GET", "POST"])
@page_lookup_limits
def erase():
    form = EraseForm(
        data={"code": request.args.get("kode", "")} if request.method == "GET" else None
    )
    if request.method == "GET" or not form.validate_on_submit():
        return render_form("privacy/erase.html", form)
    try:
        result = services.erase_my_data(form.code.data, form.nik.data)
    except DomainError as exc:
        return render_form("privacy/erase.html", form, error=exc, errors=refused_fields(exc))
    return render_template("privacy/erased.html", result=result, title=_("Data Anda"))
