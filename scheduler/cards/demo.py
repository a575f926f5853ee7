"""Demo data: a plausible Kudus blank stock (deliveries, daily printing, some spoilage, an
announced delivery), the main office's printers, and a few residents in the print queue."""

from datetime import date, timedelta

import sqlalchemy as sa

from scheduler import clock
from scheduler import nik as niks
from scheduler.appointments import services as appointments
from scheduler.cards import ledger, services, stock
from scheduler.cards.models import CardRequest, StockEntry
from scheduler.db import transactional
from scheduler.extensions import db
from scheduler.sites.models import Site, Slot

OFFICE = "Kantor Disdukcapil Kabupaten Kudus"
RESIDENTS = [
    # name, birth date, female, married, recorded at
    ("Ahmad Fauzi", date(1994, 3, 12), False, True, OFFICE),
    ("Siti Nur Aisyah", date(2001, 8, 23), True, False, OFFICE),
    ("Bagus Prasetyo", date(1988, 11, 2), False, True, OFFICE),
    ("Dewi Kartika Sari", date(2009, 4, 17), True, False, "SMA Negeri 1 Kudus"),
    ("Rizky Maulana", date(2008, 1, 9), False, False, "Kecamatan Dawe"),
    ("Nur Hidayah", date(1967, 6, 30), True, True, OFFICE),
    ("Muhammad Ilham", date(2005, 12, 5), False, False, "Kecamatan Kota Kudus"),
    ("Lestari Wulandari", date(1999, 2, 14), True, True, OFFICE),
]


def _site(name):
    return db.session.scalar(sa.select(Site).where(Site.name == name))


@transactional
def _history(today):
    """Three months of ledger: two ministry allocations, printing on working days, and a
    few misprints and damaged blanks, ending with a short stock."""
    ledger.post_entry(
        "received",
        1500,
        entry_on=today - timedelta(days=80),
        reference="470/2211/Dukcapil/IX/2026",
    )
    ledger.post_entry(
        "received",
        1000,
        entry_on=today - timedelta(days=35),
        reference="470/2790/Dukcapil/XI/2026",
    )
    day = today - timedelta(days=79)
    while day < today:
        if day.weekday() < 5:
            # 45-53 cards a working day, until only a handful of blanks is left.
            used = min(45 + (day.toordinal() * 7) % 9, ledger.on_hand() - 5)
            if used > 0:
                ledger.post_entry("used", -used, entry_on=day, reference="cetak harian")
        day += timedelta(days=1)
    ledger.post_entry("received", 5, entry_on=today, reference="Pinjaman Disdukcapil Pati")
    ledger.spoil(3, "Salah cetak: foto bergeser (printer 2)")
    ledger.spoil(2, "Blangko tergores saat pengiriman")


def seed(echo):
    office = _site(OFFICE)
    if office is None:
        echo("cards: the Kudus sites are missing; run the sites demo first")
        return
    stock.save_print_site(office.id, printers=2, operators=2, cards_per_printer=120)
    today = services.today()
    if db.session.scalar(sa.select(sa.func.count()).select_from(StockEntry)) == 0:
        _history(today)
        stock.add_expected(
            2500, today + timedelta(days=24), note="Alokasi Ditjen Dukcapil tahap IV"
        )
    queued = 0
    for i, (name, birth, female, married, where) in enumerate(RESIDENTS, start=1):
        nik = f"331902{birth.day + (40 if female else 0):02d}{birth.month:02d}{birth.year % 100:02d}{7100 + i:04d}"
        if db.session.scalar(
            sa.select(CardRequest.id).where(CardRequest.nik_hash == niks.hash_nik(nik))
        ):
            continue
        site = _site(where) or office
        slot = db.session.scalar(
            sa.select(Slot)
            .where(Slot.site_id == site.id, Slot.booked_count < Slot.capacity)
            .order_by(Slot.starts_at)
        )
        if slot is None:
            continue
        _record(slot, nik, name, birth, married, i)
        queued += 1
    summary = stock.stock_summary()
    echo(
        f"cards: {summary['on_hand']} blanks on hand, {summary['reserved']} promised, "
        f"{summary['awaiting']} awaiting stock, {len(summary['expected'])} delivery announced; "
        f"{queued} residents added to the print queue"
    )


@transactional
def _record(slot, nik, name, birth, married, i):
    applicant = appointments.Applicant.of(
        nik=nik, name=name, birth_date=birth, phone=f"+6281290{i:06d}", married=married
    )
    appointment = appointments.book_into_slot(
        slot, applicant, channel="walk_in", status="checked_in"
    )
    appointment.status = "recorded"
    appointment.recorded_at = clock.now() - timedelta(minutes=60 - i)
    appointment.status_changed_at = appointment.recorded_at
    db.session.flush()
    services.on_recorded(appointment)
