"""Signed invitations that let a coordinator set a password."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.exc import SignatureExpired

from scheduler import clock, links
from scheduler.db import transactional
from scheduler.errors import NotFound, ValidationError
from scheduler.staff import services as staff

# -------------------------------------------------------------------------- invitations


class _ClockSigner(TimestampSigner):
    """Timestamps from the application clock, so expiry follows clock.now()."""

    def get_timestamp(self):
        return int(clock.now().timestamp())


def _invitations():
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="antre-coordinator-invite", signer=_ClockSigner
    )


def invite_coordinator(email, name):
    """A signed invitation link (valid OUTREACH_INVITE_DAYS) on which a coordinator sets a
    password. Raises ValidationError when the email already has an account."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationError(fields={"email": _l("Alamat email tidak sah.")})
    if staff.get_user_by_email(email) is not None:
        raise ValidationError(fields={"email": _l("Email ini sudah terdaftar.")})
    token = _invitations().dumps({"email": email, "name": name or ""})
    return links.public_url(f"/jemput-bola/undangan/{token}")


def read_invitation(token):
    """{"email", "name"} of a valid invitation; raises NotFound when forged or expired."""
    max_age = current_app.config["OUTREACH_INVITE_DAYS"] * 86400
    try:
        data = _invitations().loads(token, max_age=max_age)
    except SignatureExpired:
        raise NotFound(
            _l("Undangan ini sudah kedaluwarsa. Mintalah undangan baru ke Disdukcapil.")
        ) from None
    except BadSignature:
        raise NotFound(_l("Tautan undangan tidak sah.")) from None
    if staff.get_user_by_email(data["email"]) is not None:
        raise NotFound(_l("Undangan ini sudah dipakai. Silakan masuk dengan email Anda."))
    return data


@transactional
def accept_invitation(token, password):
    """Create the coordinator's account with the password they chose; a link works once.
    Raises NotFound (forged, expired, used), ValidationError (weak password)."""
    data = read_invitation(token)
    return staff.create_user(data["email"], password, "coordinator", name=data["name"])
