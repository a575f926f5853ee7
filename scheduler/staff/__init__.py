"""Office accounts: login for pages, bearer tokens for the API."""


def init_app(app):
    from scheduler.extensions import login_manager
    from scheduler.staff import services

    login_manager.user_loader(services.load_user)

    from flask import g

    from scheduler.staff.views import expire_session

    @app.before_request
    def _forget_previous_user():
        # Flask-Login caches the user on `g`; where requests share an app context (the
        # test harness) the next request must load its own user.
        g.pop("_login_user", None)

    app.before_request(expire_session)

    # base.html calls get_locale(); flask-babel 4 does not make it a template global.
    from flask_babel import get_locale

    app.jinja_env.globals.setdefault("get_locale", get_locale)

    @app.template_filter("localtime")
    def _localtime(moment):
        from scheduler.sites.services import zone

        return moment.astimezone(zone(app.config["REGENCY_TIMEZONE"])).strftime("%d-%m-%Y %H:%M")

    @login_manager.request_loader
    def _load_from_bearer(request):
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return services.user_for_token(header[7:].strip())
        return None
