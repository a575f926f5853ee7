"""config.example.py lists and explains every setting, and is a configuration that
loads: an office copies it, so a setting missing there is a setting nobody finds."""

import os
import re

from flask import Flask

from scheduler.config import DEFAULTS, load_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "config.example.py")
# Settings of Flask's extensions the example mentions besides the app's own.
EXTENSION_KEYS = {"RATELIMIT_HEADERS_ENABLED"}
ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)\s*=")


def _lines():
    with open(EXAMPLE, encoding="utf-8") as f:
        return f.read().splitlines()


def _is_explanation(line):
    text = line.strip()
    return text.startswith("#") and not ASSIGNMENT.match(text) and len(text.strip("#- ")) > 3


def _explained(lines, index):
    """An inline comment, or a comment line in the block of lines just above."""
    code = lines[index].lstrip("# ")
    if " # " in code or "  #" in code:
        return True
    for line in reversed(lines[:index]):
        if not line.strip():
            return False
        if _is_explanation(line):
            return True
    return False


def test_every_setting_is_in_the_example_with_an_explanation():
    lines = _lines()
    where = {}
    for index, line in enumerate(lines):
        match = ASSIGNMENT.match(line)
        if match:
            where.setdefault(match.group(1), index)
    missing = sorted(set(DEFAULTS) - set(where))
    assert not missing, f"not in config.example.py: {missing}"
    unexplained = sorted(key for key in DEFAULTS if not _explained(lines, where[key]))
    assert not unexplained, f"no explanation in config.example.py: {unexplained}"
    unknown = sorted(set(where) - set(DEFAULTS) - EXTENSION_KEYS)
    assert not unknown, f"config.example.py names settings the app does not have: {unknown}"


def test_the_example_loads_as_a_production_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("SCHEDULER_CONFIG", EXAMPLE)
    for key in DEFAULTS:
        monkeypatch.delenv(key, raising=False)
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app)
    assert app.config["SCHEDULER_ENV"] == "production"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["PROXY_COUNT"] == 1
    assert app.config["SESSION_COOKIE_SECURE"] is True
