"""Office accounts: login for pages, bearer tokens for the API."""


def init_app(app):
    from scheduler.extensions import login_manager
    from scheduler.staff import services

    login_manager.user_loader(services.load_user)

    @login_manager.request_loader
    def _load_from_bearer(request):
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return services.user_for_token(header[7:].strip())
        return None
