"""Surat keterangan: a certificate of recording, signed by the office, that serves as
proof of identity until the card is printed. Anyone can verify it by its code or its QR
(a URL carrying the code signed with the office's key, HMAC through itsdangerous); the
verification page shows only what proves it genuine."""

import io
import secrets
from datetime import timedelta

import qrcode
import qrcode.image.svg
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer
from sqlalchemy.exc import IntegrityError

from scheduler import clock, links
from scheduler.appointments import services as appointments
from scheduler.cards import services
from scheduler.cards.ledger import ROMAN, next_serial
from scheduler.cards.models import RecordingCertificate
from scheduler.db import transactional
from scheduler.errors import InvalidState, NotFound
from scheduler.extensions import db

CODE_LENGTH = 10


def _signer():
    return Signer(current_app.config["SECRET_KEY"], salt="antre-recording-certificate", sep=".")


def token(certificate):
    """The signed text in the certificate's QR: its verification code and an HMAC."""
    return _signer().sign(certificate.verification_code).decode()


def verify_url(certificate):
    return links.public_url(f"/verifikasi/{token(certificate)}")


def verify_token(text):
    """The certificate a signed token names, or None when forged, altered or unknown."""
    try:
        code = _signer().unsign((text or "").strip().split("?")[0]).decode()
    except BadSignature:
        return None
    return find_by_code(code)


def find_by_code(code):
    """The certificate with a typed verification code, or None."""
    code = appointments.normalize_code(code)[:CODE_LENGTH]
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(
        sa.select(RecordingCertificate).where(RecordingCertificate.verification_code == code)
    )


@transactional
def issue_certificate(code, *, user_id=None, site_ids=None):
    """Issue a certificate of recording for a card not yet printed; returns it.
    Raises NotFound, InvalidState (the card is printed already)."""
    card = services.get_card(code, site_ids)
    if not card.can_issue_certificate:
        raise InvalidState(
            _l(
                "Surat keterangan hanya untuk penduduk yang sudah direkam dan kartunya belum dicetak."
            )
        )
    today = services.today()
    for _attempt in range(10):
        serial = next_serial(RecordingCertificate, today.year)
        certificate = RecordingCertificate(
            card_request_id=card.id,
            year=today.year,
            serial=serial,
            number=f"470/{serial:04d}/SK-REKAM/{ROMAN[today.month - 1]}/{today.year}",
            verification_code="".join(
                secrets.choice(appointments.CODE_ALPHABET) for _ in range(CODE_LENGTH)
            ),
            issued_on=today,
            valid_until=today + timedelta(days=int(current_app.config["CERTIFICATE_VALID_DAYS"])),
            office_name=card.recorded_site.name,
            issued_by_id=user_id,
            created_at=clock.now(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
                db.session.flush()
            return certificate
        except IntegrityError:
            continue  # a concurrent certificate took the number or the code
    raise RuntimeError("could not number the certificate")


def get_certificate(certificate_id, site_ids=None):
    certificate = db.session.get(RecordingCertificate, certificate_id)
    if certificate is None:
        raise NotFound()
    services.get_card(certificate.card_request.code, site_ids)  # same visibility as the card
    return certificate


def public_view(certificate):
    """What the public verification page shows: enough to prove it genuine, no more."""
    card = certificate.card_request
    today = services.today()
    if card.status == "picked_up":
        state = "superseded"
    elif today > certificate.valid_until:
        state = "expired"
    else:
        state = "valid"
    return {
        "number": certificate.number,
        "name": card.name,
        "nik_masked": card.nik_masked,
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "office": certificate.office_name,
        "state": state,
    }


def qr_svg(certificate):
    """The verification QR as inline SVG markup."""
    image = qrcode.make(
        verify_url(certificate),
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    out = io.BytesIO()
    image.save(out)
    text = out.getvalue().decode()
    return text[text.index("<svg") :]
