"""The queue pages: the desk's "call next" per station and the pickup desk's numbers
(staff), and the waiting-room screen /layar/<site> (no login, numbers and stations only)."""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.appointments.models import Appointment
from scheduler.auth import page_roles
from scheduler.errors import DomainError, ValidationError
from scheduler.extensions import db
from scheduler.sites import services as sites
from scheduler.staff import desk, queue
from scheduler.staff.models import QUEUE_LINES
from scheduler.staff.views import bp

LINE_TITLES = {"recording": _l("Perekaman"), "pickup": _l("Pengambilan KTP-el")}
STATION_NAMES = {"recording": _l("Meja rekam"), "pickup": _l("Loket")}


def _labels():
    return {
        "line_titles": {k: str(v) for k, v in LINE_TITLES.items()},
        "station_names": {k: str(v) for k, v in STATION_NAMES.items()},
    }


@bp.get("/layar/<int:site_id>")
def display(site_id):
    """The waiting-room screen: refreshes itself (meta refresh), shows no personal data."""
    site = queue.display_site(site_id)
    boards = [queue.board(site, line) for line in QUEUE_LINES]
    response = current_app.make_response(
        render_template(
            "staff/display.html",
            site=site,
            boards=boards,
            fresh=queue.is_fresh,
            refresh=current_app.config["QUEUE_DISPLAY_REFRESH_SECONDS"],
            now_local=sites.to_local(site, queue.clock.now()).strftime("%H:%M"),
            **_labels(),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _int_form(name):
    try:
        return int(request.values.get(name, ""))
    except ValueError:
        return None


def _queue_context(error=None):
    site_list = desk.desk_sites(current_user)
    wanted = _int_form("site_id")
    site = next((s for s in site_list if s.id == wanted), site_list[0] if site_list else None)
    context = {"site": site, "site_list": site_list, "error_message": error, **_labels()}
    if site is not None:
        boards = desk.queue_boards(current_user, site.id)
        ids = [t.appointment_id for b in boards for t in b.stations.values() if t]
        names = dict(
            db.session.execute(
                sa.select(Appointment.id, Appointment.name).where(Appointment.id.in_(ids or [-1]))
            ).all()
        )
        context.update(boards=boards, names=names)
    return context


@bp.get("/petugas/antrean")
@page_roles(*desk.DESK_ROLES)
def queue_page():
    return render_template("staff/queue.html", **_queue_context())


def _back():
    return redirect(url_for("staff_views.queue_page", site_id=request.form.get("site_id")))


def _refused(exc):
    messages = [str(m) for m in (exc.fields or {}).values()]
    message = " ".join(messages) if messages else str(exc.message)
    return render_template("staff/queue.html", **_queue_context(message)), exc.status


def _line_station():
    line, station = request.form.get("line", ""), _int_form("station")
    if station is None:
        raise ValidationError(fields={"station": _("Pilih meja.")})
    return line, station


@bp.post("/petugas/antrean/panggil")
@page_roles(*desk.DESK_ROLES)
def queue_call():
    try:
        line, station = _line_station()
        ticket = desk.call_next(current_user, _int_form("site_id"), line, station)
    except DomainError as exc:
        return _refused(exc)
    if ticket is None:
        flash(_("Tidak ada yang menunggu."))
    else:
        flash(
            _(
                "Memanggil %(label)s ke %(where)s %(n)s.",
                label=ticket.label,
                where=STATION_NAMES[ticket.line],
                n=ticket.station,
            )
        )
    return _back()


@bp.post("/petugas/antrean/ulang")
@page_roles(*desk.DESK_ROLES)
def queue_recall():
    try:
        line, station = _line_station()
        ticket = desk.recall(current_user, _int_form("site_id"), line, station)
    except DomainError as exc:
        return _refused(exc)
    flash(_("Memanggil ulang %(label)s.", label=ticket.label))
    return _back()


@bp.post("/petugas/antrean/nomor")
@page_roles(*desk.DESK_ROLES)
def queue_ticket():
    try:
        ticket = desk.issue_pickup_ticket(
            current_user, _int_form("site_id"), bool(request.form.get("priority"))
        )
    except DomainError as exc:
        return _refused(exc)
    flash(_("Nomor pengambilan: %(label)s.", label=ticket.label))
    return _back()
