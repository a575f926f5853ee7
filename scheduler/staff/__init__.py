"""Office accounts: login for pages, bearer tokens for the API."""

from flask import request


def init_app(app):
    from scheduler.extensions import login_manager
    from scheduler.staff import services

    @login_manager.user_loader
    def _load_from_session(session_id):
        # The JSON API is CSRF-exempt because it uses no cookies: there only the bearer
        # token (the request loader below) says who is asking, never a page's login session.
        if request.path.startswith("/api/"):
            return None
        return services.load_user(session_id)

    from scheduler import reads
    from scheduler.staff.views import expire_session

    reads.register_recorder(services.record_view)

    app.before_request(expire_session)

    @app.template_filter("localtime")
    def _localtime(moment):
        from scheduler import l10n
        from scheduler.sites.services import zone

        return l10n.moment(moment.astimezone(zone(app.config["REGENCY_TIMEZONE"])))

    @app.template_filter("role_label")
    def _role_label(role):
        from scheduler.auth import ROLE_LABELS

        return ROLE_LABELS.get(role, role)

    @app.template_filter("audit_action")
    def _audit_action(action):
        return services.AUDIT_ACTION_LABELS.get(action, action)

    @app.template_filter("home_regency")
    def _home_regency(nik_masked):
        """Where a NIK was issued, for the desk: '' for the regency served."""
        from scheduler.staff.desk import home_regency

        return home_regency(nik_masked)

    @login_manager.request_loader
    def _load_from_bearer(request):
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return services.user_for_token(header[7:].strip())
        return None
