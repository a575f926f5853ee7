"""gunicorn settings for Antre KTP-el: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS,
...) so that the systemd unit and the container share this one file.
"""

import gc
import os
import shutil

# An installed package ("scheduler:create_app()") or a checkout's wsgi.py ("wsgi:app").
wsgi_app = os.environ.get("GUNICORN_APP", "scheduler:create_app()")
# Loopback only: nginx in front terminates TLS and serves the static files.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: measured fastest for the booking burst on two cores (bench/README.md).
# About two per core; each holds at most one request at a time.
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "sync"
# A request never takes this long; a stuck worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 2
# Restart each worker after this many requests (plus jitter), so that no slow leak in a
# library can grow for months.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
# Request lines and headers: generous for a QR token in a URL, refuses absurd ones.
limit_request_line = 4094
limit_request_fields = 60
# gunicorn's own access log stays off: it would carry paths and queries (booking codes,
# signatures). The app writes one JSON line per request without them
# (scheduler/requestlog.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client's address and scheme come from X-Forwarded-* through the app's ProxyFix
# (PROXY_COUNT), not from gunicorn.
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "antre-web"

# Prometheus metrics shared by the workers (prometheus_client's multiprocess mode): each
# worker writes its counters to files in this folder; /metrics adds them up.
METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):
    """Start from an empty metrics folder: files of an earlier run would be counted again."""
    if METRICS_DIR:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)
        os.makedirs(METRICS_DIR, exist_ok=True)


def post_worker_init(worker):
    """What the app built at start-up lives as long as the worker: keep it out of the
    garbage collector's way (as wsgi.py does)."""
    gc.freeze()


def child_exit(server, worker):
    """A worker's gauges (live processes only) leave with it; its counters stay counted."""
    if METRICS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
