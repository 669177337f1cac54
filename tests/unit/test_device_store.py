"""The device token lives in the OS keyring, never silently in a plain file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from omo_desktop.device_store import DeviceCredentials, DeviceStore, KeyringUnavailable
from tests.support.keyrings import MemoryKeyring

CREDS = DeviceCredentials(
    backend_url="https://omo.example.com",
    device_id=3,
    device_token="secret-token",
    store_code="TPE01",
    store_name="台北總店",
)


@pytest.fixture
def use_keyring() -> Iterator[object]:
    before = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(before)


def test_credentials_survive_in_the_keyring(use_keyring):  # type: ignore[no-untyped-def]
    memory = use_keyring(MemoryKeyring())
    DeviceStore().save(CREDS)
    assert DeviceStore().load() == CREDS
    assert "secret-token" in next(iter(memory.items.values()))
    DeviceStore().forget()
    assert DeviceStore().load() is None


def test_a_plaintext_keyring_is_refused_outside_demo(use_keyring, tmp_path: Path):  # type: ignore[no-untyped-def]
    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "keyring.cfg")  # type: ignore[misc]
    use_keyring(plain)
    with pytest.raises(KeyringUnavailable, match="plain file"):
        DeviceStore().save(CREDS)
    DeviceStore(allow_plaintext=True).save(CREDS)
    assert DeviceStore(allow_plaintext=True).load() == CREDS


def test_no_keyring_is_a_clear_message(use_keyring):  # type: ignore[no-untyped-def]
    use_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable, match="no credential store"):
        DeviceStore().load()
