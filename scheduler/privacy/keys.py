"""Re-keying every stored NIK: `flask nik rotate-keys`.

The keys are lists: NIK_ENCRYPTION_KEYS and NIK_HASH_KEYS, the first writes, every one
reads (scheduler/nik.py). To rotate, an office puts the new keys first, keeps the old
ones after them, restarts the web app and the worker (from then on every new row is
written under the new keys, and look-ups try every key), and runs the command. It walks
each table by id in batches; each batch re-encrypts the NIK under the first encryption
key and replaces its keyed hash by the first hash key's, and commits with its progress,
so a run that stops resumes after the last committed batch.

The hash is what the partial unique indexes compare (one holding booking, one open card
per NIK). A batch never violates them: at most one holding row per NIK exists across
the keys (new rows are written under the new key after a look-up under every key), so
the new hash a batch writes is held by no other holding row. A row changed meanwhile
(erased, re-written) is left alone: the UPDATE names the ciphertext it read.
"""

import sqlalchemy as sa

from scheduler import clock
from scheduler import nik as niks
from scheduler.appointments.models import Appointment
from scheduler.cards.models import CardRequest
from scheduler.db import transactional
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.outreach.models import HomeVisit
from scheduler.privacy.models import NikKeyRotation

TABLES = (
    ("appointments", Appointment),
    ("card_requests", CardRequest),
    ("home_visits", HomeVisit),
)
BATCH = 500


def _holding_nik(model):
    return sa.and_(model.nik_encrypted.is_not(None), model.nik_encrypted != "")


@transactional
def _state(target, table_name):
    state = db.session.scalar(
        sa.select(NikKeyRotation).where(
            NikKeyRotation.target == target, NikKeyRotation.table_name == table_name
        )
    )
    if state is None:
        now = clock.now()
        state = NikKeyRotation(
            target=target, table_name=table_name, last_id=0, started_at=now, updated_at=now
        )
        db.session.add(state)
        db.session.flush()
    return state


def _rekeyed(rows):
    try:
        return [
            {
                "row_id": row_id,
                "old": token,
                "enc": niks.encrypt_nik(nik),
                "hash": niks.hash_nik(nik),
            }
            for row_id, token in rows
            for nik in (niks.decrypt_nik(token),)
        ]
    except ValueError as exc:
        raise InvalidState(
            "a stored NIK decrypts with none of NIK_ENCRYPTION_KEYS: keep the old key in "
            "the list until the rotation is done"
        ) from exc


@transactional
def _rekey_batch(model, state_id, rows):
    table = model.__table__
    values = _rekeyed(rows)
    db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"), table.c.nik_encrypted == sa.bindparam("old"))
        .values(nik_encrypted=sa.bindparam("enc"), nik_hash=sa.bindparam("hash"))
        .execution_options(synchronize_session=False),
        values,
    )
    state = db.session.get(NikKeyRotation, state_id, with_for_update=True)
    state.last_id = rows[-1][0]
    state.rows_done += len(rows)
    state.updated_at = clock.now()
    return state.rows_done


@transactional
def _finish(state_id):
    state = db.session.get(NikKeyRotation, state_id)
    state.finished_at = state.finished_at or clock.now()


def rotate_keys(batch=BATCH, progress=None):
    """Re-encrypt and re-hash every stored NIK under the first configured keys, in
    committed batches, resuming a run that stopped; returns {table: rows done}.
    `progress(table, done, total)` is told after each batch. Raises InvalidState when
    there is nothing to rotate from, or a NIK decrypts with no configured key."""
    if not niks.is_rotating():
        raise InvalidState(
            "only one key is configured: put the new keys first in NIK_ENCRYPTION_KEYS and "
            "NIK_HASH_KEYS, keep the old ones after them, restart, then rotate"
        )
    target = niks.key_fingerprint()
    done = {}
    for table_name, model in TABLES:
        state = _state(target, table_name)
        state_id, last_id, rows_done = state.id, state.last_id, state.rows_done
        total = rows_done + db.session.scalar(
            sa.select(sa.func.count()).where(_holding_nik(model), model.id > last_id)
        )
        db.session.rollback()
        while True:
            rows = db.session.execute(
                sa.select(model.id, model.nik_encrypted)
                .where(_holding_nik(model), model.id > last_id)
                .order_by(model.id)
                .limit(batch)
            ).all()
            db.session.rollback()
            if not rows:
                break
            rows_done = _rekey_batch(model, state_id, rows)
            last_id = rows[-1][0]
            if progress is not None:
                progress(table_name, rows_done, max(total, rows_done))
        _finish(state_id)
        done[table_name] = rows_done
    return done


def remaining_under_old_keys():
    """{table: stored NIKs the first encryption key alone cannot read} (after a rotation,
    0 everywhere: the old keys may go)."""
    counts = {}
    for table_name, model in TABLES:
        tokens = db.session.scalars(sa.select(model.nik_encrypted).where(_holding_nik(model)))
        counts[table_name] = sum(1 for token in tokens if not niks.is_under_first_key(token))
    return counts
