"""Every knob of the backend, read once from ``OMO_*`` environment variables (or ``.env``)."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "omo-counter"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    dev_mode: bool = False
    default_country: str = "TW"
    allowed_sms_countries: str = "TW"

    sms_provider: str = "outbox"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base: str = "https://api.twilio.com"
    twilio_timeout_seconds: float = 10.0

    line_channel_id: str = ""
    line_channel_secret: str = ""
    line_auth_base: str = "https://access.line.me"
    line_api_base: str = "https://api.line.me"
    line_timeout_seconds: float = 10.0
    # E-mail: unset ``smtp_url`` keeps e-mail in the outbox, like the ``outbox`` SMS provider.
    # ``smtp://`` is plain (a local relay; STARTTLS on port 587), ``smtp+starttls://`` always
    # upgrades, ``smtps://`` is TLS from the first byte (see messaging/providers/smtp.py).
    smtp_url: str = ""
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "OMO Counter <no-reply@localhost>"

    # Links and sessions.
    registration_ttl_seconds: int = 2 * 60 * 60
    binding_ttl_seconds: int = 10 * 60
    enrollment_code_ttl_seconds: int = 24 * 60 * 60
    staff_session_ttl_seconds: int = 12 * 60 * 60
    staff_idle_timeout_seconds: int = 15 * 60
    auth_cache_seconds: float = 2.0
    # Staff PINs: pin_max_failures wrong PINs lock a code, the first lock of a day for
    # pin_lockout_seconds, each further one pin_lockout_factor times longer than the last;
    # pin_max_failures_per_day wrong PINs within pin_failure_day_seconds lock it until a
    # manager unlocks it.
    pin_max_failures: int = 5
    pin_lockout_seconds: int = 15 * 60
    pin_lockout_factor: int = 2
    pin_max_failures_per_day: int = 20
    pin_failure_day_seconds: int = 24 * 60 * 60
    page_session_ttl_seconds: int = 2 * 60 * 60

    # What SMS may cost the merchant: per phone, device and store.
    rate_phone_per_10min: int = 3
    rate_phone_per_day: int = 10
    rate_device_per_hour: int = 60
    rate_store_per_hour: int = 300

    idempotency_ttl_seconds: int = 48 * 60 * 60
    # The merchant's currency: orders are kept and net spending summed in its minor units.
    currency: str = "TWD"
    # How long a first-login link (a member added by hand) lets them set their password.
    first_login_ttl_seconds: int = 7 * 24 * 60 * 60
    # How long a past buyer's e-mail invitation to sign up stays open.
    member_invitation_ttl_seconds: int = 14 * 24 * 60 * 60
    housekeeping_interval_seconds: float = 60 * 60

    # Outbox dispatcher.
    dispatch_poll_seconds: float = 0.2
    dispatch_batch: int = 20
    # Sends in flight at once per dispatcher: a provider answering in 100 ms allows ~10 msg/s
    # a slot at best; 32 slots made 177 msg/s and 64 made 271 on this 2-core machine under
    # load (bench/outbox_provider.py). Also bounds the messages a crash (SIGKILL) can leave
    # in doubt, each sent again at most once: see dispatcher.py.
    dispatch_concurrency: int = Field(default=64, ge=1, le=256)
    dispatch_lease_seconds: float = 60.0
    dispatch_max_attempts: int = 6
    dispatch_backoff_base_seconds: float = 2.0
    dispatch_backoff_max_seconds: float = 300.0

    # Webhooks (omo_backend/webhooks/sender.py, in the dispatcher's process). A delivery is
    # tried at most ``webhook_max_attempts`` times, waiting base * 2**(n-1) seconds (at most
    # the max) after the n-th failure: with the defaults 10 tries over about 1.4 hours.
    webhook_poll_seconds: float = 0.5
    webhook_timeout_seconds: float = 10.0
    webhook_lease_seconds: float = 120.0
    webhook_max_attempts: int = Field(default=10, ge=1, le=100)
    webhook_backoff_base_seconds: float = 10.0
    webhook_backoff_max_seconds: float = 3600.0

    # Request bodies larger than this are refused (413) before they are read; a route that
    # takes more (CSV uploads) gets its own limit in app.py.
    max_body_bytes: int = 64 * 1024

    # Long-poll.
    longpoll_max_wait_seconds: float = 30.0
    longpoll_check_seconds: float = 0.2

    log_level: str = "INFO"
    log_json: bool = True

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'omo.db'}"

    @property
    def allowed_sms_regions(self) -> frozenset[str]:
        return frozenset(
            r.strip().upper() for r in self.allowed_sms_countries.split(",") if r.strip()
        )

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_id and self.line_channel_secret)

    @property
    def is_postgresql(self) -> bool:
        return self.effective_database_url.startswith("postgresql")
