"""Staff pages: login and logout."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from scheduler.extensions import limiter
from scheduler.staff import services
from scheduler.staff.forms import LoginForm

bp = Blueprint("staff_views", __name__)


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    return target


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 302,
    scope="login",
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            from flask import session

            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for("staff_views.home"))
        form.password.errors.append(_("Email atau kata sandi salah."))
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


@bp.post("/keluar")
@login_required
def logout():
    logout_user()
    flash(_("Anda sudah keluar."))
    return redirect(url_for("staff_views.login"))


@bp.get("/petugas")
@login_required
def home():
    return render_template("staff/home.html")
