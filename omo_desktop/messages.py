"""What staff read when something goes wrong: one translated sentence per error code.

The backend's English ``message`` is never shown as is: the words staff see go through Qt's
translation system like every other visible string. Some words depend on the screen: "What you
typed is kept" only where staff typed something.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from backend_client.errors import ApiError, RateLimitedError
from omo_desktop.flows.delivery import SEND_AGAIN_HELPS, Problem


def span(seconds: int) -> str:
    """A rough, readable length of time: "7 minutes", "2 hours", "a day"."""
    if seconds >= 86400:
        count, one, many = math.ceil(seconds / 86400), _ONE_DAY, _DAYS
    elif seconds >= 3600:
        count, one, many = math.ceil(seconds / 3600), _ONE_HOUR, _HOURS
    elif seconds >= 60:
        count, one, many = math.ceil(seconds / 60), _ONE_MINUTE, _MINUTES
    else:
        count, one, many = max(1, seconds), _ONE_SECOND, _SECONDS
    if count == 1:
        return QCoreApplication.translate("Messages", one)
    return QCoreApplication.translate("Messages", many).replace("%1", str(count))


# Marked for translation here, translated when used (the language may change at run time).
_ONE_DAY = str(QT_TRANSLATE_NOOP("Messages", "a day"))
_DAYS = str(QT_TRANSLATE_NOOP("Messages", "%1 days"))
_ONE_HOUR = str(QT_TRANSLATE_NOOP("Messages", "an hour"))
_HOURS = str(QT_TRANSLATE_NOOP("Messages", "%1 hours"))
_ONE_MINUTE = str(QT_TRANSLATE_NOOP("Messages", "1 minute"))
_MINUTES = str(QT_TRANSLATE_NOOP("Messages", "%1 minutes"))
_ONE_SECOND = str(QT_TRANSLATE_NOOP("Messages", "1 second"))
_SECONDS = str(QT_TRANSLATE_NOOP("Messages", "%1 seconds"))


def describe(error: ApiError, *, typed: bool = False) -> str:
    """``error`` in one translated sentence; ``typed``: the screen keeps what staff typed."""
    if isinstance(error, RateLimitedError):
        return _rate_limited(error)
    if error.code == "offline":
        return _offline(typed=typed)
    text = _by_code().get(error.code)
    if text is not None:
        return text
    if error.status is not None and error.status >= 500:
        return QCoreApplication.translate(
            "Messages", "The server had a problem. Please try again in a moment."
        )
    return QCoreApplication.translate("Messages", "That didn't work. Please try again.")


def _offline(*, typed: bool) -> str:
    if typed:
        return QCoreApplication.translate(
            "Messages", "The server can't be reached. What you typed is kept; try again."
        )
    return QCoreApplication.translate(
        "Messages", "The server can't be reached. Check the network connection, then try again."
    )


def wait_left(seconds: int) -> str:
    """A rate limit's wait on a button: "0:42", "6:59", "1:02:03"."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def sms_problem(problem: Problem, phone: str, *, can_resend: bool = True) -> tuple[str, str]:
    """(what happened, what to do) for a sign-up SMS that led nowhere; ``phone`` as shown.

    ``can_resend``: "Send again" is offered (it needs the number as typed on this counter).
    """
    what, todo = _sms_problems()[problem]
    if not can_resend and problem in SEND_AGAIN_HELPS:
        todo = QCoreApplication.translate("Messages", "Check the number, then send a new SMS.")
    return what.replace("%1", phone), todo.replace("%1", phone)


def _sms_problems() -> dict[Problem, tuple[str, str]]:
    send_again = QCoreApplication.translate("Messages", "Send again to send a new link to %1.")
    return {
        Problem.NUMBER: (
            QCoreApplication.translate(
                "Messages",
                "%1 can't receive SMS: the number is wrong, not in service or not a mobile.",
            ),
            QCoreApplication.translate(
                "Messages", "Check the number with the customer, then search again."
            ),
        ),
        Problem.UNREACHABLE: (
            QCoreApplication.translate(
                "Messages", "The phone at %1 could not be reached: it may be off or have no signal."
            ),
            QCoreApplication.translate(
                "Messages", "Ask the customer to check their phone, then send again."
            ),
        ),
        Problem.BLOCKED: (
            QCoreApplication.translate("Messages", "The mobile carrier of %1 blocked the SMS."),
            QCoreApplication.translate("Messages", "Ask the customer for another mobile number."),
        ),
        Problem.SERVICE: (
            QCoreApplication.translate("Messages", "The SMS service could not send it to %1."),
            QCoreApplication.translate(
                "Messages", "Send again in a moment. If it keeps failing, tell a manager."
            ),
        ),
        Problem.EXPIRED: (
            QCoreApplication.translate("Messages", "The registration link has expired."),
            send_again,
        ),
        Problem.CANCELLED: (
            QCoreApplication.translate("Messages", "This invitation was cancelled."),
            send_again,
        ),
        Problem.REGISTERED_ELSEWHERE: (
            QCoreApplication.translate(
                "Messages", "The customer registered through another SMS: they are a member now."
            ),
            QCoreApplication.translate("Messages", "Search again to find them, then use Bind now."),
        ),
    }


def _rate_limited(error: RateLimitedError) -> str:
    details: dict[str, Any] = error.details
    sent = int(details.get("sent", details.get("limit", 0)))
    window = span(int(details.get("window_seconds", 0)))
    wait = span(error.retry_after)
    scope = details.get("scope")
    if scope == "device":
        text = QCoreApplication.translate(
            "Messages", "This counter sent %1 messages in %2; try again in %3."
        )
    elif scope == "store":
        text = QCoreApplication.translate(
            "Messages", "This store sent %1 messages in %2; try again in %3."
        )
    else:
        text = QCoreApplication.translate(
            "Messages", "This number was sent %1 messages in %2; try again in %3."
        )
    return text.replace("%1", str(sent)).replace("%2", window).replace("%3", wait)


# The backend no longer accepts this device: the app goes back to its set-up.
DEVICE_REFUSED = frozenset({"device_revoked", "invalid_device_token"})


def _device_refused() -> str:
    return QCoreApplication.translate(
        "Messages",
        "This counter is no longer set up with the store (a manager removed it). Ask a "
        "manager for a new enrollment code to set it up again.",
    )


def _by_code() -> dict[str, str]:
    # Built on each call: the words depend on the language installed at the time.
    return {
        "invalid_phone": QCoreApplication.translate(
            "Messages", "That is not a valid phone number."
        ),
        "not_mobile": QCoreApplication.translate(
            "Messages", "That is not a mobile number: an SMS can't be sent to it."
        ),
        "country_not_allowed": QCoreApplication.translate(
            "Messages", "SMS can't be sent to numbers in that country."
        ),
        "invalid_email": QCoreApplication.translate("Messages", "That is not an e-mail address."),
        "one_search_field": QCoreApplication.translate(
            "Messages", "Type a mobile number, an e-mail or a name."
        ),
        "already_member": QCoreApplication.translate(
            "Messages", "This customer is already a member: use Bind now."
        ),
        "not_member": QCoreApplication.translate(
            "Messages", "This customer is not a member yet: use Sign up."
        ),
        "identifier_retired": QCoreApplication.translate(
            "Messages", "This number was merged into another account and can't sign up."
        ),
        "phone_needed": QCoreApplication.translate(
            "Messages", "Search by mobile number to send this customer a sign-up SMS."
        ),
        "invalid_credentials": QCoreApplication.translate("Messages", "Wrong staff code or PIN."),
        "staff_locked": QCoreApplication.translate(
            "Messages", "Too many wrong PINs: this staff code is locked for a while."
        ),
        "staff_locked_until_unlocked": QCoreApplication.translate(
            "Messages", "Too many wrong PINs today: ask a manager to unlock this staff code."
        ),
        "staff_deactivated": QCoreApplication.translate(
            "Messages", "This staff code was turned off. Please ask a manager."
        ),
        "device_revoked": _device_refused(),
        "invalid_device_token": _device_refused(),
        "invalid_enrollment_code": QCoreApplication.translate(
            "Messages",
            "This enrollment code is unknown, used or expired. Ask a manager for a new one.",
        ),
        "session_ended": QCoreApplication.translate(
            "Messages", "You were logged out. Please log in again."
        ),
        "session_expired": QCoreApplication.translate(
            "Messages", "Your shift session has ended. Please log in again."
        ),
        "session_idle": QCoreApplication.translate(
            "Messages", "Logged out after being idle. Please log in again."
        ),
        "binding_closed": QCoreApplication.translate(
            "Messages", "This binding has ended: tap Bind now again."
        ),
        "keyring_unavailable": QCoreApplication.translate(
            "Messages",
            "This computer has no safe place for the device key. Ask IT to set up the "
            "system keyring.",
        ),
        "service_unavailable": QCoreApplication.translate(
            "Messages", "The server is busy. Please try again in a moment."
        ),
        # Member management (managers and admins).
        "forbidden": QCoreApplication.translate(
            "Messages", "Your role can't do this. Ask a manager or head office."
        ),
        "member_not_found": QCoreApplication.translate(
            "Messages", "This member no longer exists (merged or removed). Search again."
        ),
        "insufficient_points": QCoreApplication.translate(
            "Messages", "The member doesn't have that many points: deduct less."
        ),
        "identifier_taken": QCoreApplication.translate(
            "Messages", "That mobile number or e-mail already belongs to another customer."
        ),
        "member_merged": QCoreApplication.translate(
            "Messages", "This account was merged into another member: open that one instead."
        ),
        "member_erased": QCoreApplication.translate(
            "Messages", "This member's personal data was erased: it can't be changed."
        ),
        "unknown_level": QCoreApplication.translate(
            "Messages", "That level no longer exists. Choose another one."
        ),
        "birthday_in_future": QCoreApplication.translate(
            "Messages", "The birthday can't be in the future."
        ),
        "field_required": QCoreApplication.translate(
            "Messages", "A name or an e-mail can be changed but not left empty."
        ),
        "invalid_cursor": QCoreApplication.translate(
            "Messages", "The list changed while loading. Please try again."
        ),
        "export_cancelled": QCoreApplication.translate("Messages", "The export was cancelled."),
        "file_not_written": QCoreApplication.translate(
            "Messages", "The file could not be saved there. Choose another folder."
        ),
        "validation_error": QCoreApplication.translate(
            "Messages", "Something typed can't be used. Check the fields, then try again."
        ),
    }


def invite_skipped(code: str) -> str:
    """Why a past buyer got no invitation e-mail, in one short sentence."""
    reasons = {
        "no_email": QCoreApplication.translate("Messages", "Some have no e-mail address."),
        "no_phone": QCoreApplication.translate(
            "Messages", "Some have no mobile number, which signing up needs."
        ),
        "already_member": QCoreApplication.translate("Messages", "Some are members already."),
        "not_found": QCoreApplication.translate("Messages", "Some are no longer in the list."),
        "already_invited": QCoreApplication.translate(
            "Messages", "Some were invited recently already."
        ),
        "identifier_retired": QCoreApplication.translate(
            "Messages", "Some were merged into another account."
        ),
    }
    return reasons.get(code, QCoreApplication.translate("Messages", "Some could not be invited."))
