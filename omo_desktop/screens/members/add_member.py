"""Adding a member by hand: a mobile number or an e-mail, the rest optional. The backend sends
the first-login message; the dialog only collects the fields and shows why it was refused."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QVBoxLayout, QWidget

from backend_client import schemas
from backend_client.errors import ApiError
from omo_desktop.design.tokens import SPACE
from omo_desktop.members import words
from omo_desktop.messages import describe
from omo_desktop.screens.base import button, label
from omo_desktop.screens.members.detail import compact_field, parse_day
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import ActionBar, MessageLine


class AddMemberDialog(QDialog):
    add_requested = Signal(object)  # MemberCreate

    def __init__(self, levels: list[schemas.Level], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("add_member_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setModal(True)
        self._levels = levels
        self.title = label("add_title", "title")
        self.lead = label("add_lead", "hint")
        self.name = compact_field("add_name")
        self.phone = compact_field("add_phone")
        self.email = compact_field("add_email")
        self.birthday = compact_field("add_birthday")
        self.level = named(QComboBox(), "add_level")
        self._captions = [label(f"add_caption_{n}", "hint", wrap=False) for n in range(5)]
        form = QFormLayout()
        form.setSpacing(SPACE["s"])
        form.setHorizontalSpacing(SPACE["m"])
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        fields = (self.name, self.phone, self.email, self.birthday, self.level)
        for caption, field in zip(self._captions, fields, strict=True):
            form.addRow(caption, field)
        self.message = MessageLine("add_message")
        self.cancel = button("add_cancel")
        self.cancel.clicked.connect(self.reject)
        self.add = button("add_confirm", "primary")
        self.add.clicked.connect(self._add)
        bar = ActionBar()
        bar.add_leading(self.cancel)
        bar.add_trailing(self.add)
        column = QVBoxLayout(self)
        column.setContentsMargins(SPACE["xl"], SPACE["xl"], SPACE["xl"], SPACE["l"])
        column.setSpacing(SPACE["m"])
        column.addWidget(self.title)
        column.addWidget(self.lead)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(bar)
        self.setMinimumWidth(640)
        self.retranslate()

    def show_error(self, error: ApiError) -> None:
        self.add.setEnabled(True)
        if error.code == "already_member":
            text = self.tr("This customer is already a member: find them in the list.")
        else:
            text = describe(error, typed=True)
        self.message.show_message(text)

    def set_busy(self, busy: bool) -> None:
        self.add.setEnabled(not busy)

    def _add(self) -> None:
        body: dict[str, Any] = {}
        for key, field in (("name", self.name), ("phone", self.phone), ("email", self.email)):
            if field.text().strip():
                body[key] = field.text().strip()
        if "phone" not in body and "email" not in body:
            self.message.show_message(self.tr("Type a mobile number or an e-mail."))
            return
        birthday = self.birthday.text().strip()
        if birthday:
            if parse_day(birthday) is None:
                self.message.show_message(
                    self.tr("Type the birthday as year-month-day, e.g. 1990-05-31.")
                )
                return
            body["birthday"] = birthday
        if self.level.currentData():
            body["level"] = self.level.currentData()
        try:
            member = schemas.MemberCreate(**body)
        except ValueError:
            self.message.show_message(self.tr("Check the fields: one of them can't be saved."))
            return
        self.message.clear()
        self.add.setEnabled(False)
        self.add_requested.emit(member)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Add member"))
        self.title.setText(self.tr("Add member"))
        self.lead.setText(
            self.tr(
                "A mobile number or an e-mail is needed. The new member gets a message to "
                "set their password."
            )
        )
        captions = (
            self.tr("Name"),
            self.tr("Mobile"),
            self.tr("E-mail"),
            self.tr("Birthday"),
            self.tr("Level"),
        )
        for caption, text in zip(self._captions, captions, strict=True):
            caption.setText(text)
        self.birthday.setPlaceholderText(self.tr("YYYY-MM-DD (optional)"))
        current = self.level.currentData()
        self.level.clear()
        self.level.addItem(words.level(None), None)
        for level in self._levels:
            self.level.addItem(words.level(level.code, {level.code: level}), level.code)
        self.level.setCurrentIndex(max(0, self.level.findData(current)))
        self.cancel.setText(self.tr("Cancel"))
        self.add.setText(self.tr("Add member"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
