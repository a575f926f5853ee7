"""Pages: print desk, pickup desk, uncollected cards, the card queue, blank stock with its
chart, the monthly report, berita acara, certificates and their public verification."""

from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from scheduler import l10n, reads
from scheduler.auth import page_roles
from scheduler.cards import certificates, chart, offices, services, stock
from scheduler.cards.forms import (
    CorrectionForm,
    DeliveryForm,
    ExpectedForm,
    HandOverForm,
    PrintedForm,
    PrintSiteForm,
    PriorityForm,
    ReplacementForm,
    SpoilageForm,
)
from scheduler.cards.models import UNPRINTED_STATUSES
from scheduler.errors import DomainError, ValidationError
from scheduler.extensions import limiter
from scheduler.forms import form_errors, render_form
from scheduler.sites import services as sites

bp = Blueprint("cards_views", __name__)

STAFF = ("admin", "staff")


@bp.app_template_filter("regency_date")
def regency_date(moment):
    """An aware UTC moment as the regency's local date, in the page's language."""
    zone = sites.zone(current_app.config["REGENCY_TIMEZONE"])
    return l10n.short_day(moment.astimezone(zone).date()) if moment else ""


def _date_arg(name, default):
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(fields={name: _("Tanggal harus berformat YYYY-MM-DD.")}) from None


def _shown(action, cards, detail=""):
    """Audit the cards' holders a page showed (scheduler.reads)."""
    reads.record_view(
        current_user, action, detail=detail, appointment_ids=[c.appointment_id for c in cards]
    )


# ------------------------------------------------------------------------ print desk


@bp.get("/petugas/cetak")
@page_roles(*STAFF)
def print_desk():
    on = _date_arg("date", services.today())
    cards = services.print_queue(on, site_ids=current_user.acting_site_ids)
    _shown("view_print_queue", cards, on.isoformat())
    return render_template(
        "cards/print_desk.html", cards=cards, on=on, today=services.today(), form=PrintedForm()
    )


@bp.post("/petugas/cetak/<code>")
@page_roles(*STAFF)
def print_card(code):
    form = PrintedForm()
    if not form.validate_on_submit():
        raise ValidationError(fields=form_errors(form))
    card = services.mark_printed(
        code,
        actor_id=current_user.id,
        site_ids=current_user.acting_site_ids,
        misprints=form.misprints.data or 0,
    )
    flash(_("KTP-el %(code)s (%(name)s) tercatat sudah dicetak.", code=card.code, name=card.name))
    return redirect(url_for("cards_views.print_desk", date=request.args.get("date")))


# ----------------------------------------------------------------------- pickup desk


@bp.get("/petugas/pengambilan")
@page_roles(*STAFF)
def pickup_desk():
    query = (request.args.get("q") or "").strip()
    card, error = None, None
    if "q" in request.args and not query:
        error = _(
            "Ketik kode booking 8 huruf (mis. K7P2M9QX), atau tempel teks QR dari janji temu "
            "atau surat keterangan."
        )
    if query:
        try:
            card = services.find_card(query, site_ids=current_user.acting_site_ids)
        except DomainError as exc:
            error = exc.message
        _shown("view_pickup", [card] if card else [], card.code if card else "")
    return render_template(
        "cards/pickup_desk.html",
        q=query,
        card=card,
        summary=services.card_json(card) if card else None,
        lookup_error=error,
        form=HandOverForm(),
        errors={},
    )


@bp.post("/petugas/pengambilan/<code>")
@page_roles(*STAFF)
def hand_over(code):
    form = HandOverForm()
    card = services.get_card(code, site_ids=current_user.acting_site_ids)
    g.form_page = (
        "cards/pickup_desk.html",
        {"q": code, "card": card, "summary": services.card_json(card), "form": form},
    )
    errors = {} if form.validate_on_submit() else form_errors(form)
    if form.collected_by.data == "family":
        if not (form.collector_name.data or "").strip():
            errors["collector_name"] = _("Tulis nama anggota keluarga yang mengambil.")
        if not form.on_family_card.data:
            errors["on_family_card"] = _(
                "Periksa Kartu Keluarga: hanya anggota keluarga yang tercantum."
            )
    if errors:
        raise ValidationError(fields=errors)
    services.hand_over(
        code,
        collected_by=form.collected_by.data,
        collector_name=form.collector_name.data,
        actor_id=current_user.id,
        site_ids=current_user.acting_site_ids,
        ikd_activated=form.ikd_activated.data,
    )
    flash(_("KTP-el %(code)s sudah diserahkan.", code=card.code))
    return redirect(url_for("cards_views.pickup_desk"))


@bp.get("/petugas/belum-diambil")
@page_roles(*STAFF)
def uncollected():
    rows = services.uncollected(site_ids=current_user.acting_site_ids)
    _shown("view_uncollected", [card for card, _days in rows])
    first = current_app.config["CARD_REMINDER_DAYS_FIRST"]
    return render_template("cards/uncollected.html", rows=rows, first=first)


# ----------------------------------------------------------------- queue, replacements


@bp.get("/petugas/antrean-kartu")
@page_roles(*STAFF)
def queue():
    status = request.args.get("status")
    statuses = (status,) if status in UNPRINTED_STATUSES else None
    cards = services.list_queue(statuses, site_ids=current_user.acting_site_ids, limit=300)
    _shown("view_card_queue", cards, status or "")
    return render_template(
        "cards/queue.html",
        cards=cards,
        status=status,
        form=PriorityForm(),
        position=services.queue_position,
    )


@bp.post("/petugas/antrean-kartu/<code>/prioritas")
@page_roles("admin")
def set_priority(code):
    form = PriorityForm()
    if not form.validate_on_submit():
        raise ValidationError(fields=form_errors(form))
    card = services.set_priority(code, form.priority.data, form.reason.data)
    flash(_("Prioritas %(code)s diperbarui.", code=card.code))
    return redirect(url_for("cards_views.queue"))


@bp.route("/petugas/kartu-pengganti", methods=["GET", "POST"])
@page_roles(*STAFF)
def replacement():
    form = ReplacementForm()
    offered = sites.list_sites(site_ids=current_user.acting_site_ids)
    form.site_id.choices = [(s.id, s.name) for s in offered]
    g.form_page = ("cards/replacement.html", {"form": form})
    if request.method == "POST":
        if not form.validate_on_submit():
            raise ValidationError(fields=form_errors(form))
        card = services.request_replacement(
            nik=form.nik.data,
            name=form.name.data.strip(),
            birth_date=form.birth_date.data,
            phone=form.phone.data,
            married=form.married.data,
            reason=form.reason.data,
            site_id=form.site_id.data,
            actor_id=current_user.id,
            # Only the sites the form offered (active ones): another is refused.
            site_ids={s.id for s in offered},
        )
        flash(_("Permohonan KTP-el pengganti %(code)s masuk antrean cetak.", code=card.code))
        return redirect(url_for("cards_views.pickup_desk", q=card.code))
    return render_form("cards/replacement.html", form)


# ---------------------------------------------------------------------- certificates


@bp.post("/petugas/kartu/<code>/surat-keterangan")
@page_roles(*STAFF)
def issue_certificate(code):
    cert = certificates.issue_certificate(
        code, user_id=current_user.id, site_ids=current_user.acting_site_ids
    )
    return redirect(url_for("cards_views.certificate", certificate_id=cert.id))


@bp.get("/petugas/surat-keterangan/<int:certificate_id>")
@page_roles(*STAFF)
def certificate(certificate_id):
    cert = certificates.get_certificate(certificate_id, site_ids=current_user.acting_site_ids)
    _shown("export", [cert.card_request], f"certificate {cert.number}")
    return render_template(
        "cards/certificate.html",
        cert=cert,
        card=cert.card_request,
        qr=Markup(certificates.qr_svg(cert)),  # noqa: S704 (generated by qrcode, no input text)
        verify_url=certificates.verify_url(cert),
    )


@bp.get("/verifikasi")
@limiter.limit(
    "30 per 10 minutes", methods=["GET"], deduct_when=lambda r: bool(request.args.get("kode"))
)
def verify():
    code = (request.args.get("kode") or "").strip()
    cert = certificates.find_by_code(code) if code else None
    return render_template(
        "cards/verify.html",
        code=code,
        view=certificates.public_view(cert) if cert else None,
        asked=bool(code),
    )


@bp.get("/verifikasi/<token>")
def verify_token(token):
    cert = certificates.verify_token(token)
    return render_template(
        "cards/verify.html",
        code="",
        view=certificates.public_view(cert) if cert else None,
        asked=True,
    ), (200 if cert else 404)


# ---------------------------------------------------------------------------- stock


def _stock_forms():
    forms = {
        "delivery": DeliveryForm(prefix="d"),
        "expected": ExpectedForm(prefix="e"),
        "spoilage": SpoilageForm(prefix="s"),
        "correction": CorrectionForm(prefix="c"),
        "print_site": PrintSiteForm(prefix="p"),
    }
    forms["delivery"].expected_id.choices = [(0, _("— tidak ada —"))] + [
        (e.id, f"{l10n.number(e.quantity)} · {l10n.day(e.expected_on)}")
        for e in stock.list_expected()
    ]
    forms["print_site"].site_id.choices = [(s.id, s.name) for s in sites.list_sites()]
    if request.method == "GET":
        forms["delivery"].received_on.data = services.today()
    _office_choices(forms, stock.office_figures())
    return forms


def _office_choices(forms, office_list):
    """Each form names its printing office only where there is more than one."""
    for form in forms.values():
        if "office_id" not in form:
            continue
        if len(office_list) < 2:
            del form["office_id"]
            continue
        form.office_id.choices = [(o["id"], o["name"]) for o in office_list]
        if request.method == "GET" and request.args.get("kantor", "").isdigit():
            form.office_id.data = int(request.args["kantor"])


def _office_arg():
    """The office the page shows (?kantor=<id>), or None for all of them."""
    raw = request.args.get("kantor", "")
    return (
        int(raw) if raw.isdigit() and int(raw) in {o.id for o in offices.list_offices()} else None
    )


def _office_of(form):
    return form.office_id.data if "office_id" in form else None


def _stock_context(forms):
    office_id = _office_arg()
    overview = stock.stock_overview(office_id=office_id)
    return {
        "o": overview,
        "svg": Markup(chart.stock_chart(overview)),  # noqa: S704 (numbers and escaped labels)
        "forms": forms,
        "office_id": office_id,
        "offices": overview["offices"],
        "print_sites": stock.list_print_sites(),
        "expected": stock.list_expected(office_id),
        "records": stock.list_spoilage_records(10),
        "entries": stock.recent_entries(15, office_id=office_id),
        "kinds": stock.KIND_LABELS,
        "office_forms": offices_views.office_forms(overview["offices"]),
    }


@bp.get("/petugas/stok", endpoint="stock")
@page_roles("admin")
def stock_page():
    return render_form("cards/stock.html", **_stock_context(_stock_forms()))


def _stock_post(which, action):
    forms = _stock_forms()
    form = forms[which]
    try:
        if not form.validate_on_submit():
            raise ValidationError(fields=form_errors(form))
        message = action(form)
    except DomainError:
        # The page is rebuilt (figures, chart) only when it must be shown again.
        g.form_page = ("cards/stock.html", _stock_context(forms))
        raise
    flash(message)
    return redirect(url_for("cards_views.stock"))


@bp.post("/petugas/stok/penerimaan")
@page_roles("admin")
def stock_delivery():
    def act(f):
        stock.receive_delivery(
            f.quantity.data,
            f.received_on.data,
            reference=f.reference.data,
            expected_id=f.expected_id.data or None,
            user_id=current_user.id,
            office_id=_office_of(f),
        )
        return _(
            "%(n)s blangko diterima; antrean cetak dijadwalkan ulang.",
            n=l10n.number(f.quantity.data),
        )

    return _stock_post("delivery", act)


@bp.post("/petugas/stok/rencana")
@page_roles("admin")
def stock_expected():
    def act(f):
        stock.add_expected(
            f.quantity.data, f.expected_on.data, note=f.note.data, office_id=_office_of(f)
        )
        return _("Kiriman yang diumumkan dicatat.")

    return _stock_post("expected", act)


@bp.post("/petugas/stok/rencana/<int:expected_id>")
@page_roles("admin")
def stock_expected_update(expected_id):
    def act(f):
        stock.update_expected(expected_id, f.quantity.data, f.expected_on.data, note=f.note.data)
        return _("Kiriman yang diumumkan diperbarui.")

    return _stock_post("expected", act)


@bp.post("/petugas/stok/rencana/<int:expected_id>/batal")
@page_roles("admin")
def stock_expected_cancel(expected_id):
    stock.cancel_expected(expected_id)
    flash(_("Kiriman yang diumumkan dibatalkan; jadwal yang bergantung padanya dipindah."))
    return redirect(url_for("cards_views.stock"))


@bp.post("/petugas/stok/rusak")
@page_roles("admin")
def stock_spoilage():
    def act(f):
        record, _entry = stock.record_spoilage(
            f.quantity.data, f.reason.data, user_id=current_user.id, office_id=_office_of(f)
        )
        return _("Berita acara %(number)s dibuat.", number=record.number)

    return _stock_post("spoilage", act)


@bp.post("/petugas/stok/koreksi")
@page_roles("admin")
def stock_correction():
    def act(f):
        if f.delta.data == 0:
            raise ValidationError(fields={"c-delta": _("Koreksi tidak boleh nol.")})
        stock.correct_stock(
            f.delta.data, f.note.data, user_id=current_user.id, office_id=_office_of(f)
        )
        return _("Koreksi stok dicatat.")

    return _stock_post("correction", act)


@bp.post("/petugas/stok/lokasi-cetak")
@page_roles("admin")
def stock_print_site():
    def act(f):
        stock.save_print_site(
            f.site_id.data,
            f.printers.data,
            f.operators.data,
            f.cards_per_printer.data,
            office_id=_office_of(f),
        )
        return _("Kapasitas cetak disimpan; antrean dijadwalkan ulang.")

    return _stock_post("print_site", act)


def _month_arg():
    raw = request.args.get("month") or services.today().strftime("%Y-%m")
    try:
        year, month = (int(p) for p in raw.split("-"))
    except ValueError:
        raise ValidationError(fields={"month": _("Bulan tidak sah; gunakan YYYY-MM.")}) from None
    return year, month


@bp.get("/petugas/stok/laporan")
@page_roles("admin")
def monthly_report():
    report = stock.monthly_report(*_month_arg())
    return render_template("cards/monthly_report.html", r=report, kinds=stock.KIND_LABELS)


@bp.get("/petugas/stok/laporan.csv")
@page_roles("admin")
def monthly_report_csv():
    report = stock.monthly_report(*_month_arg())
    resp = Response(stock.monthly_report_csv(report), mimetype="text/csv")
    name = f"laporan-blangko-{report['year']:04d}-{report['month']:02d}.csv"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.get("/petugas/stok/berita-acara/<int:record_id>")
@page_roles("admin")
def spoilage_record(record_id):
    record = stock.get_spoilage_record(record_id)
    return render_template("cards/spoilage_record.html", rec=record)


from scheduler.cards import offices_views  # noqa: E402  (routes on this blueprint)
