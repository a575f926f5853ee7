"""Blank-card stock, the print queue, print and pickup dates, pickup, certificates."""


def init_app(app):
    from scheduler.appointments import services as appointments
    from scheduler.cards import (
        models,  # noqa: F401  (tables for create_all and migrations)
        services,
    )

    appointments.register_card_provider(services.card_summary)
