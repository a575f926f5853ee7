"""Users, passwords (Argon2) and API tokens."""

import hashlib
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from scheduler import clock
from scheduler.auth import ROLES
from scheduler.db import transactional
from scheduler.errors import NotFound, ValidationError
from scheduler.extensions import db
from scheduler.sites.models import Site
from scheduler.staff.models import ApiToken, User

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def hash_password(password):
    return _hasher.hash(password)


@transactional
def create_user(email, password, role, site_ids=(), name=""):
    """Create a user; raises ValidationError for a taken email, a weak password or a bad role."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationError(fields={"email": _l("Alamat email tidak sah.")})
    if role not in ROLES:
        raise ValidationError(fields={"role": _l("Peran tidak dikenal.")})
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(
            fields={"password": _l("Kata sandi paling sedikit %(n)s karakter.", n=MIN_PASSWORD)}
        )
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise ValidationError(fields={"email": _l("Email ini sudah terdaftar.")})
    sites = []
    for site_id in site_ids:
        site = db.session.get(Site, site_id)
        if site is None:
            raise ValidationError(fields={"site": _l("Lokasi %(id)s tidak ada.", id=site_id)})
        sites.append(site)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        active=True,
        created_at=clock.now(),
        sites=sites,
    )
    db.session.add(user)
    db.session.flush()
    return user


def get_user_by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))


def load_user(user_id):
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


@transactional
def authenticate(email, password):
    """The active user with this email and password, or None."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        _hasher.hash("timing-equaliser")
        return None
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    return user


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def create_token(email, name="cli"):
    """A new API token for a user; returns the token in clear (shown once). Raises NotFound."""
    user = get_user_by_email(email)
    if user is None:
        raise NotFound(_l("Pengguna %(email)s tidak ada.", email=email))
    token = "ak_" + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=_token_hash(token), name=name, created_at=clock.now())
    )
    db.session.flush()
    return token


@transactional
def user_for_token(token):
    """The active user behind a bearer token, or None; notes when the token was used."""
    if not token:
        return None
    row = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.active:
        return None
    now = clock.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
    return row.user
