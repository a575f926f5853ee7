"""Home-visit rows of the access matrix (tests/test_access_matrix.py) and their part of
its world: a requested visit and one planned for a later day."""

from datetime import date, time

from scheduler.outreach import services
from scheduler.staff.models import User
from tests.factories import make_nik

_ASKED = date(1944, 4, 4)


def _ask(nik, name):
    return services.request_home_visit(
        services.HomeVisitInput(
            nik=nik,
            name=name,
            birth_date=_ASKED,
            reason="elderly",
            address="Jl. Matriks 9",
            kecamatan="Kota Kudus",
            desa="Purwosari",
            contact_name="Keluarga Matriks",
            contact_phone="081234560099",
        )
    )


def build(users):
    """Ids for these cases, built in the world's app context (commits)."""
    from scheduler.extensions import db

    admin = db.session.get(User, users["admin"].id)
    requested = _ask(make_nik(_ASKED, serial=4401), "Mbah Matriks")
    planned = _ask(make_nik(_ASKED, serial=4402), "Mbah Rencana")
    services.plan_home_visits(admin, date(2026, 12, 10), "Tim Rumah", time(9), 60, [planned.id])
    db.session.commit()
    return {
        "home_requested": requested.id,
        "home_planned": planned.id,
        "home_nik": make_nik(_ASKED, serial=4403),
    }


def matrix(Case):
    """{endpoint: [Case]}."""
    desk = {"anonymous": 401, "coordinator": 403, "staff": 409, "other_staff": 409, "admin": 409}
    admin_only = {"anonymous": 401, "coordinator": 403, "staff": 403, "other_staff": 403}
    body = {
        "nik": "{home_nik}",
        "name": "Mbah Baru",
        "birth_date": _ASKED.isoformat(),
        "reason": "bedridden",
        "address": "Jl. Baru 1",
        "kecamatan": "Kota Kudus",
        "desa": "Purwosari",
        "contact_name": "Anak Mbah",
        "contact_phone": "081234560098",
    }
    plan = {
        "date": "2026-12-11",
        "team": "Tim Matriks Rumah",
        "start": "09:00",
        "visits": ["{home_requested}"],
    }
    pages = {"anonymous": 302, "coordinator": 403}
    return {
        "outreach_api.request_home_visit": [
            Case(
                "/api/v1/outreach/home-visits",
                dict.fromkeys(desk, 201),
                methods=("POST",),
                json=body,
            )
        ],
        "outreach_api.list_home_visits": [
            Case(
                "/api/v1/outreach/home-visits",
                {**desk, "staff": 200, "other_staff": 200, "admin": 200},
            )
        ],
        "outreach_api.plan_home_visits": [
            Case(
                "/api/v1/outreach/home-visits/plan",
                {**admin_only, "admin": 200},
                methods=("POST",),
                json=plan,
            )
        ],
        "outreach_api.home_visit_result": [
            Case(
                "/api/v1/outreach/home-visits/{home_planned}/result",
                desk,
                methods=("POST",),
                json={"outcome": "recorded"},
            )
        ],
        "outreach_views.home_visit_request": [
            Case("/kunjungan-rumah", dict.fromkeys(desk, 200)),
            Case(
                "/kunjungan-rumah",
                dict.fromkeys(desk, 302),
                methods=("POST",),
                form={**body, "kecamatan": "33.19.02", "consent": "y"},
            ),
        ],
        "outreach_views.home_visits": [
            Case(
                "/petugas/kunjungan-rumah",
                {**pages, "staff": 200, "other_staff": 200, "admin": 200},
            )
        ],
        "outreach_views.home_visit_plan": [
            Case(
                "/petugas/kunjungan-rumah/rencana",
                {**pages, "staff": 403, "other_staff": 403, "admin": 302},
                methods=("POST",),
                form={
                    "date": "2026-12-11",
                    "team": "Tim Matriks Rumah",
                    "start": "09:00",
                    "minutes": "60",
                    "visit": "{home_requested}",
                },
            )
        ],
        "outreach_views.home_visit_result": [
            Case(
                "/petugas/kunjungan-rumah/{home_planned}/hasil",
                {**pages, "staff": 409, "other_staff": 409, "admin": 409},
                methods=("POST",),
                form={"outcome": "recorded"},
            )
        ],
    }
