"""How member data reads on screen: money, dates, a masked phone, a level, a referral."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication

from backend_client import schemas
from omo_desktop.levels import level_name

# Amounts come in the currency's minor units (TWD: 1/100 of a dollar).
MINOR_UNITS = 100


def money(minor: int) -> str:
    """ "NT$1,234" (or "NT$12.50" when it has cents)."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), MINOR_UNITS)
    if cents:
        return f"{sign}NT${whole:,}.{cents:02d}"
    return f"{sign}NT${whole:,}"


def dollars_to_minor(text: str) -> int | None:
    """What staff type in a spending box ("1,500") as minor units; None when not a number."""
    cleaned = text.replace(",", "").replace("NT$", "").strip()
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if value < 0 or value > schemas.INT4_MAX / MINOR_UNITS:
        return None
    return round(value * MINOR_UNITS)


def day(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d") if moment is not None else ""


def day_time(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def dash() -> str:
    return "—"


def level(code: str | None, levels: dict[str, schemas.Level] | None = None) -> str:
    """A level's name as the merchant set it, in the language shown; "No level" for None."""
    if code is None:
        return QCoreApplication.translate("Members", "No level")
    known = (levels or {}).get(code)
    if known is None:
        return level_name(code)
    # Which of a level's two names to show: the translation says which language is on.
    chinese = QCoreApplication.translate("Members", "en", "level names shown: en or zh_TW")
    return known.name_zh_TW if chinese == "zh_TW" else known.name_en


def name(row: schemas.MemberRow) -> str:
    return display_name(row.name)


def display_name(name: str | None) -> str:
    if name:
        return name
    return QCoreApplication.translate("Members", "(no name)")


def audit_action(action: str) -> str:
    """What an audit entry recorded, in words; a code nobody named yet as given."""
    known = {
        "member.points_changed": QCoreApplication.translate("Members", "Points changed"),
        "member.updated": QCoreApplication.translate("Members", "Profile changed"),
        "member.created": QCoreApplication.translate("Members", "Added by hand"),
        "member.registered": QCoreApplication.translate("Members", "Registered"),
        "member.invited": QCoreApplication.translate("Members", "Invited by e-mail"),
        "binding.completed": QCoreApplication.translate("Members", "Bound at a counter"),
        "line.linked": QCoreApplication.translate("Members", "LINE linked"),
        "order.recorded": QCoreApplication.translate("Members", "Order recorded"),
        "member.merged": QCoreApplication.translate("Members", "Accounts merged into this one"),
        "member.merged_away": QCoreApplication.translate("Members", "Merged into another member"),
        "member.erased": QCoreApplication.translate("Members", "Personal data erased"),
        "members.imported": QCoreApplication.translate("Members", "Imported from a CSV file"),
    }
    return known.get(action, action)


def consent(purpose: str) -> str:
    known = {
        "registration": QCoreApplication.translate("Members", "member terms (sign-up)"),
        "binding": QCoreApplication.translate("Members", "member terms (counter)"),
        "marketing": QCoreApplication.translate("Members", "marketing messages"),
    }
    return known.get(purpose, purpose)
