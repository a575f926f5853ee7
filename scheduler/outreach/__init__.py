"""Outreach (jemput bola): requests from schools and villages, sessions, rosters, coverage."""


def init_app(app):
    from flask_babel import get_locale

    # base.html asks for get_locale(); Flask-Babel 4 no longer puts it in templates.
    app.jinja_env.globals.setdefault("get_locale", get_locale)
