"""Which constraint refused a write, and inserts that step around a UNIQUE one.

The database enforces the rules (CHECK, UNIQUE, partial unique indexes); these helpers
turn its refusal into the name of the constraint or index, whichever database answered,
so a service can give the resident the matching message.
"""

import functools

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from scheduler.db import Base, current_session


def insert_unless_conflict(table, values, returning):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING `returning` (PostgreSQL and SQLite):
    the returned value, or None when a UNIQUE constraint or index already held the row.
    Nothing fails, so the caller's transaction stays usable without a savepoint."""
    session = current_session()
    dialect = session.get_bind().dialect.name
    statement = _conflict_free_insert(table, dialect, returning.name)
    return session.execute(statement, values).scalar()


@functools.lru_cache(maxsize=64)
def _conflict_free_insert(table, dialect, returning):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing().returning(table.c[returning])


def is_integrity_error_for(exc, name):
    """True when an IntegrityError was raised by the constraint or index called `name`.

    PostgreSQL names the constraint; SQLite names a CHECK but, for a UNIQUE constraint or
    index, only its columns ("UNIQUE constraint failed: appointments.nik_hash").
    """
    text = str(getattr(exc, "orig", exc))
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name == name
    if name in text:
        return True
    columns = _unique_columns(name)
    return columns is not None and text.strip() == f"UNIQUE constraint failed: {columns}"


def _unique_columns(name):
    """`table.col, table.col` of the unique index or constraint called `name`, as SQLite
    reports them; None when there is none by that name."""
    for table in Base.metadata.tables.values():
        candidates = [i for i in table.indexes if i.unique] + [
            c for c in table.constraints if isinstance(c, sa.UniqueConstraint)
        ]
        for item in candidates:
            if item.name == name:
                return ", ".join(f"{table.name}.{col.name}" for col in item.columns)
    return None
