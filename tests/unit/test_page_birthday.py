"""The birthday as the phone pages take it: three lists (year, month, day), or one ISO field
from an older page or an API caller; each way it can be wrong has its own words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from omo_backend.models import utcnow
from omo_backend.pages import service


def cleaned(raw: str) -> tuple[date | None, dict[str, str]]:
    form = service.DetailsForm(name="Mei", birthday=raw, email="")
    result = service.validate_details(form)
    if isinstance(result, dict):
        return None, result
    return result.birthday, {}


def given(year: str = "", month: str = "", day: str = "", birthday: str = "") -> str:
    return service.birthday_given(birthday=birthday, year=year, month=month, day=day)


def test_the_three_lists_make_the_date():
    assert cleaned(given("1990", "5", "4")) == (date(1990, 5, 4), {})


def test_no_list_chosen_is_no_birthday_and_the_iso_field_still_works():
    assert cleaned(given()) == (None, {})
    assert cleaned(given(birthday="1990-05-04")) == (date(1990, 5, 4), {})
    # The lists win over a stale field.
    assert cleaned(given("1991", "1", "2", birthday="1990-05-04")) == (date(1991, 1, 2), {})


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        (("1990", "", "4"), "birthday_incomplete"),
        (("", "5", ""), "birthday_incomplete"),
        (("1990", "2", "30"), "birthday_no_such_day"),
        (("2001", "2", "29"), "birthday_no_such_day"),
        (("1990", "13", "1"), "invalid_birthday"),
        (("1990", "5", "x"), "invalid_birthday"),
        (("1990", "5", "４"), "invalid_birthday"),  # a full-width digit is not one of ours
        (("1899", "12", "31"), "invalid_birthday"),
        (("99999", "1", "1"), "invalid_birthday"),
    ],
)
def test_each_wrong_birthday_has_its_words(parts: tuple[str, str, str], code: str):
    assert cleaned(given(*parts)) == (None, {"birthday": code})


def test_a_birthday_is_in_the_past():
    today = utcnow().date()
    assert cleaned(today.isoformat()) == (None, {"birthday": "invalid_birthday"})
    yesterday = today - timedelta(days=1)
    assert cleaned(yesterday.isoformat())[0] == yesterday
    assert cleaned("1990/05/04") == (None, {"birthday": "invalid_birthday"})
