"""E-mail through the outbox, on SQLite and on a real PostgreSQL, against a local SMTP server."""

from __future__ import annotations

import ipaddress
import ssl
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from omo_backend.db import Database
from omo_backend.messaging.dispatcher import Dispatcher
from omo_backend.messaging.outbox import enqueue_email, enqueue_sms, split_email_body
from omo_backend.messaging.providers import (
    OutboxProvider,
    PermanentSendError,
    ProviderConfigError,
    SendResult,
    SmtpProvider,
    TransientSendError,
    email_provider_from_settings,
    email_provider_name,
)
from omo_backend.messaging.providers.smtp import parse_smtp_url
from omo_backend.models import Invitation, Message, Store, utcnow
from omo_backend.settings import Settings
from tests.fakes.smtp_server import FakeSmtp
from tests.support.backend import DatabaseFactory, LiveBackend, live_backend
from tests.support.clock import StoppedClock, stopped_clock
from tests.support.dispatchers import race_two_dispatchers
from tests.support.postgres import free_port

# A fixture used by name.
__all__ = ["stopped_clock"]

TO = "lin.hsiao-hua@example.tw"
MAIL_FROM = "OMO 台北總店 <no-reply@omo.example>"
SUBJECT = "歡迎加入 OMO 會員"
TOKEN = "Zx8ab_cdEF-1234567890a"
BODY = f"林小華您好：\n\n請在兩小時內完成註冊：\nhttps://omo.example/r/{TOKEN}\n\n台北總店 敬上\n"


# --- fixtures: a fresh, migrated database per test on both engines, and the fake server ------


@pytest.fixture
def database(db_factory: DatabaseFactory) -> Iterator[Database]:
    db = Database(db_factory.new_url())
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp(username="omo@example.tw", password="p@ss:word") as fake:
        yield fake


def smtp_settings(database: Database | None, smtp_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_url": smtp_url,
        "mail_from": MAIL_FROM,
        "smtp_timeout_seconds": 5.0,
        "dispatch_backoff_base_seconds": 0.2,
    }
    if database is not None:
        values["database_url"] = database.url
    return Settings(_env_file=None, **{**values, **overrides})


def login_url(fake: FakeSmtp, scheme: str = "smtp") -> str:
    # The password has an '@' and a ':' in it: the URL carries it percent-encoded.
    return f"{scheme}://omo%40example.tw:p%40ss%3Aword@127.0.0.1:{fake.port}"


@dataclass(frozen=True)
class Queued:
    message_id: int
    invitation_id: int


def queue_invitation_email(
    database: Database,
    *,
    to: str = TO,
    subject: str = SUBJECT,
    body: str = BODY,
    provider: str = "smtp",
) -> Queued:
    """A customer is invited by e-mail: the invitation and its e-mail commit together."""
    with database.transaction() as session:
        store = Store(code=f"S{uuid.uuid4().hex[:8]}", name="台北總店")
        session.add(store)
        session.flush()
        invitation = Invitation(
            phone="+886912345678",
            token_hash=uuid.uuid4().hex,
            store_id=store.id,
            expires_at=utcnow() + timedelta(hours=2),
        )
        session.add(invitation)
        session.flush()
        message = enqueue_email(
            session=session,
            to=to,
            subject=subject,
            body=body,
            purpose="invitation",
            provider=provider,
            store_id=store.id,
            invitation_id=invitation.id,
        )
        return Queued(message_id=message.id, invitation_id=invitation.id)


def load_message(database: Database, message_id: int) -> Message:
    with database.transaction(write=False) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def load_invitation(database: Database, invitation_id: int) -> Invitation:
    with database.transaction(write=False) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        return invitation


# --- storing --------------------------------------------------------------------------------


def test_an_email_is_a_queued_row_that_keeps_its_subject(database: Database) -> None:
    queued = queue_invitation_email(database)

    message = load_message(database, queued.message_id)
    assert (message.channel, message.status, message.provider) == ("email", "queued", "smtp")
    assert (message.to_address, message.purpose, message.attempts) == (TO, "invitation", 0)
    assert (message.segments, message.cost_units) == (1, 1)
    assert message.body.startswith(f"Subject: {SUBJECT}\n\n")
    assert split_email_body(message.body) == (SUBJECT, BODY)


def test_a_line_break_in_a_subject_or_address_is_refused(database: Database) -> None:
    with database.transaction() as session:
        for to, subject in ((TO, "Hi\r\nBcc: everyone@example.tw"), (f"{TO}\nBcc: x@y.z", "Hi")):
            with pytest.raises(ValueError, match="single line"):
                enqueue_email(
                    session=session,
                    to=to,
                    subject=subject,
                    body="x",
                    purpose="invitation",
                    provider="smtp",
                )
        assert session.scalar(select(func.count()).select_from(Message)) == 0


# --- delivery ---------------------------------------------------------------------------------


def test_an_email_reaches_the_smtp_server_once_in_utf8(database: Database, smtp: FakeSmtp) -> None:
    queued = queue_invitation_email(database)
    dispatcher = Dispatcher(database, smtp_settings(database, login_url(smtp)))

    assert dispatcher.run_once() == 1

    [mail] = smtp.received
    assert (mail.mail_from, mail.rcpt_tos) == ("no-reply@omo.example", [TO])
    assert mail.login == "omo@example.tw"
    assert mail.message["To"] == TO
    assert mail.message["From"] == MAIL_FROM
    assert mail.message["Subject"] == SUBJECT
    assert mail.message.get_content_type() == "text/plain"
    assert mail.message.get_content_charset() == "utf-8"
    assert mail.text == BODY, "the customer gets the whole link"
    assert mail.raw.isascii(), "8-bit text sent to a server that may not take it"

    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, None)
    message_id = str(mail.message["Message-ID"]).strip("<>")
    assert message.provider_message_id == message_id
    assert message_id.endswith("@omo.example")
    assert message.provider_status == "accepted"
    assert message.sent_at is not None
    assert TOKEN not in message.body, "a sent e-mail keeps no working link at rest"
    assert split_email_body(message.body)[0] == SUBJECT
    invitation = load_invitation(database, queued.invitation_id)
    assert (invitation.status, invitation.version) == ("sent", 2)

    assert dispatcher.run_once() == 0
    assert len(smtp.received) == 1


@pytest.mark.parametrize(
    ("stage", "reply"),
    [("RCPT", "450 4.2.1 Mailbox busy, try later"), ("DATA", "451 4.3.0 Local error")],
)
def test_a_4xx_reply_is_retried_after_the_backoff(
    database: Database, smtp: FakeSmtp, stage: Any, reply: str, stopped_clock: StoppedClock
) -> None:
    queued = queue_invitation_email(database)
    dispatcher = Dispatcher(database, smtp_settings(database, login_url(smtp)))
    smtp.fail_next(stage, reply)

    before = utcnow()
    assert dispatcher.run_once() == 1

    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error is not None
    assert reply[:3] in message.last_error
    assert message.next_attempt_at == before + timedelta(seconds=0.2)
    assert load_invitation(database, queued.invitation_id).status == "queued"
    assert smtp.received == []
    # The clock stands still: only the test moves it, however slow the machine is.
    stopped_clock.advance(seconds=0.19)
    assert dispatcher.run_once() == 0, "retried before the backoff was over"

    stopped_clock.advance(seconds=0.01)
    assert dispatcher.run_once() == 1

    [mail] = smtp.received
    assert mail.text == BODY
    assert smtp.transactions == 2
    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)
    assert load_invitation(database, queued.invitation_id).status == "sent"


def test_a_550_fails_the_email_at_once_with_smtp_550(database: Database, smtp: FakeSmtp) -> None:
    queued = queue_invitation_email(database)
    dispatcher = Dispatcher(database, smtp_settings(database, login_url(smtp)))
    smtp.fail_next("RCPT", "550 5.1.1 Mailbox unavailable")

    assert dispatcher.run_once() == 1

    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error is not None
    assert "550" in message.last_error
    assert TOKEN not in message.body
    invitation = load_invitation(database, queued.invitation_id)
    assert (invitation.status, invitation.failure_code) == ("failed", "smtp_550")

    time.sleep(0.3)  # past the backoff a retry would have waited for
    assert dispatcher.run_once() == 0
    assert smtp.transactions == 1
    assert smtp.received == []


def test_an_unreachable_server_is_retried(database: Database) -> None:
    queued = queue_invitation_email(database)
    dispatcher = Dispatcher(database, smtp_settings(database, f"smtp://127.0.0.1:{free_port()}"))

    assert dispatcher.run_once() == 1

    message = load_message(database, queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error is not None
    assert "smtp_unreachable_ConnectionRefusedError" in message.last_error
    assert load_invitation(database, queued.invitation_id).status == "queued"


def test_each_row_goes_to_its_channels_provider(database: Database, smtp: FakeSmtp) -> None:
    email = queue_invitation_email(database)
    with database.transaction() as session:
        sms = enqueue_sms(
            session=session,
            to="+886912345678",
            body="OMO: https://omo.example/r/Sms123",
            purpose="invitation",
            provider="recording",
            store_id=None,
            device_id=None,
            staff_id=None,
        ).id

    class RecordingSms:
        def __init__(self) -> None:
            self.sent: list[tuple[str, str]] = []

        def send_sms(self, *, to: str, body: str) -> SendResult:
            self.sent.append((to, body))
            return SendResult(provider_message_id="sms-1", provider_status="sent")

    sms_provider = RecordingSms()
    dispatcher = Dispatcher(database, smtp_settings(database, login_url(smtp)), sms_provider)

    assert dispatcher.run_once() == 2

    assert sms_provider.sent == [("+886912345678", "OMO: https://omo.example/r/Sms123")]
    assert [mail.rcpt_tos for mail in smtp.received] == [[TO]]
    assert load_message(database, email.message_id).status == "sent"
    assert load_message(database, sms).provider_message_id == "sms-1"


def test_two_dispatchers_at_once_never_send_one_email_twice(
    database: Database, smtp: FakeSmtp
) -> None:
    subjects = [f"OMO 邀請 #{i:02d}" for i in range(30)]
    for subject in subjects:
        queue_invitation_email(database, subject=subject)
    settings = smtp_settings(database, login_url(smtp), dispatch_batch=5)
    handled = race_two_dispatchers(database.url, settings)

    received = Counter(str(mail.message["Subject"]) for mail in smtp.received)
    assert received == Counter(subjects), "some e-mail was sent twice or never"
    assert sum(handled) == 30
    with database.transaction(write=False) as session:
        statuses = dict(
            session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
        )
    assert statuses == {"sent": 30}


# --- without OMO_SMTP_URL: the dev outbox -----------------------------------------------------


def test_without_an_smtp_url_the_email_waits_in_the_dev_outbox(backend: LiveBackend) -> None:
    assert email_provider_name(backend.settings) == "outbox"
    store_id = backend.add_store()
    link = f"{backend.base_url}/r/{TOKEN}"
    with backend.db.transaction() as session:
        enqueue_email(
            session=session,
            to=TO,
            subject=SUBJECT,
            body=f"請完成註冊：{link}",
            purpose="invitation",
            provider=email_provider_name(backend.settings),
            store_id=store_id,
        )

    deadline = time.monotonic() + 10
    while (item := backend.messages_to(TO)[0])["status"] != "sent":
        assert time.monotonic() < deadline, f"the dispatcher never handled it: {item}"
        time.sleep(0.05)

    assert (item["channel"], item["to"], item["provider"]) == ("email", TO, "outbox")
    assert item["body"] == f"Subject: {SUBJECT}\n\n請完成註冊：{link}"
    assert item["links"] == [link], "the dev outbox keeps the link for the demo phone"
    assert item["provider_message_id"].startswith("outbox-")


def test_the_backends_dispatcher_sends_through_smtp_when_configured(
    db_factory: DatabaseFactory, smtp: FakeSmtp
) -> None:
    with live_backend(db_factory, smtp_url=login_url(smtp), mail_from=MAIL_FROM) as backend:
        with backend.db.transaction() as session:
            enqueue_email(
                session=session,
                to=TO,
                subject=SUBJECT,
                body=BODY,
                purpose="invitation",
                provider=email_provider_name(backend.settings),
            )
        [mail] = smtp.wait_for_mail(1)
    assert (mail.message["Subject"], mail.text) == (SUBJECT, BODY)


# --- the provider on its own: URLs, refusals, TLS ---------------------------------------------


def test_the_smtp_url_says_how_to_connect() -> None:
    plain = parse_smtp_url("smtp://relay.local")
    assert (plain.host, plain.port, plain.security, plain.username) == (
        "relay.local",
        25,
        "plain",
        None,
    )
    submission = parse_smtp_url("smtp://u:p@mail.example.tw:587")
    assert (submission.port, submission.security) == (587, "starttls")
    starttls = parse_smtp_url("SMTP+STARTTLS://u:p@mail.example.tw")
    assert (starttls.port, starttls.security) == (587, "starttls")
    implicit = parse_smtp_url("smtps://omo%40example.tw:p%40ss%3Aw@mail.example.tw")
    assert (implicit.port, implicit.security) == (465, "tls")
    assert (implicit.username, implicit.password) == ("omo@example.tw", "p@ss:w")
    assert "p@ss" not in repr(implicit)

    for bad in ("http://u:secret@mail.example.tw", "smtp://u:secret@:25", "smtp://h:port"):
        with pytest.raises(ProviderConfigError) as refused:
            parse_smtp_url(bad)
        assert "secret" not in str(refused.value)


def test_the_email_provider_is_picked_from_settings() -> None:
    def settings(**values: Any) -> Settings:
        return Settings(_env_file=None, **values)

    assert isinstance(email_provider_from_settings(settings()), OutboxProvider)
    assert isinstance(
        email_provider_from_settings(settings(smtp_url="smtp://relay.local")), SmtpProvider
    )
    assert settings().mail_from == "OMO Counter <no-reply@localhost>"
    with pytest.raises(ProviderConfigError, match="OMO_MAIL_FROM"):
        email_provider_from_settings(settings(smtp_url="smtp://relay.local", mail_from="nobody"))
    with pytest.raises(ProviderConfigError, match="OMO_SMTP_URL"):
        email_provider_from_settings(settings(smtp_url="mailto:someone"))
    # smtplib sends credentials as ASCII: refused at start-up, not at every send.
    with pytest.raises(ProviderConfigError, match="ASCII") as non_ascii:
        email_provider_from_settings(settings(smtp_url="smtp://u:w%C3%B6rd@relay.local"))
    assert "w\u00f6rd" not in str(non_ascii.value)


def test_smtp_refusals_are_sorted_into_retry_later_and_never(smtp: FakeSmtp) -> None:
    def send(url: str | None = None) -> SendResult:
        provider = SmtpProvider(smtp_settings(None, url or login_url(smtp)))
        return provider.send_email(to=TO, subject="hi", body="hi")

    wrong_password = f"smtp://omo%40example.tw:wrong@127.0.0.1:{smtp.port}"
    with pytest.raises(PermanentSendError) as bad_login:
        send(wrong_password)
    assert bad_login.value.code == "smtp_535"

    smtp.fail_next("DATA", "554 5.7.1 Message rejected as spam")
    with pytest.raises(PermanentSendError) as spam:
        send()
    assert spam.value.code == "smtp_554"
    assert "spam" in str(spam.value)

    smtp.fail_next("RCPT", "421 4.7.0 Try again later")
    with pytest.raises(TransientSendError) as busy:
        send()
    assert busy.value.reason == "smtp_421"

    # The server offers no STARTTLS: the password is not sent in the clear instead.
    with pytest.raises(PermanentSendError) as no_tls:
        send(login_url(smtp, "smtp+starttls"))
    assert no_tls.value.code == "smtp_not_supported"

    assert smtp.received == []
    assert send().provider_status == "accepted"
    assert len(smtp.received) == 1


@dataclass(frozen=True)
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture
def tls(tmp_path: Path) -> Tls:
    """A self-signed certificate for 127.0.0.1, and a client context that trusts only it."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-smtp.test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    return Tls(server=server, client=ssl.create_default_context(cafile=str(cert_file)))


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_tls_protects_the_login_and_the_message(tls: Tls, scheme: str) -> None:
    contexts = (
        {"starttls_context": tls.server}
        if scheme == "smtp+starttls"
        else {"implicit_tls_context": tls.server}
    )
    with FakeSmtp(username="omo@example.tw", password="p@ss:word", **contexts) as fake:
        url = login_url(fake, scheme)
        provider = SmtpProvider(smtp_settings(None, url), ssl_context=tls.client)
        provider.send_email(to=TO, subject=SUBJECT, body=BODY)
        [mail] = fake.received
        assert (mail.login, mail.message["Subject"], mail.text) == (
            "omo@example.tw",
            SUBJECT,
            BODY,
        )
        if scheme == "smtp+starttls":
            assert mail.tls

        # The system's trust store does not know this certificate: no sending to it.
        with pytest.raises(TransientSendError):
            SmtpProvider(smtp_settings(None, url)).send_email(to=TO, subject="x", body="x")
        assert len(fake.received) == 1
