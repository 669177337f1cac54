"""Staff log-in: the login screen's intents, run through the client off the UI thread."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Signal

from backend_client import schemas
from backend_client.client import OmoClient
from backend_client.errors import ApiError
from omo_desktop.messages import DEVICE_REFUSED, describe
from omo_desktop.screens.login import LoginScreen
from omo_desktop.workers import BackendOp


class LoginController(QObject):
    logged_in = Signal(object)  # schemas.StaffLoginResponse
    device_refused = Signal(object)  # the ApiError: this device must be set up again

    def __init__(self, screen: LoginScreen, client: OmoClient) -> None:
        super().__init__(screen)
        self._screen = screen
        self._client = client
        screen.login_requested.connect(self._log_in)

    def detach(self) -> None:
        """Another device took this one's place: its log-ins no longer go through here."""
        self._screen.login_requested.disconnect(self._log_in)

    def _log_in(self, staff_code: str, pin: str) -> None:
        BackendOp(
            parent=self._screen,
            op=lambda: self._client.login(staff_code, pin),
            success=self._succeeded,
        ).failure(self._failed).busy(self._screen.set_busy).run()

    def _succeeded(self, reply: schemas.StaffLoginResponse) -> None:
        self._screen.clear()
        self.logged_in.emit(reply)

    def _failed(self, error: ApiError) -> None:
        if error.code in DEVICE_REFUSED:
            self.device_refused.emit(error)
            return
        self._screen.show_error(partial(describe, error, typed=True))
