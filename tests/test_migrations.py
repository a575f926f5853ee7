"""The Alembic migrations create exactly the schema the models describe.

Alembic's compare_metadata sees tables, columns, types, unique constraints and which
columns an index covers, but neither CHECK constraints nor a partial index's condition.
So the database built by the migrations is also compared, constraint by constraint and
index by index, with one built from the models alone (create_all) on the same database
engine: both are reflected the same way (PostgreSQL deparses each definition itself), so
any difference is a real one.
"""

import os
import re
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from scheduler.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Database:
    """A fresh, empty database of the suite's kind (SQLite file or PostgreSQL)."""

    def __init__(self, directory):
        base = os.environ.get("DATABASE_URL", "")
        self.admin = None
        if not base.startswith("postgresql"):
            self.url = "sqlite:///" + str(directory / f"{uuid.uuid4().hex[:10]}.db")
            return
        url = sa.engine.make_url(base)
        self.name = f"mig_{uuid.uuid4().hex[:10]}"
        self.admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        self.url = url.set(database=self.name).render_as_string(hide_password=False)

    def drop(self):
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}"'))
            self.admin.dispose()


def _fresh_url(tmp_path):
    """(url, cleanup) of a fresh empty database; cleanup is (admin engine, name) on
    PostgreSQL, for the caller to drop it, and None on SQLite."""
    database = _Database(tmp_path)
    cleanup = (database.admin, database.name) if database.admin is not None else None
    return database.url, cleanup


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    made = []

    def make():
        made.append(_Database(tmp_path_factory.mktemp("migrations")))
        return made[-1].url

    yield make
    for database in made:
        database.drop()


@pytest.fixture(scope="module")
def migrated(databases):
    url = databases()
    env = {**os.environ, "DATABASE_URL": url, "SCHEDULER_ENV": "testing"}
    env.pop("SCHEDULER_CONFIG", None)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return url


def _from_models(url, metadata):
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    return url


def _spaces(text):
    return re.sub(r"\s+", " ", str(text)).strip()


def _index_definitions(conn, table):
    """{index name: its definition} as the database holds it (columns, uniqueness and the
    partial index's WHERE). SQLite keeps the CREATE INDEX text; PostgreSQL deparses it."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            sa.text(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() AND tablename = :t"
            ),
            {"t": table},
        )
    else:
        rows = conn.execute(
            sa.text(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
            ),
            {"t": table},
        )
    return {name: _spaces(definition) for name, definition in rows}


def schema_of(url):
    """{table: {"checks": {name: text}, "indexes": {name: definition}}} of a database."""
    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    schema = {}
    with engine.connect() as conn:
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            checks = {
                c["name"]: _spaces(c["sqltext"]) for c in inspector.get_check_constraints(table)
            }
            schema[table] = {"checks": checks, "indexes": _index_definitions(conn, table)}
    engine.dispose()
    return schema


def differences(expected, actual):
    """What differs between two schemas, one line per CHECK constraint or index."""
    found = []
    for table in sorted(set(expected) | set(actual)):
        for kind in ("checks", "indexes"):
            want = expected.get(table, {}).get(kind, {})
            have = actual.get(table, {}).get(kind, {})
            for name in sorted(set(want) | set(have)):
                if want.get(name) != have.get(name):
                    found.append(
                        f"{table} {kind} {name}: models {want.get(name)!r},"
                        f" migrations {have.get(name)!r}"
                    )
    return found


def test_upgrade_matches_models(app, migrated):
    engine = sa.create_engine(migrated)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_checks_and_index_conditions_match_models(app, databases, migrated):
    models = schema_of(_from_models(databases(), db.metadata))
    assert models["appointments"]["checks"], "CHECK constraints are reflected"
    assert "uq_appointments_holding_nik" in models["appointments"]["indexes"]
    assert differences(models, schema_of(migrated)) == []


def _models_changed(change):
    metadata = sa.MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(metadata)
    change(metadata)
    return metadata


def test_a_changed_index_condition_without_a_migration_fails(app, databases, migrated):
    def narrower_holding(metadata):
        (index,) = [
            i
            for i in metadata.tables["appointments"].indexes
            if i.name == "uq_appointments_holding_nik"
        ]
        condition = sa.text("status IN ('booked','checked_in')")
        index.dialect_options["sqlite"]["where"] = condition
        index.dialect_options["postgresql"]["where"] = condition

    changed = schema_of(_from_models(databases(), _models_changed(narrower_holding)))
    found = differences(changed, schema_of(migrated))
    assert len(found) == 1 and "uq_appointments_holding_nik" in found[0], found


def test_a_changed_check_without_a_migration_fails(app, databases, migrated):
    def one_more_status(metadata):
        table = metadata.tables["card_requests"]
        (check,) = [
            c
            for c in table.constraints
            if isinstance(c, sa.CheckConstraint) and c.name == "ck_card_requests_status"
        ]
        check.sqltext = sa.text(str(check.sqltext).replace("'cancelled'", "'cancelled','lost'"))

    changed = schema_of(_from_models(databases(), _models_changed(one_more_status)))
    found = differences(changed, schema_of(migrated))
    assert len(found) == 1 and "ck_card_requests_status" in found[0], found
