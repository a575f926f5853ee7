"""The installable package: a wheel built from the source carries compiled catalogues,
the templates and the migrations, and an app installed from it (outside the checkout)
migrates its database and serves pages in Bahasa Indonesia and English."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What the wheel is built from; a copy, so that the build leaves nothing in the checkout.
SOURCE = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "requirements.txt")
SOURCE_DIRS = ("scheduler", "templates", "migrations")

pytestmark = pytest.mark.slow


def _catalogues():
    """Every translations folder's catalogue, as a path inside the package."""
    found = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "scheduler")):
        for name in (f for f in files if f.endswith(".po")):  # wtforms.po too
            rel = os.path.relpath(os.path.join(folder, name[: -len(".po")] + ".mo"), ROOT)
            found.append(rel.replace(os.sep, "/"))
    return sorted(found)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    for name in SOURCE:
        shutil.copy(os.path.join(ROOT, name), src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in SOURCE_DIRS:
        shutil.copytree(os.path.join(ROOT, name), src / name, ignore=ignore)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "-w", str(dist), str(src)],
        check=True,
        capture_output=True,
        cwd=src,
    )
    (path,) = dist.glob("antre_ktp-*.whl")
    return path


def test_the_wheel_carries_compiled_catalogues_templates_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    catalogues = _catalogues()
    assert len(catalogues) >= 7  # the core's and each feature's
    assert set(catalogues) <= names
    for shipped in (
        "scheduler/templates/base.html",
        "scheduler/templates/appointments/home.html",
        "scheduler/migrations/env.py",
        "scheduler/migrations/alembic.ini",
        "scheduler/static/css/app.css",
        "scheduler/static/js/area.js",
    ):
        assert shipped in names
    assert any(n.startswith("scheduler/migrations/versions/") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


INSTALLED_APP = textwrap.dedent(
    """
    import json
    import sys
    import scheduler
    assert scheduler.__file__.startswith(sys.argv[1]), scheduler.__file__
    from flask_migrate import upgrade
    from scheduler import create_app

    app = create_app({"DATABASE_URL": "sqlite:///" + sys.argv[2], "SCHEDULER_ENV": "testing"})
    with app.app_context():
        upgrade()
    client = app.test_client()
    answers = {}
    for path in ("/", "/?lang=en", "/static/css/app.css"):
        answer = client.get(path)
        answers[path] = [answer.status_code, answer.get_data(as_text=True)]
    print(json.dumps(answers))
    """
)


def test_an_installed_app_serves_indonesian_and_english(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
        + ["--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SCHEDULER_CONFIG", "DATABASE_URL")}
    env["PYTHONPATH"] = str(site)
    run = subprocess.run(
        [sys.executable, "-c", INSTALLED_APP, str(site), str(tmp_path / "app.db")],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: only the installed package can be imported
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    answers = json.loads(run.stdout.strip().splitlines()[-1])
    status, indonesian = answers["/"]
    assert status == 200
    assert "Pesan jadwal perekaman KTP-el" in indonesian  # the appointments feature's
    assert "Langsung ke isi" in indonesian  # the core's catalogue
    status, english = answers["/?lang=en"]
    assert status == 200
    assert "Book an e-KTP recording" in english
    assert "Skip to content" in english
    assert "Pesan jadwal perekaman" not in english
    assert answers["/static/css/app.css"][0] == 200
