"""Demo data: Kabupaten Kudus's sites, their weekly hours, and slots.

The main office and the nine kecamatan offices come from `regency setup` (the region
data's kecamatan); the demo then gives them addresses and adds schools and village halls.
"""

from datetime import time

import sqlalchemy as sa

from scheduler import regions
from scheduler.extensions import db
from scheduler.sites import regency, services
from scheduler.sites.models import Site

_DAY = (time(8), time(15, 30), time(12), time(13))
_FRIDAY = (time(8), time(15), time(11), time(13))
HOURS = {
    # Monday to Thursday 08:00-15:30, Friday with the prayer break, Saturday mornings.
    "office_saturday": {
        0: _DAY,
        1: _DAY,
        2: _DAY,
        3: _DAY,
        4: _FRIDAY,
        5: (time(8), time(12), None, None),
    },
    "school_wednesday": {2: (time(9), time(12), None, None)},
    "village_thursday": {3: (time(9), time(12), None, None)},
}
# name, kind, kecamatan code, desa, address, stations, hours (None: the setup's week or none)
SITES = [
    (
        "Kantor Disdukcapil Kabupaten Kudus",
        "office",
        "33.19.02",
        "Mlatinorowito",
        "Jl. Simpang Tujuh No. 1, Kudus",
        4,
        "office_saturday",
    ),
    (
        "Kecamatan Kaliwungu",
        "subdistrict",
        "33.19.01",
        "Kaliwungu",
        "Jl. Raya Kudus-Jepara, Kaliwungu",
        1,
        None,
    ),
    (
        "Kecamatan Kota Kudus",
        "subdistrict",
        "33.19.02",
        "Kramat",
        "Jl. Jenderal Sudirman, Kudus",
        2,
        None,
    ),
    (
        "Kecamatan Jati",
        "subdistrict",
        "33.19.03",
        "Jati Wetan",
        "Jl. Raya Kudus-Pati, Jati",
        1,
        None,
    ),
    ("Kecamatan Undaan", "subdistrict", "33.19.04", "Undaan Lor", "Jl. Raya Undaan", 1, None),
    ("Kecamatan Mejobo", "subdistrict", "33.19.05", "Mejobo", "Jl. Raya Mejobo", 1, None),
    (
        "Kecamatan Jekulo",
        "subdistrict",
        "33.19.06",
        "Jekulo",
        "Jl. Raya Kudus-Pati, Jekulo",
        1,
        None,
    ),
    ("Kecamatan Bae", "subdistrict", "33.19.07", "Bae", "Jl. Raya Bae", 1, None),
    ("Kecamatan Gebog", "subdistrict", "33.19.08", "Gondosari", "Jl. Raya Gebog", 1, None),
    ("Kecamatan Dawe", "subdistrict", "33.19.09", "Cendono", "Jl. Raya Kudus-Colo, Dawe", 1, None),
    (
        "SMA Negeri 1 Kudus",
        "school",
        "33.19.07",
        "Panjang",
        "Jl. Pramuka No. 41, Kudus",
        2,
        "school_wednesday",
    ),
    ("SMK Negeri 1 Kudus", "school", "33.19.02", "Purwosari", "Jl. Sunan Muria, Kudus", 2, None),
    (
        "MA NU Banat Kudus",
        "school",
        "33.19.02",
        "Kramat",
        "Jl. KH. Turaichan Adjhuri, Kudus",
        2,
        None,
    ),
    (
        "Balai Desa Colo",
        "village_hall",
        "33.19.09",
        "Colo",
        "Desa Colo, Dawe",
        1,
        "village_thursday",
    ),
    (
        "Balai Desa Wonosoco",
        "village_hall",
        "33.19.04",
        "Wonosoco",
        "Desa Wonosoco, Undaan",
        1,
        None,
    ),
    ("Balai Desa Rahtawu", "village_hall", "33.19.08", "Rahtawu", "Desa Rahtawu, Gebog", 1, None),
]


def seed(echo):
    regency.setup_regency()
    kudus = regions.current()
    for name, kind, kecamatan_code, desa, address, stations, hours in SITES:
        kecamatan = kudus.find_kecamatan(kecamatan_code)
        if kecamatan.find_desa(desa) is None:
            raise RuntimeError(f"demo site {name}: no desa {desa} in {kecamatan.name}")
        existing = db.session.scalar(sa.select(Site).where(Site.name == name))
        site = services.save_site(
            existing.id if existing else None,
            name=name,
            kind=kind,
            address=address,
            kecamatan=kecamatan.name,
            kecamatan_code=kecamatan.code,
            desa=desa,
            timezone=kudus.timezone,
            stations=stations,
            slot_minutes=30,
            active=True,
        )
        if hours:
            services.set_weekly_hours(site.id, HOURS[hours])
    report = services.generate_slots()
    echo(
        f"sites: {len(SITES)} Kudus sites; slots created {report['created']}, "
        f"updated {report['updated']}, conflicts {len(report['conflicts'])}"
    )
