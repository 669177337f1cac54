"""PostgreSQL NOTIFYs a change to a followed row and a new outbox row (issue 14)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 14:00:00.000000

Long-poll across API processes: every change to an invitation's or a binding's ``version``
(whoever writes it: an API process, the dispatcher, a script) sends
``NOTIFY omo_change, '<table>:<id>:<version>'`` in the same transaction, so PostgreSQL delivers
it only once the change is committed and visible; a deleted row sends ``'<table>:<id>:-1'``.
Each API process LISTENs on one connection and wakes its waiters at once
(``omo_backend.longpoll``). A new outbox row sends ``NOTIFY omo_outbox`` (once per statement)
so a dispatcher claims it at once instead of at its next poll. PostgreSQL folds identical
notifications of one transaction into one. SQLite has no NOTIFY: nothing changes there (one
process; the tick and the in-process wake-up remain).
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_FOLLOWED = ("invitation", "binding_session")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION omo_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('omo_change', TG_TABLE_NAME || ':' || OLD.id || ':-1');
                RETURN OLD;
            END IF;
            PERFORM pg_notify('omo_change', TG_TABLE_NAME || ':' || NEW.id || ':' || NEW.version);
            RETURN NEW;
        END $$
        """
    )
    for table in _FOLLOWED:
        op.execute(
            f"CREATE TRIGGER {table}_notify_change AFTER UPDATE ON {table} FOR EACH ROW "
            "WHEN (OLD.version IS DISTINCT FROM NEW.version) "
            "EXECUTE FUNCTION omo_notify_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_notify_delete AFTER DELETE ON {table} FOR EACH ROW "
            "EXECUTE FUNCTION omo_notify_change()"
        )
    op.execute(
        """
        CREATE FUNCTION omo_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('omo_outbox', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER message_notify_outbox AFTER INSERT ON message FOR EACH STATEMENT "
        "EXECUTE FUNCTION omo_notify_outbox()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER message_notify_outbox ON message")
    op.execute("DROP FUNCTION omo_notify_outbox()")
    for table in _FOLLOWED:
        op.execute(f"DROP TRIGGER {table}_notify_delete ON {table}")
        op.execute(f"DROP TRIGGER {table}_notify_change ON {table}")
    op.execute("DROP FUNCTION omo_notify_change()")
