"""Every catalogue is complete: each Indonesian source string has its English text, with
the same placeholders."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1] / "scheduler"
CATALOGUES = sorted(ROOT.rglob("translations/en/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_there_are_catalogues():
    assert CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(path):
    with path.open("rb") as fh:
        catalog = read_po(fh)
    missing, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else message.string[0]
        if not text or message.fuzzy:
            missing.append(source)
        elif set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(text)):
            broken.append(source)
    assert not missing, f"untranslated in {path}: {missing[:5]}"
    assert not broken, f"placeholders differ in {path}: {broken[:5]}"


def test_a_source_string_has_one_english_text_in_every_catalogue():
    # The catalogues merge into one domain at run time, so a source string translated two
    # ways in two features shows one of them everywhere ("Tutup" as "Closed" on a button).
    # The same words with two meanings need two source strings.
    texts = {}
    for path in CATALOGUES:
        with path.open("rb") as fh:
            for message in read_po(fh):
                if message.id and isinstance(message.id, str) and message.string:
                    key = (message.context, message.id)
                    texts.setdefault(key, {})[str(path.relative_to(ROOT))] = message.string
    differing = {key: where for key, where in texts.items() if len(set(where.values())) > 1}
    assert not differing, f"translated differently: {list(differing.items())[:5]}"
