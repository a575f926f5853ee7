"""Antre KTP-el: e-KTP recording appointments and card pickup for a Disdukcapil."""

import importlib
import importlib.util
import os

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from scheduler import forms, links
from scheduler.config import load_config
from scheduler.db import MAX_ID

FEATURES = (
    "sites",
    "appointments",
    "staff",
    "cards",
    "outreach",
    "notifications",
    "reports",
    "privacy",
)
LANGUAGES = ("id", "en")
STATIC_MAX_AGE = 365 * 24 * 3600


class _NoSessionForTheAPI(SecureCookieSessionInterface):
    """The JSON API has no session at all (docs/api.md: no cookies): a page's login cookie
    sent along is not even read, nothing can be written, and no answer varies on Cookie."""

    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


class SchedulerApp(Flask):
    session_interface = _NoSessionForTheAPI()

    def get_send_file_max_age(self, filename):
        """Versioned static URLs (?v=, see _version_static) are cached for a year, so a
        phone on slow data fetches each stylesheet once; anything else revalidates."""
        if request.args.get("v"):
            return STATIC_MAX_AGE
        return super().get_send_file_max_age(filename)


def _version_static(endpoint, values):
    """url_for('static', ...) carries the file's modification time: a release that changes
    a file changes its URL."""
    if endpoint != "static" or "filename" not in values or "v" in values:
        return
    path = os.path.join(current_app.static_folder, values["filename"])
    if os.path.isfile(path):
        values["v"] = format(int(os.path.getmtime(path)), "x")


def create_app(overrides=None):
    """Build the application: config, extensions, blueprints, error handlers, CLI."""
    app = SchedulerApp(
        __name__, instance_relative_config=True, template_folder=_shipped_dir("templates")
    )
    # Every <int:...> in a URL is a row id: one no INTEGER column can hold is a 404, not a
    # database error.
    app.url_map.converters["int"] = RowIdConverter
    _configure(app, overrides)
    _init_extensions(app)
    _register_features(app)

    from scheduler import cli, errors

    errors.register_error_handlers(app)
    cli.register(app)
    _init_templates(app)
    # Map the models now rather than in a worker's first request (tens of milliseconds).
    configure_mappers()
    return app


def _configure(app, overrides):
    """The configuration, the trusted proxies and the log format."""
    load_config(app, overrides)
    _trust_proxies(app)
    from scheduler import requestlog

    requestlog.configure_logging(app)


def _init_extensions(app):
    """Bind the database, migrations, translations, request limits, CSRF, rate limits,
    compression and logins to the app, in the order their hooks must run."""
    from scheduler import security
    from scheduler.direct import watch_engine
    from scheduler.engine import configure_engine_events
    from scheduler.extensions import (
        babel,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        skip_limiter_before_request,
    )

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)
        watch_engine(db.engine)
    migrate.init_app(app, db, directory=_shipped_dir("migrations"))
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=";".join(_translation_dirs(app)),
    )
    # Before CSRF's hook, which reads the form: the body limit applies first.
    security.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    skip_limiter_before_request(app)
    compress.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff_views.login"


def _register_features(app):
    """The request log's hooks, the system endpoints and each feature: its init_app, its
    /metrics gauges and its blueprints (the API's without CSRF: it has no session)."""
    from scheduler import requestlog, system
    from scheduler.extensions import csrf

    # First before-request hook: the request's clock and id start before anything else.
    requestlog.init_app(app)
    app.register_blueprint(system.bp)
    for feature in FEATURES:
        package = feature_module(feature)
        if package is not None and hasattr(package, "init_app"):
            package.init_app(app)
        feature_module(feature, "gauges")  # registers the feature's /metrics gauges
        for name in ("api", "views"):
            module = feature_module(feature, name)
            if module is not None:
                app.register_blueprint(module.bp)
                if name == "api":
                    csrf.exempt(module.bp)
    csrf.exempt(system.bp)


def _init_templates(app):
    """Localisation, versioned static URLs and the globals every template may use."""
    from scheduler import l10n

    l10n.init_app(app)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.url_defaults(_version_static)
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.globals["refused_fields"] = forms.refused_fields
    # Read from flask.request itself: a view may pass its own `request` (an outreach
    # request) into the template.
    app.jinja_env.globals["lang_url"] = _lang_url
    app.jinja_env.globals["current_endpoint"] = lambda: request.endpoint
    app.jinja_env.globals["public_url_for"] = links.public_url_for


def _trust_proxies(app):
    """Behind PROXY_COUNT reverse proxies, the client's address, scheme, host and path
    prefix come from their X-Forwarded-* headers (the last PROXY_COUNT values of each):
    rate limits count real addresses, links and secure cookies use https."""
    count = int(app.config["PROXY_COUNT"])
    if count:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count
        )


def feature_module(feature, name=None):
    """A feature's package (or one of its modules), or None where it does not exist."""
    dotted = f"scheduler.{feature}" + (f".{name}" if name else "")
    if importlib.util.find_spec(f"scheduler.{feature}") is None:
        return None
    if name and importlib.util.find_spec(dotted) is None:
        return None
    return importlib.import_module(dotted)


def _lang_url(code):
    """The current page in another language, keeping its query string (signatures...)."""
    from urllib.parse import urlencode

    return "?" + urlencode({**request.args.to_dict(), "lang": code})


class RowIdConverter(IntegerConverter):
    """`<int:...>` limited to what an INTEGER primary key holds (1 to 2**31 - 1)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _engine_options(url):
    # A failed statement's message names no parameters: they are names, phone numbers.
    if url.startswith("sqlite"):
        return {
            "connect_args": {"timeout": 30, "check_same_thread": False},
            "hide_parameters": True,
        }
    # No pool_pre_ping: engine.configure_engine_events checks a pooled connection on checkout
    # without the round trip a ping costs on every request.
    # LIFO: a request's second checkout (after read_first) gets the connection it just
    # gave back, and connections the load no longer needs can time out at the server.
    # A server that does not answer is an outage answered within seconds (503), not a
    # request hanging on connect.
    return {
        "pool_size": 10,
        "max_overflow": 20,
        "pool_use_lifo": True,
        "pool_timeout": 10,
        "hide_parameters": True,
        "connect_args": {"connect_timeout": 5},
    }


def _shipped_dir(name):
    """templates/ or migrations/: inside the package once installed (the build copies them
    there, see setup.py), beside it in a checkout."""
    package = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(package, name)
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(package), name)


def _translation_dirs(app):
    root = os.path.dirname(os.path.abspath(__file__))
    dirs = [os.path.join(root, "translations")]
    for feature in FEATURES:
        path = os.path.join(root, feature, "translations")
        if os.path.isdir(path):
            dirs.append(path)
    return dirs


def _select_locale():
    # A parsed Locale, so that Flask-Babel does not parse the code again on every request.
    return _LOCALES[_locale_code()]


def _locale_code():
    if not has_request_context():  # the CLI, the worker: messages in the source language
        return "id"
    api = request.path.startswith("/api/")
    environ = request.environ
    if api and not environ.get("QUERY_STRING") and not environ.get("HTTP_ACCEPT_LANGUAGE"):
        return "id"  # nothing asked for (most phone apps): nothing to parse
    wanted = request.args.get("lang")
    if api:  # the API uses no cookies: nothing is remembered
        return (
            wanted
            if wanted in LANGUAGES
            else (request.accept_languages.best_match(LANGUAGES) or "id")
        )
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or "id"


_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}
