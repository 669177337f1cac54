"""Roles are ordered, staff < manager < admin, and each guard admits its role and those above."""

from __future__ import annotations

import asyncio

import pytest

from backend_client.schemas import Role
from omo_backend.actor import Actor
from omo_backend.deps import require_admin, require_manager
from omo_backend.errors import Forbidden


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
            assert asyncio.run(guard(actor(role))).role is role
        else:
            with pytest.raises(Forbidden) as refused:
                asyncio.run(guard(actor(role)))
            assert refused.value.code == "forbidden"
