#!/bin/sh
# Back up the OMO Counter PostgreSQL database to one file (pg_dump's custom format).
#
#   OMO_DATABASE_URL=postgresql+psycopg://omo@db.internal/omo deploy/backup.sh /var/backups/omo/omo-$(date +%F).dump
#
# Safe while the service runs: pg_dump reads one consistent snapshot. The URL is the one the
# backend uses; its "+psycopg" driver tag is dropped for pg_dump. A password is best kept in
# ~/.pgpass (or PGPASSWORD), not in the URL, so it does not show in the process list.
set -eu

. "$(dirname "$0")/pg-url.sh"

target=$1
partial="$target.partial"
# Written aside and renamed at the end: a failed run never leaves a file that looks whole.
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --no-owner --no-privileges --file="$partial" --dbname="$url"
mv "$partial" "$target"
trap - EXIT
echo "backed up to $target ($(wc -c < "$target") bytes)"
