"""The Alembic migrations create exactly the schema the models describe."""

import os
import subprocess
import sys
import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from scheduler.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _fresh_url(tmp_path):
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        return "sqlite:///" + str(tmp_path / "migrated.db"), None
    url = sa.engine.make_url(base)
    name = f"mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False), (admin, name)


def test_upgrade_matches_models(app, tmp_path):
    url, cleanup = _fresh_url(tmp_path)
    try:
        env = {**os.environ, "DATABASE_URL": url, "SCHEDULER_ENV": "testing"}
        env.pop("SCHEDULER_CONFIG", None)
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        engine.dispose()
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()
