"""The shapes of the secrets we hand out: enrollment codes people type, link tokens an SMS pays
for, hashes that are the only thing stored."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from omo_backend import security
from omo_backend.bindings.service import SMS_TEXT as BIND_TEXT
from omo_backend.bindings.service import bind_url
from omo_backend.invitations.service import SMS_TEXT as SIGN_UP_TEXT
from omo_backend.invitations.service import registration_url
from omo_backend.messaging.segments import sms_segments
from omo_backend.settings import Settings

# Typed by hand from a screen: no 0/O, no 1/I/L.
TYPABLE = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def test_an_enrollment_code_is_two_groups_of_five_typable_characters() -> None:
    codes = [security.new_enrollment_code() for _ in range(300)]
    assert all(re.fullmatch(f"[{TYPABLE}]{{5}}-[{TYPABLE}]{{5}}", code) for code in codes), codes
    used = set("".join(codes).replace("-", ""))
    # 3,000 draws from 31 characters: every one shows up unless the alphabet is narrower.
    assert used == set(TYPABLE)
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abcde-fghjk", "ABCDE-FGHJK"),
        ("ABCDE FGHJK", "ABCDE-FGHJK"),
        (" abcdefghjk ", "ABCDE-FGHJK"),
        ("ab-cd-ef-gh-jk", "ABCDE-FGHJK"),
    ],
)
def test_a_typed_enrollment_code_is_read_whatever_its_case_and_separators(
    typed: str, code: str
) -> None:
    assert security.normalise_enrollment_code(typed) == code


def test_a_token_is_url_safe_and_as_long_as_its_bytes_ask() -> None:
    # token_urlsafe: 4 characters for each 3 bytes, no padding.
    assert len(security.new_token()) == 43
    for nbytes, length in ((16, 22), (32, 43), (48, 64)):
        tokens = {security.new_token(nbytes) for _ in range(50)}
        assert len(tokens) == 50
        assert all(len(t) == length and URL_SAFE.fullmatch(t) for t in tokens)


class _AnyNumber(dict[str, str]):
    """Placeholders a text may add later (a validity in hours, …) get a two-digit number."""

    def __missing__(self, key: str) -> str:
        return "48"


@pytest.mark.parametrize(
    ("texts", "url"),
    [(SIGN_UP_TEXT, registration_url), (BIND_TEXT, bind_url)],
    ids=["sign-up", "bind"],
)
@pytest.mark.parametrize(("locale", "store"), [("zh_TW", "台北總店"), ("en", "Taipei Main")])
def test_an_sms_with_a_real_link_token_is_one_segment(
    texts: dict[str, str], url: Callable[[Settings, str], str], locale: str, store: str
) -> None:
    settings = Settings(public_base_url="https://omo.example.com.tw/")
    # The services ask for 16 bytes: a 43-character (32-byte) token would make the Chinese
    # text two billed segments.
    link = url(settings, security.new_token(16))
    body = texts[locale].format_map(_AnyNumber(store=store, url=link))
    assert link in body
    assert sms_segments(body) == 1, body


def test_a_token_is_stored_as_its_sha256() -> None:
    assert security.hash_token("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


@pytest.mark.parametrize(
    ("hash_it", "params"),
    [(security.hash_secret, "m=65536,t=3,p=4"), (security.hash_pin, "m=19456,t=2,p=1")],
    ids=["password", "pin"],
)
def test_a_secret_is_hashed_with_argon2id_and_checked(
    hash_it: Callable[[str], str], params: str
) -> None:
    hashed = hash_it("482913")
    assert hashed.startswith(f"$argon2id$v=19${params}$")
    assert "482913" not in hashed
    assert hash_it("482913") != hashed, "salted"
    assert security.verify_secret(hashed, "482913")
    assert not security.verify_secret(hashed, "482914")
    assert not security.verify_secret("not-an-argon2-hash", "482913")


def test_constant_time_equal_compares_whole_strings() -> None:
    assert security.constant_time_equal("tök-1", "tök-1")
    assert not security.constant_time_equal("tök-1", "tök-2")
    assert not security.constant_time_equal("tök", "tök-1")
