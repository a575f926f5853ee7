"""The one source of the current time. Never use the database's now()."""

from datetime import UTC, datetime

_frozen = None


def now():
    """The current moment, timezone-aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(moment):
    """Pin now() to a moment (tests and demos); None thaws it."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs a timezone-aware datetime")
    _frozen = moment.astimezone(UTC) if moment is not None else None
