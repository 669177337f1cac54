"""Integration keys (admins): the keys a POS or online shop records orders and carts with."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QTableWidgetItem,
    QWidget,
)

from backend_client import schemas
from backend_client.client import OmoClient
from omo_desktop.api_keys import ApiKeysController, KeysState
from omo_desktop.design.icons import Icon, put_icon
from omo_desktop.design.tokens import SPACE
from omo_desktop.screens.base import button, label, local_date_time, touch_table
from omo_desktop.screens.shown_once import ShownOnce
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import ActionBar, MessageLine, Tone, screen_layout


class ApiKeysScreen(QWidget):
    """Lists the keys; "Create key" shows the new key once with a Copy button; "Revoke"
    asks once more before a key stops working."""

    session_ended = Signal(object)  # ApiError: the backend refused the session (401)

    def __init__(self, client: OmoClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("api_keys_screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.controller = ApiKeysController(client, self, self.draw, self.session_ended.emit)

        layout = screen_layout(self)
        self.title = label("title", "title")
        self.lead = label("lead", "hint")
        layout.addWidget(self.title)
        layout.addWidget(self.lead)

        self.table = touch_table("keys", 5)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)

        row = QHBoxLayout()
        row.setSpacing(SPACE["m"])
        self.name = named(QLineEdit(), "key_name")
        self.name.setMaxLength(100)
        self.name.returnPressed.connect(self._create)
        self.create_button = button("create_key", "primary")
        put_icon(self.create_button, Icon.KEY, "on_brand")
        self.create_button.clicked.connect(self._create)
        row.addWidget(self.name, 1)
        row.addWidget(self.create_button)
        layout.addLayout(row)

        self.made = ShownOnce("created_note", "created_key", "copy_key")
        self.made.copied.connect(self._copied)
        self.created_note, self.created_key, self.copy = (
            self.made.note,
            self.made.field,
            self.made.copy,
        )
        layout.addWidget(self.made)

        self.message = MessageLine()
        layout.addWidget(self.message)
        bar = ActionBar()
        self.cancel = button("cancel_revoke", "link")
        self.cancel.clicked.connect(self.controller.cancel_revoke)
        self.revoke = button("revoke_key")
        put_icon(self.revoke, Icon.BLOCK, "danger")
        self.revoke.clicked.connect(self._revoke)
        bar.add_leading(self.cancel)
        bar.add_trailing(self.revoke)
        layout.addWidget(bar)
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
        self.controller.create(
            self.name.text(), lambda: self.tr("Give the key a name, e.g. the POS it is for.")
        )

    def _selection_changed(self) -> None:
        if self.controller.state.confirming is not None:
            self.controller.cancel_revoke()
        else:
            self.draw(self.controller.state)

    def _selected(self) -> schemas.ApiKeyOut | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        keys = self.controller.state.keys
        return keys[rows[0].row()] if rows and rows[0].row() < len(keys) else None

    def _revoke(self) -> None:
        key = self._selected()
        if key is not None:
            self.controller.revoke(key.id)

    def _copied(self) -> None:
        self.message.show_message(self.tr("Copied."), Tone.INFO)

    # --- drawing ---------------------------------------------------------------------------

    def draw(self, state: KeysState) -> None:
        self.title.setText(self.tr("Integration keys"))
        self.lead.setText(
            self.tr(
                "A point-of-sale system or online shop sends orders and carts with a key. "
                "Only its first characters are kept to recognise it."
            )
        )
        self.name.setPlaceholderText(self.tr("Name of the new key, e.g. POS Xinyi"))
        self.create_button.setText(self.tr("Creating…") if state.busy else self.tr("Create key"))
        self.cancel.setText(self.tr("Keep it"))
        self._draw_table(state)
        self._draw_created(state)

        selected = self._selected()
        active = selected is not None and selected.revoked_at is None
        confirming = selected is not None and state.confirming == selected.id
        self.revoke.setText(self.tr("Revoke now") if confirming else self.tr("Revoke key"))
        self.revoke.setEnabled(active and not state.busy)
        self.cancel.setVisible(confirming)
        self.create_button.setEnabled(not state.busy)
        if state.problem is not None:
            self.message.show_message(state.problem())
        elif confirming and selected is not None:
            self.message.show_message(
                self.tr("Revoke %1 (%2)? Whatever uses it stops at once; this can't be undone.")
                .replace("%1", selected.name)
                .replace("%2", selected.prefix),
                Tone.NOTICE,
            )
        elif state.loading and not state.keys:
            self.message.show_message(self.tr("Loading the keys…"), Tone.INFO)
        elif not state.keys:
            self.message.show_message(self.tr("No keys yet."), Tone.INFO)
        else:
            self.message.clear()

    def _draw_table(self, state: KeysState) -> None:
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Key starts with"),
                self.tr("Created"),
                self.tr("Last used"),
                self.tr("Status"),
            ]
        )
        selected = self._selected()
        self.table.blockSignals(True)
        self.table.setRowCount(len(state.keys))
        for row, key in enumerate(state.keys):
            status = (
                self.tr("Revoked %1").replace("%1", local_date_time(key.revoked_at))
                if key.revoked_at
                else self.tr("Active")
            )
            cells = (
                key.name,
                key.prefix,
                local_date_time(key.created_at),
                local_date_time(key.last_used_at) if key.last_used_at else self.tr("Never"),
                status,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
            if selected is not None and key.id == selected.id:
                self.table.selectRow(row)
        self.table.blockSignals(False)

    def _draw_created(self, state: KeysState) -> None:
        made = state.created
        if made is None:
            self.made.forget()
            return
        self.made.show_value(
            self.tr("New key for %1: copy it now, it is not shown again.").replace("%1", made.name),
            made.key,
            self.tr("Copy"),
        )
