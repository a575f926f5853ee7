"""Admin page of the outbox: what was sent, what waits, what is dead; send again."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler import reads
from scheduler.auth import page_roles
from scheduler.notifications import models, services
from scheduler.notifications.messages import EVENT_LABELS
from scheduler.notifications.models import OUTBOX_STATUSES

bp = Blueprint("notifications_views", __name__)


@bp.get("/petugas/pesan-keluar")
@page_roles("admin")
def outbox():
    status = request.args.get("status")
    status = status if status in OUTBOX_STATUSES else None
    messages = services.list_messages(status=status, limit=200)
    reads.record_view(
        current_user, "view_outbox", detail=status or "", codes=[m.reference for m in messages]
    )
    return render_template(
        "notifications/outbox.html",
        messages=messages,
        counts=services.count_by_status(),
        status=status,
        statuses=OUTBOX_STATUSES,
        words={
            "event": EVENT_LABELS,
            "status": models.STATUS_LABELS,
            "route": models.ROUTE_LABELS,
            "channel": models.CHANNEL_LABELS,
            "provider": models.PROVIDER_STATUS_LABELS,
        },
        mask_phone=services.mask_phone,
        mask_email=services.mask_email,
    )


@bp.post("/petugas/pesan-keluar/<int:message_id>/kirim-ulang")
@page_roles("admin")
def retry(message_id):
    services.retry_message(message_id)
    flash(_("Pesan #%(id)s dijadwalkan untuk dikirim ulang.", id=message_id))
    return redirect(url_for("notifications_views.outbox", status=request.args.get("status")))


@bp.post("/petugas/pesan-keluar/kirim-ulang-semua")
@page_roles("admin")
def retry_dead():
    count = services.retry_dead()
    flash(_("%(n)s pesan mati dijadwalkan untuk dikirim ulang.", n=count))
    return redirect(url_for("notifications_views.outbox", status="pending"))
