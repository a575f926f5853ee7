"""Outreach (jemput bola): requests from schools and villages, sessions, rosters, coverage."""


def init_app(app):
    from scheduler.appointments import services as appointments
    from scheduler.outreach import coverage_history

    appointments.register_recording_listener(coverage_history.count_recording)
