"""Behind a reverse proxy (PROXY_COUNT): the client's address, the scheme and the host
come from the proxy's X-Forwarded-* headers, and only from as many proxies as configured."""

import pytest
from flask import jsonify, request, url_for

from scheduler import create_app
from scheduler.config import ConfigError
from tests.conftest import base_config

FORWARDED = {
    # A client may send its own X-Forwarded-For; nginx appends the address it saw.
    "X-Forwarded-For": "10.9.9.9, 203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "antre.disdukcapil.example.go.id",
}


def _probe(database_url, proxies):
    app = create_app(base_config(database_url, PROXY_COUNT=proxies))

    @app.get("/_probe")
    def probe():
        return jsonify(
            address=request.remote_addr,
            scheme=request.scheme,
            link=url_for("system.healthz", _external=True),
        )

    return app.test_client().get("/_probe", headers=FORWARDED).get_json()


def test_behind_one_proxy_the_last_forwarded_values_are_the_clients(database_url):
    seen = _probe(database_url, 1)
    assert seen["address"] == "203.0.113.9"  # not the client's own claim, 10.9.9.9
    assert seen["scheme"] == "https"
    assert seen["link"] == "https://antre.disdukcapil.example.go.id/healthz"


def test_behind_two_proxies_the_two_last_addresses_count(database_url):
    assert _probe(database_url, 2)["address"] == "10.9.9.9"


def test_without_proxies_forwarded_headers_are_ignored(database_url):
    seen = _probe(database_url, 0)
    assert seen["address"] == "127.0.0.1"
    assert seen["scheme"] == "http"
    assert seen["link"] == "http://localhost/healthz"


def test_a_negative_proxy_count_is_refused(database_url):
    with pytest.raises(ConfigError, match="PROXY_COUNT"):
        create_app(base_config(database_url, PROXY_COUNT=-1))
