"""A local SMTP server (aiosmtpd) that records what it was sent and fails on request.

It speaks real SMTP on 127.0.0.1: EHLO, optional AUTH (PLAIN/LOGIN) over a plain
connection, optional STARTTLS or implicit TLS, MAIL, RCPT, DATA. Each accepted message is
kept with its envelope and parsed with ``email.message_from_bytes`` (the ``default`` policy,
so encoded headers come back as text). A test can make the next RCPT or DATA answer with any
reply, e.g. ``"450 4.2.1 Mailbox busy"`` or ``"550 5.1.1 No such user"``.
"""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.fakes.running import Running
from tests.support.postgres import free_port

Stage = Literal["RCPT", "DATA"]


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage
    # The user name the client logged in with, when it did.
    login: str | None
    tls: bool

    @property
    def text(self) -> str:
        """The plain-text body as a mail client shows it: decoded, with ``\n`` line ends."""
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "no text/plain part"
        content: str = part.get_content()
        return content.replace("\r\n", "\n")


class FakeSmtp(Running):
    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls_context: ssl.SSLContext | None = None,
        implicit_tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """``username``/``password`` turn on AUTH; a TLS context turns on STARTTLS (required
        then) or implicit TLS."""
        self.username = username
        self.password = password
        self._starttls_context = starttls_context
        self._implicit_tls_context = implicit_tls_context
        self._lock = threading.Condition()
        self._received: list[ReceivedMail] = []
        self._failures: dict[Stage, list[str]] = {"RCPT": [], "DATA": []}
        self._transactions = 0
        self._controller: Controller | None = None
        self.port = 0

    # --- life ----------------------------------------------------------------------------

    def start(self) -> FakeSmtp:
        kwargs: dict[str, Any] = {"auth_require_tls": False}
        if self.username is not None:
            # Offered, not required (aiosmtpd warns about AUTH required without TLS):
            # ``ReceivedMail.login`` tells whether the client logged in.
            kwargs["authenticator"] = self._authenticate
        if self._starttls_context is not None:
            kwargs["tls_context"] = self._starttls_context
            kwargs["require_starttls"] = True
        for _ in range(5):
            # free_port() may lose a race with another test process; pick again then.
            port = free_port()
            controller = Controller(
                _Handler(self),
                hostname="127.0.0.1",
                port=port,
                ssl_context=self._implicit_tls_context,
                server_hostname="fake-smtp.test",
                ready_timeout=10,
                **kwargs,
            )
            try:
                controller.start()
            except OSError:
                continue
            self._controller, self.port = controller, port
            return self
        raise RuntimeError("no free port for the fake SMTP server")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def url(self, scheme: str = "smtp") -> str:
        """An ``OMO_SMTP_URL`` for this server, with its credentials when it has some."""
        login = ""
        if self.username is not None:
            login = f"{self.username}:{self.password or ''}@"
        return f"{scheme}://{login}127.0.0.1:{self.port}"

    # --- knobs ---------------------------------------------------------------------------

    def fail_next(self, stage: Stage, reply: str, *, count: int = 1) -> None:
        """Answer the next ``count`` RCPT (or DATA) commands with ``reply``, e.g. ``"450 ..."``."""
        with self._lock:
            self._failures[stage].extend([reply] * count)

    # --- what was received ---------------------------------------------------------------

    @property
    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._received)

    @property
    def transactions(self) -> int:
        """How many MAIL FROM commands arrived: every attempt, accepted or not."""
        with self._lock:
            return self._transactions

    def wait_for_mail(self, count: int, *, timeout: float = 10.0) -> list[ReceivedMail]:
        """Block until ``count`` messages were accepted; fails the test after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"fake SMTP accepted {len(self._received)} messages, expected {count}"
                    )
                self._lock.wait(left)
            return list(self._received)

    # --- called by the handler -----------------------------------------------------------

    def _authenticate(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        auth_data: Any,
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.username
            and auth_data.password.decode() == (self.password or "")
        )
        if not ok:
            # Not "handled": aiosmtpd then answers 535 itself.
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=auth_data)

    def _mail(self) -> None:
        with self._lock:
            self._transactions += 1

    def _forced(self, stage: Stage) -> str | None:
        with self._lock:
            failures = self._failures[stage]
            return failures.pop(0) if failures else None

    def _accept(self, session: Session, envelope: Envelope) -> None:
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not raw:
            raw = envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        auth = session.auth_data
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            message=parsed,
            login=auth.login.decode() if isinstance(auth, LoginPassword) else None,
            tls=session.ssl is not None or self._implicit_tls_context is not None,
        )
        with self._lock:
            self._received.append(mail)
            self._lock.notify_all()


class _Handler:
    def __init__(self, fake: FakeSmtp) -> None:
        self.fake = fake

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        self.fake._mail()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        forced = self.fake._forced("RCPT")
        if forced is not None:
            return forced
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        forced = self.fake._forced("DATA")
        if forced is not None:
            return forced
        self.fake._accept(session, envelope)
        return "250 2.0.0 Message accepted for delivery"
