"""Roles and audit actions are shown in words on the staff pages, in both languages."""

import pathlib
import re

import flask_babel
import pytest

from scheduler.auth import ROLE_LABELS, ROLES
from scheduler.extensions import db
from scheduler.staff import desk, services
from scheduler.staff.forms import ROLE_CHOICES
from tests.staff.conftest import login
from tests.visible import iso_dates, visible_text

SOURCE = pathlib.Path(__file__).resolve().parents[2] / "scheduler"
# audit(actor, "action", ...), audit_view(actor, "action", ...), reads.record_view(actor,
# "action", ...) and a view's _shown("action", ...), however qualified.
_AUDITED = re.compile(
    r'(?:\baudit(?:_view)?\(\s*\w+,\s*|\brecord_view\(\s*\w+,\s*|\b_shown\(\s*)"(\w+)"'
)


def _in(app, lang, mapping):
    with app.test_request_context(f"/?lang={lang}"):
        flask_babel.refresh()
        return {code: str(label) for code, label in mapping.items()}


def test_every_role_has_words_in_both_languages(app):
    assert set(ROLE_LABELS) == set(ROLES)
    assert [code for code, _ in ROLE_CHOICES] == list(ROLE_LABELS)
    assert _in(app, "id", ROLE_LABELS)["staff"] == "Petugas"
    assert _in(app, "en", ROLE_LABELS)["coordinator"] == "Coordinator (school/village)"


def test_every_audited_action_is_listed_with_words(app):
    written = set()
    for path in SOURCE.rglob("*.py"):
        written.update(_AUDITED.findall(path.read_text()))
    assert written, "the pattern finds the audit calls"
    assert written <= set(services.AUDIT_ACTIONS), written - set(services.AUDIT_ACTIONS)
    assert set(services.AUDIT_ACTION_LABELS) == set(services.AUDIT_ACTIONS)
    indonesian = _in(app, "id", services.AUDIT_ACTION_LABELS)
    english = _in(app, "en", services.AUDIT_ACTION_LABELS)
    assert all(indonesian[a] != english[a] and a not in indonesian[a] for a in indonesian)


@pytest.mark.parametrize(
    "lang, role, action",
    [("id", "Petugas", "Perekaman tercatat"), ("en", "Staff", "Recorded")],
)
def test_users_and_audit_pages_show_words(client, admin, clerk, appointment, lang, role, action):
    appointment.status = "checked_in"
    db.session.commit()
    desk.mark_recorded(clerk, appointment.code)
    desk.roster(clerk, appointment.site_id)  # audited with the day, 2026-12-07
    db.session.commit()
    login(client, admin)
    users = client.get(f"/petugas/pengguna?lang={lang}").get_data(as_text=True)
    assert re.search(rf"<td>{role}</td>", users), "the role cell"
    assert "<td>staff</td>" not in users and "<td>admin</td>" not in users
    audit = client.get(f"/petugas/audit?lang={lang}").get_data(as_text=True)
    assert f'data-action="recorded">{action}</td>' in audit
    assert f'<option value="recorded">{action}</option>' in audit
    assert iso_dates(audit) == [] and iso_dates(users) == []
    assert ("7 Des 2026" if lang == "id" else "7 Dec 2026") in visible_text(audit)
    home = visible_text(client.get(f"/petugas?lang={lang}").get_data(as_text=True))
    assert "Admin" in home and " admin " not in home.replace("@", " ")
