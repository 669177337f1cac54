"""The counter: one stacked widget that draws whatever state the counter flow is in.

This is the one interface the shell uses: ``render(flow.state)`` after every change, and the
signals below connected to the flow's intents. No page calls the network or changes the flow.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from omo_desktop.flows import counter as flow
from omo_desktop.screens.base import FlowScreen
from omo_desktop.screens.binding import BindingScreen
from omo_desktop.screens.customer import CustomerScreen
from omo_desktop.screens.following import FollowingScreen
from omo_desktop.screens.results import ResultsScreen
from omo_desktop.screens.search import SearchScreen
from omo_desktop.screens.sms_prompt import SmsPromptScreen
from omo_desktop.screens.success import SuccessScreen
from omo_desktop.screens.waiting import WaitingScreen
from omo_desktop.widgets.keyboard import TouchKeyboard


class CounterView(QStackedWidget):
    search_requested = Signal(str)  # Confirm, with the typed text
    method_requested = Signal(str)  # a SearchBy value: "phone" or "email_or_name"
    chosen = Signal(object)  # the CustomerSummary tapped in the list
    bind_requested = Signal()
    sign_up_requested = Signal()
    sms_received = Signal()
    check_again = Signal()
    send_again = Signal()  # a new SMS to the same number, after a failure or an ended link
    wait_over = Signal()  # a rate limit's wait has passed: the refused action is offered again
    cant_scan = Signal()
    new_code = Signal()
    back_requested = Signal()  # Cancel / New search / Done: back to an empty search

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counter")
        self.search = SearchScreen()
        self.results = ResultsScreen()
        self.customer = CustomerScreen()
        self.sms_prompt = SmsPromptScreen()
        self.following = FollowingScreen()
        self.binding = BindingScreen()
        self.success = SuccessScreen()
        self.waiting = WaitingScreen()
        for page in (
            self.search,
            self.results,
            self.customer,
            self.sms_prompt,
            self.following,
            self.binding,
            self.success,
            self.waiting,
        ):
            self.addWidget(page)

        self.search.search_requested.connect(self.search_requested)
        self.search.method_requested.connect(self.method_requested)
        self.results.chosen.connect(self.chosen)
        self.results.method_requested.connect(self.method_requested)
        self.results.back_requested.connect(self.back_requested)
        self.customer.bind_requested.connect(self.bind_requested)
        self.customer.sign_up_requested.connect(self.sign_up_requested)
        self.customer.back_requested.connect(self.back_requested)
        self.customer.wait_over.connect(self.wait_over)
        self.sms_prompt.sms_received.connect(self.sms_received)
        self.sms_prompt.check_again.connect(self.check_again)
        self.sms_prompt.send_again.connect(self.send_again)
        self.sms_prompt.wait_over.connect(self.wait_over)
        self.following.check_again.connect(self.check_again)
        self.following.send_again.connect(self.send_again)
        self.waiting.check_again.connect(self.check_again)
        self.binding.cant_scan.connect(self.cant_scan)
        self.binding.new_code.connect(self.new_code)
        self.binding.back_requested.connect(self.back_requested)
        self.success.back_requested.connect(self.back_requested)

        self.render(flow.Searching())

    def render(self, state: flow.State) -> None:  # type: ignore[override]
        """Show the page for ``state`` and draw it."""
        match state:
            case flow.Searching():
                self._show(self.search)
                self.search.render(state)
            case flow.Choosing():
                self._show(self.results)
                self.results.render(state)
            case flow.CustomerFound() | flow.NobodyFound():
                self._show(self.customer)
                self.customer.render(state)
            case flow.SmsSent():
                self._show(self.sms_prompt)
                self.sms_prompt.render(state)
            case flow.FollowingRegistration():
                self._show(self.following)
                self.following.render(state)
            case flow.Binding():
                self._show(self.binding)
                self.binding.render(state)
            case flow.Registered() | flow.Bound():
                self._show(self.success)
                self.success.render(state)
            case flow.WaitingForBackend():
                self._show(self.waiting)
                self.waiting.render(state)

    def forget_typed(self) -> None:
        """The next search drawn starts from an empty field, whatever was typed since."""
        self.search.leave()

    def set_line_enabled(self, enabled: bool) -> None:
        """Without a LINE channel the "LINE linked" step is not shown at all."""
        self.binding.set_line_enabled(enabled)

    def set_touch_keyboard(self, choice: TouchKeyboard) -> None:
        """How staff type an e-mail or a name without a hardware keyboard (app set-up)."""
        self.search.set_touch_keyboard(choice)

    def current_screen_name(self) -> str:
        page = self.currentWidget()
        return page.screen_name if isinstance(page, FlowScreen) else ""

    def _show(self, page: FlowScreen[Any]) -> None:
        current = self.currentWidget()
        if current is not page:
            if isinstance(current, FlowScreen):
                current.leave()
            self.setCurrentWidget(page)
