"""The demo's secrets hashed ahead (omo_backend/demo_hashes.py) still are what they stand for."""

from __future__ import annotations

import argon2

from omo_backend import demo_hashes, security
from omo_backend.demo_seed import MEMBER_PASSWORD, STAFF

REMAKE = "stale: print them anew with python -m omo_backend.demo_hashes"


def test_every_demo_secret_has_its_hash_ahead() -> None:
    secrets = {pin for *_, pin in STAFF} | {MEMBER_PASSWORD}
    assert set(demo_hashes.HASHES) == secrets, REMAKE


def test_each_hash_checks_its_secret_and_no_other() -> None:
    for secret, hashed in demo_hashes.HASHES.items():
        assert security.verify_secret(hashed, secret), REMAKE
        assert not security.verify_secret(hashed, secret + "0")


def test_the_hashes_have_the_pin_hashers_settings() -> None:
    made_now = argon2.extract_parameters(security.hash_pin("000000"))
    for hashed in demo_hashes.HASHES.values():
        assert argon2.extract_parameters(hashed) == made_now, REMAKE


def test_a_secret_not_made_ahead_is_hashed_now() -> None:
    hashed = demo_hashes.hashed("246810")
    assert hashed not in demo_hashes.HASHES.values()
    assert security.verify_secret(hashed, "246810")
