"""Delivery receipts from the SMS provider: HTTP only; the rules are in receipts.py."""

from __future__ import annotations

import logging
import re
from typing import Annotated
from urllib.parse import parse_qsl

from anyio import to_thread
from fastapi import APIRouter, Header, Request, Response

from omo_backend.deps import DbDep, SettingsDep
from omo_backend.errors import ValidationFailed
from omo_backend.messaging import receipts
from omo_backend.models import utcnow
from omo_backend.openapi import errors

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/sms", tags=["sms"])

# Twilio's message sids: SM (SMS) or MM (MMS) and 32 hex digits.
_SID = re.compile(r"^(SM|MM)[0-9a-f]{32}$")
_STATUS = re.compile(r"^[a-z_]{1,32}$")
_ERROR_CODE = re.compile(r"^[0-9]{1,10}$")

_FIELDS = {
    "MessageSid": {"type": "string", "pattern": _SID.pattern},
    "MessageStatus": {"type": "string", "pattern": _STATUS.pattern},
    "ErrorCode": {"type": "string", "pattern": _ERROR_CODE.pattern},
}
_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": _FIELDS,
                "required": ["MessageSid", "MessageStatus"],
                # Twilio sends more (AccountSid, To, From, ApiVersion...): all are signed.
                "additionalProperties": {"type": "string"},
            }
        }
    },
}


@router.post(
    receipts.STATUS_PATH.removeprefix("/api/v1/sms"),
    status_code=204,
    response_class=Response,
    openapi_extra={"requestBody": _BODY},
    responses=errors(invalid_receipt=422, bad_signature=403, unknown_message=404),
)
async def twilio_status(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    x_twilio_signature: Annotated[
        str | None, Header(max_length=200, description="Twilio's signature of this request")
    ] = None,
) -> Response:
    """Twilio's status callback for a message it was given (the `StatusCallback` URL).

    Form-encoded, as Twilio posts it; 403 `bad_signature` unless `X-Twilio-Signature` is
    Twilio's signature (HMAC-SHA1 with the account's auth token) of this URL as configured
    (`OMO_PUBLIC_BASE_URL`) and the parameters; 404 `unknown_message` for a sid no message
    has. A message only moves forward: `delivered` or `undelivered`/`failed` (with
    `ErrorCode`) is final, and a receipt arriving after it changes nothing.
    """
    try:
        params = parse_qsl(
            (await request.body()).decode(), keep_blank_values=True, strict_parsing=False
        )
    except UnicodeDecodeError:
        raise ValidationFailed("The form is not UTF-8", code="invalid_receipt") from None
    url = receipts.status_callback_url(settings.public_base_url)
    if request.url.query:
        url += "?" + request.url.query
    receipts.check_signature_or_raise(
        url=url,
        params=params,
        signature=x_twilio_signature,
        auth_token=settings.twilio_auth_token,
    )
    form = dict(params)
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    error_code = form.get("ErrorCode") or None
    if not (
        _SID.match(sid)
        and _STATUS.match(status)
        and (error_code is None or _ERROR_CODE.match(error_code))
    ):
        raise ValidationFailed(
            "MessageSid, MessageStatus or ErrorCode is not Twilio's", code="invalid_receipt"
        )

    def record() -> int:
        with db.transaction() as session:
            return receipts.record_receipt(
                session=session, sid=sid, status=status, error_code=error_code, now=utcnow()
            )

    message_id = await to_thread.run_sync(record)
    logger.info("message %d: twilio receipt %s", message_id, status)
    request.app.state.watcher.notify()
    return Response(status_code=204)
