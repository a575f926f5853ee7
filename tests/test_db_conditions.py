"""Sets of codes are written once: each model's CHECK and partial index condition is
`one_of` (scheduler/db.py) of the model's tuple, so a code added to a tuple changes the
constraint, the index and the queries that read the tuple (and the migration test then
asks for a migration)."""

import ast
import pathlib
import re

import pytest
import sqlalchemy as sa

from scheduler import auth
from scheduler.appointments import models as appointments
from scheduler.cards import models as cards
from scheduler.db import one_of
from scheduler.extensions import db
from scheduler.notifications import models as notifications
from scheduler.outreach import models as outreach
from scheduler.sites import models as sites
from scheduler.staff import models as staff

SCHEDULER = pathlib.Path(__file__).resolve().parents[1] / "scheduler"
TEMPLATES = SCHEDULER.parent / "templates"


def test_one_of_is_written_as_the_migrations_spell_it():
    assert one_of("status", ("booked", "checked_in")) == "status IN ('booked','checked_in')"
    assert one_of("kind", ("new",), negate=True) == "kind NOT IN ('new')"
    assert one_of("channel", ("sms", "log"), nullable=True) == (
        "channel IS NULL OR channel IN ('sms','log')"
    )


def test_one_of_doubles_a_quote_and_refuses_what_is_not_a_name_or_a_code():
    assert one_of("name", ("o'clock",)) == "name IN ('o''clock')"
    for column in ("status; DROP TABLE users", "Status", "1status", ""):
        with pytest.raises(ValueError):
            one_of(column, ("a",))
    for values in ((), ("a", 1), [None]):
        with pytest.raises(ValueError):
            one_of("status", values)


# Every coded column: (table, CHECK name, the condition its tuples make).
CHECKS = [
    ("appointments", "status", one_of("status", appointments.STATUSES)),
    (
        "appointments",
        "recorded_stays",
        "recorded_at IS NULL OR " + one_of("status", appointments.RECORDED_STATUSES),
    ),
    (
        "appointments",
        "rejection_kind",
        one_of("rejection_kind", appointments.REJECTION_KINDS, nullable=True),
    ),
    (
        "appointments",
        "assistance",
        one_of("assistance", appointments.ASSISTANCE_KINDS, nullable=True),
    ),
    ("appointments", "channel", one_of("channel", appointments.CHANNELS)),
    ("appointments", "erased_how", one_of("erased_how", appointments.ERASED_HOW, nullable=True)),
    ("card_requests", "status", one_of("status", cards.CARD_STATUSES)),
    ("card_requests", "kind", one_of("kind", cards.REQUEST_KINDS)),
    (
        "card_requests",
        "printed_at",
        one_of("status", cards.PRINTED_STATUSES, negate=True) + " OR printed_at IS NOT NULL",
    ),
    ("card_requests", "collected_by", one_of("collected_by", cards.COLLECTORS, nullable=True)),
    ("stock_entries", "kind", one_of("kind", cards.ENTRY_KINDS)),
    (
        "stock_entries",
        "delta_sign",
        f"(kind = 'received' AND delta > 0) OR ({one_of('kind', cards.SPENT_KINDS)} AND delta < 0)"
        f" OR ({one_of('kind', cards.ADJUSTING_KINDS)} AND delta <> 0)",
    ),
    ("outbox_messages", "status", one_of("status", notifications.OUTBOX_STATUSES)),
    ("outbox_messages", "route", one_of("route", notifications.ROUTES)),
    ("outbox_messages", "channel", one_of("channel", notifications.CHANNELS, nullable=True)),
    (
        "outbox_messages",
        "provider_status",
        one_of("provider_status", notifications.PROVIDER_STATUSES, nullable=True),
    ),
    ("outreach_requests", "status", one_of("status", outreach.REQUEST_STATUSES)),
    (
        "outreach_requests",
        "institution_kind",
        one_of("institution_kind", outreach.INSTITUTION_KINDS),
    ),
    ("outreach_outcomes", "outcome", one_of("outcome", outreach.OUTCOMES)),
    ("outreach_sync_events", "action", one_of("action", outreach.SYNC_ACTIONS)),
    ("outreach_sync_events", "result", one_of("result", outreach.SYNC_RESULTS)),
    ("coverage_figures", "area_kind", one_of("area_kind", outreach.AREA_KINDS)),
    ("home_visits", "status", one_of("status", outreach.HOME_VISIT_STATUSES)),
    ("home_visits", "reason", one_of("reason", outreach.HOME_VISIT_REASONS)),
    (
        "home_visits",
        "planned",
        one_of("status", outreach.PLANNED_VISIT_STATUSES, negate=True)
        + " OR (round_id IS NOT NULL AND appointment_id IS NOT NULL"
        " AND window_starts_at IS NOT NULL AND window_ends_at IS NOT NULL)",
    ),
    ("home_visits", "outcome", one_of("outcome", outreach.HOME_VISIT_OUTCOMES, nullable=True)),
    ("users", "role", one_of("role", auth.ROLES)),
    ("queue_counters", "line", one_of("line", staff.QUEUE_LINES)),
    ("queue_tickets", "line", one_of("line", staff.QUEUE_LINES)),
    ("queue_tickets", "status", one_of("status", staff.TICKET_STATUSES)),
    ("sites", "kind", one_of("kind", sites.SITE_KINDS)),
    ("slots", "kind", one_of("session_kind", sites.SESSION_KINDS)),
    ("holiday_overrides", "action", one_of("action", sites.HOLIDAY_ACTIONS)),
    ("holiday_overrides", "category", one_of("category", sites.HOLIDAY_CATEGORIES)),
]

# Every partial unique index over a set of codes: (table, index name, its condition).
INDEXES = [
    (
        "appointments",
        "uq_appointments_holding_nik",
        one_of("status", appointments.HOLDING_STATUSES),
    ),
    ("card_requests", "uq_card_requests_open_nik", one_of("status", cards.OPEN_STATUSES)),
    ("home_visits", "uq_home_visits_open_nik", one_of("status", outreach.OPEN_VISIT_STATUSES)),
]


def _check(table, name):
    (check,) = [
        c
        for c in db.metadata.tables[table].constraints
        if isinstance(c, sa.CheckConstraint) and c.name == f"ck_{table}_{name}"
    ]
    return str(check.sqltext)


def _index_conditions(table, name):
    (index,) = [i for i in db.metadata.tables[table].indexes if i.name == name]
    return {str(index.dialect_options[d]["where"]) for d in ("sqlite", "postgresql")}


@pytest.mark.parametrize(("table", "name", "condition"), CHECKS)
def test_each_check_over_codes_is_its_tuples_condition(app, table, name, condition):
    assert _check(table, name) == condition


@pytest.mark.parametrize(("table", "name", "condition"), INDEXES)
def test_each_partial_index_over_codes_is_its_named_sets_condition(app, table, name, condition):
    assert _index_conditions(table, name) == {condition}


def test_a_code_added_to_a_tuple_changes_its_check_and_its_index():
    holding = _index_conditions("appointments", "uq_appointments_holding_nik")
    assert {one_of("status", (*appointments.HOLDING_STATUSES, "no_show"))} != holding
    assert one_of("status", (*cards.CARD_STATUSES, "lost")) != _check("card_requests", "status")


def test_every_check_and_index_condition_over_a_list_of_codes_is_listed_here(app):
    listed = {(t, f"ck_{t}_{n}") for t, n, _ in CHECKS} | {(t, n) for t, n, _ in INDEXES}
    found = set()
    for table in db.metadata.tables.values():
        for check in table.constraints:
            if isinstance(check, sa.CheckConstraint) and " IN (" in str(check.sqltext):
                found.add((table.name, check.name))
        for index in table.indexes:
            if " IN (" in str(index.dialect_options["sqlite"]["where"]):
                found.add((table.name, index.name))
    assert found == listed


def test_no_list_of_codes_is_written_by_hand_in_sql_text():
    """The models' constraints and conditions, and any query text, list codes only through
    one_of: a hand-written `IN ('...')` would be a second spelling of a tuple."""
    hand_written = re.compile(r"IN \('")
    found = [
        f"{path.relative_to(SCHEDULER)}:{number}"
        for path in sorted(SCHEDULER.rglob("*.py"))
        if path.name != "db.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hand_written.search(line)
    ]
    assert found == []


def _status_sets():
    """{frozenset of codes: "module.NAME"} of every *_STATUSES tuple of the models."""
    found = {}
    for module in (appointments, cards, notifications, outreach, sites, staff):
        for name, value in vars(module).items():
            if name.endswith("STATUSES") and isinstance(value, tuple) and len(value) > 1:
                found[frozenset(value)] = f"{module.__name__}.{name}"
    return found


def test_no_status_set_is_spelt_again_outside_its_model():
    """A tuple, list or Literal of codes equal to a model's set of statuses (a filter's
    empty choice aside) is a second spelling of it: the code reads the model's name."""
    sets = _status_sets()
    found = []
    for path in sorted(SCHEDULER.rglob("*.py")):
        relative = str(path.relative_to(SCHEDULER))
        if path.name == "models.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Tuple | ast.List | ast.Set) or len(node.elts) < 2:
                continue
            if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                continue
            codes = frozenset(e.value for e in node.elts) - {""}
            if codes in sets:
                found.append(f"{relative}:{node.lineno} spells {sets[codes]}")
    assert found == []


def test_no_template_spells_a_status_set():
    """Templates ask the model (`appointment.is_ongoing`, `m.can_resend`) or loop over the
    tuple their view passes, never list the statuses themselves."""
    sets = _status_sets()
    listed = re.compile(r"[(\[]\s*((?:['\"]\w+['\"]\s*,\s*)+['\"]\w+['\"])\s*,?\s*[)\]]")
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in listed.finditer(line):
                codes = frozenset(re.findall(r"['\"](\w+)['\"]", match.group(1)))
                if codes in sets:
                    found.append(f"{path.relative_to(TEMPLATES)}:{number} spells {sets[codes]}")
    assert found == []
