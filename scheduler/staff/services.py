"""Users, passwords (Argon2), sessions, API tokens and the audit log."""

import hashlib
import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock, names
from scheduler.appointments.models import Appointment
from scheduler.auth import ROLES
from scheduler.db import transactional
from scheduler.errors import NotFound, ValidationError
from scheduler.extensions import db
from scheduler.sites.models import Site
from scheduler.staff.models import ApiToken, AuditEntry, User, audit_entry_appointments

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def hash_password(password):
    return _hasher.hash(password)


@transactional
def create_user(email, password, role, site_ids=(), name=""):
    """Create a user; raises ValidationError for a taken email, a weak password, a bad role
    or a name with hidden characters."""
    names.check_name(name)
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
    sites = _sites_by_id(site_ids, field="site")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        active=True,
        created_at=clock.now(),
        sites=sites,
        session_nonce=_new_nonce(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def get_user_by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))


def load_user(session_id):
    """The user of a login session: id and the user's current session nonce must match."""
    user_id, _sep, nonce = (session_id or "").partition(":")
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active or not secrets.compare_digest(nonce, user.session_nonce):
        return None
    return user


def _new_nonce():
    return secrets.token_hex(8)


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
    return _issue_token(user, name)


def _issue_token(user, name):
    token = "ak_" + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=_token_hash(token), name=name, created_at=clock.now())
    )
    db.session.flush()
    return token


@transactional
def issue_token(actor, user_id, name):
    """An admin creates an API token for a user (a scanner, a script); returns it in clear,
    once. Raises NotFound, ValidationError."""
    user = get_user(user_id)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(fields={"name": _l("Beri nama token (1-100 karakter).")})
    token = _issue_token(user, name)
    audit(actor, "token_create", detail=f"{user.email}: {name}")
    return token


@transactional
def revoke_token(actor, token_id):
    """Revoke an API token at once; raises NotFound."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise NotFound()
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        audit(actor, "token_revoke", detail=f"{row.user.email}: {row.name}")
    return row


def get_token(token_id):
    """An API token (revoked or not); raises NotFound."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise NotFound()
    return row


def list_tokens():
    return db.session.scalars(
        sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    ).all()


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


# ------------------------------------------------------------------------- users


def get_user(user_id):
    """A user by id; raises NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def list_users():
    return db.session.scalars(sa.select(User).order_by(User.role, User.email)).all()


def _sites_by_id(site_ids, field="sites"):
    sites = []
    for site_id in site_ids:
        site = db.session.get(Site, site_id)
        if site is None:
            raise ValidationError(fields={field: _l("Lokasi %(id)s tidak ada.", id=site_id)})
        sites.append(site)
    return sites


@transactional
def add_user(actor, email, password, role, site_ids=(), name=""):
    """An admin creates a user; raises ValidationError."""
    user = create_user(email, password, role, site_ids=site_ids, name=name)
    audit(actor, "user_create", detail=f"{user.email} ({role})")
    return user


@transactional
def update_user(actor, user_id, *, role, active, site_ids, name=""):
    """An admin changes a user's role, sites, name or disables them; disabling ends the
    user's sessions and stops their API tokens. Raises NotFound, ValidationError."""
    user = get_user(user_id)
    names.check_name(name)
    if role not in ROLES:
        raise ValidationError(fields={"role": _l("Peran tidak dikenal.")})
    if user.id == actor.id and (not active or role != "admin"):
        raise ValidationError(
            fields={"active": _l("Anda tidak dapat menonaktifkan atau menurunkan akun sendiri.")}
        )
    changes = []
    if user.role != role:
        changes.append(f"role {user.role}->{role}")
    if user.active != active:
        changes.append("enabled" if active else "disabled")
        if not active:
            user.session_nonce = _new_nonce()
    new_sites = _sites_by_id(site_ids)
    if {s.id for s in new_sites} != user.site_ids:
        changes.append("sites " + ",".join(str(s.id) for s in new_sites))
    user.role, user.active, user.sites = role, active, new_sites
    user.name = (name or "").strip()[:100]
    db.session.flush()
    audit(actor, "user_update", detail=f"{user.email}: {'; '.join(changes) or '-'}"[:300])
    return user


@transactional
def change_password(user, current, new, confirm):
    """A user changes their own password; other sessions of the user end. Raises
    ValidationError."""
    try:
        _hasher.verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise ValidationError(fields={"current": _l("Kata sandi sekarang salah.")}) from None
    if len(new or "") < MIN_PASSWORD:
        raise ValidationError(
            fields={"new": _l("Kata sandi paling sedikit %(n)s karakter.", n=MIN_PASSWORD)}
        )
    if new != confirm:
        raise ValidationError(fields={"confirm": _l("Kedua kata sandi baru tidak sama.")})
    if new == current:
        raise ValidationError(fields={"new": _l("Pilih kata sandi yang berbeda dari sekarang.")})
    user.password_hash = hash_password(new)
    user.session_nonce = _new_nonce()
    audit(user, "password_change")
    return user


# ------------------------------------------------------------------------ audit log

AUDIT_ACTIONS = (
    "check_in",
    "walk_in",
    "recorded",
    "recording_failed",
    "recording_rejected",
    "no_show",
    "office_cancel",
    "view_roster",
    "view_desk",
    "view_card_queue",
    "view_print_queue",
    "view_pickup",
    "view_uncollected",
    "view_outbox",
    "view_outreach",
    "view_outreach_desk",
    "export",
    "resident_erasure",
    "siak_export",
    "user_create",
    "user_update",
    "password_change",
    "token_create",
    "token_revoke",
)
# What the audit log shows for each action (tests/staff/test_labels.py: every action
# written anywhere is listed above and has one).
AUDIT_ACTION_LABELS = {
    "check_in": _l("Warga check-in"),
    "walk_in": _l("Warga tanpa janji"),
    "recorded": _l("Perekaman tercatat"),
    "recording_failed": _l("Perekaman gagal"),
    "recording_rejected": _l("Perekaman ditolak pusat"),
    "no_show": _l("Tidak datang"),
    "office_cancel": _l("Dibatalkan kantor"),
    "view_roster": _l("Melihat daftar hadir"),
    "view_desk": _l("Melihat antrean loket"),
    "view_card_queue": _l("Melihat antrean cetak"),
    "view_print_queue": _l("Melihat daftar cetak"),
    "view_pickup": _l("Melihat kartu di meja pengambilan"),
    "view_uncollected": _l("Melihat kartu belum diambil"),
    "view_outbox": _l("Melihat pesan keluar"),
    "view_outreach": _l("Melihat peserta jemput bola"),
    "export": _l("Mengunduh atau mencetak data warga"),
    "resident_erasure": _l("Menghapus data warga"),
    "siak_export": _l("Mengekspor perekaman ke SIAK"),
    "user_create": _l("Pengguna dibuat"),
    "user_update": _l("Pengguna diubah"),
    "password_change": _l("Kata sandi diganti"),
    "token_create": _l("Token API dibuat"),
    "token_revoke": _l("Token API dicabut"),
    "view_outreach_desk": _l("Membuka meja jemput bola"),
}
VIEW_DEDUP = timedelta(minutes=15)


def audit(actor, action, appointment=None, site_id=None, detail="", shown=()):
    """Write an audit entry in the caller's transaction (flushes, never commits); `shown`:
    the ids of the bookings an export showed, so each resident's access answer lists it."""
    entry = AuditEntry(
        at=clock.now(),
        user_id=actor.id if actor is not None else None,
        user_email=actor.email if actor is not None else "system",
        action=action,
        appointment_id=appointment.id if appointment is not None else None,
        appointment_code=appointment.code if appointment is not None else None,
        site_id=site_id if site_id is not None else getattr(appointment, "site_id", None),
        detail=(detail or "")[:300],
    )
    db.session.add(entry)
    db.session.flush()
    _link_shown(entry.id, shown)
    return entry


def audit_view(actor, action, site_id, detail, appointment_ids=()):
    """Audit a view of personal data: one entry per page view, naming every booking it
    showed (`appointment_ids`, one INSERT); a page that refreshes itself writes one entry
    per quarter hour, not one per poll, and adds the bookings new to it."""
    entry_id = db.session.scalar(
        sa.select(AuditEntry.id)
        .where(
            AuditEntry.user_id == actor.id,
            AuditEntry.action == action,
            AuditEntry.site_id == site_id,
            AuditEntry.detail == detail,
            AuditEntry.at > clock.now() - VIEW_DEDUP,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if entry_id is None:
        entry_id = audit(actor, action, site_id=site_id, detail=detail).id
    _link_shown(entry_id, appointment_ids)


def _link_shown(entry_id, appointment_ids):
    wanted = {int(i) for i in appointment_ids if i is not None}
    if not wanted:
        return
    table = audit_entry_appointments
    known = set(
        db.session.scalars(
            sa.select(table.c.appointment_id).where(table.c.audit_entry_id == entry_id)
        )
    )
    new = sorted(wanted - known)
    if new:
        db.session.execute(
            sa.insert(table), [{"audit_entry_id": entry_id, "appointment_id": i} for i in new]
        )


@transactional
def record_view(actor, action, site_id, detail, appointment_ids, codes):
    """The recorder of scheduler.reads: one audit entry for a page view or export, naming
    the bookings it showed (given by id or by code)."""
    ids = set(appointment_ids)
    if codes:
        ids |= set(
            db.session.scalars(sa.select(Appointment.id).where(Appointment.code.in_(set(codes))))
        )
    if ids:
        audit_view(actor, action, site_id, detail[:300], ids)


def _showing(appointment_ids):
    table = audit_entry_appointments
    return sa.select(table.c.audit_entry_id).where(table.c.appointment_id.in_(appointment_ids))


def entries_about(appointment_id):
    """Every audit entry naming a booking: an action on it, or a page view or export that
    showed it; oldest first."""
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(
            sa.or_(
                AuditEntry.appointment_id == appointment_id,
                AuditEntry.id.in_(_showing([appointment_id])),
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()


def list_audit(user_id=None, action=None, code=None, site_id=None, on=None, limit=200):
    """Audit entries, newest first, filtered; `on` is a regency-local date."""
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if code:
        # The entries about the booking, and the page views and exports that showed it.
        code = code.strip().upper()
        shown = _showing(sa.select(Appointment.id).where(Appointment.code == code))
        query = query.where(sa.or_(AuditEntry.appointment_code == code, AuditEntry.id.in_(shown)))
    if site_id:
        query = query.where(AuditEntry.site_id == site_id)
    if on:
        tz = ZoneInfo(current_app.config["REGENCY_TIMEZONE"])
        start = datetime.combine(on, time(0), tzinfo=tz).astimezone(UTC)
        query = query.where(AuditEntry.at >= start, AuditEntry.at < start + timedelta(days=1))
    return db.session.scalars(query.limit(limit)).all()


def shown_codes(entries):
    """{entry id: the booking codes that page view or export showed} (who read what)."""
    table = audit_entry_appointments
    ids = [e.id for e in entries]
    shown = {}
    if ids:
        rows = db.session.execute(
            sa.select(table.c.audit_entry_id, Appointment.code)
            .join(Appointment, Appointment.id == table.c.appointment_id)
            .where(table.c.audit_entry_id.in_(ids))
            .order_by(table.c.audit_entry_id, Appointment.code)
        )
        for entry_id, code in rows:
            shown.setdefault(entry_id, []).append(code)
    return shown
