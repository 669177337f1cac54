"""Merge and erase over HTTP (admins only). The rules are in service.py and erase.py."""

from __future__ import annotations

from fastapi import APIRouter

from backend_client import schemas
from omo_backend.deps import AdminDep, DbDep, SettingsDep
from omo_backend.directory import service as directory
from omo_backend.merges import erase, service
from omo_backend.models import utcnow
from omo_backend.openapi import errors

router = APIRouter(prefix="/api/v1", tags=["members"])

_MERGE_ERRORS = {
    "member_not_found": 404,
    "member_merged": 409,
    "member_erased": 409,
    "primary_not_member": 409,
    "duplicate_member_ids": 422,
    "insufficient_points": 422,
    "expiry_on_deduction": 422,
    "expiry_in_past": 422,
}


@router.post(
    "/members/merge/preview",
    response_model=schemas.MergePreview,
    responses=errors(**_MERGE_ERRORS),
)
def preview_merge(
    body: schemas.MergeRequest, actor: AdminDep, db: DbDep, settings: SettingsDep
) -> schemas.MergePreview:
    """What merging `member_ids` into `primary_id` would do, written nowhere: the accounts
    side by side, the merged result, the identifiers retired for ever, and the `preview_id`
    that confirms exactly this."""
    with db.transaction(write=False) as session:
        return service.preview(session=session, settings=settings, request=body)


@router.post(
    "/members/merge",
    response_model=schemas.Member,
    responses=errors(**_MERGE_ERRORS, preview_stale=409),
)
def merge_members(
    body: schemas.MergeConfirm, actor: AdminDep, db: DbDep, settings: SettingsDep
) -> schemas.Member:
    """Merge as previewed, irreversibly: orders (the unpaid ones once paid), points and carts
    move to the primary; the others' phones, e-mails and LINE ids are retired for ever. 409
    `preview_stale` when anything changed since the preview, `member_merged` when another
    merge took an account first."""
    with db.transaction() as session:
        service.merge(session=session, settings=settings, actor=actor, request=body)
        return directory.member_out(session, body.primary_id, settings, utcnow())


@router.post(
    "/members/{member_id:id}/erase",
    response_model=schemas.Member,
    responses=errors(member_not_found=404, member_merged=409, member_erased=409),
)
def erase_member(
    member_id: schemas.Id,
    body: schemas.EraseRequest,
    actor: AdminDep,
    db: DbDep,
    settings: SettingsDep,
) -> schemas.Member:
    """The member's personal data removed on their request, irreversibly: orders and consents
    kept without it, the reason audited; their phone and e-mail may sign up again."""
    with db.transaction() as session:
        erase.erase(session=session, actor=actor, member_id=member_id, reason=body.reason)
        return directory.member_out(session, member_id, settings, utcnow())
