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


class QrView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qr_view")
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._matrix: list[list[bool]] = []
        self.setAccessibleName(self.tr("QR code for the customer to scan"))

    def set_url(self, url: str | None) -> None:
        self._matrix = qr_matrix(url) if url else []
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
        for y, row in enumerate(self._matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.drawRect(
                        origin.x() + x * module, origin.y() + y * module, module, module
                    )
