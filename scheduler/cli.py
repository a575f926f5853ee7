"""Command line: seed-demo, regency, slots, users, jobs (docs/api.md)."""

import click
from flask import current_app

from scheduler.auth import ROLES
from scheduler.errors import DomainError


def _fail(exc):
    fields = "; ".join(f"{k}: {v}" for k, v in getattr(exc, "fields", {}).items())
    raise click.ClickException(f"{exc.message}{' (' + fields + ')' if fields else ''}")


def _require_base_url(who="the worker"):
    from scheduler.config import ConfigError, require_base_url

    try:
        require_base_url(current_app.config, who)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


DEMO_REGENCY = "33.19"


def register(app):
    """Add the commands to `flask`: seed-demo, regency, each feature's own, slots, users
    and jobs."""
    from scheduler import FEATURES, feature_module

    _register_seed_demo(app)
    _register_regency(app)
    for feature in FEATURES:
        module = feature_module(feature, "cli")
        if module is not None:
            module.register(app)
    _register_slots(app)
    _register_users(app)
    _register_jobs(app)


def _register_seed_demo(app):
    from scheduler import FEATURES, feature_module

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load demo data for Kabupaten Kudus (safe to run twice)."""
        cfg = current_app.config
        if cfg["REGENCY_CODE"] != DEMO_REGENCY:
            raise click.ClickException(
                f"the demo data is Kabupaten Kudus's (REGENCY_CODE {DEMO_REGENCY}); this "
                f"installation serves {cfg['REGENCY_NAME']} ({cfg['REGENCY_CODE']}): "
                "use 'regency setup' for its own sites"
            )
        _require_base_url("seed-demo")  # its bookings' messages carry links
        for feature in FEATURES:
            module = feature_module(feature, "demo")
            if module is not None:
                module.seed(click.echo)
        click.echo("demo data ready")


def _register_slots(app):
    slots = click.Group("slots", help="Slot generation.")
    app.cli.add_command(slots)

    @slots.command("generate")
    @click.option(
        "--days",
        type=click.IntRange(0, 366),
        default=None,
        help="Days ahead (default SLOT_WINDOW_DAYS, 30).",
    )
    def slots_generate(days):
        """Generate slots for the rolling window from each site's calendar."""
        from scheduler.sites import services

        report = services.generate_slots(days=days)
        click.echo(
            f"created {report['created']}, updated {report['updated']}, "
            f"removed {report['removed']}, conflicts {len(report['conflicts'])}"
        )
        for c in report["conflicts"]:
            click.echo(
                f"  conflict: {c['site']} {c['starts_at']} has {c['booked']} booking(s); "
                f"kept ({c['reason']})"
            )


def _register_users(app):
    users = click.Group("users", help="User accounts.")
    app.cli.add_command(users)

    @users.command("create")
    @click.option("--email", required=True)
    @click.option("--password", required=True)
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--site", "sites", type=int, multiple=True, help="A site id (may repeat).")
    @click.option("--name", default="")
    def users_create(email, password, role, sites, name):
        """Create a user."""
        from scheduler.staff import services

        try:
            user = services.create_user(email, password, role, site_ids=sites, name=name)
        except DomainError as exc:
            _fail(exc)
        click.echo(f"created {user.role} {user.email} (id {user.id})")

    @users.command("token")
    @click.option("--email", required=True)
    @click.option("--name", default="cli")
    def users_token(email, name):
        """Print a new API token for a user (alone on the last line)."""
        from scheduler.staff import services

        try:
            token = services.create_token(email, name=name)
        except DomainError as exc:
            _fail(exc)
        click.echo(f"API token for {email} (shown once, store it safely):")
        click.echo(token)


def _register_jobs(app):
    jobs = click.Group("jobs", help="The background worker.")
    app.cli.add_command(jobs)

    @jobs.command("run")
    def jobs_run():
        """Run the scheduled jobs until stopped."""
        from scheduler import worker

        _require_base_url()
        worker.run_forever(current_app._get_current_object())

    @jobs.command("run-once")
    @click.option(
        "--job", "names", multiple=True, help="Only this job (may repeat), e.g. deliver_outbox."
    )
    def jobs_run_once(names):
        """Run every job that is due now, once, and exit (status 1 if a job failed)."""
        from scheduler import worker

        known = {job.name for job in worker.collect_jobs()}
        unknown = sorted(set(names) - known)
        if unknown:
            raise click.BadParameter(
                f"unknown job {', '.join(unknown)}; jobs: {', '.join(sorted(known))}",
                param_hint="--job",
            )
        _require_base_url()
        failed = False
        for name, result in worker.run_once(current_app._get_current_object(), names):
            click.echo(f"{name}: {result}")
            failed = failed or result == "failed"
        if failed:
            raise SystemExit(1)


def _register_regency(app):
    regency = click.Group("regency", help="The regency or city served (REGENCY_CODE).")
    app.cli.add_command(regency)

    @regency.command("show")
    def regency_show():
        """Print the configured regency: name, kind, zone, kecamatan and desa counts."""
        from scheduler import regions

        cfg = current_app.config
        data = regions.current()
        click.echo(f"{data.code} {cfg['REGENCY_NAME']} ({data.kind}, {data.province})")
        click.echo(f"time zone {cfg['REGENCY_TIMEZONE']}")
        for k in data.kecamatan:
            kelurahan = sum(d.kind == "kelurahan" for d in k.desa)
            click.echo(
                f"  {k.code} {k.name}: {len(k.desa) - kelurahan} desa, {kelurahan} kelurahan"
            )

    @regency.command("setup")
    def regency_setup():
        """Create the main office and one office per kecamatan, their hours and slots (safe
        to run twice: what exists is left as it is)."""
        from scheduler.sites import regency as setup

        try:
            report = setup.setup_regency()
        except DomainError as exc:
            _fail(exc)
        cfg = current_app.config
        click.echo(f"{cfg['REGENCY_NAME']} ({cfg['REGENCY_CODE']}, {cfg['REGENCY_TIMEZONE']})")
        for site in report.created:
            click.echo(f"  created {site.name}")
        click.echo(
            f"sites created {len(report.created)}, already there {len(report.existing)}; "
            f"slots created {report.slots}"
        )
        if report.created:
            click.echo(
                "Fill in each site's address (and the main office's kecamatan) at /admin/lokasi."
            )
