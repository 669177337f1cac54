"""The customer pages speak the phone's language: Traditional Chinese or English, from gettext
catalogs (English is the source; ``pages.po`` holds the Chinese)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from omo_backend.pages import i18n
from omo_backend.pages.i18n import DEFAULT_LOCALE, WORDS, pick_locale, translator


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


def _po(locale: str = "zh_TW") -> Catalog:
    with i18n.po_path(locale).open("rb") as source:
        return read_po(source, locale=locale, domain=i18n.DOMAIN)


def _ids(catalog: Catalog) -> set[str]:
    return {message.id for message in catalog if message.id}


def test_every_word_the_templates_and_code_mark_is_in_the_template_and_the_catalog():
    """Babel's extraction (babel.cfg) against the committed .pot and the zh_TW .po: a word
    added to a template or to WORDS without ``python -m omo_backend.pages.i18n update`` fails."""
    extracted = _ids(i18n.extract())
    with i18n.TEMPLATE_FILE.open("rb") as source:
        template = _ids(read_po(source))
    catalog = _ids(_po())
    assert extracted - template == set(), "not in pages.pot: run the update"
    assert template - extracted == set(), "in pages.pot but no longer used: run the update"
    assert extracted - catalog == set(), "not in the zh_TW pages.po: run the update"
    assert catalog - extracted == set(), "in the zh_TW pages.po but no longer used"


def test_the_extraction_finds_the_templates_words_and_the_codes_words():
    extracted = i18n.extract()
    sign_in = extracted.get("Sign in")
    assert sign_in is not None
    assert ("omo_backend/pages/templates/bind_sign_in.html", None) in [
        (path, None) for path, _ in sign_in.locations
    ]
    # Placeholders in a template's words are extracted as they are written.
    assert extracted.get("The staff found member %(phone)s.") is not None
    assert {WORDS[key] for key in WORDS} <= _ids(extracted)


def unfinished(catalog: Catalog) -> list[str]:
    """The entries a Chinese phone would see in English: empty, fuzzy, or copied."""
    return [
        message.id
        for message in catalog
        if message.id
        and (
            not message.string
            or not message.string.strip()
            or message.fuzzy
            or message.string == message.id
        )
    ]


def test_no_zh_TW_entry_is_missing_or_unfinished():
    assert unfinished(_po()) == []
    assert not _po().fuzzy, "the catalog's header is marked fuzzy"


def test_an_empty_fuzzy_or_copied_entry_counts_as_unfinished():
    catalog = Catalog(locale="zh_TW")
    catalog.add("Sign in", "登入")
    catalog.add("Join", "")
    catalog.add("Confirm", "確認", flags=["fuzzy"])
    catalog.add("E-mail", "E-mail")
    assert unfinished(catalog) == ["Join", "Confirm", "E-mail"]


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


def test_each_message_has_the_same_placeholders_in_both_languages():
    for message in _po():
        if not message.id:
            continue
        assert _placeholders(message.id) == _placeholders(message.string), message.id
        # And each formats with the names the pages pass, so none raises at render time.
        assert "%" not in (message.string % {"store": "S", "phone": "P"}), message.id
    # Babel's own checks (python-format and the like) find nothing either.
    assert list(_po().check()) == []


def test_the_compiled_catalog_says_what_the_po_says():
    catalog = i18n.translations("zh_TW")
    for message in _po():
        if message.id:
            assert catalog.gettext(message.id) == message.string


def test_the_words_fill_in_the_store_in_each_language():
    assert translator("en").fill("done_title", store="台北總店") == "Welcome to 台北總店!"
    assert translator("zh_TW").fill("done_title", store="台北總店") == "歡迎加入台北總店！"
    assert translator("zh_TW")["link_expired"].startswith("此連結已過期")


def test_an_unknown_locale_falls_back_to_the_default_words():
    assert translator("fr")["link_expired"] == translator(DEFAULT_LOCALE)["link_expired"]
    assert translator("en")["link_expired"] == WORDS["link_expired"]


def _catalog_dir(tmp_path: Path, entries: list[tuple[str, str, bool]]) -> Path:
    po = i18n.po_path("zh_TW", tmp_path)
    po.parent.mkdir(parents=True)
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for msgid, msgstr, fuzzy in entries:
        lines += (["#, fuzzy"] if fuzzy else []) + [f'msgid "{msgid}"', f'msgstr "{msgstr}"', ""]
    po.write_text("\n".join(lines), encoding="utf-8")
    return tmp_path


def test_a_missing_compiled_catalog_stops_the_pages_with_what_to_run(tmp_path):
    directory = _catalog_dir(tmp_path, [("Sign in", "登入", False)])
    with pytest.raises(i18n.CatalogError, match=r"pages\.mo is missing.*python -m omo_backend"):
        i18n.load("zh_TW", directory)


def test_a_catalog_compiled_before_its_po_changed_is_refused(tmp_path):
    directory = _catalog_dir(tmp_path, [("Sign in", "登入", False)])
    i18n.compile_catalogs(directory)
    assert i18n.load("zh_TW", directory).gettext("Sign in") == "登入"
    po, mo = i18n.po_path("zh_TW", directory), i18n.mo_path("zh_TW", directory)
    earlier = po.stat().st_mtime - 10  # the .po edited after the .mo was built
    os.utime(mo, (earlier, earlier))
    with pytest.raises(i18n.CatalogError, match=r"newer than pages\.mo.*python -m omo_backend"):
        i18n.load("zh_TW", directory)
    # Compiled again, it is used again.
    i18n.compile_catalogs(directory)
    assert i18n.load("zh_TW", directory).gettext("Sign in") == "登入"


def test_an_installed_package_uses_its_compiled_catalog_without_the_po(tmp_path):
    directory = _catalog_dir(tmp_path, [("Sign in", "登入", False)])
    i18n.compile_catalogs(directory)
    i18n.po_path("zh_TW", directory).unlink()
    assert i18n.load("zh_TW", directory).gettext("Sign in") == "登入"


def test_a_fuzzy_entry_is_not_compiled_into_the_catalog(tmp_path):
    directory = _catalog_dir(tmp_path, [("Sign in", "登入", False), ("Join", "加入", True)])
    i18n.compile_catalogs(directory)
    catalog = i18n.load("zh_TW", directory)
    assert catalog.gettext("Join") == "Join"  # shown in English: the test above fails on it


def test_english_is_the_source_and_needs_no_catalog(tmp_path):
    assert i18n.load("en", tmp_path).gettext("Sign in") == "Sign in"


def test_every_word_the_code_picks_by_name_is_translated():
    chinese = translator("zh_TW")
    assert [key for key in WORDS if chinese[key] == WORDS[key]] == []


def test_chinese_sentences_put_no_spaces_around_the_stores_name():
    spaced = [m.id for m in _po() if re.search(r" %\(store\)s|%\(store\)s ", m.string or "")]
    assert spaced == []


def test_a_stores_name_and_a_masked_number_stay_on_one_line_and_are_escaped():
    words = translator("en")
    assert words.html("done_title", store="A&B <i>") == (
        'Welcome to <span class="nobr">A&amp;B &lt;i&gt;</span>!'
    )
    sent = translator("zh_TW").html("reset_sent", phone="+886 9•••••111")
    assert '<span class="nobr">+886 9•••••111</span>' in sent
    # The plain words (kept as the record of what a customer agreed to) have no markup.
    assert words.fill("terms_consent", store="A&B") == (
        "I agree to A&B's member terms and privacy notice."
    )


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("your mobile number or e-mail, and", ["e-mail"]),
        ("For example 0912 345 678, +886 912 345 678 or you", ["0912 345 678", "+886 912 345 678"]),
        ("請重新掃描 QR Code，或確認", ["QR Code"]),
        ("已傳送至 %(phone)s，30 分鐘內可使用一次", ["30 分鐘"]),
        ("密碼至少需要 8 個字元。", ["8 個字元"]),
        ("Use at least 8 characters.", []),
    ],
)
def test_typesetting_keeps_hyphenated_words_grouped_numbers_and_qr_code_whole(text, kept):
    html = str(i18n.typeset(text))
    assert re.findall(r'<span class="nobr">(.*?)</span>', html) == kept
    assert re.sub(r"<[^>]+>", "", html) == text.replace("&", "&amp;")


def test_a_value_too_long_for_one_line_is_left_to_break():
    assert str(i18n.nobr("台北信義旗艦店")) == '<span class="nobr">台北信義旗艦店</span>'
    long_name = "台北市信義區松高路旗艦門市二館"  # 30 half-widths: more than a heading's line
    assert str(i18n.nobr(long_name)) == long_name
    assert str(i18n.nobr("A&B " * 8)) == "A&amp;B " * 8
