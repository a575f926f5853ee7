"""The application for `flask --app wsgi` and `gunicorn wsgi:app`."""

import gc

from scheduler import create_app

app = create_app()
# What the app built at start-up lives as long as the process: keep it out of the
# collector's way, so that the full collections a busy worker runs now and then only look
# at what requests made (and forked workers share more pages with the master).
gc.freeze()
