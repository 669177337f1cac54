"""Who is acting: a logged-in staff member on an enrolled device of a store."""

from __future__ import annotations

from dataclasses import dataclass

from backend_client.schemas import Role


@dataclass(frozen=True)
class Actor:
    """Who is acting: every staff request is recorded with these."""

    session_id: int
    staff_id: int
    staff_name: str
    role: Role
    store_id: int
    device_id: int
