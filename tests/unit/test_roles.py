"""Roles are ordered, staff < manager < admin, and each guard admits its role and those above."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import pytest

from backend_client.schemas import Role
from omo_backend.actor import Actor
from omo_backend.deps import require_admin, require_manager
from omo_backend.errors import Forbidden


def run(guard: Coroutine[Any, Any, Actor]) -> Actor:
    """A guard awaits nothing: step it once, here, without an event loop of its own (another
    test in this worker may leave one running, where asyncio.run refuses to start)."""
    try:
        guard.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    guard.close()
    raise AssertionError("the guard awaited something")


def actor(role: Role) -> Actor:
    return Actor(session_id=1, staff_id=1, staff_name="Amy", role=role, store_id=1, device_id=1)


def test_roles_are_ordered_lowest_first():
    assert list(Role) == [Role.STAFF, Role.MANAGER, Role.ADMIN]
    assert Role.ADMIN.at_least(Role.MANAGER)
    assert Role.MANAGER.at_least(Role.MANAGER)
    assert not Role.STAFF.at_least(Role.MANAGER)
    assert not Role.MANAGER.at_least(Role.ADMIN)


@pytest.mark.parametrize(
    ("guard", "admitted"),
    [(require_manager, {Role.MANAGER, Role.ADMIN}), (require_admin, {Role.ADMIN})],
)
def test_a_guard_admits_its_role_and_above_and_refuses_the_rest(guard, admitted):
    for role in Role:
        if role in admitted:
            assert run(guard(actor(role))).role is role
        else:
            with pytest.raises(Forbidden) as refused:
                run(guard(actor(role)))
            assert refused.value.code == "forbidden"
