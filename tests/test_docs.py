"""The project's own documentation keeps step with the code: docs/api.md lists exactly the
operations of the OpenAPI document and every command of the command line, and the docs
point at nothing outside the repository."""

import re
from pathlib import Path

import click

from scheduler.openapi import build_openapi

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"


def test_api_md_lists_exactly_the_openapi_operations(app):
    with app.app_context():
        document = build_openapi(app)
    operations = {
        (method.upper(), path)
        for path, ops in document["paths"].items()
        for method in ops
        if path.startswith("/api/")
    }
    listed = set(re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/api/[^`\s]+)`", API_DOC.read_text()))
    assert operations - listed == set(), "operations missing from docs/api.md"
    assert listed - operations == set(), "docs/api.md lists operations the code lacks"


def _commands(group, prefix=""):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def test_api_md_lists_every_command_of_the_project(app):
    ours = {"db upgrade", "seed-demo"} | {
        c
        for c in _commands(app.cli)
        if c.split()[0] in {"regency", "slots", "users", "jobs", "privacy", "nik"}
    }
    text = API_DOC.read_text()
    missing = [c for c in sorted(ours) if f"| `{c}" not in text]
    assert not missing, f"commands missing from docs/api.md: {missing}"


def test_the_docs_point_at_nothing_outside_the_repository():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text()
        assert not re.search(r"\.\./shared|\bAPI\.md|\bDOMAIN\.md|\bSTYLE\.md", text), path
        for target in re.findall(r"\]\(([^)#]+)\)", text):
            if not target.startswith(("http://", "https://")):
                assert (path.parent / target).exists(), f"{path.name} links to {target}"
