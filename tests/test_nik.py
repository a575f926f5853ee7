"""Property tests for the NIK: structure, birth date, sex, mask, encryption and keyed hash."""

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scheduler import nik as niks
from scheduler import regions
from scheduler.errors import ValidationError

PROVINCES = sorted(niks.PROVINCE_CODES)
# The official list (docs/domain.md), written out so a typo in the code's ranges shows.
OFFICIAL = [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53] + [
    61,
    62,
    63,
    64,
    65,
    71,
    72,
    73,
    74,
    75,
    76,
    81,
    82,
    91,
    92,
    93,
    94,
    95,
    96,
]

# The autouse fixtures of conftest (clock, rate limits) are function-scoped but harmless here.
props = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
few = settings(props, max_examples=60)

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def valid_niks(draw):
    """(nik, birth_date, female) for any real date, province, non-zero codes and serial."""
    born = draw(birth_dates)
    female = draw(st.booleans())
    province = draw(st.sampled_from(PROVINCES))
    regency = draw(st.integers(1, 99))
    kecamatan = draw(st.integers(1, 99))
    serial = draw(st.integers(1, 9999))
    day = born.day + (40 if female else 0)
    nik = (
        f"{province:02d}{regency:02d}{kecamatan:02d}"
        f"{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    )
    return nik, born, female


def _error_field(raw):
    with pytest.raises(ValidationError) as info:
        niks.parse_nik(raw)
    return info.value.fields


def test_province_codes_are_the_official_list():
    assert sorted(niks.PROVINCE_CODES) == OFFICIAL


@props
@given(valid_niks())
def test_a_valid_nik_parses_and_round_trips_its_birth_date_and_sex(case):
    nik, born, female = case
    info = niks.parse_nik(nik)
    assert info.female is female
    assert (info.day, info.month, info.year2) == (born.day, born.month, born.year % 100)
    assert niks.matches_birth_date(info, born)
    niks.check_birth_date(info, born)  # does not raise
    assert info.serial == int(nik[12:])
    assert (info.province, info.regency, info.kecamatan) == (
        int(nik[:2]),
        int(nik[2:4]),
        int(nik[4:6]),
    )
    # Rebuilding the NIK from what was parsed gives the same 16 digits.
    day = info.day + (40 if info.female else 0)
    rebuilt = (
        f"{info.province:02d}{info.regency:02d}{info.kecamatan:02d}"
        f"{day:02d}{info.month:02d}{info.year2:02d}{info.serial:04d}"
    )
    assert rebuilt == nik


@props
@given(valid_niks(), st.sampled_from([" ", ".", "-"]))
def test_separators_people_type_are_ignored(case, sep):
    nik, born, _female = case
    typed = sep.join([nik[:2], nik[2:4], nik[4:6], nik[6:12], nik[12:]])
    assert niks.parse_nik(typed) == niks.parse_nik(nik)


@props
@given(valid_niks(), st.integers(1, 400))
def test_another_birth_date_is_refused(case, shift):
    nik, born, _female = case
    other = born + timedelta(days=shift) if born.year < 2099 else born - timedelta(days=shift)
    info = niks.parse_nik(nik)
    assert not niks.matches_birth_date(info, other)
    with pytest.raises(ValidationError) as exc:
        niks.check_birth_date(info, other)
    assert set(exc.value.fields) == {"birth_date"}


def test_a_century_apart_is_indistinguishable_from_the_nik():
    # The NIK holds two year digits only; the age rule, not the NIK, refuses 2099 for 1999.
    info = niks.parse_nik("3319020101990001")
    assert niks.matches_birth_date(info, date(1999, 1, 1))
    assert niks.matches_birth_date(info, date(2099, 1, 1))


def test_women_add_forty_to_the_day():
    info = niks.parse_nik("3319024703990001")
    assert info.female and info.day == 7 and info.month == 3
    men = niks.parse_nik("3319020703990001")
    assert not men.female and men.day == 7
    # Day 71 is a woman born on the 31st; day 72 does not exist.
    assert niks.parse_nik("3319027101990001").day == 31
    assert "nik" in _error_field("3319027201990001")
    # Days 32..40 are neither a man's nor a woman's day.
    for day in (32, 40):
        assert "nik" in _error_field(f"331902{day}0199" + "0001")


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "310299",  # 31 February
        "300201",  # 30 February
        "290201",  # 29 February in 1901 and 2001: neither leap
        "290299",  # 1999 and 2099: neither leap
        "310499",  # 31 April
        "000199",  # day 0
        "011399",  # month 13
        "010099",  # month 0
        "690201",  # a woman's 29 February in a non-leap year
    ],
)
def test_dates_that_do_not_exist_are_refused(ddmmyy):
    assert "nik" in _error_field("331902" + ddmmyy + "0001")


@pytest.mark.parametrize(
    "ddmmyy,why",
    [
        ("290200", "2000 is a leap year (1900 is not)"),
        ("290204", "1904 and 2004"),
        ("690296", "a woman's 29 February 1996"),
    ],
)
def test_29_february_is_accepted_when_either_century_is_leap(ddmmyy, why):
    assert niks.parse_nik("331902" + ddmmyy + "0001").month == 2, why


@props
@given(st.integers(0, 99), st.integers(1, 12), st.integers(1, 31))
@example(0, 2, 29)
@example(1, 2, 29)
def test_date_check_considers_both_centuries(year2, month, day):
    exists = any(day <= calendar.monthrange(century + year2, month)[1] for century in (1900, 2000))
    nik = f"331902{day:02d}{month:02d}{year2:02d}0001"
    if exists:
        assert niks.parse_nik(nik).day == day
    else:
        assert "nik" in _error_field(nik)


@props
@given(st.integers(0, 99).filter(lambda p: p not in niks.PROVINCE_CODES))
def test_unknown_province_codes_are_refused(province):
    assert "nik" in _error_field(f"{province:02d}19020101990001")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "33190201019900011",  # 17 digits
        "3319ab0101990001",
        "331902010199000１",  # a full-width digit is not ASCII
        "3300020101990001",  # regency 00
        "3319000101990001",  # kecamatan 00
        "3319020101990000",  # serial 0000
    ],
)
def test_malformed_niks_are_refused_on_the_nik_field(raw):
    assert "nik" in _error_field(raw)


def test_the_field_name_can_be_chosen():
    with pytest.raises(ValidationError) as info:
        niks.parse_nik("1", field="rows.nik")
    assert set(info.value.fields) == {"rows.nik"}


@props
@given(valid_niks())
def test_mask_shows_the_first_four_and_last_two(case):
    nik, _born, _female = case
    masked = niks.mask_nik(nik)
    assert masked == nik[:4] + "**********" + nik[-2:]
    assert len(masked) == 16 and masked.count("*") == 10
    assert niks.mask_nik(f"{nik[:4]} {nik[4:8]}.{nik[8:12]}-{nik[12:]}") == masked


def test_mask_format_example():
    assert niks.mask_nik("3319020101990001") == "3319**********01"


# ------------------------------------------------------------------- encryption and hash


@pytest.fixture(scope="module")
def app_ctx(app):
    with app.app_context():
        yield app


@few
@given(case=valid_niks())
def test_encryption_round_trips_and_hides_the_nik(app_ctx, case):
    nik, _born, _female = case
    token = niks.encrypt_nik(nik)
    assert nik not in token
    assert niks.decrypt_nik(token) == nik
    # Fernet uses a fresh IV: the same NIK never encrypts to the same text twice.
    assert niks.encrypt_nik(nik) != token


def test_decrypting_with_another_key_fails(app_ctx):
    token = niks.encrypt_nik("3319020101990001")
    app_ctx.config["NIK_ENCRYPTION_KEY"] = "another-key"
    try:
        with pytest.raises(ValueError):
            niks.decrypt_nik(token)
    finally:
        app_ctx.config["NIK_ENCRYPTION_KEY"] = "test-nik-encryption"
    assert niks.decrypt_nik(token) == "3319020101990001"


def test_a_real_fernet_key_is_used_as_it_is(app_ctx):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    app_ctx.config["NIK_ENCRYPTION_KEY"] = key
    try:
        token = niks.encrypt_nik("3319020101990001")
        assert Fernet(key).decrypt(token.encode()) == b"3319020101990001"
    finally:
        app_ctx.config["NIK_ENCRYPTION_KEY"] = "test-nik-encryption"


@few
@given(case=valid_niks(), other=valid_niks())
def test_hash_is_stable_keyed_and_normalised(app_ctx, case, other):
    nik = case[0]
    digest = niks.hash_nik(nik)
    assert len(digest) == 64 and nik not in digest
    assert niks.hash_nik(nik) == digest
    assert niks.hash_nik(f"{nik[:6]} {nik[6:12]} {nik[12:]}") == digest
    assert niks.nik_matches(nik, digest)
    if other[0] != nik:
        assert niks.hash_nik(other[0]) != digest
        assert not niks.nik_matches(other[0], digest)
    app_ctx.config["NIK_HASH_KEY"] = "a-different-hash-key"
    try:
        assert niks.hash_nik(nik) != digest
    finally:
        app_ctx.config["NIK_HASH_KEY"] = "test-nik-hash"
    assert niks.hash_nik(nik) == digest


def test_hash_falls_back_to_the_secret_key_and_still_depends_on_it(app_ctx):
    saved = app_ctx.config["NIK_HASH_KEY"], app_ctx.config["SECRET_KEY"]
    try:
        app_ctx.config["NIK_HASH_KEY"] = None
        first = niks.hash_nik("3319020101990001")
        app_ctx.config["SECRET_KEY"] = "another-secret"
        assert niks.hash_nik("3319020101990001") != first
    finally:
        app_ctx.config["NIK_HASH_KEY"], app_ctx.config["SECRET_KEY"] = saved


KECAMATAN = sorted(regions._index().kecamatan)


@few
@given(st.sampled_from(KECAMATAN), birth_dates, st.integers(1, 9999))
def test_a_nik_of_any_kecamatan_of_indonesia_passes_the_region_check(ctx, code, born, serial):
    info = niks.parse_nik(f"{code}{born:%d%m%y}{serial:04d}")
    niks.check_region(info)


@pytest.mark.parametrize(
    "region, words",
    [
        ("331910", ["Kabupaten Kudus", "10"]),
        ("360399", ["Kabupaten Tangerang"]),
        ("339901", ["33.99"]),
    ],
)
def test_a_region_code_that_is_no_kecamatan_is_named_in_words(ctx, region, words):
    info = niks.parse_nik(f"{region}0101900001")
    with pytest.raises(ValidationError) as raised:
        niks.check_region(info)
    message = str(raised.value.fields["nik"])
    assert all(w in message for w in words) and "Kartu Keluarga" in message


def test_the_home_regency_of_a_masked_nik(ctx):
    assert niks.home_regency("3603**********01") == "Kabupaten Tangerang"
    assert niks.home_regency("7371") == "Kota Makassar"
    assert niks.home_regency("9199**********01") is None
