"""Member Search at the counter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend_client import schemas
from omo_backend.customers import service
from omo_backend.deps import ActorDep, DbDep, SettingsDep
from omo_backend.openapi import errors
from omo_backend.wire import customer_summaries

router = APIRouter(prefix="/api/v1", tags=["counter"])


@router.get(
    "/customers/search",
    response_model=schemas.CustomerSearchResult,
    responses=errors(one_search_field=422, invalid_phone=422, invalid_email=422, invalid_name=422),
)
def search_customers(
    actor: ActorDep,
    db: DbDep,
    settings: SettingsDep,
    phone: Annotated[schemas.SingleLine | None, Query(max_length=32)] = None,
    email: Annotated[schemas.SingleLine | None, Query(max_length=254)] = None,
    name: Annotated[schemas.SingleLine | None, Query(max_length=100)] = None,
) -> schemas.CustomerSearchResult:
    where = service.search_condition(
        phone=phone, email=email, name=name, default_region=settings.default_country
    )
    with db.transaction(write=False) as session:
        items = customer_summaries(session, where, settings, limit=service.SEARCH_LIMIT)
        merged_into = service.merged_into_for_search(
            session=session, phone=phone, email=email, default_region=settings.default_country
        )
    return schemas.CustomerSearchResult(items=items, total=len(items), merged_into=merged_into)
