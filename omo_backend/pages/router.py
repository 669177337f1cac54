"""The customers' pages: registration (``/r``) and member sign-in on the bind link (``/b``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from backend_client.schemas import BindingStatus, InvitationStatus, LineOutcome
from omo_backend import security
from omo_backend.bindings import service as binding_service
from omo_backend.customers.service import Registration
from omo_backend.deps import DbDep, SettingsDep
from omo_backend.errors import Conflict, DomainError, NotFound
from omo_backend.invitations import service as invitation_service
from omo_backend.models import Customer, Store, utcnow
from omo_backend.pages import line_pages, service
from omo_backend.pages.contexts import (
    BindPage,
    bind_closed_page,
    bind_context,
    bind_refusal,
    link_refusal,
    locked_page,
    open_bind_page,
    registration_closed_page,
    registration_context,
)
from omo_backend.pages.i18n import translator, typeset
from omo_backend.pages.rendering import (
    BIND_COOKIE,
    REG_COOKIE,
    Action,
    enter_session,
    locale_of,
    message_page,
    redirect,
    render,
    status_page,
    way_on,
)
from omo_backend.stores.service import get_by_code_or_raise as get_store_by_code_or_raise

router = APIRouter(tags=["customer pages"], include_in_schema=False)


def _consent_texts(locale: str, store: Store) -> tuple[str, str]:
    t = translator(locale)
    return t.fill("terms_consent", store=store.name), t.fill("marketing_consent", store=store.name)


def _consent_html(locale: str, store: Store) -> tuple[Markup, Markup]:
    """The consent texts as the form shows them (the same words, typeset)."""
    t = translator(locale)
    return t.html("terms_consent", store=store.name), t.html("marketing_consent", store=store.name)


def _form_page(
    request: Request,
    ctx: dict[str, Any],
    status: int,
    values: dict[str, Any],
    errors: dict[str, str],
) -> HTMLResponse:
    locale = locale_of(request)
    t = translator(locale)
    terms_text, marketing_text = _consent_html(locale, ctx["store"])
    return render(
        request,
        "register.html",
        status,
        store=ctx["store"],
        title=t.fill("register_title", store=ctx["store"].name),
        heading=t.html("register_title", store=ctx["store"].name),
        csrf=ctx["csrf"],
        phone_masked=ctx["phone_masked"],
        values=values,
        errors={field: t.html(key) for field, key in errors.items()},
        terms_text=terms_text,
        marketing_text=marketing_text,
        terms_href=terms_href(ctx["store"]),
        **_birth_years(),
    )


def terms_href(store: Store) -> str:
    return f"/stores/{quote(store.code, safe='')}/terms"


def _birth_years() -> dict[str, int]:
    """The years the birthday lists offer: this year back to the earliest one taken."""
    return {"first_year": service.FIRST_BIRTH_YEAR, "last_year": utcnow().year}


def _ticked(box: str) -> bool:
    """A checkbox's value: browsers leave an unticked box out, others may send "0" or "off"."""
    return box.strip().lower() in {"1", "on", "true", "yes"}


@router.get("/r")
def registration_form(
    request: Request, db: DbDep, omo_reg: Annotated[str | None, Cookie()] = None
) -> Response:
    try:
        ctx = registration_context(request, db, omo_reg)
    except NotFound:
        return message_page(request, 404, "session_missing")
    closed = registration_closed_page(request, ctx)
    return closed or _form_page(request, ctx, 200, {}, {})


@router.post("/r")
def submit_registration(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    birthday: Annotated[str, Form()] = "",
    birthday_year: Annotated[str, Form()] = "",
    birthday_month: Annotated[str, Form()] = "",
    birthday_day: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_confirm: Annotated[str, Form()] = "",
    terms: Annotated[str, Form()] = "",
    marketing: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    omo_reg: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        ctx = registration_context(request, db, omo_reg)
    except NotFound:
        return message_page(request, 404, "session_missing")
    closed = registration_closed_page(request, ctx)
    if closed is not None:
        return closed
    birthday = service.birthday_given(
        birthday=birthday, year=birthday_year, month=birthday_month, day=birthday_day
    )
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
        return _form_page(request, ctx, 422, service.redisplayed(values, clean), clean)
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
    # A store with LINE offers it on the last page (LINE's button), where it can be left.
    return redirect(request, "/r/done")


@router.get("/r/done")
def registration_done(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    omo_reg: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        ctx = registration_context(request, db, omo_reg)
    except NotFound:
        return message_page(request, 404, "session_missing")
    if ctx["status"] is not InvitationStatus.REGISTERED:
        return redirect(request, "/r")
    line = request.query_params.get("line")
    if settings.line_enabled and not ctx["line_linked"] and line in line_pages.PROBLEMS:
        return line_pages.problem_page(
            request, ctx["store"], LineOutcome(line), "registration", ctx["csrf"]
        )
    t = translator(locale_of(request))
    store = ctx["store"]
    more: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    if ctx["line_linked"]:
        more = (line_pages.linked_sentence(t, store, ctx["line_friend"]),)
        actions = line_pages.add_friend(t, store, ctx["line_friend"])
    elif settings.line_enabled:
        # An offer, not the way on: the registration is done.
        lead = t.html("line_intro", store=store.name)
        actions = (Action(t["line_login"], "/r/line", lead=lead, line=True),)
    way = way_on(request, store, primary=not actions)
    return message_page(
        request,
        200,
        "done_body",
        store=store,
        heading_key="done_title",
        icon="done",
        more=more,
        actions=actions + way.pop("actions"),
        **way,
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
        return link_refusal(request, db, error, kind="registration")
    request.app.state.watcher.notify()
    return enter_session(request, settings, REG_COOKIE, "/r", sid)


@router.post("/r/{token}")
def post_to_registration_link(token: str, request: Request) -> Response:
    """API.md lists POST on the link; the form itself posts to the token-free ``/r``."""
    return redirect(request, f"/r/{token}")


# --- the bind link: the member signs in, (LINE,) confirms their details ---------------------


def _sign_in_page(
    request: Request, ctx: BindPage, status: int, identifier: str, errors: dict[str, Markup]
) -> HTMLResponse:
    t = translator(locale_of(request))
    return render(
        request,
        "bind_sign_in.html",
        status,
        store=ctx.store,
        title=t.fill("bind_title", store=ctx.store.name),
        heading=t.html("bind_title", store=ctx.store.name),
        csrf=ctx.csrf,
        phone_masked=ctx.phone_masked,
        values={"identifier": identifier},
        errors=errors,
        # Back from a password reset in this browser (a hint only: nothing rests on it).
        notice=t["reset_done_here"] if request.query_params.get("reset") == "done" else "",
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
        errors={field: t.html(key) for field, key in errors.items()},
        **_birth_years(),
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
    ctx = open_bind_page(request, db, omo_bind)
    if not isinstance(ctx, BindPage):
        return ctx
    if not ctx.signed_in:
        return _sign_in_page(request, ctx, 200, "", {})
    step = service.line_step(settings=settings, status=ctx.status, outcome=ctx.line_outcome)
    if step == "go":
        return line_pages.intro_page(request, ctx.store, "/b/line", ctx.csrf)
    if step == "problem" and ctx.line_outcome is not None:
        return line_pages.problem_page(request, ctx.store, ctx.line_outcome, "binding", ctx.csrf)
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
    ctx = open_bind_page(request, db, omo_bind)
    if not isinstance(ctx, BindPage):
        return ctx
    if ctx.signed_in:
        return redirect(request, "/b")
    if not security.constant_time_equal(csrf, ctx.csrf):
        return message_page(request, 403, "csrf_failed", store=ctx.store)
    unstorable = service.unstorable_fields(identifier=identifier)
    if unstorable:
        t = translator(locale_of(request))
        errors = {field: t.html(key) for field, key in unstorable.items()}
        return _sign_in_page(request, ctx, 422, "", errors)
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
        return bind_refusal(request, error.code, error.status, ctx.store)
    if isinstance(result, binding_service.SignInRefused):
        if result.tries_left <= 0:
            return locked_page(request, ctx.store)
        t = translator(locale_of(request))
        message = t.html(result.code)
        if result.code == binding_service.SIGN_IN_FAILED:
            # Chinese sentences run on without spaces after their full-width punctuation.
            gap = "" if locale_of(request) == "zh_TW" else " "
            if result.tries_left == 1:
                # The last try: the way out that locks nothing.
                message += gap + t.html("sign_in_last_try")
            else:
                message += gap + t.html("tries_left") + gap + str(result.tries_left)
        return _sign_in_page(request, ctx, 200, identifier, {result.field: message})
    request.app.state.watcher.notify()
    # Signed in: on to the LINE step's page (LINE's button, or going on without it), or,
    # without LINE, to the member's details.
    return redirect(request, "/b")


@router.post("/b/details")
def submit_details(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    name: Annotated[str, Form()] = "",
    birthday: Annotated[str, Form()] = "",
    birthday_year: Annotated[str, Form()] = "",
    birthday_month: Annotated[str, Form()] = "",
    birthday_day: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    omo_bind: Annotated[str | None, Cookie()] = None,
) -> Response:
    ctx = open_bind_page(request, db, omo_bind)
    if not isinstance(ctx, BindPage):
        return ctx
    step = service.line_step(settings=settings, status=ctx.status, outcome=ctx.line_outcome)
    if not ctx.signed_in or step != "none":
        return redirect(request, "/b")
    if not security.constant_time_equal(csrf, ctx.csrf):
        return message_page(request, 403, "csrf_failed", store=ctx.store)
    birthday = service.birthday_given(
        birthday=birthday, year=birthday_year, month=birthday_month, day=birthday_day
    )
    values = {"name": name, "birthday": birthday, "email": email}
    # An e-mail on file is shown masked and not changed here.
    form = service.DetailsForm(
        name=name, birthday=birthday, email="" if ctx.email_masked else email
    )
    clean = service.validate_details(form)
    if isinstance(clean, dict):
        return _details_page(request, ctx, 422, service.redisplayed(values, clean), clean)
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
        return bind_refusal(request, error.code, error.status, ctx.store)
    request.app.state.watcher.notify()
    return redirect(request, "/b/done")


@router.get("/b/done")
def bind_done(
    request: Request, db: DbDep, omo_bind: Annotated[str | None, Cookie()] = None
) -> Response:
    try:
        ctx = bind_context(db, omo_bind)
    except NotFound:
        return bind_refusal(request, "session_missing", 404, None)
    if not (ctx.status is BindingStatus.COMPLETED and ctx.signed_in):
        return bind_closed_page(request, ctx) or redirect(request, "/b")
    t = translator(locale_of(request))
    more: tuple[str, ...] = ()
    if ctx.referral is not None:
        key = "referral_kept" if ctx.referral_kept else "referral_new"
        more = (t.html(key, store=ctx.referral),)
    actions: tuple[Action, ...] = ()
    if ctx.line_outcome is LineOutcome.LINKED:
        more += (line_pages.linked_sentence(t, ctx.store, ctx.line_friend),)
        actions = line_pages.add_friend(t, ctx.store, ctx.line_friend)
    way = way_on(request, ctx.store, primary=not actions)
    return message_page(
        request,
        200,
        "bind_done",
        store=ctx.store,
        heading_key="bind_done_title",
        icon="done",
        more=more,
        actions=actions + way.pop("actions"),
        **way,
    )


@router.get("/stores/{code}/terms")
def store_terms(code: str, request: Request, db: DbDep) -> Response:
    """The store's member terms and privacy notice, which the registration form links to (in
    a tab of its own): the store's text, or the default one in the page's language."""
    with db.transaction(write=False) as session:
        try:
            store = get_store_by_code_or_raise(session=session, code=code)
        except NotFound:
            return status_page(request, 404)
        session.expunge(store)
    t = translator(locale_of(request))
    # Typeset like every page's words; the store's own text escaped as it was written.
    own = store.terms_text
    text = typeset(own) if own else t.html("terms_default", store=store.name)
    return render(
        request,
        "terms.html",
        200,
        store=store,
        title=t.fill("terms_title", store=store.name),
        heading=t.html("terms_title", store=store.name),
        paragraphs=[part.strip() for part in text.split("\n\n") if part.strip()],
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
        return link_refusal(request, db, error, kind="binding")
    request.app.state.watcher.notify()
    return enter_session(request, settings, BIND_COOKIE, "/b", sid)


@router.post("/b/{token}")
def post_to_bind_link(token: str, request: Request) -> Response:
    """API.md lists POST on the link; the forms themselves post to the token-free ``/b``."""
    return redirect(request, f"/b/{token}")
