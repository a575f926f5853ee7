"""Local stand-ins for the providers: an HTTP server (WhatsApp, SMS) that can succeed,
fail (500), time out or answer 429, and a real SMTP server (aiosmtpd) on loopback."""

import email
import json
import socket
import threading
import time
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeProvider:
    """A Cloud-API-style JSON endpoint on 127.0.0.1. `script` holds responses to give in
    order (then `default`): (status, headers, delay_seconds). Like a real provider, it
    accepts an Idempotency-Key it has seen again without delivering a second message."""

    def __init__(self, name="provider", delay=0.0):
        self.name = name
        self.requests = []
        self.seen = {}
        self.script = []
        self.default = (200, {}, delay)
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                with provider.lock:
                    status, headers, delay = (
                        provider.script.pop(0) if provider.script else provider.default
                    )
                if delay:
                    time.sleep(delay)
                key = self.headers.get("Idempotency-Key")
                with provider.lock:
                    replay = status < 300 and key in provider.seen
                    provider.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "json": body,
                            "status": status,
                            "replay": replay,
                        }
                    )
                    if status < 300 and not replay:
                        provider.seen[key] = f"{provider.name}.{len(provider.seen) + 1}"
                payload = (
                    {"messages": [{"id": provider.seen[key]}]}
                    if status < 300
                    else {"error": {"message": f"failure for {body.get('to')}"}}
                )
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/123456/messages?x=1"

    def answer(self, *responses):
        """Queue responses: each a status, or (status, headers), or (status, headers, delay)."""
        for r in responses:
            r = (r,) if isinstance(r, int) else tuple(r)
            r = r + ({}, 0.0)[len(r) - 1 :]
            self.script.append(r)

    def delivered(self):
        """Messages delivered to residents (2xx, a repeated idempotency key not counted)."""
        return [r for r in self.requests if r["status"] < 300 and not r["replay"]]

    def replays(self):
        """Requests repeating an idempotency key already delivered."""
        return [r for r in self.requests if r["replay"]]

    def keys(self):
        return [r["headers"].get("Idempotency-Key") for r in self.delivered()]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.test"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Fixtures (a pytest plugin named in tests/conftest.py, so tests/test_worker.py has them).


@pytest.fixture
def whatsapp(app):
    # Channels are kept per app (429 pauses, connections): start afresh with providers.
    app.extensions.pop("outbox_channels", None)
    provider = FakeProvider("wamid")
    yield provider
    provider.close()
    app.extensions.pop("outbox_channels", None)


@pytest.fixture
def sms():
    provider = FakeProvider("sms")
    yield provider
    provider.close()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()
