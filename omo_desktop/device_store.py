"""Where an enrolled device keeps its backend URL and device token: the OS keyring.

On the Windows tablets that is Windows Credential Manager. A plaintext file keyring (which
``keyrings.alt`` installs and headless Linux may pick by itself) is refused outside demo
mode, so a kiosk never keeps its token in a plain file without saying so.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

SERVICE = "omo-counter"
ENTRY = "device"


class KeyringUnavailable(Exception):
    """No safe place for the device token: the message says what to do."""


@dataclass(frozen=True)
class DeviceCredentials:
    backend_url: str
    device_id: int
    device_token: str
    store_code: str
    store_name: str


def _is_plaintext(backend: KeyringBackend) -> bool:
    kind = type(backend)
    return kind.__module__.startswith("keyrings.alt") and "Plaintext" in kind.__name__


def _is_missing(backend: KeyringBackend) -> bool:
    return type(backend).__module__ in ("keyring.backends.fail", "keyring.backends.null")


class DeviceStore:
    def __init__(self, *, allow_plaintext: bool = False) -> None:
        self._allow_plaintext = allow_plaintext

    def _backend(self) -> KeyringBackend:
        backend = keyring.get_keyring()
        if _is_missing(backend):
            raise KeyringUnavailable(
                "This computer has no credential store for the device token. On Linux, "
                "install and unlock a Secret Service keyring (e.g. GNOME Keyring)."
            )
        if _is_plaintext(backend) and not self._allow_plaintext:
            raise KeyringUnavailable(
                "The only credential store here keeps the device token in a plain file. "
                "Use the system keyring, or run in demo mode."
            )
        return backend

    def load(self) -> DeviceCredentials | None:
        try:
            raw = self._backend().get_password(SERVICE, ENTRY)
        except KeyringError as exc:
            raise KeyringUnavailable(f"The credential store failed: {type(exc).__name__}") from exc
        if not raw:
            return None
        try:
            return DeviceCredentials(**json.loads(raw))
        except (ValueError, TypeError):
            return None  # unreadable: enroll again

    def save(self, credentials: DeviceCredentials) -> None:
        try:
            self._backend().set_password(SERVICE, ENTRY, json.dumps(asdict(credentials)))
        except KeyringError as exc:
            raise KeyringUnavailable(f"The credential store failed: {type(exc).__name__}") from exc

    def forget(self) -> None:
        with contextlib.suppress(KeyringError):  # nothing stored
            self._backend().delete_password(SERVICE, ENTRY)
