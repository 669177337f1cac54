"""The member search line and how a typed ``q`` is read against it (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omo_backend.directory.search_text import phone_digits, query_text, search_text_of


def test_the_line_holds_name_email_and_the_phone_as_people_type_it():
    line = search_text_of("Mei LIN", "Mei@Example.com", "+886912345678")
    assert line == "mei lin | mei@example.com | 886912345678 | 0912345678"
    assert search_text_of(None, None, None) is None
    assert search_text_of(None, None, "+85291234567") == "85291234567"


@pytest.mark.parametrize(
    "typed", ["0912-345-678", "0912 345 678", "+886 912 345 678", "(09) 1234-5678", "912345678"]
)
def test_every_way_of_typing_a_phone_is_in_the_line(typed: str):
    line = search_text_of("Mei", None, "+886912345678") or ""
    assert query_text(typed) in line


def test_text_queries_are_lower_cased_and_spaces_folded():
    assert query_text("  Mei   LIN ") == "mei lin"
    assert query_text("MEI@example") == "mei@example"
    # Too few digits to be a phone: read as typed.
    assert query_text("+1") == "+1"


@given(st.text(max_size=30), st.emails(), st.from_regex(r"\+8869[0-9]{8}", fullmatch=True))
def test_the_name_and_email_are_always_found_by_themselves(name: str, email: str, phone: str):
    line = search_text_of(name, email, phone) or ""
    assert query_text(email) in line
    assert query_text(phone) in line
    assert all(form in line for form in phone_digits(phone))


def test_a_name_holding_a_needle_holds_its_pieces():
    from omo_backend.directory.search_text import name_grams, needle_grams

    grams = set((name_grams("陳美玲 Amy") or "").split())
    for needle in ("陳美玲", "美玲", "陳", "玲 amy", "amy"):
        assert set(needle_grams(needle)) <= grams, needle
    assert not set(needle_grams("美明")) <= grams
