"""The customers' pages: registration (``/r``) and member sign-in on the bind link (``/b``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import HTMLResponse, Response

from backend_client.masking import mask_email, mask_phone
from backend_client.schemas import BindingStatus, InvitationStatus
from omo_backend import security
from omo_backend.bindings import service as binding_service
from omo_backend.customers.service import Registration
from omo_backend.deps import DbDep, SettingsDep
from omo_backend.errors import Conflict, DomainError, NotFound
from omo_backend.invitations import service as invitation_service
from omo_backend.models import BindingSession, Customer, Referral, Store, utcnow
from omo_backend.pages import service
from omo_backend.pages.i18n import translator
from omo_backend.pages.rendering import (
    BIND_COOKIE,
    REG_COOKIE,
    enter_session,
    error_page,
    locale_of,
    message_page,
    redirect,
    render,
)

router = APIRouter(tags=["customer pages"], include_in_schema=False)

def _registration_context(request: Request, db: DbDep, sid: str | None) -> dict[str, Any]:
    with db.transaction(write=False) as session:
        page = service.find_or_raise(session=session, sid=sid, kind="registration")
        invitation = service.invitation_of(session=session, page=page)
        store = session.get_one(Store, invitation.store_id)
        session.expunge(store)
        return {
            "store": store,
            "csrf": page.csrf_token,
            "status": InvitationStatus(invitation.status),
            "expired": invitation.expires_at <= utcnow(),
            "phone_masked": mask_phone(invitation.phone),
            "invitation": invitation,
        }


def _consent_texts(locale: str, store: Store) -> tuple[str, str]:
    t = translator(locale)
    return t["terms_consent"].format(store=store.name), t["marketing_consent"].format(
        store=store.name
    )


def _form_page(
    request: Request,
    ctx: dict[str, Any],
    status: int,
    values: dict[str, Any],
    errors: dict[str, str],
) -> HTMLResponse:
    locale = locale_of(request)
    t = translator(locale)
    terms_text, marketing_text = _consent_texts(locale, ctx["store"])
    return render(
        request,
        "register.html",
        status,
        store=ctx["store"],
        title=t["register_title"].format(store=ctx["store"].name),
        csrf=ctx["csrf"],
        phone_masked=ctx["phone_masked"],
        values=values,
        errors={field: t[key] for field, key in errors.items()},
        terms_text=terms_text,
        marketing_text=marketing_text,
    )


def _ticked(box: str) -> bool:
    """A checkbox's value: browsers leave an unticked box out, others may send "0" or "off"."""
    return box.strip().lower() in {"1", "on", "true", "yes"}


def _closed_page(request: Request, ctx: dict[str, Any]) -> Response | None:
    if ctx["status"] is InvitationStatus.REGISTERED:
        return redirect(request, "/r/done")
    if ctx["status"].is_final or ctx["expired"]:
        return message_page(request, 410, "link_expired", store=ctx["store"])
    return None


@router.get("/r")
def registration_form(
    request: Request, db: DbDep, omo_reg: Annotated[str | None, Cookie()] = None
) -> Response:
    try:
        ctx = _registration_context(request, db, omo_reg)
    except NotFound:
        return message_page(request, 404, "session_missing")
    closed = _closed_page(request, ctx)
    return closed or _form_page(request, ctx, 200, {}, {})


@router.post("/r")
def submit_registration(
    request: Request,
    db: DbDep,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    birthday: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_confirm: Annotated[str, Form()] = "",
    terms: Annotated[str, Form()] = "",
    marketing: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    omo_reg: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        ctx = _registration_context(request, db, omo_reg)
    except NotFound:
        return message_page(request, 404, "session_missing")
    closed = _closed_page(request, ctx)
    if closed is not None:
        return closed
    values = {
        "name": name,
        "email": email,
        "birthday": birthday,
        "terms": _ticked(terms),
        "marketing": _ticked(marketing),
    }
    if not security.constant_time_equal(csrf, ctx["csrf"]):
        return message_page(request, 403, "csrf_failed", store=ctx["store"])
    form = service.RegistrationForm(
        name=name,
        email=email,
        birthday=birthday,
        password=password,
        password_confirm=password_confirm,
        terms=_ticked(terms),
        marketing=_ticked(marketing),
    )
    clean = service.validate(form)
    if isinstance(clean, dict):
        return _form_page(request, ctx, 422, values, clean)
    locale = locale_of(request)
    terms_text, marketing_text = _consent_texts(locale, ctx["store"])
    registration = Registration(
        name=clean.name,
        email=clean.email,
        birthday=clean.birthday,
        password_hash=security.hash_secret(clean.password),
        marketing_consent=clean.marketing,
        terms_text=terms_text,
        marketing_text=marketing_text,
        locale=locale,
    )
    try:
        with db.transaction() as session:
            invitation_service.complete_registration(
                session=session, invitation=ctx["invitation"], registration=registration
            )
    except Conflict as error:
        field = error.details.get("field")
        if field == "email":
            return _form_page(request, ctx, 409, values, {"email": error.code})
        return message_page(request, 409, error.code, store=ctx["store"])
    except DomainError as error:
        return message_page(request, error.status, error.code, store=ctx["store"])
    request.app.state.watcher.notify()
    return redirect(request, "/r/done")


@router.get("/r/done")
def registration_done(
    request: Request, db: DbDep, omo_reg: Annotated[str | None, Cookie()] = None
) -> Response:
    try:
        ctx = _registration_context(request, db, omo_reg)
    except NotFound:
        return message_page(request, 404, "session_missing")
    if ctx["status"] is not InvitationStatus.REGISTERED:
        return redirect(request, "/r")
    return message_page(
        request, 200, "done_body", store=ctx["store"], heading_key="done_title", icon="done"
    )


# After /r/done: a token route would swallow that path.
@router.get("/r/{token}")
def open_registration_link(
    token: str, request: Request, db: DbDep, settings: SettingsDep
) -> Response:
    try:
        with db.transaction() as session:
            invitation = invitation_service.find_by_token_or_raise(session=session, token=token)
            invitation_service.mark_opened(session=session, invitation=invitation)
            sid = service.open_session(
                session=session,
                kind="registration",
                invitation_id=invitation.id,
                ttl_seconds=settings.page_session_ttl_seconds,
            )
    except DomainError as error:
        return error_page(request, error)
    request.app.state.watcher.notify()
    return enter_session(request, settings, REG_COOKIE, "/r", sid)


@router.post("/r/{token}")
def post_to_registration_link(token: str, request: Request) -> Response:
    """API.md lists POST on the link; the form itself posts to the token-free ``/r``."""
    return redirect(request, f"/r/{token}")


# --- the bind link: the member signs in, (LINE,) confirms their details ---------------------


@dataclass(frozen=True)
class BindPage:
    """What the bind pages show and check, read in one go from the page session."""

    store: Store
    csrf: str
    via: str
    status: BindingStatus
    closed_code: str | None  # why the link can't be used any more, if it can't
    signed_in: bool
    phone_masked: str | None
    name: str
    birthday: str
    email_masked: str | None
    referral: str | None
    referral_kept: bool


def _bind_context(db: DbDep, sid: str | None) -> BindPage:
    with db.transaction(write=False) as session:
        page = service.find_or_raise(session=session, sid=sid, kind="binding")
        binding = session.get_one(BindingSession, page.binding_id)
        store = session.get_one(Store, binding.store_id)
        member = session.get_one(Customer, binding.customer_id)
        status = BindingStatus(binding.status)
        closed_code: str | None = None
        if status is BindingStatus.COMPLETED:
            closed_code = "link_used"
        elif status.is_final or binding.expires_at <= utcnow():
            closed_code = "link_expired"
        elif binding_service.is_locked(binding):
            closed_code = "link_locked"
        referral = session.get(Referral, member.id)
        referral_text: str | None = None
        if referral is not None:
            # As the counter names it: the store, then the staff member if one is known.
            names = [referral.store.name] + ([referral.staff.name] if referral.staff else [])
            referral_text = " · ".join(names)
        session.expunge(store)
        return BindPage(
            store=store,
            csrf=page.csrf_token,
            via=page.link_via or "qr",
            status=status,
            closed_code=closed_code,
            signed_in=page.customer_id is not None and page.customer_id == binding.customer_id,
            phone_masked=mask_phone(member.phone),
            name=member.name or "",
            birthday=member.birthday.isoformat() if member.birthday else "",
            email_masked=mask_email(member.email),
            referral=referral_text,
            # The counter's own rule: a referral older than this binding was set before it.
            referral_kept=referral is not None and referral.bound_at < binding.created_at,
        )


_CLOSED_STATUS = {"link_used": 410, "link_expired": 410, "link_locked": 429}


def _bind_closed_page(request: Request, ctx: BindPage) -> Response | None:
    if ctx.closed_code is None:
        return None
    if ctx.status is BindingStatus.COMPLETED and ctx.signed_in:
        return redirect(request, "/b/done")
    return message_page(request, _CLOSED_STATUS[ctx.closed_code], ctx.closed_code, store=ctx.store)


def _sign_in_page(
    request: Request, ctx: BindPage, status: int, identifier: str, errors: dict[str, str]
) -> HTMLResponse:
    t = translator(locale_of(request))
    return render(
        request,
        "bind_sign_in.html",
        status,
        store=ctx.store,
        title=t["bind_title"].format(store=ctx.store.name),
        csrf=ctx.csrf,
        phone_masked=ctx.phone_masked,
        values={"identifier": identifier},
        errors=errors,
    )


def _details_page(
    request: Request,
    ctx: BindPage,
    status: int,
    values: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    t = translator(locale_of(request))
    return render(
        request,
        "bind_details.html",
        status,
        store=ctx.store,
        title=t["details_title"],
        csrf=ctx.csrf,
        email_masked=ctx.email_masked,
        values=values,
        errors={field: t[key] for field, key in errors.items()},
    )


def _details_values(ctx: BindPage) -> dict[str, str]:
    return {"name": ctx.name, "birthday": ctx.birthday, "email": ""}


@router.get("/b")
def bind_page(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    omo_bind: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        ctx = _bind_context(db, omo_bind)
    except NotFound:
        return message_page(request, 404, "session_missing")
    closed = _bind_closed_page(request, ctx)
    if closed is not None:
        return closed
    if not ctx.signed_in:
        return _sign_in_page(request, ctx, 200, "", {})
    if service.line_step(settings=settings, status=ctx.status) == "link":
        # TODO(line): redirect to the LINE module's authorisation step (it comes back through
        # /line/callback and on to /b); until it exists line_step never answers "link".
        return message_page(request, 503, "server_trouble", store=ctx.store)
    return _details_page(request, ctx, 200, _details_values(ctx), {})


@router.post("/b")
def submit_sign_in(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    identifier: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    omo_bind: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        ctx = _bind_context(db, omo_bind)
    except NotFound:
        return message_page(request, 404, "session_missing")
    closed = _bind_closed_page(request, ctx)
    if closed is not None:
        return closed
    if ctx.signed_in:
        return redirect(request, "/b")
    if not security.constant_time_equal(csrf, ctx.csrf):
        return message_page(request, 403, "csrf_failed", store=ctx.store)
    try:
        with db.transaction() as session:
            page = service.find_or_raise(session=session, sid=omo_bind, kind="binding")
            binding = binding_service.get_open_or_raise(session=session, binding_id=page.binding_id)
            result = binding_service.sign_in(
                session=session,
                binding=binding,
                identifier=identifier,
                password=password,
                default_region=settings.default_country,
            )
            if isinstance(result, Customer):
                page.customer_id = result.id
    except DomainError as error:
        status = _CLOSED_STATUS.get(error.code, error.status)
        return message_page(request, status, error.code, store=ctx.store)
    if isinstance(result, binding_service.SignInRefused):
        if result.tries_left <= 0:
            return message_page(request, 429, "link_locked", store=ctx.store)
        t = translator(locale_of(request))
        message = t[result.code]
        if result.code in ("account_unknown", "account_other", "password_wrong"):
            message += f" {t['tries_left']} {result.tries_left}"
        return _sign_in_page(request, ctx, 200, identifier, {result.field: message})
    request.app.state.watcher.notify()
    return redirect(request, "/b")


@router.post("/b/details")
def submit_details(
    request: Request,
    db: DbDep,
    name: Annotated[str, Form()] = "",
    birthday: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    omo_bind: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        ctx = _bind_context(db, omo_bind)
    except NotFound:
        return message_page(request, 404, "session_missing")
    closed = _bind_closed_page(request, ctx)
    if closed is not None:
        return closed
    if not ctx.signed_in:
        return redirect(request, "/b")
    if not security.constant_time_equal(csrf, ctx.csrf):
        return message_page(request, 403, "csrf_failed", store=ctx.store)
    values = {"name": name, "birthday": birthday, "email": email}
    # An e-mail on file is shown masked and not changed here.
    form = service.DetailsForm(
        name=name, birthday=birthday, email="" if ctx.email_masked else email
    )
    clean = service.validate_details(form)
    if isinstance(clean, dict):
        return _details_page(request, ctx, 422, values, clean)
    try:
        with db.transaction() as session:
            page = service.find_or_raise(session=session, sid=omo_bind, kind="binding")
            binding = binding_service.get_open_or_raise(session=session, binding_id=page.binding_id)
            binding_service.confirm_details(
                session=session,
                binding=binding,
                signed_in_id=page.customer_id,
                details=clean,
                via=ctx.via,
            )
    except Conflict as error:
        if error.details.get("field") == "email":
            return _details_page(request, ctx, 409, values, {"email": error.code})
        return message_page(request, 409, error.code, store=ctx.store)
    except DomainError as error:
        status = _CLOSED_STATUS.get(error.code, error.status)
        return message_page(request, status, error.code, store=ctx.store)
    request.app.state.watcher.notify()
    return redirect(request, "/b/done")


@router.get("/b/done")
def bind_done(
    request: Request, db: DbDep, omo_bind: Annotated[str | None, Cookie()] = None
) -> Response:
    try:
        ctx = _bind_context(db, omo_bind)
    except NotFound:
        return message_page(request, 404, "session_missing")
    if not (ctx.status is BindingStatus.COMPLETED and ctx.signed_in):
        return _bind_closed_page(request, ctx) or redirect(request, "/b")
    t = translator(locale_of(request))
    more: tuple[str, ...] = ()
    if ctx.referral is not None:
        key = "referral_kept" if ctx.referral_kept else "referral_new"
        more = (t[key].format(store=ctx.referral),)
    return message_page(
        request,
        200,
        "bind_done",
        store=ctx.store,
        heading_key="bind_done_title",
        icon="done",
        more=more,
    )


# After /b/done: a token route would swallow that path.
@router.get("/b/{token}")
def open_bind_link(token: str, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """The member scans the counter's QR code (or taps the SMS link): the counter sees it."""
    try:
        with db.transaction() as session:
            binding = binding_service.find_by_token_or_raise(session=session, token=token)
            binding_service.advance(binding, BindingStatus.SCANNED)
            sid = service.open_session(
                session=session,
                kind="binding",
                binding_id=binding.id,
                link_via=binding_service.link_via(binding=binding, token=token),
                ttl_seconds=settings.page_session_ttl_seconds,
            )
    except DomainError as error:
        return error_page(request, error)
    request.app.state.watcher.notify()
    return enter_session(request, settings, BIND_COOKIE, "/b", sid)


@router.post("/b/{token}")
def post_to_bind_link(token: str, request: Request) -> Response:
    """API.md lists POST on the link; the forms themselves post to the token-free ``/b``."""
    return redirect(request, f"/b/{token}")
