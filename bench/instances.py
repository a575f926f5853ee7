"""Private PostgreSQL and Redis servers on loopback for the fault and scale-out runs:
the runs stop, restart and kill them, so they never touch a shared server.

OwnPostgres: `initdb` + `pg_ctl` from the PostgreSQL binaries (PG_BIN, default
/usr/lib/postgresql/15/bin) in a temporary directory, trust authentication on
127.0.0.1 only, run as the `postgres` user when started as root (PostgreSQL refuses
root). OwnRedis: `redis-server` without persistence. Both are stopped by their own pid.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")


def postgres_available():
    """None when a private PostgreSQL can be started here, else the reason it cannot."""
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        return f"no PostgreSQL binaries in {PG_BIN}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run PostgreSQL as"
    return None


def redis_available():
    return None if shutil.which("redis-server") else "no redis-server on PATH"


def port_is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is free
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_port(port, up, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return True
        except OSError:
            if not up:
                return True
        time.sleep(0.05)
    return False


class OwnPostgres:
    """A PostgreSQL cluster of its own on 127.0.0.1:`port`."""

    def __init__(self, port, settings=None):
        if not port_is_free(port):
            raise RuntimeError(f"port {port} is taken")
        self.port = port
        self.dir = tempfile.mkdtemp(prefix=f"antre-pg-{port}-")
        self.data = os.path.join(self.dir, "data")
        self.settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": self.dir,
            "fsync": "on",
            "max_connections": "100",
            **(settings or {}),
        }
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8")
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as conf:
            conf.write(f"port = {port}\n")
            for key, value in self.settings.items():
                conf.write(f"{key} = '{value}'\n")

    @property
    def admin_url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool, *args, check=True):
        cmd = [os.path.join(PG_BIN, tool), *args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, cwd=self.dir)

    def start(self, timeout=30):
        log = os.path.join(self.dir, "server.log")
        self._run("pg_ctl", "-D", self.data, "-l", log, "-w", "-t", str(timeout), "start")
        return self

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def restart(self, mode="fast"):
        """Stop (every connection cut) and start again; returns (down, up) monotonic times."""
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")
        down = time.monotonic()
        self.start()
        return down, time.monotonic()

    def is_up(self):
        return (
            self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), check=False).returncode
            == 0
        )

    def pids(self):
        """The postmaster's pid and its children's (for CPU accounting)."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                main = int(f.readline())
        except (OSError, ValueError):
            return []
        try:
            with open(f"/proc/{main}/task/{main}/children") as f:
                return [main, *map(int, f.read().split())]
        except OSError:
            return [main]

    def destroy(self):
        pids = self.pids()
        self.stop("immediate")
        if pids and os.path.exists(f"/proc/{pids[0]}"):
            # pg_ctl gave up (a busy host): end the postmaster itself, by its own pid.
            os.kill(pids[0], signal.SIGQUIT)
            deadline = time.monotonic() + 30
            while os.path.exists(f"/proc/{pids[0]}") and time.monotonic() < deadline:
                time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnRedis:
    """A redis-server of its own on 127.0.0.1:`port`, no persistence."""

    def __init__(self, port):
        if not port_is_free(port):
            raise RuntimeError(f"port {port} is taken")
        self.port = port
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not _wait_port(self.port, True, 10):
            raise RuntimeError("redis-server did not start")
        return self

    def kill(self):
        """Gone at once (SIGKILL), as a crashed Redis."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        _wait_port(self.port, False, 10)

    def destroy(self):
        self.kill()
