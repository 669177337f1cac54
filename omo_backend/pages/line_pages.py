"""The LINE step on the customer pages: off to LINE Login and back through ``/line/callback``.

On the bind link it comes between sign-in and the member's details; after registration it
follows the form. Each outcome reaches the counter (on a bind link) and ends on a page that
says what happened and what to do next.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from backend_client.schemas import InvitationStatus, LineOutcome
from omo_backend import security
from omo_backend.bindings import service as binding_service
from omo_backend.deps import DbDep, SettingsDep
from omo_backend.errors import DomainError, NotFound
from omo_backend.line import linking
from omo_backend.line.errors import LineError
from omo_backend.models import PageSession, Store
from omo_backend.pages import service
from omo_backend.pages.contexts import (
    BindPage,
    bind_refusal,
    open_bind_page,
    registration_context,
)
from omo_backend.pages.i18n import Words, translator
from omo_backend.pages.rendering import (
    LINE_COOKIE,
    Action,
    locale_of,
    message_page,
    page_headers,
    redirect,
    set_session_cookie,
    status_page,
)
from omo_backend.stores.service import get_by_code_or_raise as get_store_by_code_or_raise

router = APIRouter(tags=["customer pages"], include_in_schema=False)

# Each way LINE can go wrong, as a status: Cancel is LINE's "access_denied", a LINE account
# of another member is a conflict, and LINE failing us is an upstream failure.
_PROBLEM_STATUS = {
    LineOutcome.CANCELLED: 403,
    LineOutcome.TAKEN: 409,
    LineOutcome.FAILED: 502,
}
PROBLEMS = frozenset(str(outcome) for outcome in _PROBLEM_STATUS)
# Where each kind of page goes for LINE, and where it goes on without it.
_START = {"binding": "/b/line", "registration": "/r/line"}
_AFTER = {"binding": "/b", "registration": "/r/done"}
# Where LINE's answer sends a browser other than the one that left for LINE.
BACK_PATH = "/line/back"


def linked_sentence(t: Words, store: Store, friend: bool | None) -> Markup:
    key = "line_linked_not_friend" if friend is False else "line_linked_friend"
    return t.html(key, store=store.name)


def add_friend(t: Words, store: Store, friend: bool | None) -> tuple[Action, ...]:
    """LINE linked but the store is not yet a friend: LINE's "Add friend" button, when the
    store has set its Official Account's add-friend link."""
    if friend is not False or not store.line_add_friend_url:
        return ()
    return (Action(t["line_add_friend"], store.line_add_friend_url, line=True),)


def intro_page(request: Request, store: Store, start: str, csrf: str) -> HTMLResponse:
    """Before LINE: what the customer will be asked there, LINE's button, and going on
    without LINE (the bind link's step; ``start`` is where LINE's button leads)."""
    t = translator(locale_of(request))
    return message_page(
        request,
        200,
        "line_intro",
        store=store,
        heading_key="line_title",
        actions=(
            Action(t["line_login"], start, line=True),
            Action(t["line_skip"], "/b/line/skip", post=True, primary=False),
        ),
        csrf=csrf,
    )


def problem_page(
    request: Request, store: Store, outcome: LineOutcome, kind: str, csrf: str
) -> HTMLResponse:
    """LINE went wrong: say what happened; offer LINE again, or going on without it.

    Its words recommend one of the two: going on without LINE when the LINE account is
    another member's (trying again helps only with another LINE account), LINE again else.
    """
    t = translator(locale_of(request))
    without_first = outcome is LineOutcome.TAKEN
    again = Action(t["line_try_again"], _START[kind], primary=not without_first)
    without = (
        Action(t["line_skip"], "/b/line/skip", post=True, primary=without_first)
        if kind == "binding"
        else Action(t["line_skip"], "/r/done", primary=without_first)
    )
    return message_page(
        request,
        _PROBLEM_STATUS.get(outcome, 502),
        f"line_{outcome}",
        store=store,
        heading_key="line_problem_title",
        icon="problem",
        actions=(without, again) if without_first else (again, without),
        csrf=csrf,
    )


def _to_line(
    request: Request, db: DbDep, settings: SettingsDep, sid: str | None, kind: str, store: Store
) -> Response:
    try:
        with db.transaction() as session:
            page = service.find_or_raise(session=session, sid=sid, kind=kind)
            url = linking.start(session=session, settings=settings, page=page)
    except LineError:
        return message_page(request, 503, "server_trouble", store=store, icon="problem")
    response = RedirectResponse(url, status_code=303, headers=page_headers(request))
    # The page session again, where the callback can see it: LINE's answer is shown to this
    # browser alone (``sid`` was found above, so it is a live session's).
    assert sid is not None
    set_session_cookie(response, settings, LINE_COOKIE, linking.CALLBACK_PATH, sid)
    return response


@router.get("/b/line")
def bind_line(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    omo_bind: Annotated[str | None, Cookie()] = None,
) -> Response:
    ctx = open_bind_page(request, db, omo_bind)
    if not isinstance(ctx, BindPage):
        return ctx
    step = service.line_step(settings=settings, status=ctx.status, outcome=ctx.line_outcome)
    if not ctx.signed_in or step == "none":
        return redirect(request, "/b")
    return _to_line(request, db, settings, omo_bind, "binding", ctx.store)


@router.post("/b/line/skip")
def bind_without_line(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    omo_bind: Annotated[str | None, Cookie()] = None,
) -> Response:
    """Without LINE (before going to LINE, or after it went wrong) the member goes on to
    their details; the counter sees it."""
    ctx = open_bind_page(request, db, omo_bind)
    if not isinstance(ctx, BindPage):
        return ctx
    if not security.constant_time_equal(csrf, ctx.csrf):
        return message_page(request, 403, "csrf_failed", store=ctx.store)
    step = service.line_step(settings=settings, status=ctx.status, outcome=ctx.line_outcome)
    if not ctx.signed_in or step == "none":
        return redirect(request, "/b")
    try:
        with db.transaction() as session:
            page = service.find_or_raise(session=session, sid=omo_bind, kind="binding")
            binding = binding_service.get_open_or_raise(session=session, binding_id=page.binding_id)
            binding_service.note_line_outcome(binding, LineOutcome.SKIPPED)
    except DomainError as error:
        return bind_refusal(request, error.code, error.status, ctx.store)
    request.app.state.watcher.notify()
    return redirect(request, "/b")


@router.get("/r/line")
def registration_line(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    omo_reg: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        ctx = registration_context(request, db, omo_reg)
    except NotFound:
        return message_page(request, 404, "session_missing")
    if ctx["status"] is not InvitationStatus.REGISTERED or not settings.line_enabled:
        return redirect(request, "/r")
    return _to_line(request, db, settings, omo_reg, "registration", ctx["store"])


@router.get(linking.CALLBACK_PATH)
def line_callback(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    omo_line: Annotated[str | None, Cookie()] = None,
) -> Response:
    """LINE sends the phone back here: with a code, or with the customer's "Cancel".

    LINE's answer is held against the member whichever browser brings it (LINE's app may
    open it in a browser of its own), but the member's pages go on only in the browser that
    left for LINE, known by its cookie: the trip's ``state`` is no way to sign in.
    """
    query = dict(request.query_params)
    state = query.get("state", "")
    try:
        with db.transaction() as session:
            trip = linking.claim(session=session, state=state)
            page = session.get_one(PageSession, trip.page_session_id)
            kind = page.kind
            same_browser = omo_line is not None and security.constant_time_equal(
                security.hash_token(omo_line), page.sid_hash
            )
            store_code = linking.store_of(session=session, page=page).code
    except DomainError as error:
        status = 400 if error.code == "line_state_unknown" else error.status
        return message_page(
            request, status, error.code, heading_key="line_problem_title", icon="problem"
        )
    answer = linking.ask_line(settings, query=query, state=state, trip=trip)
    try:
        outcome = _record(db, trip.page_session_id, answer, same_browser)
    except IntegrityError:
        # Another member took this LINE account in the same instant: the unique key says no.
        outcome = _record(db, trip.page_session_id, _taken(answer), same_browser)
    except NotFound:
        return message_page(request, 404, "session_missing")
    request.app.state.watcher.notify()
    if not same_browser:
        return redirect(request, f"{BACK_PATH}?{urlencode({'line': outcome, 'store': store_code})}")
    # On to a page of the customer's own, which a reload or the language switch keeps
    # (the callback's address is spent): the bind page shows the binding's LINE outcome,
    # the registration's last page the one named here.
    if outcome is LineOutcome.LINKED:
        target = _AFTER[kind]
    else:
        target = "/b" if kind == "binding" else f"/r/done?line={outcome}"
    response = redirect(request, target)
    response.delete_cookie(LINE_COOKIE, path=linking.CALLBACK_PATH)
    return response


@router.get(BACK_PATH)
def back_to_where_you_started(request: Request, db: DbDep) -> Response:
    """LINE's answer in a browser that did not leave for LINE: what happened, nothing of the
    member's, and the way on (the page the trip started on, which now shows the outcome).

    A page of its own, named by the outcome and the store alone, which a reload or the
    language switch keeps.
    """
    line = request.query_params.get("line", "")
    if line != LineOutcome.LINKED and line not in PROBLEMS:
        return status_page(request, 404)
    outcome = LineOutcome(line)
    store: Store | None = None
    with db.transaction(write=False) as session:
        try:
            store = get_store_by_code_or_raise(
                session=session, code=request.query_params.get("store", "")
            )
            session.expunge(store)
        except NotFound:
            pass  # the page is worded without a store's name then
    if outcome is LineOutcome.LINKED:
        return message_page(
            request,
            200,
            "line_linked_elsewhere",
            store=store,
            heading_key="line_linked_title",
            icon="done",
        )
    t = translator(locale_of(request))
    return message_page(
        request,
        _PROBLEM_STATUS[outcome],
        f"line_{outcome}",
        store=store,
        heading_key="line_problem_title",
        icon="problem",
        more=(t["line_go_back"],),
    )


def _taken(answer: linking.LineAnswer) -> linking.LineAnswer:
    return linking.LineAnswer(LineOutcome.TAKEN, reason="line_user_id_taken")


def _record(
    db: DbDep, page_session_id: int, answer: linking.LineAnswer, same_browser: bool
) -> LineOutcome:
    with db.transaction() as session:
        page = session.get_one(PageSession, page_session_id)
        return linking.record(session=session, page=page, answer=answer, same_browser=same_browser)
