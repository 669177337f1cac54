"""Orders and carts (API.md "Orders and carts"): HTTP only, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from backend_client import schemas
from omo_backend import idempotency
from omo_backend.deps import DbDep, OrdersManagerDep, OrdersWriterDep, SettingsDep
from omo_backend.members import enrolment
from omo_backend.models import Customer
from omo_backend.openapi import errors
from omo_backend.orders import service

router = APIRouter(prefix="/api/v1", tags=["orders"])


@router.post(
    "/orders",
    status_code=201,
    response_model=schemas.OrderOut,
    responses=errors(
        phone_or_email_required=422,
        invalid_phone=422,
        invalid_email=422,
        invalid_status=422,
        currency_not_supported=422,
        store_code_required=422,
        store_not_found=404,
        forbidden=403,
        no_way_to_reach=422,
        rate_limited=429,
    ),
)
def record_order(
    body: schemas.OrderCreate,
    request: Request,
    caller: OrdersWriterDep,
    db: DbDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Counter staff record a sale at their own store; a manager, an admin or an
    integration's key (`orders:write`) names the store with `store_code`."""

    def work(session: Session) -> schemas.OrderOut:
        store_id = service.store_for_or_raise(
            session=session, caller=caller, store_code=body.store_code
        )
        if body.add_as_member:
            service.may_add_members_or_raise(caller)
        order = service.record(
            session=session,
            caller=caller,
            store_id=store_id,
            name=body.name,
            phone=body.phone,
            email=body.email,
            amount=body.amount,
            external_ref=body.external_ref,
            default_region=settings.default_country,
            currency=service.currency_or_raise(settings, body.currency),
            status=body.status,
            placed_at=body.placed_at,
        )
        if body.add_as_member:
            buyer = session.get_one(Customer, order.customer_id)
            if not buyer.is_member:
                enrolment.make_member(
                    session=session,
                    settings=settings,
                    caller=caller,
                    store_id=store_id,
                    member=buyer,
                )
        return schemas.OrderOut.model_validate(order)

    return idempotency.run(
        db=db,
        scope=service.idempotency_scope(caller),
        key=idempotency_key,
        request_hash=idempotency.fingerprint(request.method, request.url.path, body),
        ttl_seconds=settings.idempotency_ttl_seconds,
        status=201,
        work=work,
    ).response()


@router.patch(
    "/orders/{order_id}",
    response_model=schemas.OrderOut,
    responses=errors(
        order_not_found=404,
        invalid_status_change=409,
        order_not_paid=409,
        refund_decreased=422,
        refund_exceeds_amount=422,
        refund_incomplete=422,
        invalid_email=422,
    ),
)
def update_order(
    order_id: schemas.Id,
    body: schemas.OrderUpdate,
    caller: OrdersManagerDep,
    db: DbDep,
) -> schemas.OrderOut:
    with db.transaction() as session:
        order = service.update_order(
            session=session,
            caller=caller,
            order_id=order_id,
            status=body.status,
            refunded_amount=body.refunded_amount,
            email=body.email,
        )
        return schemas.OrderOut.model_validate(order)


@router.post(
    "/orders/{order_id}/resend-email",
    status_code=202,
    response_class=Response,
    responses=errors(order_not_found=404, order_has_no_email=409, resend_quota_exhausted=409),
)
def resend_order_email(
    order_id: schemas.Id, caller: OrdersManagerDep, db: DbDep, settings: SettingsDep
) -> Response:
    """Queue the order's summary to the order's own e-mail address (at most 5 times)."""
    with db.transaction() as session:
        service.resend_email(session=session, settings=settings, caller=caller, order_id=order_id)
    return Response(status_code=202)


@router.put(
    "/carts/{external_ref}",
    response_model=schemas.CartOut,
    responses=errors(
        customer_not_found=404, store_not_found=404, invalid_phone=422, invalid_email=422
    ),
)
def put_cart(
    external_ref: Annotated[
        str, Path(min_length=1, max_length=64, pattern=schemas.ONE_LINE_PATTERN)
    ],
    body: schemas.CartPut,
    caller: OrdersManagerDep,
    db: DbDep,
    settings: SettingsDep,
) -> schemas.CartOut:
    """The storefront's whole cart as it is now; "open" until `checked_out`."""
    with db.transaction() as session:
        cart = service.put_cart(
            session=session,
            settings=settings,
            caller=caller,
            external_ref=external_ref,
            store_code=body.store_code,
            customer_id=body.customer_id,
            phone=body.phone,
            email=body.email,
            amount=body.amount,
            items_count=body.items_count,
            checked_out=body.checked_out,
        )
        return schemas.CartOut.model_validate(cart)
