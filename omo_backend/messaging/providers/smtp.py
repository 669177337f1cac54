"""E-mail over SMTP with the standard library's ``smtplib``, configured by ``OMO_SMTP_URL``.

The URL's scheme says how the connection is protected:

- ``smtps://user:pass@host[:465]``: TLS from the first byte (implicit TLS, RFC 8314).
- ``smtp+starttls://user:pass@host[:587]``: plain connect, then ``STARTTLS``; a server that
  does not offer it is refused rather than sent the password in clear.
- ``smtp://user:pass@host[:25]``: plain, for a relay on the same machine or network; on port
  587 (submission) it upgrades with ``STARTTLS`` as if the scheme said so.

User name and password are optional, percent-decoded (``%40`` for an ``@`` in a user name)
and ASCII (``smtplib`` sends them so).
TLS certificates are checked against the system's trust store.

A reply code sorts a failure: 4xx (greylisting, mailbox busy, "try again later") is retried
with the dispatcher's backoff; 5xx (550 mailbox unavailable, 553 bad address, 535 bad
password) will not change by repeating it and fails the message as ``smtp_<code>``. Network
errors, timeouts and a server that hangs up are retried.

SMTP cannot say what it already accepted: ``find_sent`` answers None, so an e-mail whose
sender died mid-send (its outcome unknown) is sent again, and may arrive twice.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, getaddresses
from typing import Literal
from urllib.parse import unquote, urlsplit

from omo_backend.messaging.providers.base import (
    PermanentSendError,
    ProviderConfigError,
    SendResult,
    TransientSendError,
)
from omo_backend.settings import Settings

Security = Literal["plain", "starttls", "tls"]

_SUBMISSION_PORT = 587
# scheme -> (default port, protection)
_SCHEMES: dict[str, tuple[int, Security]] = {
    "smtp": (25, "plain"),
    "smtp+starttls": (_SUBMISSION_PORT, "starttls"),
    "smtps": (465, "tls"),
}
# 7bit: a non-ASCII body goes out base64 or quoted-printable, so a server without 8BITMIME
# passes Traditional Chinese through intact.
_POLICY = SMTP_POLICY.clone(cte_type="7bit")
_MESSAGE_ID_MAX = 64  # message.provider_message_id


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: Security
    username: str | None
    password: str | None

    def __repr__(self) -> str:
        # Never print the password (settings errors and debuggers show reprs).
        return (
            f"SmtpTarget(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"username={self.username!r})"
        )


def parse_smtp_url(url: str) -> SmtpTarget:
    """``OMO_SMTP_URL`` as host, port, protection and login; errors never quote the password."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise ProviderConfigError(
            f"OMO_SMTP_URL must start with one of {', '.join(s + '://' for s in _SCHEMES)}"
        )
    default_port, security = _SCHEMES[scheme]
    if not parts.hostname:
        raise ProviderConfigError("OMO_SMTP_URL has no host")
    try:
        port = parts.port or default_port
    except ValueError:
        raise ProviderConfigError("OMO_SMTP_URL has an invalid port") from None
    if security == "plain" and port == _SUBMISSION_PORT:
        security = "starttls"
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if not ((username or "").isascii() and (password or "").isascii()):
        # smtplib encodes AUTH as ASCII; every send would fail with a UnicodeEncodeError.
        raise ProviderConfigError("OMO_SMTP_URL: the user name and password must be ASCII")
    return SmtpTarget(
        host=parts.hostname, port=port, security=security, username=username, password=password
    )


class SmtpProvider:
    name = "smtp"

    def __init__(self, settings: Settings, *, ssl_context: ssl.SSLContext | None = None) -> None:
        if not settings.smtp_url:
            raise ProviderConfigError("the SMTP provider needs OMO_SMTP_URL to be set")
        self._target = parse_smtp_url(settings.smtp_url)
        self._sender, self._domain = _sender(settings.mail_from)
        self._timeout = settings.smtp_timeout_seconds
        self._ssl_context = ssl_context or ssl.create_default_context()

    def send_email(self, *, to: str, subject: str, body: str) -> SendResult:
        message = self._compose(to=to, subject=subject, body=body)
        try:
            smtp = self._connect()
        except smtplib.SMTPResponseException as exc:
            # A greeting other than 220 (421 busy, 554 go away).
            raise _by_code(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            reason = f"smtp_unreachable_{type(exc).__name__}"
            raise TransientSendError(reason, reason=reason) from exc
        try:
            self._hand_over(smtp, message)
        finally:
            _quit_quietly(smtp)
        message_id = str(message["Message-ID"]).strip("<>")[:_MESSAGE_ID_MAX]
        # The server took responsibility for it; whether it reached the inbox is not known.
        return SendResult(provider_message_id=message_id, provider_status="accepted")

    def find_sent(self, *, to: str, body: str, since: datetime) -> SendResult | None:
        """Always None: SMTP has no way to ask what a server already took, so an e-mail in
        doubt is sent again."""
        return None

    def _compose(self, *, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage(policy=_POLICY)
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = f"<{uuid.uuid4().hex}@{self._domain}>"
        message.set_content(body)
        return message

    def _connect(self) -> smtplib.SMTP:
        target = self._target
        if target.security == "tls":
            return smtplib.SMTP_SSL(
                target.host, target.port, timeout=self._timeout, context=self._ssl_context
            )
        return smtplib.SMTP(target.host, target.port, timeout=self._timeout)

    def _hand_over(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        target = self._target
        try:
            if target.security == "starttls":
                smtp.starttls(context=self._ssl_context)
            if target.username is not None:
                smtp.login(target.username, target.password or "")
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            # One recipient per message, so its reply is the answer.
            code, reply = next(iter(exc.recipients.values()), (-1, b""))
            raise _by_code(code, reply) from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error) from exc
        except smtplib.SMTPNotSupportedError as exc:
            # No STARTTLS, no AUTH, or no SMTPUTF8 for an international address: the server
            # will not learn it by the next try.
            raise PermanentSendError("smtp_not_supported", f"smtp: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            # Disconnected, timed out, a TLS handshake that failed...
            reason = f"smtp_{type(exc).__name__}"
            raise TransientSendError(f"smtp: {type(exc).__name__}: {exc}", reason=reason) from exc


def _by_code(code: int, reply: bytes | str) -> TransientSendError | PermanentSendError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    detail = f"smtp {code}: {text}".strip()
    if 500 <= code < 600:
        return PermanentSendError(f"smtp_{code}", detail)
    return TransientSendError(detail, reason=f"smtp_{code}")


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    # The message is already accepted (or already failed): a QUIT that goes wrong changes
    # nothing, and must not turn a sent message into a retried one.
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _sender(mail_from: str) -> tuple[str, str]:
    """The From header as configured, and the domain the Message-ID is made under."""
    addresses = getaddresses([mail_from])
    if len(addresses) != 1 or "@" not in addresses[0][1]:
        raise ProviderConfigError("OMO_MAIL_FROM must be one address, e.g. 'OMO <no-reply@x.tw>'")
    name, addr_spec = addresses[0]
    try:
        address = Address(display_name=name, addr_spec=addr_spec)
    except ValueError as exc:
        raise ProviderConfigError(f"OMO_MAIL_FROM is not an address: {exc}") from None
    return str(address), address.domain or "localhost"
