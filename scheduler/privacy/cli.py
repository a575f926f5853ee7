"""Commands: `privacy purge` (the retention job by hand) and `nik rotate-keys`."""

import click
from flask import current_app

from scheduler.errors import DomainError
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

    nik = click.Group("nik", help="The NIK's encryption and hash keys.")
    app.cli.add_command(nik)

    @nik.command("rotate-keys")
    @click.option("--batch", type=click.IntRange(1, 100_000), default=500, show_default=True)
    def rotate_keys(batch):
        """Re-encrypt and re-hash every NIK under the first keys (resumable)."""

        def show(table, done, total):
            click.echo(f"  {table}: {done}/{total}")

        try:
            done = services.rotate_keys(batch=batch, progress=show)
        except DomainError as exc:
            raise click.ClickException(str(exc.message)) from None
        for table, count in done.items():
            click.echo(f"{table}: {count} re-keyed")
        left = services.remaining_under_old_keys()
        if any(left.values()):
            click.echo(f"still under an old key: {left}; run the command again")
            raise SystemExit(1)
        click.echo(
            "every NIK is under the first keys: remove the old keys from "
            "NIK_ENCRYPTION_KEYS and NIK_HASH_KEYS, then restart the web app and the worker"
        )
