"""A member's level as a name in the screen's language, never the backend's code."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from omo_desktop.i18n import LanguageSwitcher
from omo_desktop.levels import level_name
from omo_desktop.widgets.customer_card import CustomerCard
from tests.gui import counter_states as s


@pytest.mark.parametrize(
    ("code", "english", "zh_tw"),
    [
        ("regular", "Regular", "普卡"),
        ("silver", "Silver", "銀卡"),
        ("gold", "Gold", "金卡"),
        ("Gold", "Gold", "金卡"),  # however the backend happens to write it
        ("platinum", "Platinum", "白金卡"),
        ("diamond", "Diamond", "鑽石卡"),
        ("vip", "VIP", "VIP"),
        # A store's own level nobody translated: shown as given, capitalised.
        ("bronze", "Bronze", "Bronze"),
        ("黑卡", "黑卡", "黑卡"),
    ],
)
def test_a_level_code_becomes_its_name(
    switcher: LanguageSwitcher, code: str, english: str, zh_tw: str
):
    assert level_name(code) == english
    switcher.switch("zh_TW")
    assert level_name(code) == zh_tw


def test_the_card_shows_the_level_in_the_screen_s_language(
    qtbot: QtBot, switcher: LanguageSwitcher
):
    card = CustomerCard()
    qtbot.addWidget(card)
    card.show_customer(s.customer(member=True))
    assert card.status.text() == "Member · Gold · 1,280 points"
    switcher.switch("zh_TW")
    qtbot.waitUntil(lambda: card.status.text() == "會員 · 金卡 · 1,280 點", timeout=2000)
    assert "gold" not in card.status.text().lower()
