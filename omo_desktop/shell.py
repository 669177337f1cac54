"""The app's one window: device set-up, staff log-in and the counter, as pages of a stack.

The shell connects screens to controllers and owns the session: who is logged in, the idle
and expiry clocks, and log-out. It draws nothing of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QMetaObject, QObject, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from backend_client import schemas
from backend_client.client import OmoClient
from backend_client.errors import ApiError
from omo_desktop.counter_controller import CounterController
from omo_desktop.device_store import DeviceCredentials, DeviceStore, KeyringUnavailable
from omo_desktop.enroll import EnrollController
from omo_desktop.flows.pending import PendingSignUps
from omo_desktop.flows.runner import execute
from omo_desktop.i18n import LanguageSwitcher, Words
from omo_desktop.login import LoginController
from omo_desktop.messages import DEVICE_REFUSED, describe
from omo_desktop.screens.counter_page import CounterPage
from omo_desktop.screens.enroll import EnrollScreen
from omo_desktop.screens.login import LoginScreen
from omo_desktop.session_timers import CUSTOMER_IDLE_SECONDS, ActivityFilter, SessionTimers
from omo_desktop.workers import BackendOp

log = logging.getLogger(__name__)

PENDING_FILE = "pending-signups.json"


@dataclass(frozen=True)
class SectionContext:
    """What a section beside the counter is built with, once per log-in: the device's client
    (logged in) and the log-in's reply (who, which store)."""

    client: OmoClient
    login: schemas.StaffLoginResponse
    locale: str  # the app's language at log-in ("en", "zh_TW"); set_locale() tells changes


# Builds one section's widget (Members, Reports) for a manager's or an admin's session; it is
# deleted at log-out, with whatever it showed. Keyed as in ``counter_page.SECTION_ICONS``.
# None: the section is not for this staff member's role.
SectionFactory = Callable[[SectionContext], QWidget | None]


def default_sections() -> dict[str, SectionFactory]:
    """The sections a manager or an admin sees beside the counter (the rail orders them as
    ``counter_page.SECTION_ICONS`` does); integrations (keys, webhooks) are an admin's alone."""
    return {"members": _members, "reports": _reports, "keys": _keys}


def _members(context: SectionContext) -> QWidget:
    from omo_desktop.screens.members import MembersScreen

    return MembersScreen(context.client, role=context.login.staff.role)


def _keys(context: SectionContext) -> QWidget | None:
    if not context.login.staff.role.at_least(schemas.Role.ADMIN):
        return None
    from omo_desktop.screens.integrations import IntegrationsScreen

    return IntegrationsScreen(context.client)


def _reports(context: SectionContext) -> QWidget:
    # Qt Charts is loaded at a manager's first log-in, not at every start of a counter.
    from omo_desktop.reports_controller import reports_section

    return reports_section(context.client, context.locale)


class Shell(QMainWindow):
    page_changed = Signal(str)  # "enroll", "login", "counter": for tests and the bench

    def __init__(
        self,
        *,
        device_store: DeviceStore,
        data_dir: Path,
        languages: LanguageSwitcher,
        customer_idle_seconds: int = CUSTOMER_IDLE_SECONDS,
        offline_retry_ms: int | None = None,
        read_timeout_s: float | None = None,
        sections: Mapping[str, SectionFactory] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("shell")
        self.device_store = device_store
        self._data_dir = data_dir
        self._languages = languages
        self._offline_retry_ms = offline_retry_ms
        # How long a call waits for the server's answer (None: the client's own default).
        self._read_timeout_s = read_timeout_s
        self._section_factories = dict(default_sections() if sections is None else sections)
        self.client: OmoClient | None = None
        self.controller: CounterController | None = None
        self.credentials: DeviceCredentials | None = None
        self._login_controller: LoginController | None = None
        # The screens' links to this device's controllers, cut when another device replaces it.
        self._device_links: list[QMetaObject.Connection] = []

        self.pages = QStackedWidget()
        self.enroll = EnrollScreen()
        self.login = LoginScreen()
        self.counter = CounterPage()
        for page in (self.enroll, self.login, self.counter):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)
        EnrollController(self.enroll, device_store).enrolled.connect(self.use_device)
        self.login.language_requested.connect(self.switch_language)
        self.counter.language_requested.connect(self.switch_language)
        self.counter.logout_requested.connect(lambda: self.log_out(None))

        self.timers = SessionTimers(self, customer_idle_seconds=customer_idle_seconds)
        ActivityFilter(self.timers)
        self.timers.staff_idle.connect(lambda: self.log_out(_IDLE))
        self.timers.session_expired.connect(lambda: self.log_out(_EXPIRED))
        self.timers.customer_idle.connect(self._customer_idle)
        self.switch_language(languages.locale)
        self.retranslate()

    # --- pages ---------------------------------------------------------------------------

    @property
    def languages(self) -> LanguageSwitcher:
        return self._languages

    def page(self) -> str:
        current = self.pages.currentWidget()
        names: dict[QWidget, str] = {
            self.enroll: "enroll",
            self.login: "login",
            self.counter: "counter",
        }
        return names.get(current, "?") if current is not None else "?"

    def _show(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self.page_changed.emit(self.page())

    def show_enroll(self) -> None:
        self._show(self.enroll)

    def show_login(self) -> None:
        self._show(self.login)

    def use_device(self, credentials: DeviceCredentials) -> None:
        """An enrolled device: one client for it, then the staff log-in."""
        self._drop_device()
        self.credentials = credentials
        self.client = (
            OmoClient(credentials.backend_url, device_token=credentials.device_token)
            if self._read_timeout_s is None
            else OmoClient(
                credentials.backend_url,
                device_token=credentials.device_token,
                read_timeout=self._read_timeout_s,
            )
        )
        self.controller = CounterController(
            self.client,
            PendingSignUps(self._data_dir / PENDING_FILE),
            self,
            offline_retry_ms=self._offline_retry_ms,
        )
        self._connect_counter(self.controller)
        self._login_controller = LoginController(self.login, self.client)
        self._login_controller.logged_in.connect(self._logged_in)
        self._login_controller.device_refused.connect(self._device_refused)
        self.login.set_store(credentials.store_name)
        self._show(self.login)

    def _connect_counter(self, controller: CounterController) -> None:
        view = self.counter.view
        controller.state_changed.connect(view.render)
        controller.state_changed.connect(lambda _state: self.timers.touched())
        controller.session_ended.connect(self._session_ended)
        self._device_links += [
            view.search_requested.connect(controller.confirm_search),
            view.method_requested.connect(controller.switch_search),
            view.chosen.connect(controller.choose),
            view.bind_requested.connect(controller.bind_now),
            view.sign_up_requested.connect(controller.sign_up),
            view.sms_received.connect(controller.sms_received),
            view.check_again.connect(controller.check_again),
            view.send_again.connect(controller.send_again),
            view.wait_over.connect(controller.wait_over),
            view.cant_scan.connect(controller.cant_scan),
            view.new_code.connect(controller.new_code),
            view.back_requested.connect(controller.back_to_search),
        ]

    def _drop_device(self) -> None:
        """Before another device (or none) takes over: its controllers and client go."""
        for link in self._device_links:
            QObject.disconnect(link)
        self._device_links.clear()
        if self.controller is not None:
            self.controller.stop()
            self.controller.deleteLater()
            self.controller = None
        if self._login_controller is not None:
            self._login_controller.detach()
            self._login_controller.deleteLater()
            self._login_controller = None
        if self.client is not None:
            self.client.close()
            self.client = None

    # --- the staff session ---------------------------------------------------------------

    def _logged_in(self, reply: schemas.StaffLoginResponse) -> None:
        assert self.controller is not None
        self.counter.set_people(reply.store.name, reply.staff.name)
        self.counter.view.set_line_enabled(reply.store.line_enabled)
        self.counter.set_sections(self._sections_for(reply))
        self.timers.start(
            idle_timeout_seconds=reply.idle_timeout_seconds, expires_at=reply.expires_at
        )
        self.controller.start()
        self._show(self.counter)

    def _sections_for(self, reply: schemas.StaffLoginResponse) -> dict[str, QWidget]:
        """Counter staff, and anyone on a counter-only device, get the counter alone."""
        if reply.counter_only or not reply.staff.role.at_least(schemas.Role.MANAGER):
            return {}
        assert self.client is not None
        context = SectionContext(client=self.client, login=reply, locale=self._languages.locale)
        sections = {}
        for key, make in self._section_factories.items():
            widget = make(context)
            if widget is None:
                continue
            # A section that hears the backend refuse the session (401) logs the app out.
            ended = getattr(widget, "session_ended", None)
            if ended is not None:
                ended.connect(self._session_ended)
            sections[key] = widget
        return sections

    def log_out(self, reason: str | None) -> None:
        """Log out (tapped, idle or expired): the screen is cleared at once, the backend told
        after any binding on screen is cancelled."""
        if self.page() != "counter" or self.client is None or self.controller is None:
            return
        self.timers.stop()
        client = self.client
        before = self.controller.end_session()

        def tell_backend() -> None:
            for command in before:
                execute(client, command)
            client.logout()

        BackendOp(parent=self, op=tell_backend, success=lambda _none: None).run()
        self._to_login(partial(_translated, reason) if reason else None)

    def _session_ended(self, error: ApiError | None) -> None:
        """The backend ended the session (logged out elsewhere, expired, idle on its clock)."""
        if self.page() != "counter" or self.controller is None:
            return
        if error is not None and error.code in DEVICE_REFUSED:
            self._device_refused(error)
            return
        self.timers.stop()
        self.controller.end_session()
        if self.client is not None:
            self.client.session_token = None
        self._to_login(partial(describe, error) if error is not None else None)

    def _device_refused(self, error: ApiError) -> None:
        """A manager revoked this device: back to its set-up, saying why. The stored token is
        forgotten, so a restart asks for a new enrollment code too."""
        backend_url = self.credentials.backend_url if self.credentials is not None else ""
        self.timers.stop()
        if self.controller is not None:
            self.controller.end_session()  # nothing of the last customer stays on screen
        self._drop_device()
        self.credentials = None
        try:
            self.device_store.forget()
        except KeyringUnavailable:
            log.warning("the revoked device token could not be removed from the keyring")
        self.counter.set_sections({})
        self.login.clear()
        self.enroll.set_backend_url(backend_url)
        self.enroll.show_error(partial(describe, error))
        self._show(self.enroll)

    def _to_login(self, why: Words | None) -> None:
        self.counter.set_sections({})  # nothing a manager looked at stays behind
        self.login.clear()
        if why is not None:
            self.login.show_error(why)
        self._show(self.login)

    def _customer_idle(self) -> None:
        """Nobody touched the counter for a minute: no customer detail stays on screen, not even
        digits typed and never confirmed."""
        if self.page() == "counter" and self.controller is not None:
            self.counter.view.forget_typed()
            self.controller.back_to_search()

    # --- language ------------------------------------------------------------------------

    def switch_language(self, locale: str) -> None:
        if locale != self._languages.locale:
            self._languages.switch(locale)
        self.login.set_locale(locale)
        self.login.retranslate()
        self.counter.set_locale(locale)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("OMO Counter"))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timers.stop()
        if self.controller is not None:
            self.controller.stop()
        super().closeEvent(event)


# Log-out reasons are marked here and translated when shown (the language may change).
_IDLE = "idle"
_EXPIRED = "expired"


def _translated(reason: str) -> str:
    if reason == _IDLE:
        return QCoreApplication.translate(
            "Shell", "You were logged out after a while without activity. Please log in again."
        )
    if reason == _EXPIRED:
        return QCoreApplication.translate(
            "Shell", "Your shift session has ended. Please log in again."
        )
    return reason
