"""Every page and endpoint × every role (and no login) gives exactly the expected answer.

The matrix is data: MATRIX maps each endpoint of app.url_map to the requests that exercise
it and the status each role gets. A new endpoint without an entry fails
test_every_endpoint_has_an_entry, so a feature that adds one adds its row here.

Roles: anonymous, coordinator, staff (of the site holding the appointments), other_staff
(staff of another site), admin. Pages are used with a login session, /api/ with a bearer
token. Each (endpoint, role) runs in a fresh world, so an action that changes data (a
check-in, a cancellation) sees the same starting state for every role.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.extensions import db
from scheduler.staff import services as staff
from scheduler.staff.models import ApiToken, User
from tests.factories import booking_body, make_nik, make_site, make_slot, make_user

ROLES = ("anonymous", "coordinator", "staff", "other_staff", "admin")


def everyone(status):
    return dict.fromkeys(ROLES, status)


def page(anonymous=302, coordinator=403, staff=200, other_staff=200, admin=200):
    """A page: no login is sent to the login page; coordinators are refused by default."""
    return {
        "anonymous": anonymous,
        "coordinator": coordinator,
        "staff": staff,
        "other_staff": other_staff,
        "admin": admin,
    }


def admin_page(ok=200):
    return page(staff=403, other_staff=403, admin=ok)


def api(staff=200, other_staff=404, admin=200, coordinator=403, anonymous=401):
    """A staff endpoint: another site's appointment is 404 to staff of other sites."""
    return {
        "anonymous": anonymous,
        "coordinator": coordinator,
        "staff": staff,
        "other_staff": other_staff,
        "admin": admin,
    }


@dataclass
class Case:
    path: str  # formatted with the world's ids: {code}, {checked}, {late}, {site}, ...
    expect: dict
    methods: tuple = ("GET",)
    json: dict | None = None
    form: dict | None = None
    extra: dict = field(default_factory=dict)


MATRIX = {
    # ---------------------------------------------------------------- system (public)
    "system.healthz": [Case("/healthz", everyone(200))],
    "system.openapi": [Case("/api/v1/openapi.json", everyone(200))],
    "system.api_not_found": [
        Case(
            "/api/v1/no-such-thing",
            everyone(404),
            methods=("GET", "POST", "PUT", "PATCH", "DELETE"),
        )
    ],
    "static": [Case("/static/css/app.css", everyone(200))],
    # --------------------------------------------------------------- resident (public)
    "sites_api.list_sites": [Case("/api/v1/sites", everyone(200))],
    "sites_api.list_slots": [Case("/api/v1/sites/{site}/slots", everyone(200))],
    "appointments_api.book": [
        Case("/api/v1/appointments", everyone(201), methods=("POST",), json={"booking": True})
    ],
    "appointments_api.lookup": [
        Case(
            "/api/v1/appointments/{code}/lookup",
            everyone(200),
            methods=("POST",),
            json={"nik": "{nik}"},
        )
    ],
    "appointments_api.cancel": [
        Case(
            "/api/v1/appointments/{future}/cancel",
            everyone(200),
            methods=("POST",),
            json={"nik": "{future_nik}"},
        )
    ],
    "appointments_api.reschedule": [
        Case(
            "/api/v1/appointments/{code}/reschedule",
            everyone(422),
            methods=("POST",),
            json={"nik": "{nik}"},
        )
    ],
    "appointments_api.qr_png": [
        Case("/api/v1/appointments/{code}/qr.png?s={sig}", everyone(200)),
        Case("/api/v1/appointments/{code}/qr.png", everyone(404)),
    ],
    "appointments_api.ics": [
        Case("/api/v1/appointments/{code}/calendar.ics?s={sig}", everyone(200))
    ],
    # ------------------------------------------------------------------- staff API
    "staff_api.checkin": [
        Case("/api/v1/checkins", api(other_staff=409), methods=("POST",), json={"qr": "{qr}"})
    ],
    "staff_api.recorded": [
        Case("/api/v1/appointments/{checked}/recorded", api(), methods=("POST",), json={})
    ],
    "staff_api.recording_failed": [
        Case(
            "/api/v1/appointments/{checked}/recording-failed",
            api(),
            methods=("POST",),
            json={"reason": "Alat rusak"},
        )
    ],
    "staff_api.no_show": [
        Case("/api/v1/appointments/{late}/no-show", api(), methods=("POST",), json={})
    ],
    "staff_api.office_cancel": [
        Case(
            "/api/v1/appointments/{code}/office-cancel",
            api(),
            methods=("POST",),
            json={"reason": "Listrik padam"},
        )
    ],
    "staff_api.walk_in": [
        Case(
            "/api/v1/walk-ins",
            api(staff=201, other_staff=403, admin=201),
            methods=("POST",),
            json={"walk_in": True},
        )
    ],
    # ----------------------------------------------------------------- staff pages
    "staff_views.login": [
        Case("/masuk", everyone(200)),
        Case("/masuk", everyone(401), methods=("POST",), form={"email": "x@y.z", "password": "no"}),
    ],
    "staff_views.logout": [Case("/keluar", everyone(302), methods=("POST",), form={})],
    "staff_views.home": [Case("/petugas", page(coordinator=200))],
    "staff_views.password": [
        Case("/petugas/kata-sandi", page(coordinator=200)),
        Case(
            "/petugas/kata-sandi",
            page(coordinator=422, staff=422, other_staff=422, admin=422),
            methods=("POST",),
            form={"current": "wrong", "new": "x", "confirm": "y"},
        ),
    ],
    "staff_views.users": [
        Case("/petugas/pengguna", admin_page()),
        Case(
            "/petugas/pengguna",
            admin_page(302),
            methods=("POST",),
            form={"email": "baru@example.test", "password": "long-enough-pw", "role": "staff"},
        ),
    ],
    "staff_views.user_update": [
        Case(
            "/petugas/pengguna/{clerk_id}",
            admin_page(302),
            methods=("POST",),
            form={"role": "staff", "active": "y", "sites": "{site}"},
        )
    ],
    "staff_views.token_create": [
        Case(
            "/petugas/token",
            admin_page(201),
            methods=("POST",),
            form={"user_id": "{clerk_id}", "name": "Pemindai"},
        )
    ],
    "staff_views.token_revoke": [
        Case("/petugas/token/{token_id}/cabut", admin_page(302), methods=("POST",), form={})
    ],
    "staff_views.audit": [Case("/petugas/audit", admin_page())],
    "staff_views.roster": [Case("/petugas/daftar?site_id={site}", page())],
    "staff_views.roster_fragment": [
        Case("/petugas/daftar/bagian?site_id={site}", page(other_staff=404))
    ],
    "staff_views.checkin": [
        Case("/petugas/check-in", page()),
        Case(
            "/petugas/check-in", page(other_staff=409), methods=("POST",), form={"code": "{code}"}
        ),
    ],
    "staff_views.checkin_scan": [
        Case(
            "/petugas/check-in/pindai",
            page(other_staff=409),
            methods=("POST",),
            json={"qr": "{qr}"},
        )
    ],
    "staff_views.appointment_action": [
        Case(
            "/petugas/janji/{code}/office-cancel",
            page(staff=302, other_staff=404, admin=302),
            methods=("POST",),
            form={"reason": "Listrik padam"},
        ),
        Case(
            "/petugas/janji/{checked}/recorded",
            page(staff=302, other_staff=404, admin=302),
            methods=("POST",),
            form={},
        ),
    ],
    "staff_views.walk_in": [
        Case("/petugas/tanpa-janji", page()),
        Case(
            "/petugas/tanpa-janji",
            page(staff=302, other_staff=403, admin=302),
            methods=("POST",),
            form={"walk_in": True},
        ),
    ],
}


def _at(hour, minute=0):
    return datetime.combine(date(2026, 12, 7), time(hour - 7, minute), tzinfo=UTC)


def _book(slot, birth_date):
    nik = make_nik(birth_date)
    appointment = appointments.book_into_slot(
        slot,
        appointments.Applicant(
            nik=nik, name="Warga Uji", birth_date=birth_date, phone="+6281234567890"
        ),
    )
    return appointment, nik


@pytest.fixture(scope="module")
def world(app):
    """Built and committed once for the module; each test's own changes are rolled back
    by the `client` fixture's outer transaction. The tables are emptied afterwards."""
    from argon2 import PasswordHasher

    from tests.conftest import FROZEN_NOW

    # The same scheme at a test's cost (production Argon2 takes most of the time here).
    cheap = pytest.MonkeyPatch()
    cheap.setattr(staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    clock.freeze(FROZEN_NOW)
    with app.app_context():
        site = make_site("Kantor Matriks")
        other = make_site("Kecamatan Matriks")
        running = make_slot(site, starts_at=_at(7, 45), minutes=30, capacity=6)  # 07:45-08:15
        upcoming = make_slot(site, starts_at=_at(8, 30), capacity=6)
        future = make_slot(site, days_ahead=2, capacity=6)
        booked, nik = _book(upcoming, date(1990, 1, 1))
        checked, _ = _book(upcoming, date(1990, 1, 2))
        late, _ = _book(running, date(1990, 1, 3))
        later, future_nik = _book(future, date(1990, 1, 4))
        users = {
            "coordinator": make_user("coordinator"),
            "staff": make_user("staff", sites=[site]),
            "other_staff": make_user("staff", sites=[other]),
            "admin": make_user("admin"),
        }
        db.session.commit()
        appointments.check_in(checked)
        staff.issue_token(users["admin"], users["staff"].id, "matrix")
        token_row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "matrix"))
        built = {
            "users": {role: user.id for role, user in users.items()},
            "ids": {
                "site": site.id,
                "code": booked.code,
                "nik": nik,
                "sig": appointments.link_signature(booked.code),
                "qr": appointments.checkin_token(booked),
                "checked": checked.code,
                "late": late.code,
                "future": later.code,
                "future_nik": future_nik,
                "clerk_id": users["staff"].id,
                "token_id": token_row.id,
            },
            "booking": booking_body(future, birth_date=date(1995, 6, 6)),
            "walk_in": {
                "site_id": site.id,
                "nik": make_nik(date(1985, 3, 3)),
                "name": "Tanpa Janji",
                "birth_date": "1985-03-03",
                "phone": "081234567891",
            },
        }
        db.session.remove()
    clock.freeze(None)
    yield built
    with app.app_context(), db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    return value


def _body(spec, world):
    if spec is None:
        return None
    if spec.get("booking"):
        return world["booking"]
    if spec.get("walk_in"):
        return world["walk_in"]
    return {k: _fill(v, world["ids"]) for k, v in spec.items()}


def _cases():
    for endpoint, cases in MATRIX.items():
        for index, case in enumerate(cases):
            for method in case.methods:
                for role in ROLES:
                    yield pytest.param(
                        endpoint, index, method, role, id=f"{endpoint}-{method}-{index}-{role}"
                    )


def uncovered(rules):
    """'endpoint [methods] rule' for each rule whose methods have no matrix entry."""
    missing = []
    for rule in rules:
        methods = rule.methods - {"HEAD", "OPTIONS"}
        covered = {m for case in MATRIX.get(rule.endpoint, []) for m in case.methods}
        if not methods <= covered:
            missing.append(f"{rule.endpoint} {sorted(methods - covered)} {rule.rule}")
    return missing


def test_every_endpoint_has_an_entry(app):
    missing = uncovered(app.url_map.iter_rules())
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(set(MATRIX) - endpoints)
    assert not missing, "endpoints without an access-matrix entry:\n" + "\n".join(missing)
    assert not stale, f"matrix entries for endpoints that do not exist: {stale}"


def test_a_new_endpoint_or_method_without_an_entry_is_caught():
    from werkzeug.routing import Rule

    rules = [
        Rule("/petugas/baru", endpoint="staff_views.brand_new", methods=["GET"]),
        Rule("/petugas", endpoint="staff_views.home", methods=["GET", "DELETE"]),
        Rule("/healthz", endpoint="system.healthz", methods=["GET"]),
    ]
    assert uncovered(rules) == [
        "staff_views.brand_new ['GET'] /petugas/baru",
        "staff_views.home ['DELETE'] /petugas",
    ]


@pytest.mark.parametrize("endpoint,index,method,role", list(_cases()))
def test_access(client, world, endpoint, index, method, role):
    case = MATRIX[endpoint][index]
    path = _fill(case.path, world["ids"])
    headers = {}
    user_id = world["users"].get(role)
    user = db.session.get(User, user_id) if user_id else None
    if user is not None:
        if path.startswith("/api/"):
            headers["Authorization"] = "Bearer " + staff.create_token(user.email)
        else:
            # What a successful POST /masuk leaves in the session (tested in tests/staff).
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
                session["login_at"] = clock.now().timestamp()
    kwargs = {"headers": headers}
    if case.json is not None:
        kwargs["json"] = _body(case.json, world)
    if case.form is not None:
        kwargs["data"] = _body(case.form, world)
    resp = client.open(path, method=method, **kwargs)
    expected = case.expect[role]
    assert resp.status_code == expected, (
        f"{method} {path} as {role}: {resp.status_code}, expected {expected}\n"
        + resp.get_data(as_text=True)[:400]
    )
    if resp.status_code == 302 and role == "anonymous" and expected == 302 and "petugas" in path:
        assert "/masuk" in resp.headers["Location"]
