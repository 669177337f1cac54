"""What an admin screen's controller shares: it holds one immutable state, shows each new one,
and runs backend calls off the UI thread; a failure becomes the state's ``problem`` (and a
refused session logs the app out)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QObject

from backend_client.client import OmoClient
from backend_client.errors import ApiError, UnauthorizedError
from omo_desktop.i18n import Words
from omo_desktop.messages import describe
from omo_desktop.workers import BackendOp

T = TypeVar("T")


class _AdminState(Protocol):
    @property
    def loading(self) -> bool: ...
    @property
    def busy(self) -> bool: ...
    @property
    def problem(self) -> Words | None: ...


S = TypeVar("S", bound=_AdminState)


class AdminStateController(Generic[S]):
    def __init__(
        self,
        client: OmoClient,
        parent: QObject,
        state: S,
        show: Callable[[S], None],
        session_ended: Callable[[ApiError], None],
    ) -> None:
        self._client = client
        self._parent = parent
        self._show = show
        self._session_ended = session_ended
        self.state = state

    def _set(self, state: S) -> None:
        self.state = state
        self._show(state)

    def _change(self, **fields: Any) -> None:
        self._set(replace(self.state, **fields))  # type: ignore[type-var]

    def _failed(self, error: ApiError) -> None:
        if isinstance(error, UnauthorizedError):
            self._session_ended(error)
        words = describe(error)
        self._change(loading=False, busy=False, problem=lambda: words)

    def _run(self, op: Callable[[], T], success: Callable[[T], None]) -> None:
        BackendOp(parent=self._parent, op=op, success=success).failure(self._failed).run()
