"""Integration API keys for an admin in the app: the same keys as ``omo-backend apikey``."""

from __future__ import annotations

from fastapi import APIRouter

from backend_client import schemas
from omo_backend.deps import AdminDep, DbDep
from omo_backend.integrations import service
from omo_backend.models import ApiKey
from omo_backend.openapi import errors

router = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])


def key_out(row: ApiKey) -> schemas.ApiKeyOut:
    return schemas.ApiKeyOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=row.scopes.split(),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


@router.get("/keys", response_model=list[schemas.ApiKeyOut])
def list_keys(actor: AdminDep, db: DbDep) -> list[schemas.ApiKeyOut]:
    """Every key, newest last; never the keys themselves (only their hash is kept)."""
    with db.transaction(write=False) as session:
        return [key_out(row) for row in service.list_keys(session=session)]


@router.post(
    "/keys",
    status_code=201,
    response_model=schemas.ApiKeyCreated,
    responses=errors(invalid_scope=422, invalid_name=422),
)
def create_key(body: schemas.ApiKeyCreate, actor: AdminDep, db: DbDep) -> schemas.ApiKeyCreated:
    """A new key: ``key`` is in this reply only, so the admin copies it now."""
    scopes = service.parse_scopes(" ".join(body.scopes))
    with db.transaction() as session:
        row, key = service.create(session=session, name=body.name, scopes=scopes, actor=actor)
        return schemas.ApiKeyCreated(key=key, **key_out(row).model_dump())


@router.post(
    "/keys/{key_id}/revoke",
    response_model=schemas.ApiKeyOut,
    responses=errors(api_key_not_found=404),
)
def revoke_key(key_id: schemas.Id, actor: AdminDep, db: DbDep) -> schemas.ApiKeyOut:
    """Revoked at once and for good; revoking a revoked key changes nothing."""
    with db.transaction() as session:
        row = service.get_or_raise(session=session, prefix_or_id=str(key_id))
        service.revoke(session=session, row=row, actor=actor)
        return key_out(row)
