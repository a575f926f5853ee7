"""The outreach feature's public interface: other features and the views call only what
is named here.

Guarantees in the database: a request has at most one session (UNIQUE); one team works
one active session a day (partial UNIQUE); a kit is out once a day (UNIQUE(held_on,
kit_number)); slots never hold more than their capacity (sites' CHECK). The Python checks
before them only give the friendly message.

- `requests`: a coordinator's request, its listing, decline and cancellation
- `approval`: an admin's approval (the session, its site, kits, team and slots)
- `sessions`: the session's booking link, its slots, participants and staff
- `tally`: the session's outcomes, noted at the end of the day
- `invitations`: invitations of coordinators
"""

from scheduler.outreach.services.approval import (
    approve_request,
    slot_plan,
    suggested_approval,
    team_key,
)
from scheduler.outreach.services.home_visits import (
    HomeVisitInput,
    get_home_visit,
    list_home_visits,
    plan_home_visits,
    record_home_visit,
    request_home_visit,
)
from scheduler.outreach.services.invitations import (
    accept_invitation,
    invite_coordinator,
    read_invitation,
)
from scheduler.outreach.services.requests import (
    RequestInput,
    cancel_request,
    create_request,
    date_notes,
    decline_request,
    get_request,
    iso_dates,
    list_requests,
    parse_hhmm,
    request_overview,
    resolve_area,
)
from scheduler.outreach.services.sessions import (
    PARTICIPANT_STATUSES,
    STATUS_OUTCOME,
    assign_session_staff,
    book_session_seat,
    booking_url,
    get_session,
    is_open,
    is_public,
    session_appointments,
    session_by_link,
    session_signature,
    session_slots,
    set_session_public,
    staff_for_session,
    tally_counts,
    tally_rows,
)
from scheduler.outreach.services.tally import (
    FAILURE_REASON,
    OUTCOME_STATUS,
    TallyResult,
    apply_outcome,
    record_tally,
    save_outcome,
)

__all__ = [
    "HomeVisitInput",
    "get_home_visit",
    "list_home_visits",
    "plan_home_visits",
    "record_home_visit",
    "request_home_visit",
    "FAILURE_REASON",
    "OUTCOME_STATUS",
    "PARTICIPANT_STATUSES",
    "RequestInput",
    "STATUS_OUTCOME",
    "TallyResult",
    "accept_invitation",
    "apply_outcome",
    "approve_request",
    "assign_session_staff",
    "book_session_seat",
    "booking_url",
    "cancel_request",
    "create_request",
    "date_notes",
    "decline_request",
    "get_request",
    "get_session",
    "invite_coordinator",
    "is_open",
    "is_public",
    "iso_dates",
    "list_requests",
    "parse_hhmm",
    "read_invitation",
    "record_tally",
    "request_overview",
    "resolve_area",
    "save_outcome",
    "session_appointments",
    "session_by_link",
    "session_signature",
    "session_slots",
    "set_session_public",
    "slot_plan",
    "staff_for_session",
    "suggested_approval",
    "tally_counts",
    "tally_rows",
    "team_key",
]
