"""Staff pages: login, logout, password, users and tokens, the audit log.

The desk pages (roster, check-in, walk-ins) live in desk_views.py on the same blueprint.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from scheduler import clock
from scheduler.auth import page_roles
from scheduler.errors import ValidationError
from scheduler.extensions import limiter
from scheduler.sites import services as sites
from scheduler.staff import services
from scheduler.staff.forms import LoginForm, PasswordForm, TokenForm, UserEditForm, UserForm

bp = Blueprint("staff_views", __name__)


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key():
    return "login-account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed_login(response):
    return response.status_code != 302


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed_login,
    scope="login",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed_login,
    scope="login-account",
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()
            login_user(user)
            session.permanent = True
            session["login_at"] = clock.now().timestamp()
            return redirect(_safe_next(request.args.get("next")) or url_for("staff_views.home"))
        form.password.errors.append(_("Email atau kata sandi salah."))
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


def expire_session():
    """Log out a page session older than SESSION_MAX_HOURS, however active it was."""
    started = session.get("login_at")
    if started is None or "_user_id" not in session:
        return
    limit = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    if clock.now().timestamp() - started > limit.total_seconds():
        logout_user()
        session.pop("login_at", None)


@bp.post("/keluar")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Anda sudah keluar."))
    return redirect(url_for("staff_views.login"))


@bp.get("/petugas")
@login_required
def home():
    return render_template("staff/home.html")


@bp.route("/petugas/kata-sandi", methods=["GET", "POST"])
@page_roles()
def password():
    form = PasswordForm()
    g.form_page = ("staff/password.html", {"form": form})
    if request.method == "POST":
        user = services.change_password(
            current_user, form.current.data, form.new.data, form.confirm.data
        )
        # The nonce changed: this session continues under the new one, others end.
        login_user(user)
        flash(_("Kata sandi sudah diganti. Sesi lain akun ini sudah diakhiri."))
        return redirect(url_for("staff_views.home"))
    return render_template("staff/password.html", form=form)


# ------------------------------------------------------------------------- admin: users


def _users_context(submitted=None, **extra):
    """The users page; only the form that was `submitted` ("user" or "token") keeps what
    was typed (a token's name never lands in the new-user form, nor the reverse)."""

    def bound(name):
        return request.form if submitted == name else None

    context = {
        "users": services.list_users(),
        "tokens": services.list_tokens(),
        "all_sites": sites.list_sites(include_inactive=True),
        "form": UserForm(formdata=bound("user")),
        "token_form": TokenForm(formdata=bound("token")),
        "new_token": None,
        "submitted": submitted,
    }
    context["token_form"].user_id.choices = [(u.id, u.email) for u in context["users"]]
    context["form"].sites.choices = [(s.id, s.name) for s in context["all_sites"]]
    context.update(extra)
    return context


def _ids(values):
    try:
        return [int(v) for v in values]
    except ValueError:
        raise ValidationError(fields={"sites": _("Pilihan tidak sah.")}) from None


@bp.route("/petugas/pengguna", methods=["GET", "POST"])
@page_roles("admin")
def users():
    context = _users_context(submitted="user" if request.method == "POST" else None)
    g.form_page = ("staff/users.html", context)
    if request.method == "POST":
        user = services.add_user(
            current_user,
            request.form.get("email", ""),
            request.form.get("password", ""),
            request.form.get("role", ""),
            site_ids=_ids(request.form.getlist("sites")),
            name=request.form.get("name", "")[:100],
        )
        flash(_("Pengguna %(email)s dibuat.", email=user.email))
        return redirect(url_for("staff_views.users"))
    return render_template("staff/users.html", **context)


@bp.post("/petugas/pengguna/<int:user_id>")
@page_roles("admin")
def user_update(user_id):
    g.form_page = ("staff/users.html", _users_context())
    form = UserEditForm()
    user = services.update_user(
        current_user,
        user_id,
        role=request.form.get("role", ""),
        active=bool(form.active.data),
        site_ids=_ids(request.form.getlist("sites")),
        name=request.form.get("name", ""),
    )
    flash(_("Pengguna %(email)s disimpan.", email=user.email))
    return redirect(url_for("staff_views.users"))


@bp.post("/petugas/token")
@page_roles("admin")
def token_create():
    g.form_page = ("staff/users.html", _users_context(submitted="token"))
    try:
        user_id = int(request.form.get("user_id", ""))
    except ValueError:
        raise ValidationError(fields={"user_id": _("Pilih pengguna.")}) from None
    token = services.issue_token(current_user, user_id, request.form.get("name", ""))
    # Shown once, on this response only; never stored in clear.
    resp = render_template("staff/users.html", **_users_context(new_token=token))
    return resp, 201, {"Cache-Control": "no-store"}


@bp.route("/petugas/token/<int:token_id>/cabut", methods=["GET", "POST"])
@page_roles("admin")
def token_revoke(token_id):
    """Asks first: the list links here; only the confirmation page's button revokes."""
    if request.method == "POST" and request.form.get("confirm") == "1":
        services.revoke_token(current_user, token_id)
        flash(_("Token dicabut."))
        return redirect(url_for("staff_views.users"))
    token = services.get_token(token_id)
    return render_template("staff/token_revoke.html", token=token)


# ----------------------------------------------------------------------- admin: audit


@bp.get("/petugas/audit")
@page_roles("admin")
def audit():
    from scheduler.openapi import parse_query
    from scheduler.staff.schemas import AuditQuery

    g.form_page = (
        "staff/audit.html",
        {
            "entries": [],
            "users": services.list_users(),
            "query": request.args,
            "actions": services.AUDIT_ACTIONS,
            "all_sites": sites.list_sites(include_inactive=True),
        },
    )
    q = parse_query(AuditQuery)
    entries = services.list_audit(
        user_id=q.user_id, action=q.action, code=q.code, site_id=q.site_id, on=q.on
    )
    context = dict(g.form_page[1], entries=entries, shown=services.shown_codes(entries))
    return render_template("staff/audit.html", **context)


from scheduler.staff import desk_views, queue_views  # noqa: E402,F401  (routes on this blueprint)
