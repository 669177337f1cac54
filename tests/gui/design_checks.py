"""What every screen state must pass, measured on the drawn widgets: touch size and contrast.

Touch: every visible control staff can tap is at least 44×44 px. Contrast: every visible
text is drawn in a colour at least 4.5:1 against what is actually painted behind it (the
most common colour of the widget's area in a grab of the whole screen), so a busy label or a
disabled button that fades into its background is caught, whatever the stylesheet says.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from omo_desktop.design.tokens import TOUCH_MIN, contrast

TAPPABLE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)
TEXT_CONTRAST = 4.5


def _shown(widget: QWidget, root: QWidget) -> bool:
    return widget.isVisibleTo(root) and widget.width() > 0 and widget.height() > 0


def _name(widget: QWidget) -> str:
    return widget.objectName() or type(widget).__name__


def touch_problems(root: QWidget) -> list[str]:
    """Every shown control under ``root`` smaller than 44×44 px, as "name w×h"."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, TAPPABLE) or not _shown(widget, root):
            continue
        if widget.width() < TOUCH_MIN or widget.height() < TOUCH_MIN:
            problems.append(f"{_name(widget)} {widget.width()}×{widget.height()}")
    return problems


def _text(widget: QWidget) -> str:
    if isinstance(widget, (QLabel, QAbstractButton)):
        return widget.text()
    if isinstance(widget, QLineEdit):
        return widget.text() or widget.placeholderText()
    return ""


def _background(image: QImage, area: QRect) -> QColor:
    """The colour covering most of ``area``: what the text is read against."""
    area = area.intersected(image.rect())
    step = max(1, min(area.width(), area.height()) // 24)
    counts: Counter[int] = Counter(
        image.pixel(x, y)
        for x in range(area.left(), area.right() + 1, step)
        for y in range(area.top(), area.bottom() + 1, step)
    )
    return QColor.fromRgb(counts.most_common(1)[0][0])


def _foreground(widget: QWidget) -> QColor:
    group = QPalette.ColorGroup.Active if widget.isEnabled() else QPalette.ColorGroup.Disabled
    if isinstance(widget, QLineEdit):
        role = QPalette.ColorRole.Text if widget.text() else QPalette.ColorRole.PlaceholderText
    else:
        role = widget.foregroundRole()
    return widget.palette().color(group, role)


def contrast_problems(root: QWidget, image: QImage | None = None) -> list[str]:
    """Every shown text under ``root`` reading below 4.5:1, as "name ratio fg/bg"."""
    image = image if image is not None else root.grab().toImage()
    problems = []
    for widget in root.findChildren(QWidget):
        if not _text(widget).strip() or not _shown(widget, root):
            continue
        # Only the part drawn: a text scrolled out of a pane's sight is checked where it shows.
        seen = widget.visibleRegion().boundingRect()
        if seen.isEmpty():
            continue
        area = QRect(widget.mapTo(root, seen.topLeft()), seen.size())
        ground = _background(image, area)
        ink = _foreground(widget)
        ratio = contrast(ink.name(), ground.name())
        if ratio < TEXT_CONTRAST:
            problems.append(f"{_name(widget)} {ratio:.1f}:1 {ink.name()}/{ground.name()}")
    return problems


def shoot(root: QWidget, path: Path) -> None:
    """Save ``root`` as ``path`` for people to look at, and fail on what no one should have
    to look for: a target too small to tap, a text too faint to read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    image = root.grab().toImage()
    assert image.save(str(path)), path
    assert touch_problems(root) == [], path.name
    assert contrast_problems(root, image) == [], path.name


def placed(root: QWidget, name: str) -> QRect:
    """Where the shown widget ``name`` is drawn in ``root``, once the layout has run."""
    QApplication.processEvents()
    widget = root.findChild(QWidget, name)
    assert widget is not None, name
    assert widget.isVisibleTo(root), name
    return QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
