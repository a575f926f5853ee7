"""Local stand-ins for the providers: an HTTP server (WhatsApp, SMS) that can succeed,
fail (500), time out or answer 429, and a real SMTP server (aiosmtpd) on loopback.

The WhatsApp stand-in keeps the Cloud API's rules: free text only to a number that wrote
within 24 hours (else error 131047), templates only when approved in that language and
with the right number of body parameters (else 132001 / 132000; 132015 when paused),
errors in the Graph API's shape; and it builds the webhooks Meta would send (statuses,
a resident's message), signed with the app secret."""

import email
import hashlib
import hmac
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

    def __init__(self, name="provider", delay=0.0, cloud_api=False, port=0):
        self.name = name
        self.cloud_api = cloud_api
        # Cloud API: (template name, language code) -> number of body parameters.
        self.templates = {}
        self.paused = set()
        # Cloud API: number without '+' -> epoch seconds of the resident's last message.
        self.wrote = {}
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
                refusal = provider.refusal(body) if status < 300 else None
                if refusal is not None:
                    status, payload = 400, provider.graph_error(*refusal)
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
                if refusal is None:
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

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    # ------------------------------------------------------------------ Cloud API rules

    def approve(self, name, parameters, languages=("id", "en")):
        """An approved template with this many body parameters, in these languages."""
        for language in languages:
            self.templates[(name, language)] = parameters

    def approve_configured(self, config):
        """Approve every template the app's configuration names, as configured."""
        for spec in config["WHATSAPP_TEMPLATES"].values():
            self.approve(spec["name"], len(spec.get("parameters", [])))

    def refusal(self, body):
        """(code, message, details) when the Cloud API would refuse this body, else None."""
        if not self.cloud_api or not isinstance(body, dict):
            return None
        if body.get("type") == "text":
            wrote = self.wrote.get(body.get("to"))
            if wrote is None or time.time() - wrote > 24 * 3600:
                return (131047, "Re-engagement message", "more than 24 hours since the reply")
            return None
        if body.get("type") == "template":
            template = body.get("template") or {}
            key = (template.get("name"), (template.get("language") or {}).get("code"))
            if key not in self.templates:
                return (132001, "Template name does not exist in the translation", str(key))
            if key[0] in self.paused:
                return (132015, "Template is paused", key[0])
            given = sum(len(c.get("parameters", [])) for c in template.get("components", []))
            if given != self.templates[key]:
                return (132000, "Number of parameters does not match", f"{given}")
            return None
        return (131051, "Unsupported message type", str(body.get("type")))

    @staticmethod
    def graph_error(code, title, details):
        return {
            "error": {
                "message": f"(#{code}) {title}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
                "fbtrace_id": "AbCdEf012345",
            }
        }

    # ------------------------------------------------------------------- webhooks

    def resident_writes(self, phone, at=None):
        """The resident sends the office a message: the webhook payload Meta would post."""
        at = int(time.time() if at is None else at)
        number = phone.lstrip("+")
        self.wrote[number] = at
        return _webhook(
            {
                "contacts": [{"profile": {"name": "Budi"}, "wa_id": number}],
                "messages": [
                    {
                        "from": number,
                        "id": f"wamid.in.{at}",
                        "timestamp": str(at),
                        "type": "text",
                        "text": {"body": "Halo, saya mau tanya jadwal"},
                    }
                ],
            }
        )

    def status(self, wamid, status, key=None, errors=None, at=None):
        """A delivery-status webhook for a message this provider accepted."""
        entry = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(time.time() if at is None else at)),
            "recipient_id": "6281234567890",
        }
        if key:
            entry["biz_opaque_callback_data"] = key
        if errors:
            entry["errors"] = [
                {"code": code, "title": title, "error_data": {"details": details}}
                for code, title, details in errors
            ]
        return _webhook({"statuses": [entry]})

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


def _webhook(value):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": "106540352242922",
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def signed(payload, secret):
    """(raw body, headers) as Meta posts a webhook: X-Hub-Signature-256 over the raw body."""
    body = json.dumps(payload).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


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
    provider = FakeProvider("wamid", cloud_api=True)
    provider.approve_configured(app.config)
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
