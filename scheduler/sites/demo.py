"""Demo data: Kabupaten Kudus sites, their weekly hours, and slots."""

from datetime import time

import sqlalchemy as sa

from scheduler import regions
from scheduler.extensions import db
from scheduler.sites import services
from scheduler.sites.models import Site


def _t(text):
    return None if text is None else time.fromisoformat(text)


def seed(echo):
    data = regions.load("kudus")
    kecamatan = regions.kecamatan_by_code("kudus")
    for spec in data["sites"]:
        existing = db.session.scalar(sa.select(Site).where(Site.name == spec["name"]))
        fields = {
            "name": spec["name"],
            "kind": spec["kind"],
            "address": spec["address"],
            "kecamatan": kecamatan[spec["kecamatan_code"]]["name"],
            "kecamatan_code": spec["kecamatan_code"],
            "desa": spec["desa"],
            "timezone": data["regency"]["timezone"],
            "stations": spec["stations"],
            "slot_minutes": spec["slot_minutes"],
            "active": True,
        }
        site = services.save_site(existing.id if existing else None, **fields)
        if spec["hours"]:
            week = {
                int(day): tuple(_t(v) for v in span)
                for day, span in data["hours"][spec["hours"]].items()
            }
            services.set_weekly_hours(site.id, week)
    report = services.generate_slots()
    echo(
        f"sites: {len(data['sites'])} Kudus sites; slots created {report['created']}, "
        f"updated {report['updated']}, conflicts {len(report['conflicts'])}"
    )
