# Sourced by backup.sh and restore.sh: checks the arguments and sets $url, the backend's
# OMO_DATABASE_URL as pg_dump and pg_restore take it (without SQLAlchemy's "+psycopg").
if [ $# -ne 1 ]; then
    echo "usage: OMO_DATABASE_URL=postgresql+psycopg://… $0 BACKUP_FILE" >&2
    exit 2
fi
: "${OMO_DATABASE_URL:?set OMO_DATABASE_URL to the backend's PostgreSQL URL}"
url=$(printf '%s' "$OMO_DATABASE_URL" | sed 's|^postgresql+[a-z0-9]*://|postgresql://|')
case "$url" in
    postgresql://*) ;;
    *) echo "error: OMO_DATABASE_URL is not a PostgreSQL URL (SQLite: copy its file)" >&2; exit 2 ;;
esac
