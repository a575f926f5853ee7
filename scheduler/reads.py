"""Staff reads of personal data: every page, list or export that shows residents' records
is written to the audit log (who, when, which page, which bookings).

The core cannot know the audit log (staff owns it), so staff registers the recorder at
start-up and any feature's view tells it what it showed, as appointments are told how to
describe a card. Without a recorder (a feature used alone) nothing is written.
"""

_recorder = None


def register_recorder(fn):
    """staff.init_app registers the function that writes the audit entry."""
    global _recorder
    _recorder = fn


def record_view(actor, action, *, site_id=None, detail="", appointment_ids=(), codes=()):
    """Audit that `actor` was shown these bookings (by id, or by booking code) on a page
    or an export called `action`; one entry per page view. Commits its own entry."""
    appointment_ids = [i for i in appointment_ids if i is not None]
    codes = [c for c in codes if c]
    if _recorder is None or actor is None or not (appointment_ids or codes):
        return
    _recorder(actor, action, site_id, detail, appointment_ids, codes)
