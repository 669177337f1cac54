"""Numbers and days as a manager reads them, in the app's language."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale

# ISO 4217 minor units of the currencies a merchant here is likely to set (two otherwise).
_DECIMALS = {"TWD": 2, "JPY": 0, "KRW": 0, "VND": 0, "HKD": 2, "USD": 2, "CNY": 2, "EUR": 2}
_SYMBOLS = {"TWD": "NT$", "USD": "US$", "HKD": "HK$", "JPY": "¥", "EUR": "€"}


def qt_locale(locale: str) -> QLocale:
    return QLocale("zh_TW" if locale == "zh_TW" else "en_US")


def day(value: date, locale: str) -> str:
    """ "30 Nov 2026", or "2026年11月30日"."""
    shown = QDate(value.year, value.month, value.day)
    pattern = "yyyy年M月d日" if locale == "zh_TW" else "d MMM yyyy"
    return qt_locale(locale).toString(shown, pattern)


def count(value: int, locale: str) -> str:
    return qt_locale(locale).toString(value)


def percent(value: float) -> str:
    return f"{value:.1f}%"


def money(minor_units: int, currency: str, locale: str) -> str:
    """``minor_units`` of ``currency`` as an amount: 60300 TWD → "NT$603.00"."""
    decimals = _DECIMALS.get(currency, 2)
    amount = minor_units / 10**decimals
    number = qt_locale(locale).toString(amount, "f", decimals)
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"
