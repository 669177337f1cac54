"""Validated staff sessions are trusted briefly, and forgotten at once on logout."""

from __future__ import annotations

import time

from backend_client.schemas import Role
from omo_backend.actor import Actor
from omo_backend.staff.session_cache import SessionCache

AMY = Actor(session_id=7, staff_id=1, staff_name="Amy", role=Role.STAFF, store_id=1, device_id=2)


def test_a_session_is_trusted_only_for_its_time():
    cache = SessionCache(ttl_seconds=0.05)
    cache.put("token-a", AMY)
    assert cache.get("token-a") == AMY
    assert cache.get("token-b") is None
    deadline = time.monotonic() + 2
    while cache.get("token-a") is not None:
        assert time.monotonic() < deadline, "the entry never expired"
        time.sleep(0.01)


def test_logout_forgets_the_session():
    cache = SessionCache(ttl_seconds=60)
    cache.put("token-a", AMY)
    cache.forget(AMY.session_id)
    assert cache.get("token-a") is None


def test_a_zero_time_turns_the_cache_off():
    cache = SessionCache(ttl_seconds=0)
    cache.put("token-a", AMY)
    assert cache.get("token-a") is None


def test_a_revoked_device_or_deactivated_staff_member_is_forgotten():
    ben = Actor(
        session_id=8, staff_id=2, staff_name="Ben", role=Role.STAFF, store_id=1, device_id=3
    )
    cache = SessionCache(ttl_seconds=60)
    cache.put("token-a", AMY)
    cache.put("token-b", ben)
    cache.forget_device(ben.device_id)
    assert cache.get("token-b") is None
    assert cache.get("token-a") == AMY
    cache.put("token-b", ben)
    cache.forget_staff(AMY.staff_id)
    assert cache.get("token-a") is None
    assert cache.get("token-b") == ben
