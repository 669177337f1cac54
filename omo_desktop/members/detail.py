"""One member's page: profile, points, orders, audit trail; editing the profile and granting
or deducting points. Plain Python and signals: the detail pane draws what arrives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from backend_client import schemas
from backend_client.client import OmoClient, new_idempotency_key
from backend_client.errors import ApiError
from omo_desktop.workers import BackendOp

T = TypeVar("T")


class MemberDetail(QObject):
    member_loaded = Signal(object)  # Member
    points_loaded = Signal(object)  # PointsLedger
    orders_loaded = Signal(object)  # MemberOrders
    audit_loaded = Signal(object)  # MemberAudit
    load_failed = Signal(object)  # ApiError
    saved = Signal(object)  # Member
    save_failed = Signal(object)  # ApiError
    points_changed = Signal(object)  # PointsChangeResult
    points_failed = Signal(object)  # ApiError
    erased = Signal(object)  # Member: what is left of them (no personal data)
    erase_failed = Signal(object)  # ApiError
    busy_changed = Signal(bool)

    def __init__(self, client: OmoClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.member_id: int | None = None
        self.member: schemas.Member | None = None
        # The points change being sent and its key: a retry of the same change (offline, a
        # timeout) reuses the key, so it is never granted twice.
        self._points_key: tuple[schemas.PointsChange, str] | None = None

    def show(self, member_id: int) -> None:
        """Load everything about ``member_id``; answers for a member shown before are dropped."""
        self.member_id = member_id
        self.member = None
        self._points_key = None
        self._load(member_id, self.client.member, self._member_arrived)
        self._load(member_id, self.client.member_points, self.points_loaded.emit)
        self._load(member_id, self.client.member_orders, self.orders_loaded.emit)
        self._load(member_id, self.client.member_audit, self.audit_loaded.emit)

    def _load(
        self, member_id: int, call: Callable[[int], T], arrived: Callable[[T], object]
    ) -> None:
        def current(value: T) -> None:
            if self.member_id == member_id:
                arrived(value)

        def failed(error: ApiError) -> None:
            if self.member_id == member_id:
                self.load_failed.emit(error)

        BackendOp(parent=self, op=lambda: call(member_id), success=current).failure(failed).run()

    def _member_arrived(self, member: schemas.Member) -> None:
        self.member = member
        self.member_loaded.emit(member)

    def clear(self) -> None:
        self.member_id = None
        self.member = None

    def save(self, changes: schemas.MemberPatch) -> None:
        member_id = self.member_id
        if member_id is None:
            return

        def done(member: schemas.Member) -> None:
            if self.member_id == member_id:
                self.member = member
                self.saved.emit(member)
                self._load(member_id, self.client.member_audit, self.audit_loaded.emit)

        BackendOp(
            parent=self, op=lambda: self.client.update_member(member_id, changes), success=done
        ).failure(self.save_failed.emit).busy(self.busy_changed.emit).run()

    def change_points(self, delta: int, reason: str, expires_at: datetime | None) -> None:
        member_id = self.member_id
        if member_id is None:
            return
        change = schemas.PointsChange(delta=delta, reason=reason, expires_at=expires_at)
        if self._points_key is None or self._points_key[0] != change:
            self._points_key = (change, new_idempotency_key())
        key = self._points_key[1]

        def done(result: schemas.PointsChangeResult) -> None:
            self._points_key = None
            if self.member_id == member_id:
                self.points_changed.emit(result)
                self._load(member_id, self.client.member_points, self.points_loaded.emit)
                self._load(member_id, self.client.member_audit, self.audit_loaded.emit)
                self._load(member_id, self.client.member, self._member_arrived)

        BackendOp(
            parent=self,
            op=lambda: self.client.change_points(member_id, change, idempotency_key=key),
            success=done,
        ).failure(self.points_failed.emit).busy(self.busy_changed.emit).run()

    def erase(self, reason: str) -> None:
        """Erase the member shown, on their request (an admin): irreversible, audited."""
        member_id = self.member_id
        if member_id is None:
            return

        def done(member: schemas.Member) -> None:
            if self.member_id == member_id:
                self.member = member
            self.erased.emit(member)

        BackendOp(
            parent=self, op=lambda: self.client.erase_member(member_id, reason), success=done
        ).failure(self.erase_failed.emit).busy(self.busy_changed.emit).run()
