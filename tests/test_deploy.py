"""The deployment files in deploy/, Containerfile and compose.yaml: checked with the tools
that read them where this machine has them (nginx -t, systemd-analyze verify), and for
consistency with the repository where it has not (no container engine runs here)."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(ROOT, "deploy")
BIN = os.path.dirname(sys.executable)


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    openssl = shutil.which("openssl")
    if not os.path.exists(nginx) or not openssl:
        pytest.skip("nginx or openssl is not installed")
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=antre.example.go.id", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site = (
        _read("deploy", "nginx", "antre.conf")
        .replace("/etc/letsencrypt/live/antre.example.go.id/", f"{tmp_path}/")
        .replace(
            "/etc/nginx/antre_proxy_params", os.path.join(DEPLOY, "nginx", "antre_proxy_params")
        )
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n include /etc/nginx/mime.types;\n include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    units = sorted(os.listdir(os.path.join(DEPLOY, "systemd")))
    assert {"antre-web.service", "antre-worker.service"} <= set(units)
    for name in units:
        text = (
            _read("deploy", "systemd", name)
            .replace("/srv/antre/venv/bin/", BIN + "/")
            .replace("/srv/antre/deploy/", DEPLOY + "/")
        )
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *[str(tmp_path / n) for n in units]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    # Unknown keys and bad values are only warnings: any output is a finding.
    assert done.returncode == 0 and not done.stdout + done.stderr, done.stdout + done.stderr


def test_the_gunicorn_config_is_valid_and_serves_the_installed_package(tmp_path):
    config = {}
    with open(os.path.join(DEPLOY, "gunicorn.conf.py"), encoding="utf-8") as f:
        exec(compile(f.read(), "gunicorn.conf.py", "exec"), config)  # noqa: S102
    assert config["wsgi_app"] == "scheduler:create_app()"
    assert config["accesslog"] is None  # gunicorn's log would carry paths and queries
    done = subprocess.run(
        [os.path.join(BIN, "gunicorn"), "--check-config", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/check.db"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_compose_runs_postgres_redis_migrate_web_and_worker():
    compose = yaml.safe_load(_read("compose.yaml"))
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker"}
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on an unknown service {needed}"
    assert services["migrate"]["command"][-2:] == ["db", "upgrade"]
    assert services["worker"]["command"][-2:] == ["jobs", "run"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    env = services["web"]["environment"]
    assert env["SCHEDULER_ENV"] == "production" and env["PROXY_COUNT"] == "1"
    assert "@postgres:5432/" in env["DATABASE_URL"] and env["REDIS_URL"].startswith("redis://redis")
    # Every variable compose.yaml takes from .env is in the example .env.
    wanted = set(re.findall(r"\$\{([A-Z_]+)", _read("compose.yaml")))
    example = set(re.findall(r"^([A-Z_]+)=", _read("deploy", "compose.env.example"), re.M))
    assert wanted <= example, wanted - example


def test_the_containerfile_copies_what_exists_and_runs_the_gunicorn_config():
    text = _read("Containerfile")
    for line in text.splitlines():
        if line.startswith("COPY") and "--from=" not in line:
            *sources, _target = line.split()[1:]
            for source in sources:
                assert os.path.exists(os.path.join(ROOT, source)), source
    assert "COPY deploy/gunicorn.conf.py /etc/antre/gunicorn.conf.py" in text
    assert '"--config", "/etc/antre/gunicorn.conf.py"' in text
    assert text.count("FROM ") == 2  # the build stage leaves no compiler in the image
