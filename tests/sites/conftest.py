import functools

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hash(monkeypatch):
    # argon2 takes half a second by design; these tests need one hash, not one per user.
    monkeypatch.setattr(factories, "hash_password", _cached_hash)


@functools.cache
def _cached_hash(password):
    from scheduler.staff.services import hash_password

    return hash_password(password)
