"""The customers' pages: registration (``/r``) and, for now, the bind link (``/b``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from backend_client.masking import mask_phone
from backend_client.schemas import BindingStatus, InvitationStatus
from omo_backend import security
from omo_backend.bindings import service as binding_service
from omo_backend.customers.service import Registration
from omo_backend.deps import DbDep, SettingsDep
from omo_backend.errors import Conflict, DomainError, NotFound
from omo_backend.invitations import service as invitation_service
from omo_backend.models import Store, utcnow
from omo_backend.pages import service
from omo_backend.pages.i18n import pick_locale, translator

router = APIRouter(tags=["customer pages"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

REG_COOKIE = "omo_reg"
LANG_COOKIE = "omo_lang"
PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


def locale_of(request: Request) -> str:
    return pick_locale(
        request.headers.get("accept-language"),
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
    )


def render(
    request: Request, template: str, status: int, *, store: Store | None, **context: Any
) -> HTMLResponse:
    locale = locale_of(request)
    t = translator(locale)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "locale": locale,
            "store_name": store.name if store else "OMO",
            "brand": store.brand_color if store else "#0b6e4f",
            "title": context.pop("title", store.name if store else "OMO"),
            **context,
        },
        status_code=status,
        headers=PAGE_HEADERS,
    )
    lang = request.query_params.get("lang")
    if lang in ("en", "zh_TW"):
        response.set_cookie(LANG_COOKIE, str(lang), max_age=365 * 86400, samesite="lax")
    return response


def message_page(
    request: Request,
    status: int,
    code: str,
    *,
    store: Store | None = None,
    heading_key: str = "error_title",
    icon: str = "",
) -> HTMLResponse:
    t = translator(locale_of(request))
    store_name = store.name if store else "OMO"
    return render(
        request,
        "message.html",
        status,
        store=store,
        heading=t[heading_key].format(store=store_name),
        body=t.get(code, t["server_trouble"]).format(store=store_name),
        icon=icon,
    )


def error_page(request: Request, error: DomainError) -> HTMLResponse:
    return message_page(request, error.status, error.code)


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
        return RedirectResponse("/r/done", status_code=303, headers=PAGE_HEADERS)
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
    return RedirectResponse("/r/done", status_code=303, headers=PAGE_HEADERS)


@router.get("/r/done")
def registration_done(
    request: Request, db: DbDep, omo_reg: Annotated[str | None, Cookie()] = None
) -> Response:
    try:
        ctx = _registration_context(request, db, omo_reg)
    except NotFound:
        return message_page(request, 404, "session_missing")
    if ctx["status"] is not InvitationStatus.REGISTERED:
        return RedirectResponse("/r", status_code=303, headers=PAGE_HEADERS)
    return message_page(
        request, 200, "done_body", store=ctx["store"], heading_key="done_title", icon="🎉"
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
    # The token leaves the address bar (and the history) here.
    response = RedirectResponse("/r", status_code=303, headers=PAGE_HEADERS)
    response.set_cookie(
        REG_COOKIE,
        sid,
        max_age=settings.page_session_ttl_seconds,
        path="/r",
        httponly=True,
        samesite="lax",
        secure=settings.public_base_url.startswith("https"),
    )
    return response


@router.post("/r/{token}")
def post_to_registration_link(token: str) -> Response:
    """API.md lists POST on the link; the form itself posts to the token-free ``/r``."""
    return RedirectResponse(f"/r/{token}", status_code=303, headers=PAGE_HEADERS)


@router.get("/b/{token}")
def open_bind_link(token: str, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """A clear placeholder until member sign-in on the phone is built: it records the scan.

    In demo mode it also offers to confirm the binding without signing in.
    """
    try:
        with db.transaction() as session:
            binding = binding_service.find_by_token_or_raise(session=session, token=token)
            binding_service.advance(binding, BindingStatus.SCANNED)
            store = session.get_one(Store, binding.store_id)
            session.expunge(store)
    except DomainError as error:
        return error_page(request, error)
    request.app.state.watcher.notify()
    if not settings.dev_mode:
        return message_page(request, 200, "bind_placeholder", store=store, heading_key="bind_title")
    t = translator(locale_of(request))
    return render(
        request,
        "bind_demo.html",
        200,
        store=store,
        heading=t["bind_title"].format(store=store.name),
        body=t["bind_placeholder"],
        token=token,
    )


@router.post("/b/{token}/confirm")
def confirm_bind_link(token: str, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """Demo mode only: the member confirms on the phone, standing in for sign-in."""
    if not settings.dev_mode:
        return message_page(request, 404, "page_missing")
    try:
        with db.transaction() as session:
            binding = binding_service.find_by_token_or_raise(session=session, token=token)
            binding_service.complete(
                session=session,
                binding=binding,
                via=binding_service.link_via(binding=binding, token=token),
            )
            store = session.get_one(Store, binding.store_id)
            session.expunge(store)
    except DomainError as error:
        return error_page(request, error)
    request.app.state.watcher.notify()
    return message_page(
        request, 200, "bind_done", store=store, heading_key="bind_done_title", icon="🎉"
    )
