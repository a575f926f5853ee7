"""`make run`'s last step: web and worker together, both stopped by one Ctrl-C, quietly."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(sys.platform != "linux", reason="reads the process table with ps")
def test_one_ctrl_c_stops_web_and_worker_without_a_traceback(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SCHEDULER_CONFIG", "PUBLIC_BASE_URL")}
    env.update(DATABASE_URL="sqlite:///" + str(tmp_path / "run.db"), SCHEDULER_ENV="testing")
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scheduler.devrun", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the web app did not answer"
                time.sleep(0.5)
        children = _children(proc.pid)
        assert len(children) == 2  # the web app and the worker
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "worker started" in out or "started with" in out
    assert "stopped: web and worker" in out
    assert "Traceback" not in out
    time.sleep(0.5)
    assert [pid for pid in children if _alive(pid)] == []
