#!/bin/sh
# A consistent pg_dump of the Antre KTP-el database (custom format, compressed), checked
# with pg_restore --list, written atomically, older dumps pruned.
#
#   DATABASE_URL=postgresql://antre@127.0.0.1/antre deploy/backup.sh
#
# DATABASE_URL   the database (a SQLAlchemy URL such as postgresql+psycopg://... is fine)
# BACKUP_DIR     where dumps go (default /var/backups/antre); made readable by its owner only
# BACKUP_KEEP_DAYS  dumps older than this are deleted (default 30; 0 keeps everything)
#
# The dump holds personal data (names, phone numbers, encrypted NIKs): keep it as
# carefully as the database. It does NOT hold NIK_ENCRYPTION_KEY or NIK_HASH_KEY: back up
# the configuration file separately, or the NIKs in every dump are unreadable.
# Prints the dump's path on the last line.
set -eu

: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/antre}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-30}
# libpq does not know SQLAlchemy's driver suffix.
url=$(printf '%s' "$DATABASE_URL" | sed -e 's#^postgresql+[a-z0-9]*://#postgresql://#' -e 's#^postgres://#postgresql://#')

umask 077
mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/antre-$stamp.dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial" "$url"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"

if [ "$BACKUP_KEEP_DAYS" -gt 0 ]; then
    find "$BACKUP_DIR" -maxdepth 1 -name 'antre-*.dump' -mtime +"$BACKUP_KEEP_DAYS" -delete
fi
echo "$target"
