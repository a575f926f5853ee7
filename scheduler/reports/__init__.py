"""Reports: the public dashboard, the monthly report for the office and the ministry, and
the exports for SIAK. They read the other features' figures and change nothing."""


def init_app(app):
    from scheduler.reports import dashboard

    dashboard.init_cache(app)
