"""Access-matrix rows (tests/test_access_matrix.py) for the endpoints that join features:
an admin assigns staff to an outreach session. Its part of the matrix world: an approved
outreach session."""

from datetime import date, time

from scheduler.outreach import services as outreach
from scheduler.staff.models import User


def build(users):
    """Ids for these cases, built in the world's app context (commits)."""
    from scheduler.extensions import db

    coordinator = db.session.get(User, users["coordinator"].id)
    request = outreach.create_request(
        coordinator,
        outreach.RequestInput(
            institution_kind="school",
            institution_name="SMA Matriks",
            address="Jl. Matriks 1",
            kecamatan="Kota Kudus",
            desa="Purwosari",
            expected_participants=30,
            preferred_dates=[date(2026, 12, 9), date(2026, 12, 10)],
            contact_name="Bu Matriks",
            contact_phone="081234567800",
        ),
    )
    outreach.approve_request(
        request.id, users["admin"], date(2026, 12, 9), time(8), time(10), 1, "Tim Matriks"
    )
    db.session.commit()
    return {"outreach_session": request.session.id}


def matrix(Case):
    """{endpoint: [Case]}."""
    return {
        "outreach_views.assign_staff": [
            Case(
                "/jemput-bola/sesi/{outreach_session}/petugas",
                {
                    "anonymous": 302,
                    "coordinator": 403,
                    "staff": 403,
                    "other_staff": 403,
                    "admin": 302,
                },
                methods=("POST",),
                form={"user_ids": "{clerk_id}"},
            )
        ],
    }
