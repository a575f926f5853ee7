"""An installation's existing stock moves to its default printing office on upgrade: the
same blanks, entries, deliveries and print sites, now at office 1 (on SQLite and, with
DATABASE_URL, PostgreSQL)."""

import os
import subprocess
import sys

import sqlalchemy as sa

from tests.test_migrations import ROOT, _fresh_url


def _flask(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "SCHEDULER_ENV": "testing"}
    env.pop("SCHEDULER_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_existing_stock_moves_to_the_default_office(tmp_path):
    url, cleanup = _fresh_url(tmp_path)
    engine = sa.create_engine(url)
    try:
        _flask(url, "upgrade", "0004l")
        with engine.begin() as conn:
            at = "2026-12-01 01:00:00"
            conn.execute(
                sa.text(
                    "INSERT INTO sites (id, name, kind, address, kecamatan, kecamatan_code, desa,"
                    " timezone, stations, slot_minutes, closes_on_cuti_bersama, active) VALUES"
                    " (7, 'Kantor', 'office', '', 'Kota Kudus', '33.19.02', '', 'Asia/Jakarta',"
                    " 1, 30, false, true)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO print_sites (site_id, printers, operators, cards_per_printer,"
                    " updated_at) VALUES (7, 1, 1, 150, :at)"
                ),
                {"at": at},
            )
            conn.execute(
                sa.text("INSERT INTO blank_stock (id, on_hand, updated_at) VALUES (1, 40, :at)"),
                {"at": at},
            )
            for kind, delta, balance in (("received", 50, 50), ("used", -10, 40)):
                conn.execute(
                    sa.text(
                        "INSERT INTO stock_entries (kind, delta, balance, entry_on, reference,"
                        " reason, created_at) VALUES (:k, :d, :b, '2026-12-01', '', '', :at)"
                    ),
                    {"k": kind, "d": delta, "b": balance, "at": at},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO expected_deliveries (quantity, expected_on, note, created_at,"
                    " updated_at) VALUES (100, '2026-12-20', '', :at, :at)"
                ),
                {"at": at},
            )
        _flask(url, "upgrade")
        with engine.connect() as conn:
            offices = conn.execute(sa.text("SELECT id, site_id FROM printing_offices")).all()
            assert offices == [(1, 7)]  # at the site of the print site it had
            assert conn.execute(sa.text("SELECT office_id, on_hand FROM blank_stock")).all() == [
                (1, 40)
            ]
            for table in ("stock_entries", "expected_deliveries", "print_sites"):
                ids = conn.execute(sa.text(f"SELECT DISTINCT office_id FROM {table}")).all()
                assert ids == [(1,)], table
        with engine.begin() as conn:  # the single-row rule is gone: a second office's row
            conn.execute(
                sa.text(
                    "INSERT INTO printing_offices (id, name, created_at) VALUES (2, 'Dua', :at)"
                ),
                {"at": "2026-12-02 01:00:00"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO blank_stock (id, office_id, on_hand, updated_at)"
                    " VALUES (2, 2, 0, '2026-12-02 01:00:00')"
                )
            )
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM blank_stock WHERE office_id = 2"))
            conn.execute(sa.text("DELETE FROM printing_offices WHERE id = 2"))
        _flask(url, "downgrade", "0004l")  # and back, the stock as it was
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT sum(delta) FROM stock_entries")).scalar() == 40
    finally:
        engine.dispose()
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()
