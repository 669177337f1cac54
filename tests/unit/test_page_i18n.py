"""The customer pages speak the phone's language: Traditional Chinese or English."""

from __future__ import annotations

import string

import pytest

from omo_backend.pages.i18n import DEFAULT_LOCALE, LOCALES, MESSAGES, pick_locale, translator


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("zh-TW", "zh_TW"),
        ("zh-Hant", "zh_TW"),
        ("zh-Hant-TW,zh;q=0.9", "zh_TW"),
        ("zh-CN", "zh_TW"),
        ("zh", "zh_TW"),
        ("en-US", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("EN-us", "en"),
    ],
)
def test_the_browsers_first_language_picks_the_page_language(accept_language, expected):
    assert pick_locale(accept_language) == expected


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        # The header's order is not its ranking: q-values are.
        ("zh-TW;q=0.5, en-US;q=0.9", "en"),
        ("en;q=0.4,zh-TW;q=0.8", "zh_TW"),
        # Languages the pages don't speak are passed over for the next preference.
        ("ja-JP, fr;q=0.9, en;q=0.8, zh-TW;q=0.7", "en"),
        ("ko-KR,zh-Hant;q=0.5", "zh_TW"),
        # Equal weights keep the browser's order.
        ("en;q=0.8,zh;q=0.8", "en"),
        ("zh;q=0.8,en;q=0.8", "zh_TW"),
    ],
)
def test_quality_values_rank_the_languages(accept_language, expected):
    assert pick_locale(accept_language) == expected


@pytest.mark.parametrize(
    "accept_language",
    [None, "", "ja-JP", "fr, de;q=0.5", "*", ",;,"],
)
def test_without_a_usable_language_the_page_is_in_the_default_language(accept_language):
    assert pick_locale(accept_language) == DEFAULT_LOCALE == "zh_TW"


@pytest.mark.parametrize("accept_language", ["fr, en;q=0", "en;q=0.0", "en;q=0, fr", "en;q=abc"])
def test_a_language_weighted_zero_is_one_the_browser_refuses(accept_language):
    # RFC 9110 12.5.4: "q=0" means "not acceptable"; a weight that is no number counts as 0.
    assert pick_locale(accept_language) == DEFAULT_LOCALE


def test_the_language_switch_overrides_the_browser():
    assert pick_locale("zh-TW", "en") == "en"
    assert pick_locale("en-US", "zh_TW") == "zh_TW"
    assert pick_locale(None, "en") == "en"


@pytest.mark.parametrize("override", ["fr", "", "EN", "zh-TW", "../etc"])
def test_an_unknown_switch_value_is_ignored(override):
    assert pick_locale("en-US", override) == "en"


def test_both_languages_have_exactly_the_same_messages():
    assert set(MESSAGES) == set(LOCALES)
    english, chinese = set(MESSAGES["en"]), set(MESSAGES["zh_TW"])
    assert english - chinese == set(), "missing in zh_TW"
    assert chinese - english == set(), "missing in en"


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("key", sorted(MESSAGES["en"]))
def test_each_message_has_the_same_placeholders_in_both_languages(key):
    english = _placeholders(MESSAGES["en"][key])
    chinese = _placeholders(MESSAGES["zh_TW"].get(key, ""))
    assert english == chinese, f"{key}: en {english} vs zh_TW {chinese}"
    # And each formats with the names the pages pass, so none raises at render time.
    for locale in LOCALES:
        MESSAGES[locale][key].format(store="Store", phone="+886 9•••••678")


def test_no_message_is_left_empty_or_untranslated():
    for key, english in MESSAGES["en"].items():
        assert english.strip(), key
        assert MESSAGES["zh_TW"][key].strip(), key
    copied = [key for key in MESSAGES["en"] if MESSAGES["en"][key] == MESSAGES["zh_TW"][key]]
    assert copied == [], "copied, not translated"


def test_an_unknown_locale_falls_back_to_the_default_words():
    assert translator("fr") is MESSAGES[DEFAULT_LOCALE]
    assert translator("en") is MESSAGES["en"]
