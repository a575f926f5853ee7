"""Which constraint refused a write, and inserts that step around a UNIQUE one.

The database enforces the rules (CHECK, UNIQUE, partial unique indexes, foreign keys);
these helpers turn its refusal into the name of the constraint or index, whichever
database answered, so a service can give the resident the matching message. A model
declares what a refusal means beside the constraint itself, as
`info={"refusal": SomeDomainError}` (a ForeignKey takes `info` too), and `refusal(exc)`
answers it: no service spells a constraint's name.
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


def refusal(exc):
    """The refusal that the model declares on the constraint or index which raised `exc`
    (an IntegrityError, or the DBAPIError of a statement sent directly): a DomainError
    class, or a callable that makes the DomainError to raise; None when that constraint
    declares none."""
    for name, declared in _declared_refusals():
        if is_integrity_error_for(exc, name):
            return declared
    return None


def raise_refusal(exc):
    """Raise the refusal declared on the constraint that raised `exc` (see `refusal`), or
    `exc` itself when it declares none."""
    declared = refusal(exc)
    if declared is None:
        raise exc
    raise declared() from None


def add_or_refuse(row):
    """Add `row` to the session and flush it in a savepoint; returns it. When a constraint
    refuses it, raise the refusal that constraint declares (see `refusal`; anything else
    as it was), with the caller's transaction as it was and usable."""
    session = current_session()
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError as exc:
        raise_refusal(exc)
    return row


@functools.cache
def _declared_refusals():
    """(constraint or index name, refusal) of every one that declares a refusal."""
    found = []
    for table in Base.metadata.tables.values():
        for item in (*table.constraints, *table.indexes):
            if "refusal" in item.info:
                found.append((item.name, item.info["refusal"]))
        for key in table.foreign_keys:
            if "refusal" in key.info:
                found.append((key.constraint.name, key.info["refusal"]))
    return tuple(found)


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
