"""Device set-up: enroll with the backend, then keep the device token in the OS keyring."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Signal

from backend_client.client import OmoClient
from backend_client.errors import ApiError
from omo_desktop.device_store import DeviceCredentials, DeviceStore, KeyringUnavailable
from omo_desktop.messages import describe
from omo_desktop.screens.enroll import EnrollScreen
from omo_desktop.workers import BackendOp


class EnrollController(QObject):
    enrolled = Signal(object)  # DeviceCredentials

    def __init__(self, screen: EnrollScreen, store: DeviceStore) -> None:
        super().__init__(screen)
        self._screen = screen
        self._store = store
        screen.enroll_requested.connect(self._enroll)

    def _enroll(self, backend_url: str, code: str, device_name: str) -> None:
        def op() -> DeviceCredentials:
            client = OmoClient(backend_url, retries=0)
            try:
                reply = client.enroll(code, device_name)
            finally:
                client.close()
            credentials = DeviceCredentials(
                backend_url=backend_url,
                device_id=reply.device_id,
                device_token=reply.device_token,
                store_code=reply.store.code,
                store_name=reply.store.name,
            )
            try:
                self._store.save(credentials)
            except KeyringUnavailable as exc:
                raise ApiError("keyring_unavailable", str(exc)) from exc
            return credentials

        BackendOp(parent=self._screen, op=op, success=self.enrolled.emit).failure(
            self._failed
        ).busy(self._screen.set_busy).run()

    def _failed(self, error: ApiError) -> None:
        self._screen.show_error(partial(describe, error, typed=True))
