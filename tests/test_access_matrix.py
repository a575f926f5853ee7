"""Every page and endpoint × every role (and no login) gives exactly the expected answer.

The matrix is data: MATRIX maps each endpoint of app.url_map to the requests that exercise
it and the status each role gets. A new endpoint without an entry fails
test_every_endpoint_has_an_entry, so a feature that adds one adds its row here.

Roles: anonymous, coordinator, staff (of the site holding the appointments), other_staff
(staff of another site), admin. Pages are used with a login session, /api/ with a bearer
token. Each (endpoint, role) runs in a fresh world, so an action that changes data (a
check-in, a cancellation) sees the same starting state for every role.
"""

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.notifications.models import OutboxMessage
from scheduler.outreach import services as outreach
from scheduler.sites import services as sites
from scheduler.sites.models import ScheduleException
from scheduler.staff import services as staff
from scheduler.staff.models import ApiToken, User
from tests import integrate_access
from tests.cards import access as cards_access
from tests.conftest import FROZEN_NOW
from tests.factories import booking_body, make_nik, make_site, make_slot, make_user
from tests.outreach import home_access
from tests.reports import access as reports_access

# An offline desk's event; its code is no participant, so it is answered, never applied.
SYNC_EVENT = {
    "id": "3b8f6f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "code": "ZZZZZZZZ",
    "action": "checkin",
    "at": FROZEN_NOW.isoformat(),
}

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


@dataclass(frozen=True)
class Upload:
    """A file field of a multipart form: its name and text ({ids} filled in)."""

    filename: str
    text: str


def coordinator_page(coordinator=200, admin=200, staff=200, other_staff=200):
    """An outreach page: a coordinator may work on their own requests."""
    return page(coordinator=coordinator, staff=staff, other_staff=other_staff, admin=admin)


def resident(status=200):
    return everyone(status)


ROSTER = Upload(
    "peserta.csv", "nik,name,birth_date,phone\n{pupil_nik},Siswa Satu,2008-01-01,081234560001\n"
)
# A family of two (one Kartu Keluarga); every role books it in a world of its own.
FAMILY = [
    {"nik": make_nik(date(1975, 4, 4)), "name": "Ayah Matriks", "birth_date": "1975-04-04"},
    {"nik": make_nik(date(1978, 5, 5)), "name": "Ibu Matriks", "birth_date": "1978-05-05"},
]
FAMILY_FORM = {
    "phone": "081234567893",
    "consent": "y",
    **{f"members-{i}-{k}": v for i, m in enumerate(FAMILY) for k, v in m.items()},
}
BOOKING_FORM = {
    "nik": "{new_nik}",
    "name": "Warga Baru",
    "birth_date": "1996-07-07",
    "phone": "081234567892",
    "consent": "y",
}

MATRIX = {
    # ---------------------------------------------------------------- system (public)
    "system.healthz": [Case("/healthz", everyone(200))],
    "system.openapi": [Case("/api/v1/openapi.json", everyone(200))],
    # Open to everyone; the world's outbox holds messages due for days (no worker runs
    # here), so it is rightly not ready.
    "system.readyz": [Case("/readyz", everyone(503))],
    # A scraper on the host (the test client's loopback address), and anyone elsewhere:
    # only an admin (token, or here a page session) may read the metrics.
    "system.prometheus_metrics": [
        Case("/metrics", everyone(200)),
        Case(
            "/metrics",
            {**everyone(403), "anonymous": 401, "admin": 200},
            extra={"environ_base": {"REMOTE_ADDR": "203.0.113.5"}},
        ),
    ],
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
    "sites_api.regency": [Case("/api/v1/regency", everyone(200))],
    "appointments_api.book": [
        Case("/api/v1/appointments", everyone(201), methods=("POST",), json={"booking": True})
    ],
    "appointments_api.book_group": [
        Case(
            "/api/v1/appointments/group",
            everyone(201),
            methods=("POST",),
            json={
                "slot_id": "{rebooked_slot}",
                "phone": "081234567893",
                "consent": True,
                "members": FAMILY,
            },
        )
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
    "privacy_api.my_data": [
        Case(
            "/api/v1/appointments/{code}/my-data",
            everyone(200),
            methods=("POST",),
            json={"nik": "{nik}"},
        ),
        Case(
            "/api/v1/appointments/{code}/my-data",
            everyone(404),
            methods=("POST",),
            json={"nik": "{future_nik}"},
        ),
    ],
    "privacy_api.erase": [
        Case(
            "/api/v1/appointments/{future}/erase",
            everyone(200),
            methods=("POST",),
            json={"nik": "{future_nik}"},
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
    "staff_api.recording_rejected": [
        Case(
            "/api/v1/appointments/{checked}/recording-rejected",
            api(staff=409, admin=409),
            methods=("POST",),
            json={"reason": "bad_capture"},
        )
    ],
    "staff_api.queue_board": [
        Case("/api/v1/sites/{site}/queue", everyone(200)),
        Case("/api/v1/sites/999999/queue", everyone(404)),
    ],
    "staff_api.queue_call": [
        Case(
            "/api/v1/sites/{site}/queue/call",
            api(other_staff=403),
            methods=("POST",),
            json={"line": "recording", "station": 1},
        )
    ],
    "staff_api.queue_ticket": [
        Case(
            "/api/v1/sites/{site}/queue/tickets",
            api(staff=201, other_staff=403, admin=201),
            methods=("POST",),
            json={"line": "pickup"},
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
        Case("/petugas/token/{token_id}/cabut", admin_page()),
        Case(
            "/petugas/token/{token_id}/cabut",
            admin_page(302),
            methods=("POST",),
            form={"confirm": "1"},
        ),
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
    "staff_views.rejection": [
        Case("/petugas/tolak-rekam", page()),
        Case(
            "/petugas/tolak-rekam",
            page(staff=409, other_staff=404, admin=409),
            methods=("POST",),
            form={"code": "{checked}", "reason": "bad_capture"},
        ),
    ],
    "staff_views.display": [
        Case("/layar/{site}", everyone(200)),
        Case("/layar/999999", everyone(404)),
    ],
    "staff_views.queue_page": [Case("/petugas/antrean?site_id={site}", page())],
    "staff_views.queue_call": [
        Case(
            "/petugas/antrean/panggil",
            page(staff=302, other_staff=403, admin=302),
            methods=("POST",),
            form={"site_id": "{site}", "line": "recording", "station": "1"},
        )
    ],
    "staff_views.queue_recall": [
        Case(
            "/petugas/antrean/ulang",
            page(staff=404, other_staff=403, admin=404),
            methods=("POST",),
            form={"site_id": "{site}", "line": "recording", "station": "1"},
        )
    ],
    "staff_views.queue_ticket": [
        Case(
            "/petugas/antrean/nomor",
            page(staff=302, other_staff=403, admin=302),
            methods=("POST",),
            form={"site_id": "{site}", "line": "pickup"},
        )
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
    # ------------------------------------------------------------ resident pages (public)
    "appointments_views.home": [Case("/", resident())],
    "appointments_views.site": [
        Case("/lokasi/{site}", resident()),
        Case("/lokasi/{site}?tanggal=kemarin", resident(422)),
    ],
    "appointments_views.book": [
        Case("/pesan/{rebooked_slot}", resident()),
        Case("/pesan/{rebooked_slot}", resident(302), methods=("POST",), form=BOOKING_FORM),
    ],
    "appointments_views.book_household": [
        Case("/pesan/{rebooked_slot}/keluarga", resident()),
        Case(
            "/pesan/{rebooked_slot}/keluarga",
            resident(302),
            methods=("POST",),
            form=FAMILY_FORM,
        ),
    ],
    "appointments_views.household": [
        Case("/keluarga?k={code}&s={family_sig}", resident()),
        Case("/keluarga?k={code}&s=palsu", resident(404)),
    ],
    "appointments_views.appointment": [
        Case("/janji/{code}?s={sig}", resident()),
        Case("/janji/{code}?s=palsu", resident(404)),
    ],
    "appointments_views.lookup": [
        Case("/cek", resident()),
        Case("/cek", resident(302), methods=("POST",), form={"code": "{code}", "nik": "{nik}"}),
    ],
    "privacy_views.my_data": [
        Case("/data-saya", resident()),
        Case("/data-saya", resident(), methods=("POST",), form={"code": "{code}", "nik": "{nik}"}),
    ],
    # A download needs the token the my-data page holds; without one it is nothing.
    "privacy_views.download": [Case("/data-saya/unduh", resident(404), methods=("POST",), form={})],
    "privacy_views.erase": [
        Case("/data-saya/hapus", resident()),
        Case(
            "/data-saya/hapus",
            resident(),
            methods=("POST",),
            form={"code": "{future}", "nik": "{future_nik}", "confirm": "y"},
        ),
    ],
    "appointments_views.cancel": [
        Case("/janji/{future}/batal?s={future_sig}", resident()),
        Case(
            "/janji/{future}/batal?s={future_sig}",
            resident(302),
            methods=("POST",),
            form={"nik": "{future_nik}"},
        ),
    ],
    "appointments_views.reschedule": [
        Case("/janji/{future}/ubah?s={future_sig}", resident()),
        Case(
            "/janji/{future}/ubah?s={future_sig}",
            resident(302),
            methods=("POST",),
            form={"nik": "{future_nik}", "slot_id": "{rebooked_slot}"},
        ),
    ],
    # ------------------------------------------------------------------- admin: sites
    "sites_views.sites": [Case("/admin/lokasi", admin_page())],
    "sites_views.site_new": [
        Case("/admin/lokasi/baru", admin_page()),
        Case(
            "/admin/lokasi/baru",
            admin_page(302),
            methods=("POST",),
            form={
                "name": "Kecamatan Baru",
                "kind": "subdistrict",
                "address": "Jl. Baru 1",
                "kecamatan_code": "33.19.02",
                "desa": "Purwosari",
                "timezone": "Asia/Jakarta",
                "stations": "2",
                "slot_minutes": "30",
                "active": "y",
            },
        ),
    ],
    "sites_views.site_edit": [
        Case("/admin/lokasi/{site}", admin_page()),
        Case(
            "/admin/lokasi/{site}",
            admin_page(302),
            methods=("POST",),
            form={
                "name": "Kantor Matriks",
                "kind": "office",
                "address": "Jl. Uji 2",
                "kecamatan_code": "33.19.02",
                "desa": "Kramat",
                "timezone": "Asia/Jakarta",
                "stations": "3",
                "slot_minutes": "30",
                "active": "y",
            },
        ),
    ],
    "sites_views.schedule": [
        Case("/admin/lokasi/{site}/jadwal", admin_page()),
        Case(
            "/admin/lokasi/{site}/jadwal",
            admin_page(302),
            methods=("POST",),
            form={"days-0-opens_at": "08:00", "days-0-closes_at": "14:00"},
        ),
    ],
    "sites_views.exception_add": [
        Case(
            "/admin/lokasi/{site}/pengecualian",
            admin_page(302),
            methods=("POST",),
            form={
                "starts_on": "2026-12-22",
                "ends_on": "2026-12-22",
                "closed": "y",
                "reason": "Listrik padam",
            },
        )
    ],
    "sites_views.exception_delete": [
        Case(
            "/admin/lokasi/{site}/pengecualian/{exception}/hapus",
            admin_page(302),
            methods=("POST",),
            form={},
        )
    ],
    "sites_views.generate": [
        Case("/admin/lokasi/{site}/buat-slot", admin_page(), methods=("POST",), form={})
    ],
    "sites_views.generate_all": [
        Case("/admin/lokasi/buat-slot", admin_page(), methods=("POST",), form={})
    ],
    "sites_views.holidays": [Case("/admin/hari-libur?tahun=2026", admin_page())],
    "sites_views.holiday_add": [
        Case(
            "/admin/hari-libur",
            admin_page(),
            methods=("POST",),
            form={"on": "2026-12-28", "name": "Hari jadi", "category": "public"},
        )
    ],
    "sites_views.holiday_remove": [
        Case("/admin/hari-libur/2026-12-25/hapus", admin_page(), methods=("POST",), form={})
    ],
    "sites_views.holiday_restore": [
        Case("/admin/hari-libur/2026-12-31/pulihkan", admin_page(), methods=("POST",), form={})
    ],
    # ----------------------------------------------------------- admin: notifications
    "notifications_api.outbox": [
        Case("/api/v1/outbox?status=dead", api(staff=403, other_staff=403))
    ],
    "notifications_api.retry": [
        Case(
            "/api/v1/outbox/{dead}/retry",
            api(staff=403, other_staff=403),
            methods=("POST",),
            json={},
        )
    ],
    "notifications_views.outbox": [Case("/petugas/pesan-keluar", admin_page())],
    # Meta's webhook: signed, not logged in; off (404) while WHATSAPP_APP_SECRET is unset,
    # as here (tests/notifications/test_whatsapp.py covers it switched on).
    "notifications_api.whatsapp_verify": [
        Case(
            "/api/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1",
            everyone(404),
        )
    ],
    "notifications_api.whatsapp_webhook": [
        Case("/api/v1/webhooks/whatsapp", everyone(404), methods=("POST",), json={"entry": []})
    ],
    "notifications_views.retry": [
        Case(
            "/petugas/pesan-keluar/{dead}/kirim-ulang", admin_page(302), methods=("POST",), form={}
        )
    ],
    "notifications_views.retry_dead": [
        Case("/petugas/pesan-keluar/kirim-ulang-semua", admin_page(302), methods=("POST",), form={})
    ],
    # ------------------------------------------------------------------ outreach API
    "outreach_api.create_request": [
        Case(
            "/api/v1/outreach/requests",
            api(coordinator=201, staff=403, other_staff=403, admin=403),
            methods=("POST",),
            json={
                "institution_kind": "village_hall",
                "institution_name": "Balai Desa Matriks",
                "address": "Jl. Desa 1",
                "kecamatan": "Kota Kudus",
                "desa": "Kramat",
                "expected_participants": 40,
                "preferred_dates": ["2026-12-14", "2026-12-15"],
                "contact_name": "Pak Lurah",
                "contact_phone": "081234567801",
            },
        )
    ],
    "outreach_api.list_requests": [
        Case("/api/v1/outreach/requests", api(coordinator=200, staff=403, other_staff=403))
    ],
    "outreach_api.approve": [
        Case(
            "/api/v1/outreach/requests/{mine_pending_request}/approve",
            api(staff=403, other_staff=403),
            methods=("POST",),
            json={"date": "2026-12-09", "start": "08:00", "end": "10:00", "kits": 1, "team": "B"},
        )
    ],
    "outreach_api.decline": [
        Case(
            "/api/v1/outreach/requests/{mine_pending_request}/decline",
            api(staff=403, other_staff=403),
            methods=("POST",),
            json={"reason": "Tim penuh bulan ini"},
        )
    ],
    "outreach_api.upload_roster": [
        Case(
            "/api/v1/outreach/sessions/{session}/roster",
            api(coordinator=200, staff=403, other_staff=403),
            methods=("POST",),
            form={"file": ROSTER},
        ),
        # Another coordinator's session does not exist for this one.
        Case(
            "/api/v1/outreach/sessions/{their_session}/roster",
            api(coordinator=404, staff=403, other_staff=403),
            methods=("POST",),
            form={"file": ROSTER},
        ),
    ],
    "outreach_api.sync_session": [
        Case(
            "/api/v1/outreach/sessions/{session}/sync",
            api(),
            methods=("POST",),
            json={"events": [SYNC_EVENT]},
        ),
        # Staff of the session's site cannot sync a session held elsewhere.
        Case(
            "/api/v1/outreach/sessions/{their_session}/sync",
            api(staff=404, other_staff=404),
            methods=("POST",),
            json={"events": [SYNC_EVENT]},
        ),
    ],
    # ---------------------------------------------------------------- outreach pages
    "outreach_views.requests": [Case("/jemput-bola", coordinator_page())],
    "outreach_views.new_request": [
        Case("/jemput-bola/baru", coordinator_page(admin=403, staff=403, other_staff=403)),
        Case(
            "/jemput-bola/baru",
            coordinator_page(coordinator=302, admin=403, staff=403, other_staff=403),
            methods=("POST",),
            form={
                "institution_kind": "school",
                "institution_name": "SMP Negeri Matriks",
                "address": "Jl. Pelajar 2",
                "kecamatan": "33.19.02",
                "desa": "Purwosari",
                "expected_participants": "80",
                "preferred_date_1": "2026-12-14",
                "preferred_date_2": "2026-12-15",
                "contact_name": "Bu Ani",
                "contact_phone": "081234567802",
            },
        ),
    ],
    "outreach_views.request_detail": [
        # Staff see a request once it has a session at one of their sites.
        Case("/jemput-bola/{mine_pending_request}", coordinator_page(staff=404, other_staff=404)),
        Case("/jemput-bola/{mine_approved_request}", coordinator_page(other_staff=404)),
        Case(
            "/jemput-bola/{theirs_pending_request}",
            coordinator_page(coordinator=404, staff=404, other_staff=404),
        ),
    ],
    "outreach_views.approve": [
        Case(
            "/jemput-bola/{mine_pending_request}/setujui",
            admin_page(302),
            methods=("POST",),
            form={"date": "2026-12-09", "start": "08:00", "end": "10:00", "kits": "1", "team": "C"},
        )
    ],
    "outreach_views.decline": [
        Case(
            "/jemput-bola/{mine_pending_request}/tolak",
            admin_page(302),
            methods=("POST",),
            form={"reason": "Tim penuh bulan ini"},
        )
    ],
    "outreach_views.cancel": [
        Case(
            "/jemput-bola/{mine_pending_request}/batal",
            coordinator_page(coordinator=302, admin=302, staff=403, other_staff=403),
            methods=("POST",),
            form={"reason": "Ujian sekolah"},
        ),
        Case(
            "/jemput-bola/{theirs_pending_request}/batal",
            coordinator_page(coordinator=404, admin=302, staff=403, other_staff=403),
            methods=("POST",),
            form={"reason": "Ujian sekolah"},
        ),
    ],
    "outreach_views.upload_roster": [
        Case(
            "/jemput-bola/sesi/{session}/peserta",
            coordinator_page(staff=403, other_staff=403),
            methods=("POST",),
            form={"file": ROSTER},
        ),
        Case(
            "/jemput-bola/sesi/{their_session}/peserta",
            coordinator_page(coordinator=404, staff=403, other_staff=403),
            methods=("POST",),
            form={"file": ROSTER},
        ),
    ],
    "outreach_views.set_public": [
        Case(
            "/jemput-bola/sesi/{session}/publik",
            admin_page(302),
            methods=("POST",),
            form={"is_public": "1"},
        )
    ],
    "outreach_views.attendance": [
        Case("/jemput-bola/sesi/{session}/daftar-hadir", coordinator_page(other_staff=404)),
        Case(
            "/jemput-bola/sesi/{their_session}/daftar-hadir",
            coordinator_page(coordinator=404, staff=404, other_staff=404),
        ),
    ],
    "outreach_views.tally": [
        Case("/jemput-bola/sesi/{session}/hasil", page(other_staff=404)),
        Case(
            "/jemput-bola/sesi/{session}/hasil",
            page(staff=302, other_staff=404, admin=302),
            methods=("POST",),
            form={"summary": "Berjalan lancar"},
        ),
    ],
    # The offline desk: staff of the session's site and admins; the worker is public.
    "outreach_views.desk": [
        Case("/jemput-bola/sesi/{session}/meja", page(other_staff=404)),
        Case(
            "/jemput-bola/sesi/{their_session}/meja",
            page(staff=404, other_staff=404),
        ),
    ],
    "outreach_views.desk_data": [
        Case("/jemput-bola/sesi/{session}/meja/data", page(other_staff=404)),
        Case("/jemput-bola/sesi/{their_session}/meja/data", page(staff=404, other_staff=404)),
    ],
    "outreach_views.desk_manifest": [
        Case("/jemput-bola/sesi/{session}/meja.webmanifest", page(other_staff=404)),
    ],
    "outreach_views.desk_sync": [
        Case(
            "/jemput-bola/sesi/{session}/meja/sinkron",
            page(other_staff=404),
            methods=("POST",),
            json={"events": [SYNC_EVENT]},
        ),
        Case(
            "/jemput-bola/sesi/{their_session}/meja/sinkron",
            page(staff=404, other_staff=404),
            methods=("POST",),
            json={"events": [SYNC_EVENT]},
        ),
    ],
    "outreach_views.desk_worker": [Case("/jemput-bola/meja-sw.js", everyone(200))],
    "outreach_views.session_page": [
        Case("/jemput-bola/sesi/{session}?s={session_sig}", resident()),
        Case("/jemput-bola/sesi/{session}?s=palsu", resident(404)),
        Case(
            "/jemput-bola/sesi/{session}?s={session_sig}",
            resident(302),  # booked: on to the appointment's page, as the main form
            methods=("POST",),
            form={**BOOKING_FORM, "slot_id": "{session_slot}"},
        ),
    ],
    "outreach_views.invite": [
        Case("/jemput-bola/undangan", admin_page()),
        Case(
            "/jemput-bola/undangan",
            admin_page(),
            methods=("POST",),
            form={"email": "kepsek@example.test", "name": "Pak Kepala Sekolah"},
        ),
    ],
    "outreach_views.accept_invitation": [
        Case("/jemput-bola/undangan/{invitation}", resident()),
        Case(
            "/jemput-bola/undangan/{invitation}",
            resident(302),
            methods=("POST",),
            form={"password": "kata-sandi-panjang", "confirm": "kata-sandi-panjang"},
        ),
    ],
    "outreach_views.coverage": [
        Case("/cakupan", admin_page()),
        Case(
            "/cakupan",
            admin_page(302),
            methods=("POST",),
            form={"kecamatan": "33.19.02", "desa": "Kramat", "wktp": "900", "recorded": "850"},
        ),
    ],
    "outreach_views.coverage_upload": [
        Case(
            "/cakupan/unggah",
            admin_page(302),
            methods=("POST",),
            form={
                "file": Upload(
                    "cakupan.csv", "kecamatan,desa,wktp,recorded\nKota Kudus,Kramat,900,850\n"
                )
            },
        )
    ],
}


# Each feature's rows live beside its tests.
MATRIX.update(cards_access.matrix(Case))
MATRIX.update(integrate_access.matrix(Case))
MATRIX.update(home_access.matrix(Case))
MATRIX.update(reports_access.matrix(Case))


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


def _outreach(users, another_coordinator):
    """Outreach requests of the matrix's coordinator and of another one: a pending one each,
    and an approved session each running today 07:00-12:00 (approved last Friday). The
    matrix's staff work at the site of the coordinator's session."""
    clock.freeze(datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
    requests = {}
    for key, owner, name in (
        ("mine", users["coordinator"], "SMA Negeri Matriks"),
        ("theirs", another_coordinator, "SMA Negeri Lain"),
    ):
        for state in ("pending", "approved"):
            requests[f"{key}_{state}"] = outreach.create_request(
                owner,
                outreach.RequestInput(
                    institution_kind="school",
                    institution_name=f"{name} {state}",
                    address="Jl. Pelajar 1",
                    kecamatan="Kota Kudus",
                    desa="Purwosari",
                    expected_participants=60,
                    preferred_dates=[date(2026, 12, 7), date(2026, 12, 8)],
                    contact_name="Bu Sri",
                    contact_phone="081234567800",
                ),
            )
    sessions = {}
    for key, team in (("mine", "Tim Matriks"), ("theirs", "Tim Lain")):
        approved = outreach.approve_request(
            requests[f"{key}_approved"].id,
            users["admin"],
            date(2026, 12, 7),
            time(7),
            time(12),
            1,
            team,
        )
        sessions[key] = approved.session
    users["staff"].sites.append(sessions["mine"].site)
    db.session.commit()
    clock.freeze(FROZEN_NOW)
    mine = sessions["mine"]
    bookable = [s for s in outreach.session_slots(mine) if s.starts_at >= _at(9)]
    return {
        **{f"{key}_request": r.id for key, r in requests.items()},
        "session": mine.id,
        "session_sig": outreach.session_signature(mine.id),
        "session_slot": bookable[0].id,
        "their_session": sessions["theirs"].id,
        "pupil_nik": make_nik(date(2008, 1, 1)),
    }


@pytest.fixture(scope="module")
def world(app):
    """Built and committed once for the module; each test's own changes are rolled back
    by the `client` fixture's outer transaction. The tables are emptied afterwards."""
    from argon2 import PasswordHasher

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
        rebooked = make_slot(site, days_ahead=3, capacity=6)
        users = {
            "coordinator": make_user("coordinator"),
            "staff": make_user("staff", sites=[site]),
            "other_staff": make_user("staff", sites=[other]),
            "admin": make_user("admin"),
        }
        another_coordinator = make_user("coordinator")
        dead = db.session.get(
            OutboxMessage,
            notifications.enqueue(
                "booked", name="Warga Uji", phone="+6281234567890", reference=booked.code
            ),
        )
        dead.status = "dead"
        exception = ScheduleException(
            site_id=site.id, starts_on=date(2026, 12, 21), ends_on=date(2026, 12, 21), closed=True
        )
        db.session.add(exception)
        db.session.commit()
        sites.override_holiday(date(2026, 12, 31), "add", name="Tutup buku")
        appointments.check_in(checked)
        outreach_ids = _outreach(users, another_coordinator)
        staff.issue_token(users["admin"], users["staff"].id, "matrix")
        card_ids = cards_access.build(site)
        joined_ids = integrate_access.build(users)
        home_ids = home_access.build(users)
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
                **card_ids,
                "rebooked_slot": rebooked.id,
                "future_sig": appointments.link_signature(later.code),
                "family_sig": appointments.household_signature(booked.code),
                "new_nik": make_nik(date(1996, 7, 7)),
                "dead": dead.id,
                "exception": exception.id,
                "invitation": outreach.invite_coordinator(
                    "undangan@example.test", "Bu Guru"
                ).rsplit("/", 1)[1],
                **outreach_ids,
                **joined_ids,
                **home_ids,
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
    if isinstance(value, Upload):
        return (io.BytesIO(value.text.format(**ids).encode()), value.filename)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
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
    kwargs.update(case.extra)
    resp = client.open(path, method=method, **kwargs)
    expected = case.expect[role]
    assert resp.status_code == expected, (
        f"{method} {path} as {role}: {resp.status_code}, expected {expected}\n"
        + resp.get_data(as_text=True)[:400]
    )
    if resp.status_code == 302 and role == "anonymous" and expected == 302 and "petugas" in path:
        assert "/masuk" in resp.headers["Location"]


def _api_cases():
    """The /api/ requests of the matrix that need a login (no login answers 401)."""
    for endpoint, cases in MATRIX.items():
        for index, case in enumerate(cases):
            if case.path.startswith("/api/") and case.expect["anonymous"] == 401:
                for method in case.methods:
                    yield pytest.param(endpoint, index, method, id=f"{endpoint}-{method}-{index}")


@pytest.mark.parametrize("endpoint,index,method", list(_api_cases()))
def test_the_api_ignores_a_login_session(client, world, endpoint, index, method):
    """docs/api.md: the JSON API is exempt from CSRF because it uses no cookies, so an admin's
    page session (which a browser sends with any request to the site) authenticates no
    API request: only a bearer token does."""
    case = MATRIX[endpoint][index]
    admin = db.session.get(User, world["users"]["admin"])
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
        session["login_at"] = clock.now().timestamp()
    kwargs = {}
    if case.json is not None:
        kwargs["json"] = _body(case.json, world)
    if case.form is not None:
        kwargs["data"] = _body(case.form, world)
    resp = client.open(_fill(case.path, world["ids"]), method=method, **kwargs)
    assert resp.status_code == 401, resp.get_data(as_text=True)[:400]
    assert resp.get_json()["error"]["code"] == "unauthorized"
    # The session still opens the pages.
    assert client.get("/petugas").status_code == 200


def test_a_bearer_token_acts_as_its_own_user_beside_a_login_session(client, world):
    """With an admin's session cookie and a coordinator's token, the coordinator asks."""
    admin = db.session.get(User, world["users"]["admin"])
    coordinator = db.session.get(User, world["users"]["coordinator"])
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["login_at"] = clock.now().timestamp()
    headers = {"Authorization": "Bearer " + staff.create_token(coordinator.email)}
    assert client.get("/api/v1/outbox", headers=headers).status_code == 403
    listed = client.get("/api/v1/outreach/requests", headers=headers).get_json()["requests"]
    ids = {r["id"] for r in listed}
    ours = {world["ids"]["mine_pending_request"], world["ids"]["mine_approved_request"]}
    theirs = {world["ids"]["theirs_pending_request"], world["ids"]["theirs_approved_request"]}
    assert ours <= ids and not ids & theirs
