"""Roster upload: a CSV or XLSX of participants booked into a session's slots.

Each row is checked with the booking rules; good rows fill the earliest slots first, rows
already booked in this session are skipped (so the same file twice books no one twice),
bad rows and rows beyond capacity come back with their reasons. The whole import is one
transaction: a crash rolls every row back.
"""

import csv
import io
import logging
import zipfile
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock, names
from scheduler import nik as niks
from scheduler.appointments import services as appointments
from scheduler.appointments.models import HOLDING_STATUSES
from scheduler.db import transaction, transactional
from scheduler.errors import (
    AlreadyRecorded,
    DomainError,
    DuplicateBooking,
    Forbidden,
    InvalidState,
    SlotFull,
    ValidationError,
)
from scheduler.outreach import services
from scheduler.sites import services as sites

log = logging.getLogger(__name__)

COLUMNS = ("nik", "name", "birth_date", "phone")
# Headings people write in Bahasa Indonesia mean the same columns.
ALIASES = {
    "nama": "name",
    "tanggal_lahir": "birth_date",
    "tgl_lahir": "birth_date",
    "hp": "phone",
    "no_hp": "phone",
    "telepon": "phone",
}
PROGRESS_EVERY = 25


def _file_error(message):
    return ValidationError(fields={"file": message})


def _heading(value):
    key = "_".join(str(value or "").strip().lower().replace("-", " ").split())
    return ALIASES.get(key, key)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(_l("Berkas CSV harus berkodekan UTF-8.")) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _file_error(_l("Berkas XLSX tidak dapat dibaca.")) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def upload_limit():
    """Bytes a roster upload may take, form overhead included: a larger body is refused
    before it is read."""
    return current_app.config["OUTREACH_ROSTER_MAX_BYTES"] + 64 * 1024


def read_roster(filename, data):
    """[(row number, {nik, name, birth_date, phone})] from a CSV or XLSX file; the header
    is row 1. Raises ValidationError on `file` for an unreadable file or a missing column."""
    if not data:
        raise _file_error(_l("Berkas kosong."))
    if len(data) > current_app.config["OUTREACH_ROSTER_MAX_BYTES"]:
        raise _file_error(_l("Berkas terlalu besar."))
    is_xlsx = (filename or "").lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"
    table = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    if not table:
        raise _file_error(_l("Berkas kosong."))
    header = [_heading(v) for v in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise _file_error(
            _l(
                "Baris judul harus berisi kolom nik, name, birth_date, phone (kurang: %(m)s).",
                m=", ".join(missing),
            )
        )
    index = {c: header.index(c) for c in COLUMNS}
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        values = {c: (raw[i] if i < len(raw) else "") for c, i in index.items()}
        if not any(values.values()):
            continue
        rows.append((number, values))
    if len(rows) > current_app.config["OUTREACH_ROSTER_MAX_ROWS"]:
        raise _file_error(
            _l(
                "Paling banyak %(n)s peserta per berkas.",
                n=current_app.config["OUTREACH_ROSTER_MAX_ROWS"],
            )
        )
    return rows


def check_row(values, on_date):
    """(Applicant, None) for a good row, or (None, {field: message}) with every fault."""
    fields = {}
    nik = values["nik"]
    try:
        niks.check_region(niks.parse_nik(nik))
    except ValidationError as exc:
        fields.update(exc.fields)
    name = " ".join(values["name"].split())
    if not name:
        fields["name"] = _l("Wajib diisi.")
    elif len(name) > 100:
        fields["name"] = _l("Paling banyak %(n)s karakter.", n=100)
    elif names.hidden_characters(name):
        fields["name"] = names.MESSAGE
    birth = None
    try:
        birth = date.fromisoformat(values["birth_date"])
        if len(values["birth_date"]) != 10:
            raise ValueError
    except ValueError:
        fields["birth_date"] = _l("Tanggal harus berformat YYYY-MM-DD.")
    phone, phone_errors = appointments.read_phone(values["phone"])
    fields.update(phone_errors)
    applicant = appointments.Applicant.of(nik=nik, name=name, birth_date=birth, phone=phone)
    if "nik" not in fields and birth is not None:
        try:
            appointments.check_applicant(applicant, on_date)
        except ValidationError as exc:
            for key, message in exc.fields.items():
                fields.setdefault(key, message)
    if fields:
        return None, {k: str(v) for k, v in fields.items()}
    return applicant, None


def _target(session_id, user):
    session = services.get_session(session_id, user, roles=("admin", "coordinator"))
    if not services.is_open(session):
        raise InvalidState(_l("Sesi ini sudah tidak menerima peserta."))
    return session


def _steps(session, rows):
    """Book the rows; yields (done, total) now and then, and finally the report dict."""
    now = clock.now()
    slots = [s for s in services.session_slots(session) if s.starts_at > now]
    on_date = sites.to_local(session.site, session.starts_at).date()
    in_session = {
        a.nik_hash for a in services.session_appointments(session, statuses=HOLDING_STATUSES)
    }
    report = {"booked": 0, "skipped": [], "rejected": []}
    full = str(_l("Kuota sesi sudah penuh; baris ini tidak terdaftar."))
    total = len(rows)
    for done, (number, values) in enumerate(rows, start=1):
        applicant, fields = check_row(values, on_date)
        if fields:
            report["rejected"].append({"row": number, "fields": fields})
        elif any(h in in_session for h in niks.hash_candidates(applicant.nik)):
            report["skipped"].append(
                {"row": number, "reason": str(_l("Sudah terdaftar di sesi ini."))}
            )
        else:
            _book_row(slots, applicant, number, report, full, in_session)
        if done % PROGRESS_EVERY == 0 or done == total:
            yield done, total
    yield report


def _book_row(slots, applicant, number, report, full, in_session):
    while slots:
        try:
            appointments.book_into_slot(slots[0], applicant, channel="roster")
        except SlotFull:
            slots.pop(0)
            continue
        except (DuplicateBooking, AlreadyRecorded) as exc:
            report["rejected"].append({"row": number, "fields": {"nik": str(exc.message)}})
            return
        report["booked"] += 1
        in_session.add(niks.hash_nik(applicant.nik))
        return
    report["rejected"].append({"row": number, "fields": {"capacity": full}})


@transactional
def import_roster(session_id, user, filename, data):
    """Book a roster file into a session; returns {"booked", "skipped", "rejected"}.

    Raises Forbidden, NotFound, InvalidState (session closed), ValidationError (file)."""
    session = _target(session_id, user)
    rows = read_roster(filename, data)
    report = None
    for step in _steps(session, rows):
        report = step
    return report


def stream_roster_import(session_id, user, filename, data):
    """The same import for the page: checks access and the file first (raising as
    import_roster does), then returns an iterator of ("progress", done, total) and one
    final ("done", report) or ("error", message). Commits once at the end; anything that
    goes wrong, or a browser that leaves, rolls the whole import back."""
    if user.role not in ("admin", "coordinator"):
        raise Forbidden()
    session = _target(session_id, user)
    rows = read_roster(filename, data)
    return _stream(session, rows)


def _stream(session, rows):
    outcome = None
    try:
        with transaction():
            for step in _steps(session, rows):
                if isinstance(step, dict):
                    outcome = ("done", step)
                else:
                    yield ("progress", *step)
    except DomainError as exc:
        outcome = ("error", str(exc.message))
    except Exception:
        log.exception("roster import into session %s failed", session.id)
        outcome = ("error", str(_l("Impor gagal; tidak ada peserta yang didaftarkan.")))
    yield outcome
