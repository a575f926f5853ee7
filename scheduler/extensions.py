"""Extension objects, created unbound; create_app binds them."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from scheduler.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
# Pages, CSS and JS go out compressed (zstd, brotli or gzip): residents pay for every byte.
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def skip_limiter_before_request(app):
    """Every limit here is a route decorator, which checks itself. The before-request pass
    that Flask-Limiter adds for default and application limits (there are none) would
    only cost every request a resolution of limits that finds nothing."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits:
        return  # someone added such limits: they need the pass
    app.before_request_funcs[None].remove(limiter._check_request_limit)
