"""The store's settings for the phone pages, as the wire takes them: https addresses only, a
LINE add-friend link on LINE's own hosts, real lengths, no control characters."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend_client.schemas import StorePageSettings


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example.com/",
        "https://shop.example.com/tpe01?ref=counter",
        "https://例子.台灣/商店",
    ],
)
def test_a_shop_is_an_https_address(url: str):
    assert StorePageSettings(shop_url=url).shop_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://shop.example.com/",  # not https
        "javascript:alert(1)//https://x",
        "https:///no-host",
        "https://user:pw@shop.example.com/",  # a user name in a link shown to customers
        "https://shop.example.com/a b",
        "https://shop.example.com/\n",
        "https://shop.example.com/\x00",
        "shop.example.com",
        "https://a",  # shorter than any real address
        "https://shop.example.com/" + "x" * 2048,
    ],
)
def test_anything_else_is_refused_as_a_shop(url: str):
    with pytest.raises(ValidationError):
        StorePageSettings(shop_url=url)


@pytest.mark.parametrize(
    "url", ["https://line.me/R/ti/p/@omo-demo", "https://lin.ee/AbCdEf", "https://page.line.me/x"]
)
def test_an_add_friend_link_is_lines(url: str):
    assert StorePageSettings(line_add_friend_url=url).line_add_friend_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://line.me/R/ti/p/@omo",
        "https://line.me.evil.example/R/ti/p/@omo",
        "https://notline.me/R/ti/p/@omo",
        "https://shop.example.com/line",
    ],
)
def test_an_add_friend_link_elsewhere_is_refused(url: str):
    with pytest.raises(ValidationError):
        StorePageSettings(line_add_friend_url=url)


def test_terms_keep_their_paragraphs_and_refuse_other_control_characters():
    terms = StorePageSettings(terms_text="第一條\r\n\r\n第二條\tA")
    assert terms.terms_text == "第一條\n\n第二條\tA"
    for bad in ("a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "", "x" * 20_001):
        with pytest.raises(ValidationError):
            StorePageSettings(terms_text=bad)


def test_only_the_fields_given_are_set_and_none_removes_one():
    given = StorePageSettings.model_validate({"shop_url": None})
    assert given.model_fields_set == {"shop_url"}
    assert given.shop_url is None
