"""An admin's webhook endpoints: list them, add one (its secret shown once), enable or
disable, rotate the secret, delete, and read an endpoint's delivery log.

Plain Python over the client; the screen (screens/webhooks.py) draws ``WebhooksState`` and
hands back the admin's intents. Every call runs off the UI thread.
"""

from __future__ import annotations

import enum
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


class Asking(enum.StrEnum):
    """What the next tap of the same button does once confirmed."""

    ROTATE = "rotate"
    DELETE = "delete"


@dataclass(frozen=True)
class WebhooksState:
    endpoints: tuple[schemas.WebhookEndpointOut, ...] = ()
    loading: bool = True
    busy: bool = False
    # The endpoint whose log is shown, its log (newest first) and where older entries start.
    selected: int | None = None
    log: tuple[schemas.WebhookDeliveryOut, ...] = ()
    older: str | None = None
    # A secret just made or rotated: shown until the admin leaves or does another; never again.
    secret: schemas.WebhookEndpointWithSecret | None = None
    confirming: tuple[Asking, int] | None = None
    problem: Words | None = None


class WebhooksController(AdminStateController[WebhooksState]):
    def __init__(
        self,
        client: OmoClient,
        parent: QObject,
        show: Callable[[WebhooksState], None],
        session_ended: Callable[[ApiError], None],
    ) -> None:
        super().__init__(client, parent, WebhooksState(), show, session_ended)

    def _replace(
        self, endpoint: schemas.WebhookEndpointOut
    ) -> tuple[schemas.WebhookEndpointOut, ...]:
        return tuple(endpoint if e.id == endpoint.id else e for e in self.state.endpoints)

    def load(self) -> None:
        self._set(replace(self.state, loading=True, problem=None))
        self._run(self._client.webhooks, self._loaded)

    def _loaded(self, endpoints: list[schemas.WebhookEndpointOut]) -> None:
        self._set(replace(self.state, endpoints=tuple(endpoints), loading=False, busy=False))
        if self.state.selected is not None:
            self.select(self.state.selected)

    def create(
        self, url: str, events: list[schemas.WebhookEvent], *, no_url: Words, no_event: Words
    ) -> None:
        clean = url.strip()
        if not clean:
            self._set(replace(self.state, problem=no_url))
            return
        if not events:
            self._set(replace(self.state, problem=no_event))
            return
        self._set(replace(self.state, busy=True, secret=None, confirming=None, problem=None))
        self._run(lambda: self._client.create_webhook(clean, events), self._created)

    def _created(self, made: schemas.WebhookEndpointWithSecret) -> None:
        listed = schemas.WebhookEndpointOut.model_validate(made.model_dump(exclude={"secret"}))
        endpoints = (*self.state.endpoints, listed)
        self._set(replace(self.state, endpoints=endpoints, secret=made, busy=False))
        self.select(made.id)

    def select(self, endpoint_id: int | None) -> None:
        """Show ``endpoint_id``'s delivery log (fetched anew: "Refresh" calls this too)."""
        confirming = self.state.confirming
        if confirming is not None and confirming[1] != endpoint_id:
            confirming = None
        self._set(replace(self.state, selected=endpoint_id, confirming=confirming))
        if endpoint_id is None:
            self._set(replace(self.state, log=(), older=None))
            return
        self._run(lambda: self._client.webhook_deliveries(endpoint_id), self._log)

    def _log(self, page: schemas.WebhookDeliveryPage) -> None:
        self._set(replace(self.state, log=tuple(page.items), older=page.next_cursor))

    def show_older(self) -> None:
        """The log's next page of older entries, after those shown."""
        endpoint_id, cursor = self.state.selected, self.state.older
        if endpoint_id is None or cursor is None:
            return
        self._run(lambda: self._client.webhook_deliveries(endpoint_id, cursor=cursor), self._older)

    def _older(self, page: schemas.WebhookDeliveryPage) -> None:
        log = (*self.state.log, *page.items)
        self._set(replace(self.state, log=log, older=page.next_cursor))

    def set_enabled(self, endpoint_id: int, enabled: bool) -> None:
        self._set(replace(self.state, busy=True, confirming=None, problem=None))
        change = schemas.WebhookEndpointUpdate(enabled=enabled)
        self._run(lambda: self._client.update_webhook(endpoint_id, change), self._updated)

    def _updated(self, endpoint: schemas.WebhookEndpointOut) -> None:
        self._set(replace(self.state, endpoints=self._replace(endpoint), busy=False))

    def rotate(self, endpoint_id: int) -> None:
        """The first tap asks to confirm; the second, on the same endpoint, rotates."""
        if self.state.confirming != (Asking.ROTATE, endpoint_id):
            self._set(replace(self.state, confirming=(Asking.ROTATE, endpoint_id), problem=None))
            return
        self._set(replace(self.state, busy=True, secret=None, confirming=None, problem=None))
        self._run(lambda: self._client.rotate_webhook_secret(endpoint_id), self._rotated)

    def _rotated(self, made: schemas.WebhookEndpointWithSecret) -> None:
        listed = schemas.WebhookEndpointOut.model_validate(made.model_dump(exclude={"secret"}))
        self._set(replace(self.state, endpoints=self._replace(listed), secret=made, busy=False))

    def delete(self, endpoint_id: int) -> None:
        """The first tap asks to confirm; the second, on the same endpoint, deletes it."""
        if self.state.confirming != (Asking.DELETE, endpoint_id):
            self._set(replace(self.state, confirming=(Asking.DELETE, endpoint_id), problem=None))
            return
        self._set(replace(self.state, busy=True, confirming=None, problem=None))
        self._run(
            lambda: self._client.delete_webhook(endpoint_id), lambda _: self._deleted(endpoint_id)
        )

    def _deleted(self, endpoint_id: int) -> None:
        endpoints = tuple(e for e in self.state.endpoints if e.id != endpoint_id)
        secret = self.state.secret
        if secret is not None and secret.id == endpoint_id:
            secret = None
        self._set(
            replace(
                self.state,
                endpoints=endpoints,
                busy=False,
                selected=None,
                log=(),
                older=None,
                secret=secret,
            )
        )

    def cancel_confirm(self) -> None:
        if self.state.confirming is not None:
            self._set(replace(self.state, confirming=None))
