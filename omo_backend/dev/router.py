"""Development only (``OMO_DEV_MODE=1``, on a loopback listener): what the outbox "sent"."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from backend_client import schemas
from omo_backend.demo_crowd import HISTORY_PROVIDER
from omo_backend.deps import DbDep, SettingsDep
from omo_backend.dev.loopback import require_loopback
from omo_backend.models import Message
from omo_backend.phones import try_normalise_phone

# Every live link is in these messages: only a caller on this machine may read them.
router = APIRouter(
    prefix="/api/v1/dev", tags=["development"], dependencies=[Depends(require_loopback)]
)

_LINK = re.compile(r"https?://\S+")


@router.get("/messages", response_model=schemas.DevMessageList)
def dev_messages(
    db: DbDep,
    settings: SettingsDep,
    to: Annotated[schemas.SingleLine | None, Query(max_length=254)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> schemas.DevMessageList:
    # The demo's back-dated SMS history (there for the reports) was never "sent" by this run.
    query = (
        select(Message)
        .where(Message.provider != HISTORY_PROVIDER)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    if to:
        address = try_normalise_phone(to, settings.default_country) or to.strip().lower()
        query = query.where(Message.to_address == address)
    with db.transaction(write=False) as session:
        rows = list(session.scalars(query))
    return schemas.DevMessageList(
        items=[
            schemas.DevMessage(
                id=m.id,
                channel=schemas.MessageChannel(m.channel),
                to=m.to_address,
                body=m.body,
                status=schemas.MessageStatus(m.status),
                provider=m.provider,
                provider_message_id=m.provider_message_id,
                segments=m.segments,
                cost_units=m.cost_units,
                created_at=m.created_at,
                sent_at=m.sent_at,
                links=_LINK.findall(m.body),
            )
            for m in rows
        ]
    )
