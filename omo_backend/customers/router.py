"""Member Search at the counter, and purchases that make past buyers real."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend_client import schemas
from omo_backend.actor import Actor
from omo_backend.customers import service
from omo_backend.deps import ActorDep, DbDep, OrdersWriterDep, SettingsDep
from omo_backend.errors import ValidationFailed
from omo_backend.integrations.service import Integration
from omo_backend.openapi import errors
from omo_backend.stores import service as stores
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
    return schemas.CustomerSearchResult(items=items, total=len(items))


@router.post(
    "/orders",
    status_code=201,
    response_model=schemas.OrderOut,
    responses=errors(
        phone_or_email_required=422,
        invalid_phone=422,
        invalid_email=422,
        store_code_required=422,
        store_not_found=404,
        forbidden=403,
    ),
)
def record_order(
    body: schemas.OrderCreate, caller: OrdersWriterDep, db: DbDep, settings: SettingsDep
) -> schemas.OrderOut:
    """Counter staff record a sale at their store; an integration's key (`orders:write`)
    names the store with `store_code`."""
    actor = caller if isinstance(caller, Actor) else None
    with db.transaction() as session:
        if body.store_code is not None:
            store_id = stores.get_by_code_or_raise(session=session, code=body.store_code).id
        elif actor is not None:
            store_id = actor.store_id
        else:
            raise ValidationFailed(
                "An order sent with an API key names its store.", code="store_code_required"
            )
        order = service.record_purchase(
            session=session,
            store_id=store_id,
            staff_id=actor.staff_id if actor else None,
            device_id=actor.device_id if actor else None,
            name=body.name,
            phone=body.phone,
            email=body.email,
            amount=body.amount,
            external_ref=body.external_ref,
            default_region=settings.default_country,
            api_key_id=caller.api_key_id if isinstance(caller, Integration) else None,
        )
        return schemas.OrderOut.model_validate(order)
