"""Erasing a member's personal data on their request (API.md "Erase:").

The account stays, without the person: its orders keep counting in the totals and reports
(their contact address removed), its consents stay as facts (what, granted or not, when,
where, in which language) without the words shown, its referral stays for the reports, the
messages sent to it stay for the SMS report without address or words (any still waiting are
not sent). Its identifiers are not retired: the person may sign up again as someone new.
Accounts merged into it earlier are the same person: they are erased with it, and their
retired identifiers freed (a retired value is itself the person's phone or e-mail).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from backend_client.schemas import MessageStatus, WebhookEvent
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.directory.service import customer_or_raise, live_or_raise
from omo_backend.models import (
    AuditEvent,
    Consent,
    Customer,
    Invitation,
    Message,
    Order,
    PasswordReset,
    RetiredIdentifier,
    utcnow,
)
from omo_backend.webhooks import events as webhook_events

# What the audit trail may hold of the person, in a change's ``before`` and ``after``.
_PERSONAL_KEYS = frozenset({"name", "phone", "email", "birthday", "line_user_id"})
ERASED = "(erased)"


def _scrubbed(details: dict[str, Any]) -> dict[str, Any]:
    out = dict(details)
    for side in ("before", "after"):
        values = out.get(side)
        if isinstance(values, dict):
            out[side] = {k: ERASED if k in _PERSONAL_KEYS else v for k, v in values.items()}
    return out


def erase(*, session: Session, actor: Actor, member_id: int, reason: str) -> None:
    """Remove the member's personal data, irreversibly; audited with who and why."""
    customer = customer_or_raise(session, member_id)
    session.refresh(customer, with_for_update={"of": Customer})
    live_or_raise(customer)
    merged_ids = list(
        session.scalars(
            select(Customer.id)
            .where(Customer.merged_into_id == member_id)
            .order_by(Customer.id)
            .with_for_update(of=Customer)
        )
    )
    ids = [member_id, *merged_ids]
    people = list(session.scalars(select(Customer).where(Customer.id.in_(ids))))
    phones = [p.phone for p in people if p.phone]
    addresses = phones + [p.email for p in people if p.email]
    now = utcnow()
    for person in people:
        person.name = None
        person.name_search = None
        person.phone = None
        person.email = None
        person.birthday = None
        person.line_user_id = None
        person.line_friend = None
        person.line_linked_at = None
        person.password_hash = None
        if person.id == member_id:
            person.erased_at = now
    # Retired values are the merged accounts' phones and e-mails: the person's, freed.
    for statement in (
        delete(RetiredIdentifier).where(RetiredIdentifier.customer_id.in_(merged_ids)),
        update(Order).where(Order.customer_id.in_(ids)).values(email=None),
        update(Consent).where(Consent.customer_id.in_(ids)).values(text_shown=""),
        delete(PasswordReset).where(PasswordReset.customer_id.in_(ids)),
        update(Invitation)
        .where(or_(Invitation.customer_id.in_(ids), Invitation.phone.in_(phones)))
        .values(phone=""),
        # Messages to the person: not sent any more, and kept without address or words (their
        # segments and cost still count in the SMS report).
        update(Message)
        .where(Message.to_address.in_(addresses), Message.status == MessageStatus.QUEUED.value)
        .values(status=MessageStatus.FAILED.value, last_error="recipient erased"),
        update(Message)
        .where(Message.to_address.in_(addresses))
        .values(to_address=ERASED, body=ERASED),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    for event in session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "customer", AuditEvent.subject_id.in_(ids)
        )
    ):
        scrubbed = _scrubbed(event.details)
        if scrubbed != event.details:
            event.details = scrubbed
    session.flush()
    audit.by_actor(
        session=session,
        actor=actor,
        action="member.erased",
        subject_type="customer",
        subject_id=member_id,
        details={"reason": reason, "merged_accounts_erased": merged_ids},
    )
    webhook_events.emit(
        session=session,
        event=WebhookEvent.MEMBER_ERASED,
        data={"member_id": member_id, "merged_ids": merged_ids},
    )
