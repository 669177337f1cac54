"""Membership levels: none until an admin sets them; a ``PUT`` replaces the whole list."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend_client import schemas
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.callers import Caller, audit_by
from omo_backend.errors import ValidationFailed
from omo_backend.models import Customer, Level


def all_levels(session: Session) -> list[schemas.Level]:
    """Lowest rank first."""
    rows = session.scalars(select(Level).order_by(Level.rank))
    return [schemas.Level.model_validate(row) for row in rows]


def check_or_raise(levels: list[schemas.Level]) -> None:
    """Codes unique; the thresholds given grow with the rank (lowest first)."""
    seen: set[str] = set()
    highest: int | None = None
    for index, level in enumerate(levels):
        if level.code in seen:
            raise ValidationFailed(
                "Each level needs a code of its own.",
                code="duplicate_level_code",
                details={"field": f"{index}.code", "code": level.code},
            )
        seen.add(level.code)
        if level.min_net_spend is None:
            continue
        if highest is not None and level.min_net_spend <= highest:
            raise ValidationFailed(
                "A higher level needs a higher net spending threshold.",
                code="thresholds_not_increasing",
                details={"field": f"{index}.min_net_spend"},
            )
        highest = level.min_net_spend


def replace(*, session: Session, actor: Actor, levels: list[schemas.Level]) -> list[schemas.Level]:
    check_or_raise(levels)
    before = all_levels(session)
    session.execute(delete(Level))
    session.flush()
    for rank, level in enumerate(levels):
        session.add(Level(rank=rank, **level.model_dump()))
    session.flush()
    after = all_levels(session)
    audit.by_actor(
        session=session,
        actor=actor,
        action="levels.replaced",
        subject_type="level",
        details={
            "before": [lv.model_dump(mode="json") for lv in before],
            "after": [lv.model_dump(mode="json") for lv in after],
        },
    )
    return after


def level_for_spend(session: Session, net_spend: int) -> Level | None:
    """The highest level whose threshold ``net_spend`` reaches (None: none does)."""
    return session.scalar(
        select(Level)
        .where(Level.min_net_spend.is_not(None), Level.min_net_spend <= net_spend)
        .order_by(Level.rank.desc())
        .limit(1)
    )


def upgrade_by_spend(
    *, session: Session, caller: Caller, store_id: int | None, member: Customer
) -> None:
    """Move ``member`` up to the level their net spending reaches, never down; audited as the
    act of whoever's order or change moved the spending. Past buyers have no level: they get
    one when they become members."""
    if not member.is_member:
        return
    target = level_for_spend(session, member.net_spend)
    if target is None or target.code == member.level:
        return
    if member.level is not None:
        current = session.scalar(select(Level.rank).where(Level.code == member.level))
        # A level an admin has since removed ranks below every level there is.
        if current is not None and current >= target.rank:
            return
    before = member.level
    member.level = target.code
    session.flush()
    audit_by(
        session=session,
        caller=caller,
        action="member.level_upgraded",
        store_id=store_id,
        subject_type="customer",
        subject_id=member.id,
        details={"before": before, "after": target.code, "net_spend": member.net_spend},
    )
