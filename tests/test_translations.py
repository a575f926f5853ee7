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
