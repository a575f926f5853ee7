"""A family's booking (one Kartu Keluarga): every member in the chosen slot or the slots
that follow it without a gap at the same site, all or nothing, one message listing them.

All or nothing is the transaction: members are checked first (each refusal names the
member's index and field: `members.2.birth_date`), then each member takes a seat by the
same conditional UPDATE under the counter's CHECK and the same partial unique index on
the NIK as a single booking; the first refusal rolls every seat and appointment back.
Slots are taken in time order, so two families racing for the same seats never deadlock.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from scheduler import nik as niks
from scheduler.appointments.services.applicants import Applicant, check_applicant
from scheduler.appointments.services.booking import book_into_slot
from scheduler.appointments.services.notices import message_about
from scheduler.db import transactional
from scheduler.errors import DomainError, SlotFull, ValidationError
from scheduler.notifications import services as notifications
from scheduler.sites import services as sites

MAX_MEMBERS = 6


@dataclass
class Member:
    nik: str
    name: str
    birth_date: object
    married: bool = False
    assistance: str | None = None


@dataclass
class Household:
    """Who books for the family: one phone (and email) for every member."""

    phone: str
    email: str | None = None
    locale: str = "id"
    members: list = field(default_factory=list)


def _member_fields(index, exc):
    """A member's refusal with its fields renamed `members.<index>.<field>`."""
    fields = exc.fields or {"nik": exc.message}
    renamed = {f"members.{index}.{name}": message for name, message in fields.items()}
    return type(exc)(exc.message, fields=renamed)


def _check_members(household, on_date):
    if not 1 <= len(household.members) <= MAX_MEMBERS:
        raise ValidationError(
            fields={"members": _l("Satu keluarga 1 sampai %(n)s orang.", n=MAX_MEMBERS)}
        )
    seen = {}
    for index, member in enumerate(household.members):
        applicant = _applicant(household, member)
        try:
            check_applicant(applicant, on_date)
        except DomainError as exc:
            raise _member_fields(index, exc) from None
        nik_hash = niks.hash_nik(member.nik)
        if nik_hash in seen:
            raise ValidationError(
                fields={
                    f"members.{index}.nik": _l(
                        "NIK ini sama dengan anggota nomor %(n)s.", n=seen[nik_hash] + 1
                    )
                }
            )
        seen[nik_hash] = index


def _applicant(household, member):
    return Applicant.of(
        nik=member.nik,
        name=member.name,
        birth_date=member.birth_date,
        phone=household.phone,
        email=household.email,
        married=member.married,
        locale=household.locale,
        assistance=member.assistance,
    )


def _seats(slot, wanted):
    """[slot id per member]: the chosen slot first, then the site's public slots that
    follow it without a gap on that day. Raises SlotFull when they hold too few seats."""
    site = slot.site
    day = sites.to_local(site, slot.starts_at).date()
    _site, rows = sites.list_bookable_slots(site.id, day, day, include_private=not slot.is_public)
    rows = sorted((r for r in rows if r.starts_at >= slot.starts_at), key=lambda r: r.starts_at)
    plan, ends = [], None
    for row in rows:
        if row.session_kind != slot.session_kind or (ends is not None and row.starts_at != ends):
            break
        plan.extend([row.id] * min(row.available, wanted - len(plan)))
        ends = row.ends_at
        if len(plan) == wanted:
            return plan
    raise SlotFull(
        _l(
            "Tidak cukup kursi untuk %(n)s orang mulai jam ini; pilih jam lain.",
            n=wanted,
        )
    )


@transactional
def book_household(slot_id, household, *, channel="web", allow_private=False):
    """Book every member of a family into one slot or the slots that follow it; returns
    the appointments in the members' order. All or nothing. Raises ValidationError (a
    member's field as `members.<i>.<field>`), SlotFull, DuplicateBooking and
    AlreadyRecorded (with the member's `members.<i>.nik`)."""
    slot = sites.get_bookable_slot(slot_id, allow_private=allow_private)
    _check_members(household, sites.to_local(slot.site, slot.starts_at).date())
    plan = _seats(slot, len(household.members))
    slots = {slot.id: slot}
    booked = []
    for index, (member, seat) in enumerate(zip(household.members, plan, strict=True)):
        target = slots.get(seat) or slots.setdefault(seat, sites.get_bookable_slot(seat))
        try:
            booked.append(book_into_slot(target, _applicant(household, member), channel=channel))
        except SlotFull:
            raise
        except DomainError as exc:
            raise _member_fields(index, exc) from None
    _notify(booked)
    return booked


def _notify(booked):
    """One message for the family: every member's code and time."""
    first = booked[0]
    event, message = message_about(first, "household_booking_confirmed")
    message["context"]["members"] = [
        {
            "code": a.code,
            "starts_at": sites.to_local(a.site, a.slot.starts_at).isoformat(),
            "link": message_about(a, "x")[1]["context"]["link"],
        }
        for a in booked
    ]
    message["nik_masked"] = None
    notifications.enqueue(event, **message)
