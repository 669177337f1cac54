"""An admin's integration keys: list them, make one (shown once), revoke one.

Plain Python over the client; the screen (screens/api_keys.py) draws ``KeysState`` and hands
back the staff member's intents. Every call runs off the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from PySide6.QtCore import QObject

from backend_client import schemas
from backend_client.client import OmoClient
from backend_client.errors import ApiError
from omo_desktop.admin_state import AdminStateController
from omo_desktop.i18n import Words

T = TypeVar("T")


@dataclass(frozen=True)
class KeysState:
    keys: tuple[schemas.ApiKeyOut, ...] = ()
    loading: bool = True
    busy: bool = False
    # The key just made: shown until the admin leaves or makes another; never fetched again.
    created: schemas.ApiKeyCreated | None = None
    # The key the admin asked to revoke: the next tap on "Revoke" does it.
    confirming: int | None = None
    problem: Words | None = None


class ApiKeysController(AdminStateController[KeysState]):
    def __init__(
        self,
        client: OmoClient,
        parent: QObject,
        show: Callable[[KeysState], None],
        session_ended: Callable[[ApiError], None],
    ) -> None:
        super().__init__(client, parent, KeysState(), show, session_ended)

    def load(self) -> None:
        self._set(replace(self.state, loading=True, problem=None))
        self._run(self._client.api_keys, self._loaded)

    def _loaded(self, keys: list[schemas.ApiKeyOut]) -> None:
        self._set(replace(self.state, keys=tuple(keys), loading=False, busy=False))

    def create(self, name: str, empty_name: Words) -> None:
        clean = name.strip()
        if not clean:
            self._set(replace(self.state, problem=empty_name))
            return
        self._set(replace(self.state, busy=True, created=None, confirming=None, problem=None))
        self._run(lambda: self._client.create_api_key(clean), self._created)

    def _created(self, made: schemas.ApiKeyCreated) -> None:
        listed = schemas.ApiKeyOut.model_validate(made.model_dump(exclude={"key"}))
        self._set(replace(self.state, keys=(*self.state.keys, listed), created=made, busy=False))

    def revoke(self, key_id: int) -> None:
        """The first tap asks to confirm; the second, on the same key, revokes it."""
        if self.state.confirming != key_id:
            self._set(replace(self.state, confirming=key_id, problem=None))
            return
        self._set(replace(self.state, busy=True, problem=None))
        self._run(lambda: self._client.revoke_api_key(key_id), self._revoked)

    def _revoked(self, key: schemas.ApiKeyOut) -> None:
        keys = tuple(key if k.id == key.id else k for k in self.state.keys)
        self._set(replace(self.state, keys=keys, confirming=None, busy=False))

    def cancel_revoke(self) -> None:
        if self.state.confirming is not None:
            self._set(replace(self.state, confirming=None))
