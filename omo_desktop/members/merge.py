"""Merging a customer's accounts (an admin): the accounts picked by searching, the primary one,
a preview of the merged result, and the merge itself, sent with the preview's id so a preview
made stale by any change is refused. Plain Python and signals; the dialog draws."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal

from backend_client import schemas
from backend_client.client import MemberQuery, OmoClient
from backend_client.errors import ApiError
from omo_desktop.workers import BackendOp

# Boutir's limit: the primary account and at most four merged into it.
MAX_ACCOUNTS = 1 + schemas.MAX_MERGED_ACCOUNTS
# Search results offered to add: enough to tell namesakes apart, few enough to read.
SEARCH_LIMIT = 8


class MergeController(QObject):
    """``add``/``remove``/``set_primary`` pick the accounts (``accounts_changed``); ``preview``
    asks the backend (``previewed``); ``merge`` sends the previewed merge (``merged``)."""

    found = Signal(object)  # list[MemberRow]: search results not already picked
    accounts_changed = Signal()
    previewed = Signal(object)  # MergePreview
    merged = Signal(object)  # Member: the primary after the merge
    failed = Signal(object)  # ApiError
    busy_changed = Signal(bool)

    def __init__(self, client: OmoClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.accounts: list[schemas.MemberRow] = []
        self.primary_id: int | None = None
        self.request: schemas.MergeRequest | None = None
        self.preview_result: schemas.MergePreview | None = None
        self._search_text = ""

    # --- picking the accounts ------------------------------------------------------------------

    def search(self, text: str) -> None:
        text = text.strip()
        self._search_text = text
        if not text:
            self.found.emit([])
            return

        def arrived(page: schemas.MemberList) -> None:
            if text == self._search_text:
                self.found.emit(self._not_picked(page.items))

        def both_kinds() -> schemas.MemberList:
            # A customer's other account may be a past buyer's (bought, never signed up):
            # members first, then past buyers, in one list.
            members = self.client.members(MemberQuery(q=text), limit=SEARCH_LIMIT)
            buyers = self.client.members(
                MemberQuery(q=text, kind=schemas.MemberKind.PAST_BUYER), limit=SEARCH_LIMIT
            )
            return members.model_copy(update={"items": members.items + buyers.items})

        BackendOp(parent=self, op=both_kinds, success=arrived).failure(self.failed.emit).busy(
            self.busy_changed.emit
        ).run()

    def _not_picked(self, rows: list[schemas.MemberRow]) -> list[schemas.MemberRow]:
        picked = {account.id for account in self.accounts}
        return [row for row in rows if row.id not in picked]

    def add(self, row: schemas.MemberRow) -> bool:
        """Pick ``row``; False when five are picked already (or it is picked)."""
        if len(self.accounts) >= MAX_ACCOUNTS or any(a.id == row.id for a in self.accounts):
            return False
        self.accounts.append(row)
        if self.primary_id is None:
            self.primary_id = row.id
        self._changed()
        return True

    def remove(self, member_id: int) -> None:
        self.accounts = [a for a in self.accounts if a.id != member_id]
        if self.primary_id == member_id:
            self.primary_id = self.accounts[0].id if self.accounts else None
        self._changed()

    def set_primary(self, member_id: int) -> None:
        if any(a.id == member_id for a in self.accounts) and self.primary_id != member_id:
            self.primary_id = member_id
            self._changed()

    @property
    def full(self) -> bool:
        return len(self.accounts) >= MAX_ACCOUNTS

    def _changed(self) -> None:
        self.request = None
        self.preview_result = None
        self.accounts_changed.emit()

    # --- preview and merge ------------------------------------------------------------------------

    def preview(
        self, points_delta: int, points_expires_at: datetime | None, description: str | None
    ) -> None:
        """Ask what the merge would do: the dialog checked the fields, the backend decides."""
        primary = self.primary_id
        if primary is None or len(self.accounts) < 2:
            return
        request = schemas.MergeRequest(
            primary_id=primary,
            member_ids=[a.id for a in self.accounts if a.id != primary],
            points_delta=points_delta or None,
            points_expires_at=points_expires_at,
            description=description or None,
        )

        def arrived(result: schemas.MergePreview) -> None:
            if self.request is request:
                self.preview_result = result
                self.previewed.emit(result)

        self.request = request
        self.preview_result = None
        BackendOp(
            parent=self, op=lambda: self.client.merge_preview(request), success=arrived
        ).failure(self.failed.emit).busy(self.busy_changed.emit).run()

    def merge(self) -> None:
        """The merge as previewed: irreversible; refused (``preview_stale``) if anything changed."""
        request, preview = self.request, self.preview_result
        if request is None or preview is None:
            return
        confirm = schemas.MergeConfirm(
            **request.model_dump(exclude_unset=True), preview_id=preview.preview_id
        )

        def refused(error: ApiError) -> None:
            if error.code == "preview_stale":  # a new preview is needed before merging
                self.preview_result = None
            self.failed.emit(error)

        BackendOp(
            parent=self, op=lambda: self.client.merge_members(confirm), success=self.merged.emit
        ).failure(refused).busy(self.busy_changed.emit).run()
