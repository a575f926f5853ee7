"""Signed tokens and links, the check-in QR code and the calendar file of an appointment."""

import io
from functools import lru_cache

import qrcode
from flask import current_app
from icalendar import Calendar, Event
from itsdangerous import BadSignature, Signer

from scheduler import clock, links
from scheduler.sites import services as sites


def _signer(salt):
    return _cached_signer(current_app.config["SECRET_KEY"], salt)


@lru_cache(maxsize=8)
def _cached_signer(secret, salt):
    # One Signer per key and salt, built once: every booking signs twice (the answer's
    # links and the message's).
    return Signer(secret, salt=salt, sep=".")


def checkin_token(appointment):
    """The QR code's text: the booking code, signed. It names the appointment, never the NIK."""
    return _signer("antre-checkin").sign(appointment.code).decode()


def code_from_checkin_token(token):
    """The booking code in a check-in token; raises BadSignature for a forged or altered one."""
    return _signer("antre-checkin").unsign((token or "").strip()).decode()


def link_signature(code):
    """Signature for URLs that only the holder of an appointment can open."""
    return _cached_link_signature(current_app.config["SECRET_KEY"], code)


@lru_cache(maxsize=64)
def _cached_link_signature(secret, code):
    # A booking signs its code twice (the message's link, the answer's links).
    return _cached_signer(secret, "antre-link").get_signature(code).decode()


def verify_link(code, signature):
    """True when a URL signature belongs to the code."""
    try:
        return _signer("antre-link").verify_signature(code, signature or "")
    except BadSignature:
        return False


def household_signature(codes):
    """Signature for the page of a family's bookings (`codes` joined by dots); never the
    signature of a single code (no code holds a colon)."""
    return link_signature("family:" + codes)


def verify_household(codes, signature):
    return verify_link("family:" + codes, signature)


def appointment_link(appointment):
    """The resident's own page of an appointment, signed, at the service's public address."""
    return links.public_url(f"/janji/{appointment.code}?s={link_signature(appointment.code)}")


def qr_png(appointment, box_size=8):
    """A PNG of the check-in QR code."""
    image = qrcode.make(
        checkin_token(appointment),
        box_size=box_size,
        border=3,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def ics_bytes(appointment):
    """An iCalendar file of the appointment, in the site's local time (with its zone's
    VTIMEZONE)."""
    site, slot = appointment.site, appointment.slot
    cal = Calendar()
    cal.add("prodid", "-//Antre KTP-el//id")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.code}@antre-ktp-el")
    event.add("dtstamp", clock.now())
    event.add("dtstart", sites.to_local(site, slot.starts_at))
    event.add("dtend", sites.to_local(site, slot.ends_at))
    event.add("summary", f"Perekaman KTP-el - {site.name}")
    event.add("location", ", ".join(p for p in (site.name, site.address) if p))
    event.add(
        "description",
        (
            f"Kode booking: {appointment.code}\n"
            "Bawa HP berisi kode QR atau cetakannya. Datang 15 menit sebelum jadwal.\n"
            f"{appointment_link(appointment)}"
        ),
    )
    event.add("status", "CANCELLED" if appointment.status == "cancelled" else "CONFIRMED")
    cal.add_component(event)
    # The site's zone as a VTIMEZONE block, so that a calendar which does not know the
    # zone by name still shows the local time.
    cal.add_missing_timezones()
    return cal.to_ical()
