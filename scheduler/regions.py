"""Region tables (kecamatan, desa) kept as data files under scheduler/data/."""

import json
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


@lru_cache(maxsize=4)
def load(name="kudus"):
    """The parsed data file of a regency."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def kecamatan_by_code(name="kudus"):
    return {k["code"]: k for k in load(name)["kecamatan"]}
