"""The appointments feature's public interface: other features and the views call only
what is named here.

- `applicants`: who books (Applicant) and the checks on them (NIK, birth date, age, phone)
- `booking`: booking a slot (the web, the API, a roster, a walk-in) and Idempotency-Keys
- `changes`: a resident's look-up, cancellation and reschedule; the office's cancellation
- `desk`: check-in, the recording's outcome, no-shows, walk-ins, the day's list
- `tokens`: signed check-in tokens and links, the QR code, the calendar file
- `household`: a family's booking (one Kartu Keluarga), all or nothing
- `notices`: the messages about an appointment, and its card summary
"""

from scheduler.appointments.services.applicants import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Applicant,
    applicant_errors,
    check_applicant,
    normalize_code,
    normalize_phone,
    read_phone,
)
from scheduler.appointments.services.booking import (
    book_appointment,
    book_into_slot,
    purge_idempotency_keys,
)
from scheduler.appointments.services.changes import (
    cancel_appointment,
    cancel_by_office,
    cancel_without_message,
    find_for_resident,
    get_by_code,
    list_for_slots,
    reschedule_appointment,
)
from scheduler.appointments.services.desk import (
    appointment_for_checkin,
    check_in,
    checkin_window,
    closing_time,
    list_day,
    mark_no_show,
    mark_no_shows_after_close,
    mark_recorded,
    mark_recording_failed,
    mark_recording_rejected,
    register_recording_listener,
    register_walk_in,
)
from scheduler.appointments.services.household import (
    MAX_MEMBERS,
    Household,
    Member,
    book_household,
)
from scheduler.appointments.services.notices import (
    card_summary,
    notify,
    register_card_provider,
)
from scheduler.appointments.services.tokens import (
    appointment_link,
    checkin_token,
    code_from_checkin_token,
    household_signature,
    ics_bytes,
    link_signature,
    qr_png,
    verify_household,
    verify_link,
)

__all__ = [
    "MAX_MEMBERS",
    "Household",
    "Member",
    "book_household",
    "household_signature",
    "verify_household",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "Applicant",
    "appointment_for_checkin",
    "appointment_link",
    "book_appointment",
    "book_into_slot",
    "cancel_appointment",
    "cancel_by_office",
    "cancel_without_message",
    "card_summary",
    "applicant_errors",
    "check_applicant",
    "check_in",
    "checkin_token",
    "checkin_window",
    "closing_time",
    "code_from_checkin_token",
    "find_for_resident",
    "get_by_code",
    "ics_bytes",
    "link_signature",
    "list_day",
    "list_for_slots",
    "mark_no_show",
    "mark_no_shows_after_close",
    "mark_recorded",
    "mark_recording_failed",
    "mark_recording_rejected",
    "normalize_code",
    "normalize_phone",
    "notify",
    "purge_idempotency_keys",
    "qr_png",
    "read_phone",
    "register_card_provider",
    "register_recording_listener",
    "register_walk_in",
    "reschedule_appointment",
    "verify_link",
]
