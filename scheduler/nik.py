"""The only code that sees a full NIK: validation, encryption at rest, keyed hash, mask.

A NIK is `PP KK CC DDMMYY SSSS`: province, regency, kecamatan, birth date (women's day
+ 40) and a serial. See docs/domain.md.
"""

import base64
import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import regions
from scheduler.errors import BirthDateMismatch, ValidationError

PROVINCE_CODES = frozenset(
    [*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77)]
    + [81, 82, *range(91, 97)]
)
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class NikInfo:
    province: int
    regency: int
    kecamatan: int
    day: int
    month: int
    year2: int
    female: bool
    serial: int


def normalize_nik(raw):
    """Strip the spaces, dots and dashes people type inside a NIK."""
    return _SEPARATORS.sub("", raw or "")


def _date_exists(day, month, year2):
    for century in (1900, 2000):
        try:
            date(century + year2, month, day)
            return True
        except ValueError:
            continue
    return False


def parse_nik(raw, field="nik"):
    """Validate a NIK's structure and return what it encodes; raises ValidationError."""
    nik = normalize_nik(raw)

    def fail(message):
        raise ValidationError(fields={field: message})

    if not nik:
        fail(_l("NIK wajib diisi."))
    if not nik.isascii() or not nik.isdigit():
        fail(_l("NIK hanya berisi angka."))
    if len(nik) != 16:
        fail(_l("NIK harus 16 digit (Anda mengisi %(n)s digit).", n=len(nik)))
    province, regency, kecamatan = int(nik[0:2]), int(nik[2:4]), int(nik[4:6])
    if province not in PROVINCE_CODES:
        fail(_l("Dua digit pertama NIK bukan kode provinsi yang berlaku."))
    if regency == 0:
        fail(_l("Kode kabupaten/kota dalam NIK (digit 3-4) tidak boleh 00."))
    if kecamatan == 0:
        fail(_l("Kode kecamatan dalam NIK (digit 5-6) tidak boleh 00."))
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    if female:
        day -= 40
    if not (1 <= month <= 12 and 1 <= day <= 31 and _date_exists(day, month, year2)):
        fail(_l("Tanggal lahir dalam NIK (digit 7-12) bukan tanggal yang ada."))
    serial = int(nik[12:16])
    if serial == 0:
        fail(_l("Nomor urut NIK (4 digit terakhir) tidak boleh 0000."))
    return NikInfo(province, regency, kecamatan, day, month, year2, female, serial)


def check_region(info, field="nik"):
    """Refuse a NIK whose first six digits are not an existing kecamatan of Indonesia,
    saying so in words (a NIK of any other regency is fine)."""
    code = f"{info.province:02d}{info.regency:02d}{info.kecamatan:02d}"
    if regions.is_kecamatan(code):
        return
    dotted = f"{code[:2]}.{code[2:4]}.{code[4:]}"
    regency = regions.regency_name(code[:4])
    if regency:
        message = _l(
            "Enam digit pertama NIK (%(code)s) bukan kecamatan yang ada: %(regency)s tidak "
            "memiliki kecamatan bernomor %(number)s. Periksa NIK pada Kartu Keluarga; jika NIK "
            "Anda memang benar, silakan datang ke loket Disdukcapil.",
            code=dotted,
            regency=regency,
            number=code[4:],
        )
    else:
        message = _l(
            "Enam digit pertama NIK (%(code)s) bukan kode kecamatan yang ada di Indonesia: "
            "kabupaten/kota %(regency_code)s tidak dikenal. Periksa NIK pada Kartu Keluarga; "
            "jika NIK Anda memang benar, silakan datang ke loket Disdukcapil.",
            code=dotted,
            regency_code=dotted[:5],
        )
    raise ValidationError(fields={field: message})


def home_regency(nik_or_masked):
    """The name of the regency a NIK (or a masked one: its first four digits) was issued
    in, or None for a code the region data does not hold."""
    return regions.regency_name((nik_or_masked or "")[:4])


def matches_birth_date(info, birth_date):
    """True when the birth date given agrees with the one encoded in the NIK."""
    return (
        info.day == birth_date.day
        and info.month == birth_date.month
        and info.year2 == birth_date.year % 100
    )


def check_birth_date(info, birth_date, field="birth_date"):
    """Refuse a birth date that does not match the NIK, sending the resident to the desk."""
    if not matches_birth_date(info, birth_date):
        raise BirthDateMismatch(
            fields={
                field: _l(
                    "Tanggal lahir tidak cocok dengan NIK. Jika data Anda benar, silakan "
                    "datang ke loket Disdukcapil; petugas dapat memeriksa dan menerimanya."
                )
            }
        )


def mask_nik(raw):
    """`3319**********01`: the first four and last two digits."""
    nik = normalize_nik(raw)
    return nik[:4] + "*" * (len(nik) - 6) + nik[-2:]


def _derive(secret, label):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


def _fernet_for(enc_key, secret):
    if enc_key:
        try:
            return Fernet(enc_key)
        except ValueError:  # not a Fernet key: derive one from the passphrase
            return Fernet(base64.urlsafe_b64encode(_derive(enc_key, b"antre-nik-enc")))
    return Fernet(base64.urlsafe_b64encode(_derive(secret, b"antre-nik-enc")))


@functools.lru_cache(maxsize=8)
def _fernet(enc_keys, secret):
    """Every configured key decrypts; the first encrypts (MultiFernet)."""
    return MultiFernet([_fernet_for(key, secret) for key in enc_keys])


@functools.lru_cache(maxsize=8)
def _first_fernet(enc_keys, secret):
    return _fernet_for(enc_keys[0], secret)


@functools.lru_cache(maxsize=16)
def _hash_key(hash_key, secret):
    return _derive(hash_key or secret, b"antre-nik-hash")


def _listed(value):
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(value)


def _keys():
    """(encryption keys, hash keys, SECRET_KEY): NIK_ENCRYPTION_KEYS / NIK_HASH_KEYS (the
    first writes, every one reads), else the single NIK_ENCRYPTION_KEY / NIK_HASH_KEY,
    else keys derived from SECRET_KEY."""
    cfg = current_app.config
    enc = _listed(cfg.get("NIK_ENCRYPTION_KEYS")) or (cfg.get("NIK_ENCRYPTION_KEY"),)
    hashes = _listed(cfg.get("NIK_HASH_KEYS")) or (cfg.get("NIK_HASH_KEY"),)
    return enc, hashes, cfg["SECRET_KEY"]


def encrypt_nik(raw):
    """Encrypt a NIK for storage (Fernet: AES-128-CBC with HMAC-SHA256), under the first key."""
    enc_keys, _, secret = _keys()
    return _fernet(enc_keys, secret).encrypt(normalize_nik(raw).encode()).decode()


def decrypt_nik(token):
    """The stored NIK in clear; only for the desk's verification and exports by law."""
    enc_keys, _, secret = _keys()
    try:
        return _fernet(enc_keys, secret).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("NIK ciphertext does not decrypt with the configured keys") from exc


def is_under_first_key(token):
    """True when a stored NIK already decrypts with the first (writing) key alone."""
    enc_keys, _, secret = _keys()
    try:
        _first_fernet(enc_keys, secret).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def _digest(key, raw):
    return hmac.new(key, normalize_nik(raw).encode(), hashlib.sha256).hexdigest()


def hash_nik(raw):
    """Keyed hash (HMAC-SHA256) for uniqueness and look-up, under the first hash key; not
    reversible without the key."""
    _, hash_keys, secret = _keys()
    return _digest(_hash_key(hash_keys[0], secret), raw)


def hash_candidates(raw):
    """The NIK's hash under every configured hash key, the writing key's first: while a
    rotation runs, a stored row may still hold a hash under an older key."""
    _, hash_keys, secret = _keys()
    return [_digest(_hash_key(key, secret), raw) for key in hash_keys]


def older_hashes(raw):
    """The NIK's hashes under the keys being rotated away ([] outside a rotation)."""
    _, hash_keys, secret = _keys()
    return [_digest(_hash_key(key, secret), raw) for key in hash_keys[1:]]


def nik_matches(raw, stored_hash):
    """Constant-time comparison of a typed NIK with a stored hash (under any configured key)."""
    return any(hmac.compare_digest(h, stored_hash or "") for h in hash_candidates(raw))


def is_rotating():
    """True while more than one encryption or hash key is configured."""
    enc_keys, hash_keys, _ = _keys()
    return len(enc_keys) > 1 or len(hash_keys) > 1


def key_fingerprint():
    """A short fingerprint of the writing keys (never the keys): it names a rotation's
    target, so that a rotation run again with the same keys resumes where it stopped."""
    enc_keys, hash_keys, secret = _keys()
    material = _derive(enc_keys[0] or secret, b"antre-fp-enc") + _hash_key(hash_keys[0], secret)
    return hashlib.sha256(material).hexdigest()[:16]


def region_digits(token):
    """The first six digits (province, regency, kecamatan of first registration) of a
    stored NIK, '' when it no longer decrypts; the rest of the NIK never leaves here."""
    try:
        return decrypt_nik(token)[:6] if token else ""
    except ValueError:
        return ""
