"""The page staff work on after log-in: a header (store, staff, language, log out) over the
counter screens, and for a manager or an admin a rail to the other sections (Members,
Reports) beside them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from omo_desktop.design.icons import Icon, icon, pixmap
from omo_desktop.design.tokens import SPACE, TYPE_SCALE
from omo_desktop.screens.base import button, label
from omo_desktop.screens.counter import CounterView
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import MARGINS
from omo_desktop.widgets.section_rail import SectionRail

COUNTER = "counter"
# Every section there is, in the rail's order, with its icon; a session has the counter and
# the ones the shell was given for it.
SECTION_ICONS: dict[str, Icon] = {
    COUNTER: Icon.COUNTER,
    "members": Icon.MEMBERS,
    "reports": Icon.REPORTS,
    "keys": Icon.KEY,
}


class CounterPage(QWidget):
    logout_requested = Signal()
    language_requested = Signal(str)
    section_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counter_page")
        self._locale = "en"
        self.store_mark = named(QLabel(), "header_store_mark")
        self.store_mark.setPixmap(pixmap(Icon.STORE, TYPE_SCALE["heading"], "ink_muted"))
        self.who = label("header_who", "body", wrap=False)
        self.language = button("header_language")
        self.language.setIcon(icon(Icon.LANGUAGE))
        self.log_out = button("header_logout")
        self.log_out.setIcon(icon(Icon.LOG_OUT))
        for action in (self.language, self.log_out):
            action.setIconSize(QSize(TYPE_SCALE["heading"], TYPE_SCALE["heading"]))
        self.language.clicked.connect(
            lambda: self.language_requested.emit("en" if self._locale == "zh_TW" else "zh_TW")
        )
        self.log_out.clicked.connect(self.logout_requested)
        header = named(QWidget(), "header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # its own band
        row = QHBoxLayout(header)
        # In line with the screens' content under it.
        row.setContentsMargins(MARGINS[0], SPACE["s"], MARGINS[2], SPACE["s"])
        row.setSpacing(SPACE["s"])
        row.addWidget(self.store_mark)
        row.addWidget(self.who, 1)
        row.addWidget(self.language)
        row.addWidget(self.log_out)
        self.view = CounterView()
        self.rail = SectionRail()
        self.rail.chosen.connect(self.show_section)
        self.sections = named(QStackedWidget(), "sections")
        self.sections.addWidget(self.view)
        self._extra: dict[str, QWidget] = {}
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.rail)
        body.addWidget(self.sections, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addLayout(body, 1)
        self.set_sections({})
        self.retranslate()

    # --- sections ---------------------------------------------------------------------------

    def set_sections(self, extra: dict[str, QWidget]) -> None:
        """The sections beside the counter for this session (none: the counter alone, no
        rail); the last session's go, with whatever they showed."""
        for widget in self._extra.values():
            self.sections.removeWidget(widget)
            widget.deleteLater()
        self._extra = {key: extra[key] for key in SECTION_ICONS if key in extra}
        for widget in self._extra.values():
            self.sections.addWidget(widget)
        keys = [COUNTER, *self._extra]
        self.rail.set_sections([(key, SECTION_ICONS[key]) for key in keys])
        self.rail.setVisible(bool(self._extra))
        self._name_sections()
        self.show_section(COUNTER)

    def show_section(self, key: str) -> None:
        widget = self.view if key == COUNTER else self._extra.get(key)
        if widget is None:
            return
        self.sections.setCurrentWidget(widget)
        self.rail.set_current(key)
        self.section_changed.emit(key)

    def section(self) -> str:
        """The key of the section on screen."""
        current = self.sections.currentWidget()
        return next((k for k, w in self._extra.items() if w is current), COUNTER)

    def section_keys(self) -> list[str]:
        """The sections this session may switch between, in the rail's order."""
        return [COUNTER, *self._extra]

    def _name_sections(self) -> None:
        names = {
            COUNTER: self.tr("Counter"),
            "members": self.tr("Members"),
            "reports": self.tr("Reports"),
            "keys": self.tr("Integrations"),
        }
        for key in self.rail.section_keys():
            self.rail.set_text(key, names[key])

    def set_people(self, store: str, staff: str) -> None:
        self.who.setText(f"{store} · {staff}")

    def set_locale(self, locale: str) -> None:
        self._locale = locale
        for widget in self._extra.values():
            tell = getattr(widget, "set_locale", None)
            if callable(tell):  # a section that formats days or numbers by language
                tell(locale)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.log_out.setText(self.tr("Log out"))
        self._name_sections()
        # The switch is written in the language it switches to.
        self.language.setText("中文" if self._locale != "zh_TW" else "English")
