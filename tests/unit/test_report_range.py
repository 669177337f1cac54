"""The report presets a manager taps, on any day of the year."""

from __future__ import annotations

from datetime import date

from omo_desktop.flows.report_range import DayRange, Preset, custom_range, preset_range


def test_each_preset_ends_today_and_counts_its_days():
    today = date(2026, 11, 30)
    assert preset_range(Preset.LAST_7_DAYS, today) == DayRange(date(2026, 11, 24), today)
    assert preset_range(Preset.LAST_7_DAYS, today).days == 7
    assert preset_range(Preset.LAST_30_DAYS, today).days == 30
    assert preset_range(Preset.THIS_MONTH, today) == DayRange(date(2026, 11, 1), today)
    assert preset_range(Preset.THIS_MONTH, date(2026, 3, 1)).days == 1
    assert preset_range(Preset.LAST_7_DAYS, date(2026, 1, 3)).first == date(2025, 12, 28)


def test_two_days_picked_in_either_order_make_one_range():
    a, b = date(2026, 11, 1), date(2026, 11, 30)
    assert custom_range(b, a) == custom_range(a, b) == DayRange(a, b)
    assert custom_range(a, a).days == 1
