"""The queue on site: numbers for the waiting room, "call next" per station, the screen.

Checked-in residents and walk-ins get a number on the recording line as they are checked
in; the pickup desk hands out numbers on its own line. Numbers run per site, day and line
from 1: the next one is taken by one INSERT ... ON CONFLICT DO UPDATE ... RETURNING on
the day's counter row, and UNIQUE(site, day, line, number) holds them apart. "Call next"
takes the waiting ticket residents who asked for help first, then by number, with a
conditional UPDATE (two stations never call the same ticket), and a station calls one
ticket at a time (a partial UNIQUE index).
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from scheduler import clock
from scheduler.constraints import raise_refusal
from scheduler.db import transactional
from scheduler.errors import InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.sites import services as sites
from scheduler.sites.models import Site
from scheduler.staff.models import QUEUE_LINES, QueueCounter, QueueTicket

RECENT_CALLS = 8  # what the screen lists besides each station's current number


def today_at(site):
    return sites.to_local(site, clock.now()).date()


def station_count(site, line):
    """How many stations call on a line: the site's recording stations; the pickup desk's
    counters (QUEUE_PICKUP_COUNTERS)."""
    if line == "recording":
        return max(site.stations, 1)
    return max(current_app.config["QUEUE_PICKUP_COUNTERS"], 1)


def _check_line(line):
    if line not in QUEUE_LINES:
        raise ValidationError(fields={"line": _l("Antrean tidak dikenal.")})


def _next_number(site_id, served_on, line):
    table = QueueCounter.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    statement = (
        insert(table)
        .values(site_id=site_id, served_on=served_on, line=line, last_number=1)
        .on_conflict_do_update(
            index_elements=["site_id", "served_on", "line"],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return db.session.execute(statement).scalar_one()


@transactional
def issue_ticket(site, line, *, priority=False, appointment=None):
    """A new number on a site's line today, in the caller's transaction; an appointment
    that has one on this line keeps it. Raises ValidationError for an unknown line."""
    _check_line(line)
    if appointment is not None:
        held = db.session.scalar(
            sa.select(QueueTicket).where(
                QueueTicket.appointment_id == appointment.id, QueueTicket.line == line
            )
        )
        if held is not None:
            return held
    ticket = QueueTicket(
        site_id=site.id,
        served_on=today_at(site),
        line=line,
        number=_next_number(site.id, today_at(site), line),
        priority=bool(priority),
        status="waiting",
        appointment_id=appointment.id if appointment is not None else None,
        issued_at=clock.now(),
    )
    db.session.add(ticket)
    db.session.flush()
    return ticket


def ticket_for(appointment, line="recording"):
    """The ticket an appointment holds on a line, or None."""
    return db.session.scalar(
        sa.select(QueueTicket).where(
            QueueTicket.appointment_id == appointment.id, QueueTicket.line == line
        )
    )


def _check_station(site, line, station):
    if not isinstance(station, int) or not 1 <= station <= station_count(site, line):
        raise ValidationError(
            fields={
                "station": _l("Nomor meja harus antara 1 dan %(n)s.", n=station_count(site, line))
            }
        )


def _finish_current(site, served_on, line, station, now):
    db.session.execute(
        sa.update(QueueTicket)
        .where(
            QueueTicket.site_id == site.id,
            QueueTicket.served_on == served_on,
            QueueTicket.line == line,
            QueueTicket.station == station,
            QueueTicket.status == "called",
        )
        .values(status="done", finished_at=now)
        .execution_options(synchronize_session=False)
    )


def _waiting_query(site, served_on, line):
    query = (
        sa.select(QueueTicket.id)
        .where(
            QueueTicket.site_id == site.id,
            QueueTicket.served_on == served_on,
            QueueTicket.line == line,
            QueueTicket.status == "waiting",
        )
        .order_by(QueueTicket.priority.desc(), QueueTicket.number)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Another station's transaction holds the first row: take the next one at once.
        query = query.with_for_update(skip_locked=True)
    return query


@transactional
def call_next(site, line, station):
    """The station finishes its current ticket and calls the next one: residents who
    asked for help first, then by number. Returns the ticket called, or None when no one
    waits. Raises ValidationError (line, station), InvalidState (the same station called
    at the same moment from another device)."""
    _check_line(line)
    _check_station(site, line, station)
    served_on, now = today_at(site), clock.now()
    _finish_current(site, served_on, line, station, now)
    for _attempt in range(10):
        ticket_id = db.session.scalar(_waiting_query(site, served_on, line))
        if ticket_id is None:
            return None
        try:
            with db.session.begin_nested():
                result = db.session.execute(
                    sa.update(QueueTicket)
                    .where(QueueTicket.id == ticket_id, QueueTicket.status == "waiting")
                    .values(status="called", station=station, called_at=now)
                    .execution_options(synchronize_session=False)
                )
        except IntegrityError as exc:
            raise_refusal(exc)
        if result.rowcount == 1:
            ticket = db.session.get(QueueTicket, ticket_id)
            db.session.refresh(ticket)
            return ticket
    raise InvalidState(_l("Antrean sedang sibuk; coba lagi."))


@transactional
def recall(site, line, station):
    """Call a station's current number again (the screen shows it anew); raises
    NotFound when the station calls no one."""
    _check_line(line)
    _check_station(site, line, station)
    ticket = _current(site, today_at(site), line, station)
    if ticket is None:
        raise NotFound(_l("Meja ini belum memanggil nomor."))
    ticket.called_at = clock.now()
    db.session.flush()
    return ticket


def _current(site, served_on, line, station):
    return db.session.scalar(
        sa.select(QueueTicket).where(
            QueueTicket.site_id == site.id,
            QueueTicket.served_on == served_on,
            QueueTicket.line == line,
            QueueTicket.station == station,
            QueueTicket.status == "called",
        )
    )


@dataclass
class LineBoard:
    """One line of a site's queue today: what each station calls, the recent calls, who
    waits (priority first, then by number)."""

    line: str
    stations: dict  # station -> QueueTicket or None
    recent: list
    waiting: list


def board(site, line, served_on=None):
    """A line's state for the desk and the screen."""
    _check_line(line)
    served_on = served_on or today_at(site)
    tickets = db.session.scalars(
        sa.select(QueueTicket).where(
            QueueTicket.site_id == site.id,
            QueueTicket.served_on == served_on,
            QueueTicket.line == line,
        )
    ).all()
    stations = dict.fromkeys(range(1, station_count(site, line) + 1))
    for t in tickets:
        if t.status == "called":
            stations[t.station] = t
    called = sorted(
        (t for t in tickets if t.called_at is not None), key=lambda t: t.called_at, reverse=True
    )
    waiting = sorted(
        (t for t in tickets if t.status == "waiting"), key=lambda t: (not t.priority, t.number)
    )
    return LineBoard(line, stations, called[:RECENT_CALLS], waiting)


def display_site(site_id):
    """An active site for the waiting-room screen; raises NotFound."""
    site = db.session.get(Site, site_id) if isinstance(site_id, int) else None
    if site is None or not site.active:
        raise NotFound()
    return site


def is_fresh(ticket, seconds=30):
    """Called within the last seconds: the screen highlights it."""
    return ticket.called_at is not None and clock.now() - ticket.called_at < timedelta(
        seconds=seconds
    )


def ticket_json(ticket):
    """A ticket as the API shows it (no personal data)."""
    return {
        "label": ticket.label,
        "number": ticket.number,
        "line": ticket.line,
        "priority": ticket.priority,
        "status": ticket.status,
        "station": ticket.station,
        "served_on": ticket.served_on.isoformat(),
    }
