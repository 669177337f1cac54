"""Webhooks (admins): the addresses told of member events, and each one's delivery log."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend_client import schemas
from backend_client.client import OmoClient
from omo_desktop.design.icons import Icon, put_icon
from omo_desktop.design.tokens import SPACE
from omo_desktop.screens.base import button, label, local_date_time, touch_table
from omo_desktop.screens.shown_once import ShownOnce
from omo_desktop.webhooks import Asking, WebhooksController, WebhooksState
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import ActionBar, MessageLine, Tone, screen_layout

_E = schemas.WebhookEvent
_S = schemas.WebhookDeliveryStatus


class WebhooksScreen(QWidget):
    """Lists the endpoints; "Add endpoint" shows the new signing secret once with a Copy
    button; the selected endpoint can be disabled, given a new secret or deleted (both asked
    once more), and its delivery log is shown below."""

    session_ended = Signal(object)  # ApiError: the backend refused the session (401)

    def __init__(self, client: OmoClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks_screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.controller = WebhooksController(client, self, self.draw, self.session_ended.emit)

        # Endpoints, the form, the secret and the log are more than a tablet's height: the
        # page scrolls (a finger drags it) and each table keeps room for a few rows.
        page = QWidget()
        page.setObjectName("webhooks_page")
        layout = screen_layout(page)
        self.scroller = named(QScrollArea(), "webhooks_scroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(page)
        QScroller.grabGesture(self.scroller.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroller)
        self.title = label("webhooks_title", "title")
        self.lead = label("webhooks_lead", "hint")
        layout.addWidget(self.title)
        layout.addWidget(self.lead)

        self.table = touch_table("endpoints", 3, rows=3)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table)

        row = QHBoxLayout()
        row.setSpacing(SPACE["m"])
        self.url = named(QLineEdit(), "webhook_url")
        self.url.setMaxLength(2048)
        self.url.returnPressed.connect(self._create)
        self.create_button = button("add_webhook", "primary")
        put_icon(self.create_button, Icon.LINK, "on_brand")
        self.create_button.clicked.connect(self._create)
        row.addWidget(self.url, 1)
        row.addWidget(self.create_button)
        layout.addLayout(row)

        chips = QHBoxLayout()
        chips.setSpacing(SPACE["s"])
        self.event_chips: dict[schemas.WebhookEvent, QPushButton] = {}
        for event in schemas.WebhookEvent:
            chip = button(f"event_{event.value.replace('.', '_')}", "chip")
            chip.setCheckable(True)
            chip.setChecked(True)
            self.event_chips[event] = chip
            chips.addWidget(chip)
        chips.addStretch(1)
        layout.addLayout(chips)

        self.made = ShownOnce("secret_note", "webhook_secret", "copy_secret")
        self.made.copied.connect(self._copied)
        self.secret_note, self.secret, self.copy = self.made.note, self.made.field, self.made.copy
        layout.addWidget(self.made)

        self.message = MessageLine()
        layout.addWidget(self.message)
        bar = ActionBar()
        self.cancel = button("cancel_webhook_change", "link")
        self.cancel.clicked.connect(self.controller.cancel_confirm)
        self.toggle = button("toggle_webhook")
        self.toggle.clicked.connect(self._toggle)
        self.rotate = button("rotate_secret")
        put_icon(self.rotate, Icon.KEY)
        self.rotate.clicked.connect(self._rotate)
        self.delete = button("delete_webhook")
        put_icon(self.delete, Icon.BLOCK, "danger")
        self.delete.clicked.connect(self._delete)
        bar.add_leading(self.cancel)
        for action in (self.toggle, self.rotate, self.delete):
            bar.add_trailing(action)
        layout.addWidget(bar)

        heading = QHBoxLayout()
        self.log_title = label("log_title", "lead", wrap=False)
        self.refresh = button("refresh_log", "link")
        put_icon(self.refresh, Icon.REFRESH)
        self.refresh.clicked.connect(lambda: self.controller.select(self.controller.state.selected))
        heading.addWidget(self.log_title, 1)
        heading.addWidget(self.refresh)
        layout.addLayout(heading)
        self.log = touch_table("deliveries", 6, rows=5)
        self.log.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(self.log)
        self.older = button("older_deliveries", "link")
        self.older.clicked.connect(self.controller.show_older)
        layout.addWidget(self.older, 0, Qt.AlignmentFlag.AlignLeft)
        self.draw(self.controller.state)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.controller.load()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.draw(self.controller.state)
        super().changeEvent(event)

    # --- intents ---------------------------------------------------------------------------

    def _create(self) -> None:
        events = [e for e, chip in self.event_chips.items() if chip.isChecked()]
        self.controller.create(
            self.url.text(),
            events,
            no_url=lambda: self.tr("Type the receiver's address, starting with https://."),
            no_event=lambda: self.tr("Choose at least one event."),
        )

    def _selected(self) -> schemas.WebhookEndpointOut | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        endpoints = self.controller.state.endpoints
        return endpoints[rows[0].row()] if rows and rows[0].row() < len(endpoints) else None

    def _selection_changed(self) -> None:
        chosen = self._selected()
        self.controller.select(chosen.id if chosen is not None else None)

    def _toggle(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self.controller.set_enabled(chosen.id, not chosen.enabled)

    def _rotate(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self.controller.rotate(chosen.id)

    def _delete(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            self.controller.delete(chosen.id)

    def _copied(self) -> None:
        self.message.show_message(self.tr("Copied."), Tone.INFO)

    # --- drawing ---------------------------------------------------------------------------

    def event_name(self, event: schemas.WebhookEvent) -> str:
        return {
            _E.MEMBER_CREATED: self.tr("Member added"),
            _E.MEMBER_REGISTERED: self.tr("Signed up at a store"),
            _E.MEMBER_BOUND: self.tr("Member linked at a store"),
            _E.MEMBER_MERGED: self.tr("Accounts merged"),
            _E.MEMBER_ERASED: self.tr("Member erased"),
        }[event]

    def status_name(self, status: schemas.WebhookDeliveryStatus) -> str:
        return {
            _S.QUEUED: self.tr("Waiting"),
            _S.SENDING: self.tr("Sending"),
            _S.DELIVERED: self.tr("Delivered"),
            _S.FAILED: self.tr("Given up"),
        }[status]

    def draw(self, state: WebhooksState) -> None:
        self.title.setText(self.tr("Webhooks"))
        self.lead.setText(
            self.tr(
                "Your systems are told at once when members sign up, are added, linked, "
                "merged or erased. Each message is signed with the endpoint's secret."
            )
        )
        self.url.setPlaceholderText(self.tr("Receiver's address, e.g. https://crm.example.com/omo"))
        self.create_button.setText(
            self.tr("Adding…") if state.busy and state.secret is None else self.tr("Add endpoint")
        )
        for event, chip in self.event_chips.items():
            chip.setText(self.event_name(event))
        self.cancel.setText(self.tr("Keep it"))
        self.refresh.setText(self.tr("Refresh"))
        self._draw_table(state)
        self._draw_secret(state)
        self._draw_log(state)

        chosen = self._selected()
        asking = state.confirming if chosen is not None and state.confirming else None
        asking_now = asking is not None and chosen is not None and asking[1] == chosen.id
        self.toggle.setText(
            self.tr("Turn off") if chosen is None or chosen.enabled else self.tr("Turn on")
        )
        rotate_now = asking_now and asking is not None and asking[0] is Asking.ROTATE
        delete_now = asking_now and asking is not None and asking[0] is Asking.DELETE
        self.rotate.setText(self.tr("Make new secret now") if rotate_now else self.tr("New secret"))
        self.delete.setText(self.tr("Delete now") if delete_now else self.tr("Delete"))
        for action in (self.toggle, self.rotate, self.delete):
            action.setEnabled(chosen is not None and not state.busy)
        self.cancel.setVisible(asking_now)
        self.create_button.setEnabled(not state.busy)
        self.refresh.setEnabled(chosen is not None)
        if state.problem is not None:
            self.message.show_message(state.problem())
        elif rotate_now and chosen is not None:
            self.message.show_message(
                self.tr(
                    "Make a new secret for %1? The old one stops at once: the receiver needs "
                    "the new one."
                ).replace("%1", chosen.url),
                Tone.NOTICE,
            )
        elif delete_now and chosen is not None:
            self.message.show_message(
                self.tr("Delete %1 and its delivery log? This can't be undone.").replace(
                    "%1", chosen.url
                ),
                Tone.NOTICE,
            )
        elif state.loading and not state.endpoints:
            self.message.show_message(self.tr("Loading the webhooks…"), Tone.INFO)
        elif not state.endpoints:
            self.message.show_message(self.tr("No webhooks yet."), Tone.INFO)
        else:
            self.message.clear()

    def _draw_table(self, state: WebhooksState) -> None:
        self.table.setHorizontalHeaderLabels(
            [self.tr("Address"), self.tr("Events"), self.tr("Status")]
        )
        self.table.blockSignals(True)
        self.table.setRowCount(len(state.endpoints))
        for row, endpoint in enumerate(state.endpoints):
            cells = (
                endpoint.url,
                ", ".join(self.event_name(e) for e in endpoint.events),
                self.tr("On") if endpoint.enabled else self.tr("Off"),
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
            if endpoint.id == state.selected:
                self.table.selectRow(row)
        if state.selected is None:
            self.table.clearSelection()
        self.table.blockSignals(False)

    def _draw_secret(self, state: WebhooksState) -> None:
        made = state.secret
        if made is None:
            self.made.forget()
            return
        self.made.show_value(
            self.tr("Signing secret for %1: copy it now, it is not shown again.").replace(
                "%1", made.url
            ),
            made.secret,
            self.tr("Copy"),
        )

    def _draw_log(self, state: WebhooksState) -> None:
        self.log_title.setText(self.tr("Delivery log"))
        self.older.setText(self.tr("Show older"))
        self.older.setVisible(state.older is not None)
        self.log.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Event"),
                self.tr("Status"),
                self.tr("Answer"),
                self.tr("Tries"),
                self.tr("Next try"),
            ]
        )
        self.log.setRowCount(len(state.log))
        for row, delivery in enumerate(state.log):
            cells = (
                local_date_time(delivery.created_at),
                self.event_name(delivery.event),
                self.status_name(delivery.status),
                str(delivery.last_status_code) if delivery.last_status_code else "—",
                str(delivery.attempts),
                local_date_time(delivery.next_attempt_at) if delivery.next_attempt_at else "—",
            )
            for column, text in enumerate(cells):
                self.log.setItem(row, column, QTableWidgetItem(text))
