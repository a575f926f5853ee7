#!/bin/sh
# Restore a dump made by backup.sh into DATABASE_URL.
#
#   DATABASE_URL=postgresql://antre@127.0.0.1/antre deploy/restore.sh /var/backups/antre/antre-....dump
#   DATABASE_URL=... deploy/restore.sh --clean DUMP   # replace what the database holds
#
# Stop the web app and the worker first (systemctl stop antre-web antre-worker). The
# target should be an empty database (createdb -O antre antre); one that already has
# tables is refused unless --clean is given, which drops them first. Everything runs
# in one transaction: on any error nothing is changed. Afterwards run
# `flask --app scheduler db upgrade` in case the dump is older than the code, then start
# the services again.
set -eu

clean=""
if [ "${1:-}" = "--clean" ]; then
    clean="--clean --if-exists"
    shift
fi
dump=${1:?usage: restore.sh [--clean] DUMP}
: "${DATABASE_URL:?DATABASE_URL is not set}"
[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 1; }
url=$(printf '%s' "$DATABASE_URL" | sed -e 's#^postgresql+[a-z0-9]*://#postgresql://#' -e 's#^postgres://#postgresql://#')

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" -gt 0 ] && [ -z "$clean" ]; then
    echo "restore.sh: the database already has $tables tables; use --clean to replace them" >&2
    exit 1
fi

# shellcheck disable=SC2086  # $clean is two options or nothing
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges $clean \
    --dbname="$url" "$dump"
echo "restored $dump; now run: flask --app scheduler db upgrade"
