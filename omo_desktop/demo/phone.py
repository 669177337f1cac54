"""The "demo phone": the SMS the outbox provider "sent", each with a button that opens its link.

Demo mode has no real phone, so this window stands in for the customer's: staff send a sign-up
or bind link at the counter, it shows up here within a second, and "Open link" opens the page
the customer would see in the system browser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from backend_client.client import OmoClient
from backend_client.errors import ApiError
from backend_client.masking import mask_email, mask_phone
from backend_client.schemas import DevMessage, DevMessageList, MessageChannel, MessageStatus
from omo_desktop.design import theme
from omo_desktop.design.tokens import SPACE
from omo_desktop.widgets import named
from omo_desktop.workers import BackendOp

REFRESH_MS = 1000
# A phone's proportions, at a size where the SMS reads at the counter's type scale.
SIZE = QSize(400, 720)
MIN_WIDTH = 340
# A link has no spaces, so a label could only wrap it by growing wider than the phone:
# zero-width spaces after each "/" and inside a long token let it break there (shown only;
# the button opens the real link).
_BREAK = "\u200b"
_CHUNK = 12

UrlOpener = Callable[[QUrl], object]


def open_in_browser(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


class DemoPhoneWindow(QWidget):
    """Polls the backend at ``base_url`` on a worker while shown, one call at a time.

    It has its own ``OmoClient`` (no retries: the next poll is the retry), so its calls never
    queue behind the counter's. ``open_url`` is what "Open link" calls (the system browser
    unless a test passes its own).
    ``refreshed`` fires after each answer, whether or not anything changed.
    """

    refreshed = Signal()
    # An SMS it had not shown before: the customer's phone buzzes, so it comes forward (on a
    # small display it opens behind the counter, over its right part).
    new_message = Signal()

    def __init__(
        self,
        base_url: str,
        *,
        open_url: UrlOpener = open_in_browser,
        refresh_ms: int = REFRESH_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("demo_phone")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(theme.stylesheet(theme.DEMO_PHONE_QSS))
        self._client = OmoClient(base_url, retries=0, read_timeout=5.0)
        self._open_url = open_url
        self._messages: list[DevMessage] = []
        self._drawn: tuple[object, ...] | None = None
        self._answered = False  # "No SMS yet" only once the backend has said so
        # Placed over part of the counter (no room beside it): it waits behind the counter.
        self.covers_counter = False
        self._in_flight = False
        self._next = QTimer(self)
        self._next.setSingleShot(True)
        self._next.setInterval(refresh_ms)
        self._next.timeout.connect(self.refresh)

        self.intro = named(QLabel(), "intro")
        self.intro.setWordWrap(True)
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.empty = named(QLabel(), "empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self._list = named(QWidget(), "message_list")
        self._cards = QVBoxLayout(self._list)
        self._cards.setContentsMargins(0, 0, 0, 0)
        self._cards.setSpacing(SPACE["s"])
        self._cards.addStretch(1)
        self._scroll = scroll = named(QScrollArea(), "messages")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._list)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["m"], SPACE["m"], SPACE["m"], SPACE["m"])
        layout.setSpacing(SPACE["s"])
        layout.addWidget(self.intro)
        layout.addWidget(self.error)
        # Nothing sent yet: the sentence saying so in the middle of the screen, as phones do.
        layout.addWidget(self.empty, 1)
        layout.addWidget(scroll, 1)

        self.setMinimumWidth(MIN_WIDTH)
        self.resize(SIZE)
        self.retranslate()
        self._redraw()

    def place_beside(self, counter: QWidget) -> None:
        """Beside the counter's window where there is room, never off the screens."""
        # Its frame is not known before it is shown: the counter's, drawn by the same window
        # manager, is a good guess.
        frame = counter.frameGeometry().size() - counter.geometry().size()
        screens = [screen.availableGeometry() for screen in QGuiApplication.screens()]
        spot = phone_spot(counter.frameGeometry(), self.size() + frame, screens)
        self.resize(spot.size() - frame)
        self.move(spot.topLeft())
        self.covers_counter = spot.intersects(counter.frameGeometry())

    # --- polling ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask for the messages now, unless a request is still out (its answer will do)."""
        if self._in_flight:
            return
        self._in_flight = True
        self._next.stop()
        BackendOp(parent=self, op=self._client.dev_messages, success=self._on_messages).failure(
            self._on_failure
        ).run()

    def _on_messages(self, reply: DevMessageList) -> None:
        self._in_flight = False
        self.error.hide()
        seen = {message.id for message in self._messages}
        arrived = self._answered and any(message.id not in seen for message in reply.items)
        self._answered = True
        self._messages = list(reply.items)
        self._redraw()
        self._schedule()
        if arrived:
            self.raise_()
            self.new_message.emit()
        self.refreshed.emit()

    def _on_failure(self, _error: ApiError) -> None:
        self._in_flight = False
        self.error.show()
        self._schedule()
        self.refreshed.emit()

    def _schedule(self) -> None:
        if self.isVisible():
            self._next.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self._next.stop()
        super().hideEvent(event)

    # --- drawing ---------------------------------------------------------------------------

    def _redraw(self, *, force: bool = False) -> None:
        """Rebuild the cards, only when what they show has changed (no flicker every second)."""
        nothing_sent = self._answered and not self._messages
        self.empty.setVisible(nothing_sent)
        self._scroll.setVisible(not nothing_sent)
        key = tuple((m.id, m.status, m.sent_at) for m in self._messages)
        if key == self._drawn and not force:
            return
        self._drawn = key
        while self._cards.count() > 1:
            item = self._cards.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # Gone from the screen now, not at the next turn of the event loop.
                widget.hide()
                widget.deleteLater()
        # The backend lists the newest first.
        for index, message in enumerate(self._messages):
            self._cards.insertWidget(index, self._card(message))

    def _card(self, message: DevMessage) -> QFrame:
        card = named(QFrame(), "sms")
        card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        masked = (
            mask_email(message.to)
            if message.channel == MessageChannel.EMAIL
            else mask_phone(message.to)
        )
        to = named(QLabel(masked or message.to), "sms_to")
        when = named(QLabel(_when(message.created_at)), "sms_time")
        body = named(QLabel(_breakable(message.body, message.links)), "sms_body")
        body.setTextFormat(Qt.TextFormat.PlainText)
        body.setWordWrap(True)
        status = named(QLabel(self._status_text(message.status)), "sms_status")
        status.setProperty("status", str(message.status))

        head = QHBoxLayout()
        head.addWidget(to, 1)
        head.addWidget(when)
        foot = QHBoxLayout()
        foot.addWidget(status, 1)
        for link in message.links:
            button = named(QPushButton(self.tr("Open link")), "open_link")
            button.setToolTip(link)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, url=link: self._open(url))
            foot.addWidget(button)
        column = QVBoxLayout(card)
        column.setContentsMargins(SPACE["m"], SPACE["m"], SPACE["m"], SPACE["m"])
        column.setSpacing(SPACE["s"])
        column.addLayout(head)
        column.addWidget(body)
        column.addLayout(foot)
        return card

    def _open(self, link: str) -> None:
        self._open_url(QUrl(link))

    def _status_text(self, status: MessageStatus) -> str:
        texts = {
            MessageStatus.QUEUED: self.tr("Queued"),
            MessageStatus.SENDING: self.tr("Sending…"),
            MessageStatus.SENT: self.tr("Sent"),
            MessageStatus.FAILED: self.tr("Not sent"),
        }
        return texts.get(status, str(status))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._redraw(force=True)
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Demo phone"))
        self.intro.setText(self.tr("SMS that would have been sent (nothing leaves this computer)"))
        self.error.setText(self.tr("The demo backend is not answering. Trying again…"))
        self.empty.setText(
            self.tr("No SMS yet. Send a sign-up or bind link at the counter and it shows up here.")
        )


def phone_spot(
    counter: QRect, phone: QSize, screens: Sequence[QRect], gap: int = SPACE["m"]
) -> QRect:
    """Where the demo phone's frame goes, given the counter window's frame and each screen's
    available geometry (the desktop less its panels).

    Beside the counter on its screen, at the right and else at the left; else on another
    screen; else over the counter's right part. Always whole on one screen, made shorter or
    narrower if that screen is smaller than the phone.
    """
    if not screens:
        return QRect(counter.topRight() + QPoint(gap, 0), phone)
    home = max(screens, key=lambda s: _overlap(s, counter))
    size = phone.boundedTo(home.size())
    right = counter.right() + 1 + gap
    left = counter.left() - gap - size.width()
    if right + size.width() - 1 <= home.right():
        return _at(right, counter.top(), size, home)
    if left >= home.left():
        return _at(left, counter.top(), size, home)
    for other in screens:
        if other != home and other.width() >= phone.width() and other.height() >= phone.height():
            # At the edge nearer the counter.
            near_left = other.center().x() >= home.center().x()
            x = other.left() + gap if near_left else other.right() + 1 - gap - phone.width()
            return _at(x, counter.top(), phone, other)
    visible_right = min(counter.right(), home.right())
    return _at(visible_right + 1 - gap - size.width(), counter.top() + gap, size, home)


def _overlap(screen: QRect, window: QRect) -> int:
    common = screen.intersected(window)
    return common.width() * common.height() if common.isValid() else 0


def _at(x: int, y: int, size: QSize, screen: QRect) -> QRect:
    """``size`` at (``x``, ``y``), moved as little as needed to be whole on ``screen``."""
    x = max(screen.left(), min(x, screen.right() + 1 - size.width()))
    y = max(screen.top(), min(y, screen.bottom() + 1 - size.height()))
    return QRect(QPoint(x, y), size)


def _when(created_at: datetime) -> str:
    local = created_at.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def _breakable(body: str, links: Sequence[str]) -> str:
    for link in links:
        parts = (
            _BREAK.join(p[i : i + _CHUNK] for i in range(0, len(p), _CHUNK))
            for p in link.split("/")
        )
        body = body.replace(link, ("/" + _BREAK).join(parts))
    return body
