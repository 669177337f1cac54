"""The measure every phone-page picture passes (``PhoneScreen.shot``): targets a fingertip can
hit (44 px each way) and text that reads (4.5:1), taken in the page as the browser draws it.

Here it is shown to catch what it is for, on pages made to fail it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.phone import VIEWPORT, unreadable_or_small


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    yield context.new_page()
    context.close()


def test_a_page_of_big_targets_and_dark_text_passes(page: Page) -> None:
    page.set_content(
        "<body style='background:#f6f6f8;color:#1d1d1f'><p>Words</p>"
        "<a href='#' style='display:inline-block;padding:12px'>A link</a>"
        "<button style='min-height:48px;width:100%'>Go</button>"
        "<label style='display:flex;min-height:44px'><input type=checkbox> I agree</label></body>"
    )
    assert unreadable_or_small(page) == {"small": [], "faint": []}


def test_a_small_link_and_a_bare_checkbox_are_too_small(page: Page) -> None:
    page.set_content(
        "<a href='#'>tiny</a><p><input type=checkbox id=box> <label for=box>no</label></p>"
        "<label><input type=checkbox> in a short label</label>"
    )
    small = unreadable_or_small(page)["small"]
    assert len(small) == 3, small
    assert small[0].startswith('a "tiny"')


def test_grey_on_white_and_white_on_a_light_colour_are_too_faint(page: Page) -> None:
    page.set_content(
        "<div style='background:#ffffff'><p style='color:#999999'>light grey</p>"
        "<p style='color:#5f6368'>dark grey</p></div>"
        "<div style='background:#e8a317;color:#fff'><span>on amber</span></div>"
        # A see-through layer is looked through, to the first opaque background.
        "<div style='background:#0b6e4f'><p style='background:rgba(255,255,255,.1);color:#fff'>"
        "on green</p></div>"
    )
    faint = unreadable_or_small(page)["faint"]
    assert [entry.split(":")[0] for entry in faint] == ['p "light grey"', 'span "on amber"']


def test_text_of_a_half_transparent_colour_is_measured_as_drawn(page: Page) -> None:
    page.set_content("<p style='color:rgba(29,29,31,.35)'>washed out</p>")
    assert len(unreadable_or_small(page)["faint"]) == 1


def test_a_list_too_small_to_tap_is_found(page: Page) -> None:
    page.set_content(
        "<select id=tiny style='height:20px'><option>1</option></select>"
        "<select id=big style='height:48px;width:80px'><option>2</option></select>"
    )
    assert [entry.split(":")[0] for entry in unreadable_or_small(page)["small"]] == [
        'select#tiny "1"'
    ]


LINE_BUTTON = (
    "<a href='#'{brand} style='display:block;min-height:48px;background:{ground};color:#fff'>"
    "<span>Log in with LINE</span></a>"
)


def test_lines_own_button_is_the_one_exception_to_the_contrast(page: Page) -> None:
    # White on LINE green, as LINE's guidelines fix it, on the element marked as LINE's.
    page.set_content(LINE_BUTTON.format(brand=' data-brand="line"', ground="#06C755"))
    assert unreadable_or_small(page)["faint"] == []


@pytest.mark.parametrize(
    ("brand", "ground"),
    [("", "#06C755"), (' data-brand="line"', "#3fd47a"), (' data-brand="other"', "#06C755")],
    ids=["unmarked", "another-green", "another-brand"],
)
def test_nothing_else_passes_as_lines_button(page: Page, brand: str, ground: str) -> None:
    page.set_content(LINE_BUTTON.format(brand=brand, ground=ground))
    assert len(unreadable_or_small(page)["faint"]) == 1
