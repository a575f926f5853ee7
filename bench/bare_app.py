"""The baseline: a bare Flask + psycopg app doing the same booking transaction as Antre.

One conditional UPDATE of the seat counter (guarded by a CHECK) and one INSERT under a
partial unique index on the NIK's keyed hash, in one transaction, nothing else: no
validation, no ORM, no encryption, no notification outbox. Served by gunicorn exactly
like the real app (`gunicorn --chdir bench bare_app:app`); BARE_DSN names the database.
"""

import hashlib
import hmac
import os
import threading

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)
KEY = b"bench-hash-key"
_local = threading.local()

SCHEMA = """
CREATE TABLE IF NOT EXISTS bare_slots (
    id integer PRIMARY KEY,
    capacity integer NOT NULL,
    booked_count integer NOT NULL DEFAULT 0,
    CHECK (booked_count >= 0 AND booked_count <= capacity)
);
CREATE TABLE IF NOT EXISTS bare_appointments (
    id bigserial PRIMARY KEY,
    slot_id integer NOT NULL REFERENCES bare_slots (id),
    nik_hash varchar(64) NOT NULL,
    status varchar(20) NOT NULL,
    booked_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_bare_holding_nik ON bare_appointments (nik_hash)
    WHERE status IN ('booked', 'checked_in', 'recorded');
"""


def _connection():
    # One connection per thread: a sync worker serves one request at a time, a gthread
    # worker one per thread.
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(os.environ["BARE_DSN"])
    return conn


@app.post("/book")
def book():
    data = request.get_json()
    nik_hash = hmac.new(KEY, data["nik"].encode(), hashlib.sha256).hexdigest()
    conn = _connection()
    try:
        with conn.transaction():
            cur = conn.execute(
                "UPDATE bare_slots SET booked_count = booked_count + 1 "
                "WHERE id = %s AND booked_count < capacity",
                (data["slot_id"],),
            )
            if cur.rowcount != 1:
                return jsonify(error={"code": "slot_full"}), 409
            row = conn.execute(
                "INSERT INTO bare_appointments (slot_id, nik_hash, status, booked_at) "
                "VALUES (%s, %s, 'booked', now()) RETURNING id",
                (data["slot_id"], nik_hash),
            ).fetchone()
    except psycopg.errors.UniqueViolation:
        return jsonify(error={"code": "duplicate_booking"}), 409
    return jsonify(appointment={"id": row[0], "slot_id": data["slot_id"]}), 201
