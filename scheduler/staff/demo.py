"""Demo data: one user of every role, with known passwords (printed)."""

import sqlalchemy as sa

from scheduler import regions
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


@transactional
def _reset(user, password, sites):
    user.password_hash = services.hash_password(password)
    user.active = True
    user.sites = sites


def seed(echo):
    for spec in regions.load("kudus")["users"]:
        password = DEMO_PASSWORDS[spec["role"]]
        sites = [db.session.scalar(sa.select(Site).where(Site.name == n)) for n in spec["sites"]]
        user = db.session.scalar(sa.select(User).where(User.email == spec["email"]))
        if user is None:
            services.create_user(
                spec["email"],
                password,
                spec["role"],
                site_ids=[s.id for s in sites],
                name=spec["name"],
            )
        else:
            _reset(user, password, sites)
        echo(f"user: {spec['role']:<12} {spec['email']:<30} password: {password}")
