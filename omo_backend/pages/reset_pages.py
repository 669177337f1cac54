"""'Forgot password?' on the bind link: ask for a reset link, then choose a new password.

The link may be opened in another browser (the SMS app's); the new password is then used on
the bind page the member left, whose link still works until it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import HTMLResponse, Response

from backend_client.masking import mask_email, mask_phone
from omo_backend import security
from omo_backend.bindings import service as binding_service
from omo_backend.customers import password_reset
from omo_backend.deps import DbDep, SettingsDep
from omo_backend.errors import DomainError, NotFound, RateLimited
from omo_backend.models import BindingSession, Customer, PasswordReset, Store
from omo_backend.pages import service
from omo_backend.pages.contexts import BindPage, bind_context, bind_refusal, open_bind_page
from omo_backend.pages.i18n import translator
from omo_backend.pages.rendering import (
    RESET_COOKIE,
    Action,
    enter_session,
    error_page,
    locale_of,
    message_page,
    redirect,
    render,
    way_on,
)

router = APIRouter(tags=["customer pages"], include_in_schema=False)


@router.get("/b/forgot")
def forgot_password(
    request: Request, db: DbDep, omo_bind: Annotated[str | None, Cookie()] = None
) -> Response:
    # A link locked by wrong passwords still leads here: the reset goes to the member alone.
    ctx = open_bind_page(request, db, omo_bind, locked_ok=True)
    if not isinstance(ctx, BindPage):
        return ctx
    t = translator(locale_of(request))
    by_sms = ctx.phone_masked is not None
    return message_page(
        request,
        200,
        "reset_request_sms" if by_sms else "reset_request_email",
        store=ctx.store,
        heading_key="reset_request_title",
        phone=(ctx.phone_masked if by_sms else ctx.email_masked) or "",
        actions=(
            Action(t["reset_send"], "/b/forgot", post=True),
            Action(t["back_to_sign_in"], "/b", primary=False),
        ),
        csrf=ctx.csrf,
    )


@router.post("/b/forgot")
def send_reset_link(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    omo_bind: Annotated[str | None, Cookie()] = None,
) -> Response:
    ctx = open_bind_page(request, db, omo_bind, locked_ok=True)
    if not isinstance(ctx, BindPage):
        return ctx
    if not security.constant_time_equal(csrf, ctx.csrf):
        return message_page(request, 403, "csrf_failed", store=ctx.store)
    t = translator(locale_of(request))
    back = (Action(t["back_to_sign_in"], "/b"),)
    try:
        with db.transaction() as session:
            page = service.find_or_raise(session=session, sid=omo_bind, kind="binding")
            binding = binding_service.get_open_or_raise(
                session=session, binding_id=page.binding_id, locked_ok=True
            )
            sent = password_reset.request_reset(
                session=session, settings=settings, binding=binding, locale=locale_of(request)
            )
    except RateLimited as error:
        code = error.code if error.code in ("reset_wait", "reset_too_many") else "reset_too_many"
        page_429 = message_page(
            request,
            429,
            code,
            store=ctx.store,
            heading_key="reset_request_title",
            icon="problem",
            actions=back,
        )
        page_429.headers.update(error.headers or {})
        return page_429
    except DomainError as error:
        return bind_refusal(request, error.code, error.status, ctx.store)
    return message_page(
        request,
        200,
        "reset_sent",
        store=ctx.store,
        heading_key="reset_sent_title",
        icon="done",
        phone=sent.to_masked,
        actions=back,
    )


@router.get("/b/reset")
def reset_form(
    request: Request, db: DbDep, omo_reset: Annotated[str | None, Cookie()] = None
) -> Response:
    found = _reset_page(request, db, omo_reset)
    if isinstance(found, Response):
        return found
    return _form(request, found, 200, {})


@router.post("/b/reset")
def save_new_password(
    request: Request,
    db: DbDep,
    password: Annotated[str, Form()] = "",
    password_confirm: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    omo_reset: Annotated[str | None, Cookie()] = None,
    omo_bind: Annotated[str | None, Cookie()] = None,
) -> Response:
    found = _reset_page(request, db, omo_reset)
    if isinstance(found, Response):
        return found
    store = found.store
    if not security.constant_time_equal(csrf, found.csrf):
        return message_page(request, 403, "csrf_failed", store=store)
    errors: dict[str, str] = {}
    if len(password) < 8:
        errors["password"] = "password_short"  # noqa: S105 (a message key)
    elif password != password_confirm:
        errors["password_confirm"] = "password_mismatch"  # noqa: S105 (a message key)
    if errors:
        return _form(request, found, 422, errors)
    try:
        with db.transaction() as session:
            page = service.find_or_raise(session=session, sid=omo_reset, kind="reset")
            assert page.reset_id is not None
            member = password_reset.set_password(
                session=session,
                reset_id=page.reset_id,
                password_hash=security.hash_secret(password),
            )
            member_id = member.id
    except DomainError as error:
        return message_page(request, error.status, error.code, store=store, icon="problem")
    if _signing_in_here(db, omo_bind, member_id):
        return redirect(request, "/b?reset=done")
    return message_page(
        request,
        200,
        "first_login_done" if found.first else "reset_done",
        store=store,
        heading_key="first_login_done_title" if found.first else "reset_done_title",
        icon="done",
        **way_on(request, store),
    )


# After /b/reset: a token route would swallow that path.
@router.get("/b/reset/{token}")
def open_reset_link(token: str, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    try:
        with db.transaction() as session:
            reset = password_reset.find_usable_or_raise(session=session, token=token)
            sid = service.open_session(
                session=session,
                kind="reset",
                customer_id=reset.customer_id,
                reset_id=reset.id,
                ttl_seconds=int(password_reset.RESET_TTL.total_seconds()),
            )
    except DomainError as error:
        return error_page(request, error)
    return enter_session(request, settings, RESET_COOKIE, "/b/reset", sid)


@dataclass(frozen=True)
class ResetPage:
    """The reset page session: the store it speaks for, the member (masked), its CSRF token,
    and whether the member is choosing their first password (added by the store)."""

    store: Store | None
    who: str
    csrf: str
    first: bool


def _reset_page(request: Request, db: DbDep, sid: str | None) -> ResetPage | Response:
    """The reset page session, or the page saying no."""
    try:
        with db.transaction(write=False) as session:
            page = service.find_or_raise(session=session, sid=sid, kind="reset")
            reset = session.get_one(PasswordReset, page.reset_id)
            member = session.get_one(Customer, reset.customer_id)
            # The store of the bind page it was asked from; a first-login link (no bind page)
            # speaks for the store that added the member.
            store_id = member.source_store_id
            if reset.binding_id is not None:
                store_id = session.get_one(BindingSession, reset.binding_id).store_id
            store = session.get(Store, store_id) if store_id is not None else None
            if store is not None:
                session.expunge(store)
            who = mask_phone(member.phone) or mask_email(member.email) or ""
            if reset.used_at is not None:
                return message_page(request, 410, "reset_link_used", store=store, icon="problem")
            return ResetPage(store, who, page.csrf_token, first=member.password_hash is None)
    except NotFound:
        return message_page(request, 404, "session_missing")


def _form(request: Request, page: ResetPage, status: int, errors: dict[str, str]) -> HTMLResponse:
    t = translator(locale_of(request))
    store_name = page.store.name if page.store else t["the_store"]
    return render(
        request,
        "reset.html",
        status,
        store=page.store,
        title=t.fill("first_login_title", store=store_name) if page.first else t["reset_title"],
        first=page.first,
        csrf=page.csrf,
        who=page.who,
        errors={field: t.html(key) for field, key in errors.items()},
    )


def _signing_in_here(db: DbDep, bind_sid: str | None, member_id: int) -> bool:
    """This browser has the member's bind page open, and its link can still be used."""
    try:
        ctx = bind_context(db, bind_sid)
    except NotFound:
        return False
    return ctx.closed_code is None and ctx.member_id == member_id
