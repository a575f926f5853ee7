"""Region data: every regency of Indonesia from the packaged data, its kecamatan, desa and
kelurahan, its zone; REGENCY_CODE chooses one and an unknown code refuses to start."""

import pytest
from lokal import wilayah

from scheduler import create_app, regions
from scheduler.config import ConfigError

# code: name, kind, zone, kecamatan, desa, kelurahan (the Kepmendagri figures)
REGENCIES = {
    "33.19": ("Kabupaten Kudus", "kabupaten", "Asia/Jakarta", 9, 123, 9),
    "36.03": ("Kabupaten Tangerang", "kabupaten", "Asia/Jakarta", 29, 246, 28),
    "12.77": ("Kota Padangsidimpuan", "kota", "Asia/Jakarta", 6, 42, 37),
    "73.71": ("Kota Makassar", "kota", "Asia/Makassar", 15, 0, 153),
}


def test_the_data_covers_all_of_indonesia():
    index = regions._index()
    assert len(index.provinces) == 38
    assert len(index.regencies) == 514
    assert len(index.kecamatan) > 7000
    assert sum(name.startswith("Kota ") for name in index.regencies.values()) == 98


@pytest.mark.parametrize("code", sorted(REGENCIES))
def test_a_regency_has_its_name_kind_zone_kecamatan_and_desa(code):
    name, kind, zone, kecamatan, desa, kelurahan = REGENCIES[code]
    regency = regions.regency(code)
    assert (regency.code, regency.name, regency.kind, regency.timezone) == (code, name, kind, zone)
    assert len(regency.kecamatan) == kecamatan
    units = [d for k in regency.kecamatan for d in k.desa]
    assert sum(d.kind == "desa" for d in units) == desa
    assert sum(d.kind == "kelurahan" for d in units) == kelurahan
    assert all(d.code.startswith(k.code + ".") for k in regency.kecamatan for d in k.desa)


@pytest.mark.parametrize("code", ["33.19", "12.77", "91.03", "96.71"])
def test_what_is_read_agrees_with_the_packages_own_api(code):
    """The regency's part is read from the package's files without its API (which holds
    all 83,000 desa in memory); both must give the same kecamatan, desa and kinds."""
    regency = regions.regency(code)
    expected = {
        k.code: {
            (d.code, d.name, "desa" if d.type == "desa_adat" else d.type)
            for d in wilayah.list_wilayah(k.code)
        }
        for k in wilayah.list_wilayah(code)
    }
    got = {k.code: {(d.code, d.name, d.kind) for d in k.desa} for k in regency.kecamatan}
    assert got == expected
    assert [k.name for k in regency.kecamatan] == [k.name for k in wilayah.list_wilayah(code)]


def test_kudus_has_the_nine_kecamatan_of_its_region_codes():
    kudus = regions.regency("3319")
    assert [(k.code, k.name) for k in kudus.kecamatan] == [
        ("33.19.01", "Kaliwungu"),
        ("33.19.02", "Kota Kudus"),
        ("33.19.03", "Jati"),
        ("33.19.04", "Undaan"),
        ("33.19.05", "Mejobo"),
        ("33.19.06", "Jekulo"),
        ("33.19.07", "Bae"),
        ("33.19.08", "Gebog"),
        ("33.19.09", "Dawe"),
    ]
    kota = kudus.find_kecamatan("kota  kudus")
    assert kota is kudus.find_kecamatan("33.19.02")
    assert kota.find_desa("PURWOSARI").kind == "kelurahan"
    assert kota.find_desa("kramat").kind == "desa"
    assert kudus.find_kecamatan("Dawe").find_desa("Colo").kind == "desa"
    assert kudus.find_kecamatan("Dawe").find_desa("Kramat") is None


@pytest.mark.parametrize(
    "province, zone",
    [
        ("11", "Asia/Jakarta"),  # Aceh
        ("31", "Asia/Jakarta"),  # Jakarta
        ("61", "Asia/Jakarta"),  # Kalimantan Barat
        ("62", "Asia/Jakarta"),  # Kalimantan Tengah
        ("63", "Asia/Makassar"),  # Kalimantan Selatan
        ("64", "Asia/Makassar"),  # Kalimantan Timur
        ("65", "Asia/Makassar"),  # Kalimantan Utara
        ("51", "Asia/Makassar"),  # Bali
        ("52", "Asia/Makassar"),  # NTB
        ("53", "Asia/Makassar"),  # NTT
        ("71", "Asia/Makassar"),  # Sulawesi Utara
        ("75", "Asia/Makassar"),  # Gorontalo
        ("76", "Asia/Makassar"),  # Sulawesi Barat
        ("81", "Asia/Jayapura"),  # Maluku
        ("82", "Asia/Jayapura"),  # Maluku Utara
        ("91", "Asia/Jayapura"),  # Papua
        ("96", "Asia/Jayapura"),  # Papua Barat Daya
    ],
)
def test_the_zone_comes_from_the_province(province, zone):
    assert regions.timezone_of(province) == zone


def test_every_province_has_one_of_the_three_zones():
    zones = {regions.timezone_of(p) for p in regions._index().provinces}
    assert zones == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}


@pytest.mark.parametrize(
    "raw, code", [("33.19", "33.19"), ("3319", "33.19"), (" 73.71 ", "73.71"), ("33.19.01", None)]
)
def test_codes_are_read_with_or_without_the_dot(raw, code):
    assert regions.normalize_code(raw) == code


@pytest.mark.parametrize("code", ["99.99", "33.99", "33", "33.19.02", "kudus", ""])
def test_an_unknown_regency_code_refuses_to_start(database_url, code):
    with pytest.raises(ConfigError, match="REGENCY_CODE .* is not a regency or city") as info:
        create_app({"SCHEDULER_ENV": "testing", "DATABASE_URL": database_url, "REGENCY_CODE": code})
    assert "33.19" in str(info.value)  # says what a code looks like


def test_the_name_and_zone_come_from_the_code_unless_overridden(database_url):
    app = create_app(
        {"SCHEDULER_ENV": "testing", "DATABASE_URL": database_url, "REGENCY_CODE": "7371"}
    )
    assert app.config["REGENCY_CODE"] == "73.71"
    assert app.config["REGENCY_NAME"] == "Kota Makassar"
    assert app.config["REGENCY_TIMEZONE"] == "Asia/Makassar"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Makassar"
    app = create_app(
        {
            "SCHEDULER_ENV": "testing",
            "DATABASE_URL": database_url,
            "REGENCY_CODE": "73.71",
            "REGENCY_NAME": "Pemerintah Kota Makassar",
            "REGENCY_TIMEZONE": "Asia/Jakarta",
        }
    )
    assert app.config["REGENCY_NAME"] == "Pemerintah Kota Makassar"
    assert app.config["REGENCY_TIMEZONE"] == "Asia/Jakarta"


def test_a_zone_outside_indonesia_is_refused(database_url):
    with pytest.raises(ConfigError, match="REGENCY_TIMEZONE"):
        create_app(
            {
                "SCHEDULER_ENV": "testing",
                "DATABASE_URL": database_url,
                "REGENCY_TIMEZONE": "Europe/Amsterdam",
            }
        )


def test_the_regency_api_answers_the_configured_regency(client, use_regency):
    use_regency("12.77")
    body = client.get("/api/v1/regency").get_json()
    assert (body["code"], body["name"], body["kind"], body["timezone"]) == (
        "12.77",
        "Kota Padangsidimpuan",
        "kota",
        "Asia/Jakarta",
    )
    assert [k["code"] for k in body["kecamatan"]] == [f"12.77.0{i}" for i in range(1, 7)]
    units = [d for k in body["kecamatan"] for d in k["desa"]]
    assert len(units) == 79 and {d["kind"] for d in units} == {"desa", "kelurahan"}
    assert set(units[0]) == {"code", "name", "kind"}


def test_the_regency_api_uses_the_name_and_zone_overrides(client, use_regency):
    use_regency("73.71", REGENCY_NAME="Kota Makassar (uji)")
    body = client.get("/api/v1/regency").get_json()
    assert body["name"] == "Kota Makassar (uji)" and body["timezone"] == "Asia/Makassar"
    assert {d["kind"] for k in body["kecamatan"] for d in k["desa"]} == {"kelurahan"}


def test_the_regency_api_defaults_to_kudus(client):
    body = client.get("/api/v1/regency").get_json()
    assert (body["code"], body["name"], body["kind"]) == ("33.19", "Kabupaten Kudus", "kabupaten")
    assert sum(len(k["desa"]) for k in body["kecamatan"]) == 132
