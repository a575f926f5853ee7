"""Demo data: one user of every role, with known passwords (printed)."""

import sqlalchemy as sa

from scheduler.db import transactional
from scheduler.extensions import db
from scheduler.sites.models import Site
from scheduler.staff import services
from scheduler.staff.models import User

DEMO_PASSWORDS = {
    "admin": "demo-admin-2026",
    "staff": "demo-petugas-2026",
    "coordinator": "demo-koordinator-2026",
}

# email, name, role, sites
USERS = [
    ("admin@kudus.example", "Admin Disdukcapil", "admin", []),
    (
        "petugas@kudus.example",
        "Petugas Kantor Pusat",
        "staff",
        ["Kantor Disdukcapil Kabupaten Kudus"],
    ),
    (
        "petugas.dawe@kudus.example",
        "Petugas Kecamatan Dawe",
        "staff",
        ["Kecamatan Dawe", "Balai Desa Colo"],
    ),
    ("koordinator@kudus.example", "Kepala SMA Negeri 1 Kudus", "coordinator", []),
]


def demo_user_email(role):
    """The email of the demo's first user of a role."""
    return next(email for email, _name, r, _sites in USERS if r == role)


@transactional
def _reset(user, password, sites):
    user.password_hash = services.hash_password(password)
    user.active = True
    user.sites = sites


def seed(echo):
    for email, name, role, site_names in USERS:
        password = DEMO_PASSWORDS[role]
        sites = [db.session.scalar(sa.select(Site).where(Site.name == n)) for n in site_names]
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            services.create_user(email, password, role, site_ids=[s.id for s in sites], name=name)
        else:
            _reset(user, password, sites)
        echo(f"user: {role:<12} {email:<30} password: {password}")
