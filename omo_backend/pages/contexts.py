"""What a customer page session shows: read once per request from the server's records.

The pages keep no state in the browser beyond the session cookie; these readers are shared by
the registration, bind, LINE and password-reset pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from backend_client.masking import mask_email, mask_phone
from backend_client.schemas import BindingStatus, InvitationStatus, LineOutcome
from omo_backend.bindings import service as binding_service
from omo_backend.deps import DbDep
from omo_backend.errors import DomainError, NotFound
from omo_backend.models import BindingSession, Customer, Referral, Store, utcnow
from omo_backend.pages import service
from omo_backend.pages.i18n import translator
from omo_backend.pages.rendering import Action, locale_of, message_page, redirect, way_on


def registration_context(request: Request, db: DbDep, sid: str | None) -> dict[str, Any]:
    with db.transaction(write=False) as session:
        page = service.find_or_raise(session=session, sid=sid, kind="registration")
        invitation = service.invitation_of(session=session, page=page)
        store = session.get_one(Store, invitation.store_id)
        member = session.get(Customer, invitation.customer_id) if invitation.customer_id else None
        session.expunge(store)
        return {
            "store": store,
            "csrf": page.csrf_token,
            "status": InvitationStatus(invitation.status),
            "expired": invitation.expires_at <= utcnow(),
            "phone_masked": mask_phone(invitation.phone),
            "invitation": invitation,
            "line_linked": member is not None and member.line_user_id is not None,
            "line_friend": member.line_friend if member is not None else None,
        }


def registration_closed_page(request: Request, ctx: dict[str, Any]) -> Response | None:
    if ctx["status"] is InvitationStatus.REGISTERED:
        return redirect(request, "/r/done")
    if ctx["status"].is_final or ctx["expired"]:
        return message_page(request, 410, "link_expired", store=ctx["store"])
    return None


@dataclass(frozen=True)
class BindPage:
    """What the bind pages show and check, read in one go from the page session."""

    store: Store
    csrf: str
    via: str
    status: BindingStatus
    closed_code: str | None  # why the link can't be used any more, if it can't
    signed_in: bool
    member_id: int
    phone_masked: str | None
    name: str
    birthday: str
    email_masked: str | None
    referral: str | None
    referral_kept: bool
    line_outcome: LineOutcome | None
    line_friend: bool | None


def bind_context(db: DbDep, sid: str | None) -> BindPage:
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
            member_id=member.id,
            phone_masked=mask_phone(member.phone),
            name=member.name or "",
            birthday=member.birthday.isoformat() if member.birthday else "",
            email_masked=mask_email(member.email),
            referral=referral_text,
            # The counter's own rule: a referral older than this binding was set before it.
            referral_kept=referral is not None and referral.bound_at < binding.created_at,
            line_outcome=LineOutcome(binding.line_outcome) if binding.line_outcome else None,
            line_friend=member.line_friend,
        )


CLOSED_STATUS = {"link_used": 410, "link_expired": 410, "link_locked": 429}


def open_bind_page(
    request: Request, db: DbDep, sid: str | None, *, locked_ok: bool = False
) -> BindPage | Response:
    """The bind page session ``sid`` while its link can be used, or the page saying why not;
    ``locked_ok`` lets a link locked by wrong passwords through (to "Forgot password?")."""
    try:
        ctx = bind_context(db, sid)
    except NotFound:
        return bind_refusal(request, "session_missing", 404, None)
    if locked_ok and ctx.closed_code == "link_locked":
        return ctx
    return bind_closed_page(request, ctx) or ctx


def bind_closed_page(request: Request, ctx: BindPage) -> Response | None:
    if ctx.closed_code is None:
        return None
    if ctx.status is BindingStatus.COMPLETED and ctx.signed_in:
        return redirect(request, "/b/done")
    if ctx.closed_code == "link_locked":
        return locked_page(request, ctx.store)
    return bind_refusal(request, ctx.closed_code, 410, ctx.store)


def locked_page(request: Request, store: Store) -> HTMLResponse:
    """Too many wrong passwords on this page's link: it says so, and points to the reset,
    which still works on it."""
    t = translator(locale_of(request))
    return message_page(
        request,
        CLOSED_STATUS["link_locked"],
        "link_locked",
        store=store,
        icon="problem",
        more=(t["link_locked_reset"],),
        actions=(Action(t["forgot_password"], "/b/forgot"),),
    )


# A used bind link means a member already linked, not "sign in", and a bind link may have
# come as a QR code, not an SMS: their own words.
_BIND_WORDS = {"link_used": "bind_link_used", "session_missing": "bind_session_missing"}


def bind_refusal(request: Request, code: str, status: int, store: Store | None) -> HTMLResponse:
    """A bind page's refusal: the member's words for ``code``, with the link's status.

    A used link is good news told again (the membership is linked): said as a success, with
    the way on from there.
    """
    if code == "link_used":
        return message_page(
            request,
            CLOSED_STATUS[code],
            _BIND_WORDS[code],
            store=store,
            heading_key="bind_link_used_title",
            icon="done",
            **way_on(request, store),
        )
    return message_page(
        request,
        CLOSED_STATUS.get(code, status),
        _BIND_WORDS.get(code, code),
        store=store,
        icon="problem",
    )


def link_refusal(request: Request, db: DbDep, error: DomainError, *, kind: str) -> HTMLResponse:
    """An opened link that cannot be used, under the name of the store that sent it."""
    store: Store | None = None
    store_id = error.details.get("store_id")
    if isinstance(store_id, int):
        with db.transaction(write=False) as session:
            store = session.get(Store, store_id)
            if store is not None:
                session.expunge(store)
    if kind == "binding":
        return bind_refusal(request, error.code, error.status, store)
    return message_page(request, error.status, error.code, store=store, icon="problem")
