"""`make run`'s last step: the development web server and the worker side by side, both
stopped by one Ctrl-C (or SIGTERM), without a traceback.

    python -m scheduler.devrun --host 127.0.0.1 --port 5000

Each runs in its own session, so the terminal's Ctrl-C reaches only this process, which
asks both to stop (SIGTERM: the worker finishes the messages in hand) and waits for
them. Should one of them end by itself (the port is taken), the other is stopped too and
the exit status is the first one's. The worker has no request to take the service's
address from: it gets PUBLIC_BASE_URL, http://HOST:PORT unless set.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

STOP_SECONDS = 10


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    # Lines a person reads in a terminal, unless the log format was chosen.
    env = {**os.environ, "LOG_FORMAT": os.environ.get("LOG_FORMAT") or "text"}
    worker_env = {**env}
    worker_env["PUBLIC_BASE_URL"] = env.get("PUBLIC_BASE_URL") or f"http://{args.host}:{args.port}"
    # Our own interpreter and commands; the host and port are the developer's.
    children = [
        subprocess.Popen([*flask, "jobs", "run"], env=worker_env, start_new_session=True),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [*flask, "run", "--host", args.host, "--port", str(args.port)],
            env=env,
            start_new_session=True,
        ),
    ]
    stopping = []

    def stop(signum, _frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    while not stopping:
        ended = [c for c in children if c.poll() is not None]
        if ended:
            status = ended[0].returncode or 1
            break
        time.sleep(0.2)
    _stop(children)
    if stopping:
        print("stopped: web and worker", flush=True)
        return 0
    return status


def _stop(children):
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    sys.exit(main())
