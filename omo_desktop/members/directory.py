"""The Members screen's controller: the list's query (search, filters), the overview, levels,
adding a member and inviting past buyers. Every call runs on a worker (``BackendOp``); the
screen connects to the signals and draws."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from backend_client import schemas
from backend_client.client import MemberQuery, OmoClient, new_idempotency_key
from omo_desktop.members.table import MemberTableModel
from omo_desktop.workers import BackendOp

# Typing pauses this long before the list is asked again: one request per word, not per key.
SEARCH_DEBOUNCE_MS = 300


class MembersController(QObject):
    overview_loaded = Signal(object)  # MemberOverview
    overview_failed = Signal(object)  # ApiError
    levels_loaded = Signal(object)  # list[Level]
    query_changed = Signal(object)  # MemberQuery
    member_added = Signal(object)  # MemberCreated
    add_failed = Signal(object)  # ApiError
    invited = Signal(object)  # InviteResult
    invite_failed = Signal(object)  # ApiError
    busy_changed = Signal(bool)

    def __init__(self, client: OmoClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client

        def fetch(query: MemberQuery, cursor: str | None, limit: int) -> schemas.MemberList:
            return client.members(query, cursor=cursor, limit=limit)

        self.members = MemberTableModel(fetch, self)
        self.past_buyers = MemberTableModel(fetch, self, past_buyers=True)
        self.members.sort_requested.connect(
            lambda key: self.set_filters(sort=schemas.MemberSort(key))
        )
        self.query = MemberQuery()
        self.levels: list[schemas.Level] = []
        self._search = QTimer(self)
        self._search.setSingleShot(True)
        self._search.setInterval(SEARCH_DEBOUNCE_MS)
        self._search.timeout.connect(self._apply)
        self._pending_text = ""
        # One key per invitation batch, kept while the same batch is retried.
        self._invite_key: tuple[tuple[int, ...], str] | None = None

    def start(self) -> None:
        """The screen is shown: the overview, the levels and the first page of each list."""
        self.refresh_overview()
        BackendOp(parent=self, op=self.client.levels, success=self._levels).run()
        self.members.set_query(self.query)
        self.past_buyers.set_query(MemberQuery(kind=schemas.MemberKind.PAST_BUYER))

    def refresh_overview(self) -> None:
        BackendOp(
            parent=self, op=self.client.members_overview, success=self.overview_loaded.emit
        ).failure(self.overview_failed.emit).run()

    def _levels(self, levels: list[schemas.Level]) -> None:
        self.levels = levels
        by_code = {level.code: level for level in levels}
        for model in (self.members, self.past_buyers):
            model.levels = by_code
            model.retranslate()
        self.levels_loaded.emit(levels)

    # --- the list's query ----------------------------------------------------------------------

    def search(self, text: str) -> None:
        """Typed into the search box: the list follows once typing pauses."""
        self._pending_text = text.strip()
        self._search.start()

    def _apply(self) -> None:
        if self._pending_text != self.query.q:
            self.set_filters(q=self._pending_text)

    def set_filters(self, **changes: Any) -> None:
        """Change some filters (``level="gold"``, ``status=None``…): the list starts over."""
        query = dataclasses.replace(self.query, **changes)
        if query == self.query:
            return
        self.query = query
        self.members.set_query(query)
        self.past_buyers.set_query(
            dataclasses.replace(MemberQuery(kind=schemas.MemberKind.PAST_BUYER), q=query.q)
        )
        self.query_changed.emit(query)

    def clear_filters(self) -> None:
        self._search.stop()
        self._pending_text = ""
        self.set_filters(**{f.name: f.default for f in dataclasses.fields(MemberQuery)})

    # --- adding and inviting -------------------------------------------------------------------

    def add_member(self, member: schemas.MemberCreate) -> None:
        BackendOp(
            parent=self, op=lambda: self.client.add_member(member), success=self._added
        ).failure(self.add_failed.emit).busy(self.busy_changed.emit).run()

    def _added(self, member: schemas.MemberCreated) -> None:
        self.member_added.emit(member)
        self.members.reload()
        self.refresh_overview()

    def invite(self, customer_ids: list[int]) -> None:
        batch = tuple(sorted(customer_ids))
        if self._invite_key is None or self._invite_key[0] != batch:
            self._invite_key = (batch, new_idempotency_key())
        key = self._invite_key[1]
        BackendOp(
            parent=self,
            op=lambda: self.client.invite_past_buyers(list(batch), idempotency_key=key),
            success=self._invited,
        ).failure(self.invite_failed.emit).busy(self.busy_changed.emit).run()

    def _invited(self, result: schemas.InviteResult) -> None:
        self._invite_key = None
        self.invited.emit(result)
