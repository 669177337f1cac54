"""The member directory over HTTP (managers and admins): the list, the overview, one member,
their orders and audit trail, and the CSV export. The rules are in query.py and service.py."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.convertors import Convertor, register_url_convertor

from backend_client import schemas
from omo_backend.deps import DbDep, ManagerDep, SettingsDep
from omo_backend.directory import counts, export, query, rows, service
from omo_backend.models import Store, utcnow
from omo_backend.openapi import errors

router = APIRouter(prefix="/api/v1", tags=["member directory"])


class _IdSegment(Convertor[str]):
    """A path segment that can be an id (its range is the ``Id`` type's to check): so
    ``PATCH /members/overview`` is no member's PATCH but a method the path does not take."""

    regex = "-?[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("id", _IdSegment())


def list_filters(
    q: Annotated[
        schemas.SingleLine | None,
        Query(
            min_length=1,
            max_length=100,
            description="name (case-insensitive, any part), e-mail, or phone in any form",
        ),
    ] = None,
    level: Annotated[schemas.LevelCode | None, Query(description="a level code")] = None,
    status: schemas.MemberStatusFilter | None = None,
    spend_min: Annotated[
        schemas.Spend | None, Query(description="net spending ≥ this (minor units)")
    ] = None,
    spend_max: Annotated[
        schemas.Spend | None, Query(description="net spending ≤ this (minor units)")
    ] = None,
    store: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="referral store code",
        ),
    ] = None,
    staff: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="referral staff code",
        ),
    ] = None,
    line: Annotated[bool | None, Query(description="LINE bound or not")] = None,
    joined_from: Annotated[
        schemas.IsoDay | None,
        Query(description="joined on or after this day (the caller's store's day)"),
    ] = None,
    joined_to: Annotated[
        schemas.IsoDay | None, Query(description="joined on or before this day")
    ] = None,
    kind: schemas.MemberKind = schemas.MemberKind.MEMBER,
) -> query.Filters:
    return query.Filters(
        q=q,
        level=level,
        status=status,
        spend_min=spend_min,
        spend_max=spend_max,
        store=store,
        staff=staff,
        line=line,
        joined_from=joined_from,
        joined_to=joined_to,
        kind=kind,
    )


FiltersDep = Annotated[query.Filters, Depends(list_filters)]
# A member's orders and audit trail: pages newest first, continued before an id.
PageCursor = Annotated[
    schemas.IdCursor | None, Query(description="`next_cursor` of the page before")
]
PageLimit = Annotated[int, Query(ge=1, le=schemas.MEMBER_PAGE_MAX)]


def store_zone(session: Session, store_id: int) -> str:
    zone = session.scalar(select(Store.timezone).where(Store.id == store_id))
    return zone or "Asia/Taipei"


@router.get(
    "/members",
    response_model=schemas.MemberList,
    responses=errors(invalid_cursor=422),
)
def list_members(
    actor: ManagerDep,
    db: DbDep,
    settings: SettingsDep,
    filters: FiltersDep,
    sort: schemas.MemberSort = schemas.MemberSort.MEMBER_SINCE_DESC,
    cursor: Annotated[
        schemas.ListCursor | None, Query(description="`next_cursor` of the page before")
    ] = None,
    limit: PageLimit = 50,
) -> schemas.MemberList:
    now = utcnow()
    key = query.sort_key(sort, filters.kind)
    after = query.decode_cursor(cursor, sort, key) if cursor is not None else None
    with db.transaction(write=False) as session:
        where = query.conditions(
            session,
            filters,
            now=now,
            zone=store_zone(session, actor.store_id),
            sort_column=key.column,
        )
        found, next_cursor = query.page_rows(session, where, sort, key, after, limit)
        ids = [r[0] for r in found]
        total, exact = query.count(session, where)
        return schemas.MemberList(
            items=rows.member_rows(session, ids, settings, now),
            next_cursor=next_cursor.encode() if next_cursor is not None else None,
            total=total,
            total_exact=exact,
        )


@router.get("/members/overview", response_model=schemas.MemberOverview)
def members_overview(actor: ManagerDep, db: DbDep) -> schemas.MemberOverview:
    # Changes logged since the last fold are folded first (one short write), so the log the
    # counts add up stays short; housekeeping folds too.
    with db.transaction(write=False) as session:
        waiting = counts.pending(session)
    if waiting:
        with db.transaction() as session:
            counts.fold(session)
    with db.transaction(write=False) as session:
        return service.overview(session, utcnow())


class CsvResponse(StreamingResponse):
    media_type = "text/csv"


@router.get(
    "/members/export.csv",
    response_class=CsvResponse,
    responses={
        200: {
            "description": "UTF-8 CSV with a BOM: a header row, then one row a member.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export_members(
    actor: ManagerDep,
    db: DbDep,
    filters: FiltersDep,
    sort: schemas.MemberSort = schemas.MemberSort.MEMBER_SINCE_DESC,
) -> CsvResponse:
    """The list's filters as a file. A manager's file holds only the members their own store
    referred; an admin's every member. Audited (who, which filters)."""
    with db.transaction(write=False) as session:
        zone = store_zone(session, actor.store_id)
        where = query.conditions(
            session,
            filters,
            now=utcnow(),
            zone=zone,
            referral_store_id=export.scope_store_id(actor),
            sort_column=query.sort_key(sort, filters.kind).column,
        )
    export.record_export(db=db, actor=actor, filters=filters, sort=sort)
    body = export.stream(db=db, where=where, sort=sort, kind=filters.kind, zone=zone)
    stamp = utcnow().astimezone(ZoneInfo(zone)).strftime("%Y%m%d-%H%M")
    return CsvResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="members-{stamp}.csv"'},
    )


def _before(cursor: str | None) -> int | None:
    return min(int(cursor), schemas.ID_BOUND - 1) if cursor is not None else None


@router.get(
    "/members/{member_id:id}",
    response_model=schemas.Member,
    responses=errors(member_not_found=404),
)
def get_member(
    member_id: schemas.Id, actor: ManagerDep, db: DbDep, settings: SettingsDep
) -> schemas.Member:
    with db.transaction(write=False) as session:
        return service.member_out(session, member_id, settings, utcnow())


@router.patch(
    "/members/{member_id:id}",
    response_model=schemas.Member,
    responses=errors(
        member_not_found=404,
        member_merged=409,
        member_erased=409,
        identifier_taken=409,
        identifier_retired=409,
        unknown_level=422,
        field_required=422,
        birthday_out_of_range=422,
        invalid_email=422,
    ),
)
def patch_member(
    member_id: schemas.Id,
    body: schemas.MemberPatch,
    actor: ManagerDep,
    db: DbDep,
    settings: SettingsDep,
) -> schemas.Member:
    with db.transaction() as session:
        zone = store_zone(session, actor.store_id)
        today = utcnow().astimezone(ZoneInfo(zone)).date()
        service.update(session=session, actor=actor, member_id=member_id, patch=body, today=today)
        return service.member_out(session, member_id, settings, utcnow())


@router.get(
    "/members/{member_id:id}/orders",
    response_model=schemas.MemberOrders,
    responses=errors(member_not_found=404),
)
def member_orders(
    member_id: schemas.Id,
    actor: ManagerDep,
    db: DbDep,
    cursor: PageCursor = None,
    limit: PageLimit = 50,
) -> schemas.MemberOrders:
    with db.transaction(write=False) as session:
        found, next_id = service.orders_page(session, member_id, _before(cursor), limit)
        return schemas.MemberOrders(
            items=[schemas.OrderOut.model_validate(order) for order in found],
            next_cursor=str(next_id) if next_id is not None else None,
        )


@router.get(
    "/members/{member_id:id}/audit",
    response_model=schemas.MemberAudit,
    responses=errors(member_not_found=404),
)
def member_audit(
    member_id: schemas.Id,
    actor: ManagerDep,
    db: DbDep,
    cursor: PageCursor = None,
    limit: PageLimit = 50,
) -> schemas.MemberAudit:
    with db.transaction(write=False) as session:
        items, next_id = service.audit_page(session, member_id, _before(cursor), limit)
        return schemas.MemberAudit(
            items=items, next_cursor=str(next_id) if next_id is not None else None
        )
