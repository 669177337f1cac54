"""Pieces the screens share: numpad, QR view, and small helpers."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Tests and the theme find widgets by object name, never by position."""
    widget.setObjectName(name)
    return widget
