"""The outreach demo data (outreach/demo.py): its spread, the Kudus figures, its requests."""

from decimal import Decimal

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.outreach import coverage, demo, services
from scheduler.outreach.models import CoverageFigure
from tests.outreach.conftest import (
    make_user,
)


def _admin(user_model):
    return db.session.scalar(sa.select(user_model).where(user_model.role == "admin"))


def test_demo_spread_adds_up_exactly():
    parts = demo._spread(2319, [1.0, 2.5, 0.3, 7.0])
    assert sum(parts) == 2319 and parts[3] > parts[1] > parts[0] > parts[2]


def test_demo_coverage_matches_the_kudus_figures(ctx):
    demo._seed_coverage()
    demo._seed_coverage()  # safe to run twice
    totals = coverage.totals()
    assert (totals.wktp, totals.recorded, totals.not_recorded) == (643_450, 641_131, 2_319)
    assert totals.coverage == Decimal("99.64")
    top = [f.desa for f in coverage.ranking("desa", limit=5)]
    assert "Panjang" in top
    schools = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CoverageFigure)
        .where(CoverageFigure.area_kind == "school")
    )
    assert schools == 3


def test_demo_requests(ctx):
    make_user_with = {
        "admin@kudus.example": "admin",
        "koordinator@kudus.example": "coordinator",
    }
    from scheduler.staff.models import User

    for email, role in make_user_with.items():
        user = make_user(role)
        user.email = email
    db.session.flush()
    lines = []
    demo._seed_requests(lines.append)
    demo._seed_requests(lines.append)
    statuses = sorted(r.status for r in services.list_requests(_admin(User)))
    assert statuses == ["approved", "pending"]
    assert any("with 5 participants" in line for line in lines)
