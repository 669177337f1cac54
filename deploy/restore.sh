#!/bin/sh
# Restore a file made by deploy/backup.sh into the OMO Counter PostgreSQL database.
#
#   OMO_DATABASE_URL=postgresql+psycopg://omo@db.internal/omo deploy/restore.sh /var/backups/omo/omo-2026-11-30.dump
#
# Stop the API and dispatcher units first (systemctl stop 'omo-*'): the restore replaces every
# table the backup holds, in one transaction, so it either lands whole or changes nothing.
# Then start them again; `serve` migrates the schema forward if the backup was older.
set -eu

. "$(dirname "$0")/pg-url.sh"
if [ ! -f "$1" ]; then
    echo "error: no backup file $1" >&2
    exit 2
fi

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
    --exit-on-error --dbname="$url" "$1"
echo "restored $1"
