"""The days a report covers: the presets a manager taps, or two days they pick.

Plain Python (no Qt): the reports screen shows what this decides, and the backend reads the
same two calendar days (``to`` included) in the store's time zone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta


class Preset(enum.StrEnum):
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    THIS_MONTH = "this_month"
    CUSTOM = "custom"


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date  # included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def preset_range(preset: Preset, today: date) -> DayRange:
    """The days ``preset`` means on ``today``; each ends today (a custom range starts as the
    last 30 days, for the manager to change)."""
    if preset is Preset.LAST_7_DAYS:
        return DayRange(today - timedelta(days=6), today)
    if preset is Preset.THIS_MONTH:
        return DayRange(today.replace(day=1), today)
    return DayRange(today - timedelta(days=29), today)


def custom_range(first: date, last: date) -> DayRange:
    """Two days picked in either order: the earlier one first."""
    return DayRange(min(first, last), max(first, last))
