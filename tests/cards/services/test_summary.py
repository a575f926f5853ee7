"""What a card tells its resident (cards/services/summary.py): the messages."""

from datetime import date

import sqlalchemy as sa

from scheduler.cards import services
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from tests.cards.conftest import at_day, deliver


def test_card_messages_render_with_the_notification_templates(record):
    """Every card event the outbox gets renders (the notifications feature's templates)."""
    from scheduler.notifications import messages

    deliver(1)
    _, card = record()
    services.mark_printed(card.code)
    at_day(date(2026, 12, 30))
    services.send_card_messages()
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.reference == card.code)
    ).all()
    assert [r.event for r in rows] == ["card_scheduled", "card_ready", "card_uncollected"]
    for row in rows:
        rendered = messages.render(row.event, row.context, "id", row.recipient_name)
        assert card.code in rendered.text and "Kantor Uji" in rendered.text
