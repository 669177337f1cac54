"""Masked phones and e-mails show only what the rule allows, whatever the input.

The rule, per kind:
- a stored phone: the country code, the first national digit (only when there are more than
  six), and the last three; every other digit becomes one dot, so the length stays;
- a stored phone that does not parse: dots, then its last three characters;
- an e-mail: the first character of the name, the first of the domain, and what follows the
  domain's last dot (``.tw``, not ``.ntu.edu.tw``).

What staff just typed is not masked: it is shown in full to be checked before an SMS goes to
it (``group_typed_phone``, tests/unit/test_phones.py).
"""

from __future__ import annotations

import phonenumbers
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backend_client.masking import mask_email, mask_phone

DOT = "•"
# Fixed examples each run (no database of past failures, no random seed): the same run
# every time, which mutation testing needs too.
rule = settings(derandomize=True, database=None, max_examples=150, deadline=None)

country_codes = st.sampled_from(
    sorted({phonenumbers.country_code_for_region(r) for r in phonenumbers.SUPPORTED_REGIONS})
)


def national(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    # No leading 0: a national number is stored without its trunk prefix.
    return st.builds(
        lambda first, rest: first + rest,
        st.sampled_from("123456789"),
        st.text("0123456789", min_size=min_size - 1, max_size=max_size - 1),
    )


@rule
@given(cc=country_codes, digits=national(7, 12))
@example(cc=886, digits="912345678")
def test_a_phone_shows_its_country_first_digit_and_last_three(cc: int, digits: str) -> None:
    masked = mask_phone(f"+{cc}{digits}")
    assert masked == f"+{cc} {digits[0]}{DOT * (len(digits) - 4)}{digits[-3:]}"


@rule
@given(cc=country_codes, digits=national(3, 6))
@example(cc=886, digits="123456")
@example(cc=886, digits="912")
def test_a_short_phone_shows_its_last_three_only(cc: int, digits: str) -> None:
    masked = mask_phone(f"+{cc}{digits}")
    assert masked == f"+{cc} {DOT * (len(digits) - 3)}{digits[-3:]}"


@rule
@given(cc=country_codes, digits=national(3, 12))
def test_a_masked_phone_never_shows_more_than_four_national_digits(cc: int, digits: str) -> None:
    masked = mask_phone(f"+{cc}{digits}")
    assert masked is not None
    head, _, shown = masked.partition(" ")
    assert head == f"+{cc}"
    assert len(shown) == len(digits)
    assert sum(c.isdigit() for c in shown) == min(len(digits), 4 if len(digits) > 6 else 3)


@rule
@given(rest=st.text("0123456789", max_size=12))
@example(rest="912345678")
def test_a_phone_that_does_not_parse_shows_its_last_three_characters(rest: str) -> None:
    stored = "+0" + rest  # no country code starts with 0
    assert mask_phone(stored) == DOT * max(0, len(stored) - 3) + stored[-3:]


def test_the_unparsable_and_the_absent() -> None:
    assert mask_phone("+0912345678") == "••••••••678"
    assert mask_phone("+12") == "+12"  # too short to parse, and nothing left to hide
    assert mask_phone(None) is None
    assert mask_phone("") is None


# The parts of an address as people write them (no "@", no "."; the dots come from joining).
label = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)


@rule
@given(
    name=st.text("abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=20),
    labels=st.lists(label, min_size=1, max_size=4),
    tld=label,
)
@example(name="amy", labels=["student", "ntu", "edu"], tld="tw")
def test_an_e_mail_shows_three_letters_and_its_top_level_domain(
    name: str, labels: list[str], tld: str
) -> None:
    host = ".".join(labels)
    masked = mask_email(f"{name}@{host}.{tld}")
    assert masked == (
        f"{name[0]}{DOT * max(1, len(name) - 1)}@{host[0]}{DOT * max(1, len(host) - 1)}.{tld}"
    )


def test_an_e_mail_never_shows_its_inner_domain() -> None:
    assert mask_email("amy@student.ntu.edu.tw") == "a••@s••••••••••••••.tw"
    assert mask_email("root@localhost") == "r•••@l••••••••"
    assert mask_email("a@b.co") == "a•@b•.co"
    assert mask_email('"amy@home"@example.com') == '"•••••••••@e••••••.com'
    assert mask_email(None) is None
    assert mask_email("") is None
    assert mask_email("no-at-sign") is None
