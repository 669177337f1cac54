"""The "Bind now" link as a large, high-contrast QR code the customer scans at arm's length."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def qr_matrix(url: str) -> list[list[bool]]:
    """The code's modules, quiet zone included (True is dark)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _dark_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules: one rectangle each."""
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


class QrView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qr_view")
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._url: str | None = None
        self._matrix: list[list[bool]] = []
        self._runs: list[tuple[int, int, int]] = []
        self.setAccessibleName(self.tr("QR code for the customer to scan"))

    def set_url(self, url: str | None) -> None:
        # Encoding is pure Python (~5 ms): each live step redraws the screen, not the code.
        if url == self._url:
            return
        self._url = url
        self._matrix = qr_matrix(url) if url else []
        self._runs = _dark_runs(self._matrix)
        self.update()

    def module_size(self) -> int:
        """Whole pixels per module: blurred edges scan badly, so no fractional scaling."""
        if not self._matrix:
            return 0
        return max(1, min(self.width(), self.height()) // len(self._matrix))

    def code_rect(self) -> QRect:
        size = self.module_size() * len(self._matrix)
        return QRect((self.width() - size) // 2, (self.height() - size) // 2, size, size)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if not self._matrix:
            return
        module = self.module_size()
        origin = self.code_rect().topLeft()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for y, x, length in self._runs:
            painter.drawRect(
                origin.x() + x * module, origin.y() + y * module, length * module, module
            )
