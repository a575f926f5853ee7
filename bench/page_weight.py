"""Page weight and load time of every resident page on emulated slow 3G.

    .venv/bin/python bench/page_weight.py [--runs 3] [--verbose]

Serves the app (a throwaway SQLite database with the Kudus demo data and one booking)
on 127.0.0.1, then loads each resident page cold in Debian's Chromium through the same
tools as the browser tests (tests/browser/support.py): a phone context (360×740),
the cache disabled, bytes counted from the DevTools protocol's encodedDataLength (what
crosses the wire: compressed bodies and headers), and Network.emulateNetworkConditions
at 400 ms latency and 400 kbit/s each way. Prints a Markdown table for bench/README.md.
"""

import argparse
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler import create_app  # noqa: E402
from scheduler.appointments import services as appointments  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.sites import services as sites  # noqa: E402
from tests.browser import support  # noqa: E402


def build_app(workdir):
    app = create_app(
        {
            "SCHEDULER_ENV": "testing",
            "DATABASE_URL": f"sqlite:///{workdir}/bench.db",
            "SECRET_KEY": "bench-secret",
            "NIK_ENCRYPTION_KEY": "bench-nik-encryption",
            "NIK_HASH_KEY": "bench-nik-hash",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return app


def resident_pages(app):
    """(name, path) of each resident page, with a real booking behind the ticket pages."""
    with app.app_context():
        office = next(s for s in sites.list_sites() if s.kind == "office")
        _site, slots = sites.list_bookable_slots(office.id)
        first_day = sites.to_local(office, slots[0].starts_at).date()
        day = next(
            d for d in (sites.to_local(office, s.starts_at).date() for s in slots) if d > first_day
        )
        slot = next(s for s in slots if sites.to_local(office, s.starts_at).date() == day)
        birth = date(2001, 3, 9)
        applicant = appointments.Applicant.of(
            nik=f"331902{birth:%d%m%y}0042",
            name="Dewi Lestari",
            birth_date=birth,
            phone="+6281234567890",
            email=None,
            married=False,
            locale="id",
        )
        booked, _created = appointments.book_appointment(slot.id, applicant, channel="web")
        code, sig = booked.code, appointments.link_signature(booked.code)
        pages = [
            ("home `/`", "/"),
            ("site: days `/lokasi/<id>`", f"/lokasi/{office.id}"),
            ("site: times `/lokasi/<id>?tanggal=`", f"/lokasi/{office.id}?tanggal={day}"),
            ("booking form `/pesan/<slot>`", f"/pesan/{slot.id}"),
            ("confirmation with QR `/janji/<code>`", f"/janji/{code}?s={sig}"),
            ("look-up `/cek`", "/cek"),
            ("reschedule `/janji/<code>/ubah`", f"/janji/{code}/ubah?s={sig}&tanggal={day}"),
            ("cancel `/janji/<code>/batal`", f"/janji/{code}/batal?s={sig}"),
        ]
        db.session.remove()
        return pages


def measure(browser, base, path, runs, throttle, warm=False):
    """Cold loads (cache disabled), or with warm=True a second load of the page after a
    first one filled the browser's cache."""
    sizes, times, requests, hosts, breakdown = [], [], 0, set(), {}
    for _ in range(runs):
        context = browser.new_context(locale="id-ID", **support.PHONE)
        page = context.new_page()
        meter = support.Meter(page, throttle=throttle, cold=not warm)
        if warm:
            meter.load(base + path)
        size, millis = meter.load(base + path)
        sizes.append(size)
        times.append(millis)
        requests = len([u for u in meter.urls if not u.startswith("data:")])
        hosts |= meter.hosts()
        breakdown = dict(meter.sizes)
        context.close()
    return {
        "bytes": max(sizes),
        "ms": statistics.median(times),
        "requests": requests,
        "hosts": hosts,
        "breakdown": breakdown,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="loads per page (median time)")
    parser.add_argument("--verbose", action="store_true", help="bytes of every request")
    args = parser.parse_args()
    reason = support.chromium_missing()
    if reason:
        raise SystemExit(reason)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as workdir:
        app = build_app(workdir)
        pages = resident_pages(app)
        server = support.LiveServer(app).start()
        try:
            with sync_playwright() as pw:
                browser = support.launch(pw)
                print(f"Chromium {browser.version}; slow 3G = 400 ms, 400 kbit/s down and up\n")
                print(
                    "| page | requests | transferred | load on slow 3G "
                    "| again, cache filled | load unthrottled |"
                )
                print("| --- | ---: | ---: | ---: | ---: | ---: |")
                for name, path in pages:
                    slow = measure(browser, server.url, path, args.runs, support.SLOW_3G)
                    again = measure(browser, server.url, path, args.runs, support.SLOW_3G, True)
                    fast = measure(browser, server.url, path, args.runs, None)
                    if slow["hosts"] != {"127.0.0.1"}:
                        raise SystemExit(f"{path} asked other hosts: {slow['hosts']}")
                    print(
                        f"| {name} | {slow['requests']} | {slow['bytes'] / 1000:.1f} kB "
                        f"| {slow['ms'] / 1000:.2f} s | {again['ms'] / 1000:.2f} s "
                        f"| {fast['ms']:.0f} ms |"
                    )
                    if args.verbose:
                        for url, size in slow["breakdown"].items():
                            if url.startswith("data:"):
                                continue
                            print(f"|   {url.removeprefix(server.url)} | | {size} B | | |")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
