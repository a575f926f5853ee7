"""The sites feature's public interface: other features and the views call only what
is named here.

Sites never know who booked a slot: appointments take and release seats through
take_seat/release_seat, which are conditional UPDATEs guarded by a CHECK constraint.

- `calendar`: the site's time zone and local times, public holidays and their overrides
- `planning`: each day's opening periods and the generation of regular slots
- `catalogue`: sites, kecamatan and the bookable slots (and their JSON)
- `seats`: taking and releasing a seat (the slot's counter)
- `editing`: an admin's changes to a site, its weekly hours, exceptions, outreach slots
  and holidays
"""

from scheduler.sites.services.calendar import (
    HOLIDAY_LANGUAGES,
    ZONE_LABELS,
    HolidayRow,
    holiday_calendar,
    holiday_year,
    local_datetime,
    local_today,
    to_local,
    zone,
    zone_label,
)
from scheduler.sites.services.catalogue import (
    bookable_slots_json,
    booking_horizon,
    check_bookable,
    check_site,
    current_slot,
    get_bookable_slot,
    get_site,
    list_bookable_slots,
    list_kecamatan,
    list_sites,
    nearest_free_slots,
    slot_document,
)
from scheduler.sites.services.editing import (
    add_exception,
    add_holiday,
    add_outreach_slots,
    delete_exception,
    delete_holiday_override,
    list_exceptions,
    list_outreach_slots,
    outreach_seat,
    override_holiday,
    remove_holiday,
    restore_holiday,
    save_site,
    set_outreach_slots_public,
    set_weekly_hours,
)
from scheduler.sites.services.planning import (
    DayPlan,
    generate_slots,
    plan_days,
    slot_capacity,
)
from scheduler.sites.services.seats import (
    forget_seats,
    note_seats,
    raise_seat_refusal,
    release_seat,
    seat_increment,
    take_seat,
)

__all__ = [
    "DayPlan",
    "HOLIDAY_LANGUAGES",
    "HolidayRow",
    "ZONE_LABELS",
    "add_exception",
    "add_holiday",
    "add_outreach_slots",
    "bookable_slots_json",
    "booking_horizon",
    "check_bookable",
    "check_site",
    "current_slot",
    "delete_exception",
    "delete_holiday_override",
    "forget_seats",
    "generate_slots",
    "get_bookable_slot",
    "get_site",
    "holiday_calendar",
    "holiday_year",
    "list_bookable_slots",
    "list_exceptions",
    "list_kecamatan",
    "list_outreach_slots",
    "outreach_seat",
    "list_sites",
    "local_datetime",
    "local_today",
    "nearest_free_slots",
    "note_seats",
    "override_holiday",
    "plan_days",
    "raise_seat_refusal",
    "release_seat",
    "remove_holiday",
    "restore_holiday",
    "save_site",
    "seat_increment",
    "set_outreach_slots_public",
    "set_weekly_hours",
    "slot_capacity",
    "slot_document",
    "take_seat",
    "to_local",
    "zone",
    "zone_label",
]
