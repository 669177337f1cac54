"""``omo-desktop``: start the counter app (``--demo`` runs its own backend on this machine)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTimer
from PySide6.QtWidgets import QApplication

from backend_client.errors import ApiError
from omo_desktop import heap
from omo_desktop.arguments import parse_args
from omo_desktop.demo.embedded import (
    LOG_FORMAT,
    MEMBER_PASSWORD,
    DemoInfo,
    EmbeddedBackend,
    EmbeddedBackendError,
    default_data_dir,
)
from omo_desktop.design import theme
from omo_desktop.i18n import LanguageSwitcher

# The shell's modules (its screens, the HTTP client, the keyring: ~0.3 s) are imported in
# build(), after the demo backend's process is launched, so that both import at once.
if TYPE_CHECKING:
    from omo_desktop.shell import Shell

log = logging.getLogger(__name__)

# Logged once the demo's log-in can be used (its backend serves, the button is enabled).
DEMO_LOG_IN_READY = "demo log-in ready"


def system_locale() -> str:
    return "zh_TW" if QLocale.system().name().startswith("zh") else "en"


def style(app: QApplication) -> None:
    theme.apply(app)


@dataclass
class App:
    """What ``main`` built: kept together so tests and the bench can drive the same thing."""

    qt: QApplication
    shell: Shell
    demo: EmbeddedBackend | None = None  # when running a demo
    phone: object | None = None  # the demo phone window

    def close(self) -> None:
        self.shell.close()
        if self.phone is not None:
            self.phone.close()  # type: ignore[attr-defined]
        if self.demo is not None:
            self.demo.stop()


def build(
    args: argparse.Namespace,
    *,
    shell_options: dict[str, object] | None = None,
    demo: EmbeddedBackend | None = None,
) -> App:
    """The app for ``args``; ``demo`` is the demo's backend when the caller launched it already
    (``omo_desktop.start`` does, before Qt loads)."""
    data_dir: Path = args.data_dir or default_data_dir()
    if args.demo and demo is None:
        # First of all: the backend's process starts up on the other core meanwhile.
        demo = EmbeddedBackend()
        demo.launch(data_dir)
    from omo_desktop.device_store import DeviceStore
    from omo_desktop.shell import Shell
    from omo_desktop.widgets.keyboard import KeyboardSetting, choose

    qt = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt, QApplication)
    qt.setApplicationName("OMO Counter")
    qt.setOrganizationName("OMO")
    style(qt)
    languages = LanguageSwitcher(qt)
    languages.switch(args.locale or system_locale())
    shell = Shell(
        device_store=DeviceStore(allow_plaintext=args.demo),
        data_dir=data_dir,
        languages=languages,
        **(shell_options or {}),  # type: ignore[arg-type]
    )
    shell.counter.view.set_touch_keyboard(
        choose(KeyboardSetting(args.touch_keyboard), kiosk=args.fullscreen)
    )
    app = App(qt, shell, demo=demo)
    if demo is not None:
        start_demo(app, demo)
    else:
        open_device(shell)
    if args.fullscreen:
        shell.showFullScreen()
    else:
        shell.resize(1280, 800)
        shell.show()
    return app


def open_device(shell: Shell) -> None:
    from omo_desktop.device_store import KeyringUnavailable
    from omo_desktop.messages import describe

    try:
        credentials = shell.device_store.load()
    except KeyringUnavailable as exc:
        shell.show_enroll()
        # The exception's own sentence is English, for the log; staff read it translated.
        log.warning("keyring unavailable: %s", exc)
        shell.enroll.show_error(partial(describe, ApiError("keyring_unavailable", str(exc))))
        return
    if credentials is None:
        shell.show_enroll()
    else:
        shell.use_device(credentials)


def start_demo(app: App, backend: EmbeddedBackend) -> None:
    """The window shows at once; a worker waits for the launched backend, the log-in opens after."""
    from omo_desktop.workers import BackendOp

    shell = app.shell
    shell.login.set_busy(True)
    shell.login.set_hint(
        lambda: QCoreApplication.translate("App", "Starting the demo backend on this computer…")
    )
    shell.show_login()

    def wait_ready() -> DemoInfo:
        try:
            return backend.wait_ready()
        except EmbeddedBackendError as exc:
            raise ApiError("demo_failed", str(exc)) from exc

    def started(info: DemoInfo) -> None:
        from omo_desktop.demo.phone import DemoPhoneWindow
        from omo_desktop.device_store import DeviceCredentials

        shell.login.set_busy(False)
        shell.use_device(
            DeviceCredentials(
                backend_url=info.base_url,
                device_id=info.device_id,
                device_token=info.device_token,
                store_code=info.store_code,
                store_name=info.store_name,
            )
        )
        shell.login.set_hint(partial(demo_hint, info))
        phone = DemoPhoneWindow(info.base_url)
        phone.place_beside(shell)
        # Staff type on the counter next: the phone beside it must not take the focus.
        phone.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        phone.show()
        if phone.covers_counter:
            # No room beside it on this display: staff log in first, the phone comes forward
            # when an SMS reaches it.
            shell.raise_()
        shell.activateWindow()
        app.phone = phone
        # The bundle's smoke test and its cold-start bench wait for this line on stderr.
        log.info("%s", DEMO_LOG_IN_READY)

    def failed(error: ApiError) -> None:
        shell.login.set_busy(False)
        shell.login.show_error(
            lambda: QCoreApplication.translate(
                "App", "The demo backend could not start: %1"
            ).replace("%1", error.message)
        )

    BackendOp(parent=shell, op=wait_ready, success=started).failure(failed).run()


def demo_hint(info: DemoInfo) -> str:
    """Who can log in and what to try, in the current language (worked out again after a
    language switch)."""
    listed = QCoreApplication.translate("App", ", ", "between the items of a list").join
    one = QCoreApplication.translate("App", "%1 %2 (PIN %3)", "a demo staff: code, name, PIN")
    staff = listed(
        one.replace("%1", s.code).replace("%2", s.name).replace("%3", s.pin)
        for s in info.store_staff
    )
    text = QCoreApplication.translate(
        "App",
        "Demo staff: %1. Try members %2 (password on the phone: %5), past buyers %3, "
        "or a new number %4.",
    )
    return (
        text.replace("%1", staff)
        .replace("%2", listed(info.members))
        .replace("%3", listed(info.past_buyers))
        .replace("%4", info.new_customer)
        .replace("%5", MEMBER_PASSWORD)
    )


def main(argv: Sequence[str] | None = None, *, demo: EmbeddedBackend | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    args = parse_args(argv)
    app = build(args, demo=demo)
    QTimer.singleShot(0, lambda: log.info("window shown"))
    QTimer.singleShot(0, heap.set_start_aside)
    # Ctrl+C in the terminal quits like closing the window (the demo backend stops too).
    signal.signal(signal.SIGINT, lambda *_: app.qt.quit())
    # Python only runs signal handlers between bytecodes: a timer lets it look now and then.
    wake = QTimer()
    wake.start(250)
    wake.timeout.connect(lambda: None)
    code = app.qt.exec()
    app.close()
    logging.shutdown()
    # A long-poll may hold a worker for up to 25 s: the sign-up taps are on disk already, so
    # quit now rather than wait for it.
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
