"""A person's name as we take it: visible characters only.

A name is printed on an attendance sheet, matched by staff against a Kartu Keluarga and
sent in messages. Control characters, bidirectional overrides (U+202E turns "Budi" into
what reads as another name), zero-width characters (two names that look the same but
differ) and other invisible format characters have no place in one; they mostly come
from copy and paste. Plain spaces are fine, and so is every letter, mark and punctuation
of any script.
"""

import unicodedata

from flask_babel import lazy_gettext as _l

from scheduler.errors import ValidationError

# Control, format (bidi controls, zero-width, soft hyphen...), private use, surrogates,
# unassigned, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})

MESSAGE = _l(
    "Nama berisi karakter tersembunyi atau karakter kontrol (sering terbawa saat menyalin). "
    "Ketik ulang nama Anda."
)


def hidden_characters(text):
    """The characters of `text` a name must not hold, in order (empty when it is clean)."""
    # Fast path: printable ASCII is always fine (nearly every name).
    if text.isascii() and text.isprintable():
        return []
    return [ch for ch in text if unicodedata.category(ch) in REFUSED_CATEGORIES]


def check_name(text, field="name"):
    """Raise ValidationError on `field` when `text` holds a hidden or control character."""
    if text and hidden_characters(text):
        raise ValidationError(fields={field: MESSAGE})
    return text
