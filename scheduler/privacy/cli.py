"""Commands: `privacy purge` (the retention job by hand) and `nik rotate-keys`."""

import click
from flask import current_app

from scheduler.privacy import services


def register(app):
    privacy = click.Group("privacy", help="Personal data: retention.")
    app.cli.add_command(privacy)

    @privacy.command("purge")
    @click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
    @click.option("--batch", type=click.IntRange(1, 100_000), default=500, show_default=True)
    def purge(dry_run, batch):
        """Remove personal data past its retention period (PERSONAL_DATA_RETENTION_DAYS...)."""
        config = current_app.config
        if dry_run:
            for kind, count in services.count_due(config).items():
                click.echo(f"{kind}: {count} would be purged")
            return
        done = services.purge(
            config, batch=batch, progress=lambda kind, n: click.echo(f"  {kind}: {n}...")
        )
        for kind, count in done.items():
            click.echo(f"{kind}: {count} purged")
