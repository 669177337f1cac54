"""Phone numbers as staff type them become one E.164 form; screens and logs see them masked."""

from __future__ import annotations

import pytest

from backend_client.masking import group_typed_phone, mask_email, mask_phone
from omo_backend.errors import ValidationFailed
from omo_backend.phones import (
    normalise_email,
    normalise_phone,
    try_normalise_phone,
)


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912-345-678",
        " 0912 - 345 - 678 ",
        "(09) 1234-5678",
        "912345678",
        "+886912345678",
        "+886 912 345 678",
        "+886-912-345-678",
        "+886 0912 345 678",
    ],
)
def test_a_taiwanese_mobile_typed_any_usual_way_becomes_one_e164_number(typed: str):
    assert normalise_phone(typed, "TW") == "+886912345678"
    assert normalise_phone(typed, "TW", mobile_only=True) == "+886912345678"


def test_a_foreign_number_with_its_country_code_keeps_its_country():
    assert normalise_phone("+1 650 253 0000", "TW") == "+16502530000"


@pytest.mark.parametrize("typed", ["", "abc", "12345", "091234567", "0912 345 6789 0"])
def test_something_that_is_no_phone_number_is_refused_on_the_phone_field(typed: str):
    with pytest.raises(ValidationFailed) as refused:
        normalise_phone(typed, "TW")
    assert refused.value.code == "invalid_phone"
    assert refused.value.status == 422
    assert refused.value.details == {"field": "phone"}
    assert try_normalise_phone(typed, "TW") is None


def test_a_landline_is_a_phone_but_cannot_receive_the_sign_up_sms():
    assert normalise_phone("02 2345 6789", "TW") == "+886223456789"
    with pytest.raises(ValidationFailed) as refused:
        normalise_phone("02 2345 6789", "TW", mobile_only=True)
    assert refused.value.code == "not_mobile"
    assert refused.value.details == {"field": "phone"}


def test_a_masked_phone_shows_the_country_first_digit_and_last_three_only():
    assert mask_phone("+886912345678") == "+886 9•••••678"
    assert mask_phone("+16502530000") == "+1 6••••••000"
    assert mask_phone(None) is None
    assert mask_phone("") is None


def test_a_masked_phone_never_contains_the_hidden_digits():
    masked = mask_phone("+886912345678")
    assert masked is not None
    assert "12345" not in masked
    assert sum(c.isdigit() for c in masked) == 3 + 1 + 3  # country code, first, last three


def test_a_masked_e_mail_keeps_the_first_letters_and_the_top_level_domain():
    assert mask_email("amy.chen@example.com") == "a•••••••@e••••••.com"
    assert mask_email("hua@example.com") == "h••@e••••••.com"
    assert mask_email("a@b.co") == "a•@b•.co"
    assert mask_email("root@localhost") == "r•••@l••••••••"
    assert mask_email(None) is None
    assert mask_email("no-at-sign") is None


def test_an_e_mail_is_stored_trimmed_and_lower_case_and_nonsense_is_refused():
    assert normalise_email("  Amy.Chen@Example.COM ") == "amy.chen@example.com"
    for bad in ("amy", "amy@", "amy@example", "a b@example.com", "x" * 250 + "@example.com"):
        with pytest.raises(ValidationFailed) as refused:
            normalise_email(bad)
        assert refused.value.code == "invalid_email"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("0912345678", "0912 345 678"),
        ("0912-345-678", "0912 345 678"),
        (" 0912 345 678 ", "0912 345 678"),
        ("912345678", "0912 345 678"),
        ("+886912345678", "+886 912 345 678"),
        ("+886 0912 345 678", "+886 912 345 678"),
        ("+1 650 253 0000", "+1 650-253-0000"),
        ("0223456789", "02 2345 6789"),
    ],
)
def test_a_typed_number_is_shown_in_full_and_grouped_to_be_read_back(typed: str, shown: str):
    assert group_typed_phone(typed) == shown


@pytest.mark.parametrize(("typed", "shown"), [("0912 34", "0912 34"), ("abc  1", "abc 1")])
def test_a_number_that_does_not_parse_is_shown_as_typed(typed: str, shown: str):
    assert group_typed_phone(typed) == shown
