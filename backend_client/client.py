"""``OmoClient``: the backend's HTTP API as typed methods (no Qt; called off the UI thread).

One ``requests.Session`` (connection reuse), a timeout on every call, and retries only where a
retry cannot do anything twice: reads, and writes that carry an ``Idempotency-Key``. The key is
made once per staff tap by the caller (``new_idempotency_key()``) and reused on every retry,
also after an app restart, so a tap is never sent or billed twice.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, Literal, TypeVar

import requests
from pydantic import BaseModel, RootModel
from requests.adapters import HTTPAdapter

from backend_client import schemas
from backend_client.errors import ApiError, OfflineError, ServerError, from_response

M = TypeVar("M", bound=BaseModel)
Auth = Literal["session", "device", "none"]

_RETRY_STATUSES = {502, 503, 504}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


@dataclasses.dataclass(frozen=True)
class MemberQuery:
    """The member list's filters (API.md "Member management") as the app sends them; None:
    not filtered by it. The server reads them into its own ``Filters`` (omo_backend.directory,
    which this package may not import); the wire enums are shared."""

    q: str = ""
    kind: schemas.MemberKind = schemas.MemberKind.MEMBER
    level: str | None = None
    status: schemas.MemberStatusFilter | None = None
    spend_min: int | None = None
    spend_max: int | None = None
    store: str | None = None
    staff: str | None = None
    line: bool | None = None
    joined_from: date | None = None
    joined_to: date | None = None
    sort: schemas.MemberSort | None = None

    def params(self) -> dict[str, str]:
        """The query string, without the filters not set."""
        out: dict[str, str] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                out[field.name] = "true" if value else "false"
            elif isinstance(value, date):
                out[field.name] = value.isoformat()
            else:
                out[field.name] = str(value)
        return out


class OmoClient:
    def __init__(
        self,
        base_url: str,
        *,
        device_token: str | None = None,
        session_token: str | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 15.0,
        retries: int = 2,
        backoff_seconds: float = 0.25,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.device_token = device_token
        self.session_token = session_token
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._retries = retries
        self._backoff = backoff_seconds
        self._http = requests.Session()
        # A counter runs a long-poll beside its other calls: keep a few connections.
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=8)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)
        self._http.headers["User-Agent"] = "omo-counter/0.1"

    def close(self) -> None:
        self._http.close()

    # --- transport -------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        model: type[M] | None,
        *,
        auth: Auth = "session",
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        read_timeout: float | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> M | None:
        headers: dict[str, str] = {}
        token = {"session": self.session_token, "device": self.device_token, "none": None}[auth]
        if auth != "none":
            if not token:
                raise ApiError("not_logged_in", "Log in first.")
            headers["Authorization"] = f"Bearer {token}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        safe = method == "GET" or idempotency_key is not None
        attempts = 1 + (self._retries if safe else 0)
        timeout = (self._connect_timeout, read_timeout or self._read_timeout)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                reply = self._http.request(
                    method,
                    self.base_url + path,
                    json=json,
                    params=params,
                    headers=headers,
                    timeout=timeout,
                    files=files,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last:
                    raise OfflineError(
                        "offline",
                        "The backend can't be reached.",
                        details={"cause": type(exc).__name__},
                    ) from exc
                time.sleep(self._backoff * 2**attempt)
                continue
            if reply.status_code in _RETRY_STATUSES and not last:
                time.sleep(self._backoff * 2**attempt)
                continue
            return self._parse(reply, model)
        raise AssertionError("unreachable")

    @staticmethod
    def _parse(reply: requests.Response, model: type[M] | None) -> M | None:
        if reply.status_code >= 400:
            try:
                body = reply.json()
            except ValueError:
                body = None
            raise from_response(reply.status_code, body, reply.headers.get("Retry-After"))
        if model is None:
            return None
        try:
            return model.model_validate_json(reply.content)
        except ValueError as exc:
            raise ServerError("bad_reply", "The backend's reply could not be read.") from exc

    def _get(self, path: str, model: type[M], **kwargs: Any) -> M:
        result = self._call("GET", path, model, **kwargs)
        assert result is not None
        return result

    def _post(self, path: str, model: type[M], **kwargs: Any) -> M:
        result = self._call("POST", path, model, **kwargs)
        assert result is not None
        return result

    # --- devices and staff -----------------------------------------------------------------

    def health(self) -> schemas.Health:
        return self._get("/api/v1/health", schemas.Health, auth="none")

    def enroll(self, enrollment_code: str, device_name: str) -> schemas.EnrollResponse:
        reply = self._post(
            "/api/v1/devices/enroll",
            schemas.EnrollResponse,
            auth="none",
            json={"enrollment_code": enrollment_code, "device_name": device_name},
        )
        self.device_token = reply.device_token
        return reply

    def login(self, staff_code: str, pin: str) -> schemas.StaffLoginResponse:
        reply = self._post(
            "/api/v1/staff/login",
            schemas.StaffLoginResponse,
            auth="device",
            json={"staff_code": staff_code, "pin": pin},
        )
        self.session_token = reply.session_token
        return reply

    def logout(self) -> None:
        try:
            self._call("POST", "/api/v1/staff/logout", None)
        finally:
            self.session_token = None

    # --- counter flow ----------------------------------------------------------------------

    def search_customers(
        self, *, phone: str | None = None, email: str | None = None, name: str | None = None
    ) -> schemas.CustomerSearchResult:
        query = {k: v for k, v in (("phone", phone), ("email", email), ("name", name)) if v}
        return self._get("/api/v1/customers/search", schemas.CustomerSearchResult, params=query)

    def record_order(self, order: schemas.OrderCreate) -> schemas.OrderOut:
        return self._post("/api/v1/orders", schemas.OrderOut, json=order.model_dump(mode="json"))

    def create_invitation(self, phone: str, *, idempotency_key: str) -> schemas.Invitation:
        return self._post(
            "/api/v1/invitations",
            schemas.Invitation,
            json={"phone": phone},
            idempotency_key=idempotency_key,
        )

    def get_invitation(
        self,
        invitation_id: int,
        *,
        wait: float = 0,
        known_status: schemas.InvitationStatus | None = None,
    ) -> schemas.Invitation:
        return self._get(
            f"/api/v1/invitations/{invitation_id}",
            schemas.Invitation,
            params=_wait_params(wait, known_status),
            read_timeout=wait + self._read_timeout,
        )

    def invitation_received(self, invitation_id: int) -> schemas.Invitation:
        return self._post(f"/api/v1/invitations/{invitation_id}/received", schemas.Invitation)

    def cancel_invitation(self, invitation_id: int) -> schemas.Invitation:
        return self._post(f"/api/v1/invitations/{invitation_id}/cancel", schemas.Invitation)

    def create_binding(self, customer_id: int) -> schemas.Binding:
        return self._post("/api/v1/bindings", schemas.Binding, json={"customer_id": customer_id})

    def get_binding(
        self,
        binding_id: int,
        *,
        wait: float = 0,
        known_status: schemas.BindingStatus | None = None,
        known_line_outcome: schemas.LineOutcome | Literal["none"] | None = None,
    ) -> schemas.Binding:
        """``known_line_outcome="none"``: the caller has seen no LINE outcome yet."""
        params = _wait_params(wait, known_status)
        if known_line_outcome is not None:
            params["known_line_outcome"] = str(known_line_outcome)
        return self._get(
            f"/api/v1/bindings/{binding_id}",
            schemas.Binding,
            params=params,
            read_timeout=wait + self._read_timeout,
        )

    def send_binding_sms(self, binding_id: int, *, idempotency_key: str) -> schemas.Binding:
        return self._post(
            f"/api/v1/bindings/{binding_id}/sms", schemas.Binding, idempotency_key=idempotency_key
        )

    def cancel_binding(self, binding_id: int) -> schemas.Binding:
        return self._post(f"/api/v1/bindings/{binding_id}/cancel", schemas.Binding)

    # --- reports (manager; i12-reports) ------------------------------------------------------

    def registrations_report(
        self, first: date, last: date, *, by: schemas.ReportGrouping
    ) -> list[schemas.RegistrationRow]:
        """Members whose referral was bound from ``first`` to ``last`` (both included)."""
        params = {"from": first.isoformat(), "to": last.isoformat(), "by": by.value}
        report = self._get(
            "/api/v1/reports/registrations", schemas.RegistrationReport, params=params
        )
        return report.root

    def sms_usage_report(self, first: date, last: date) -> list[schemas.SmsUsageRow]:
        params = {"from": first.isoformat(), "to": last.isoformat()}
        return self._get("/api/v1/reports/sms-usage", schemas.SmsUsageReport, params=params).root

    # --- member management (a manager or an admin) -------------------------------------------

    def members(
        self, query: MemberQuery, *, cursor: str | None = None, limit: int = 50
    ) -> schemas.MemberList:
        params: dict[str, Any] = query.params() | {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        return self._get("/api/v1/members", schemas.MemberList, params=params)

    def members_overview(self) -> schemas.MemberOverview:
        return self._get("/api/v1/members/overview", schemas.MemberOverview)

    def member(self, member_id: int) -> schemas.Member:
        return self._get(f"/api/v1/members/{member_id}", schemas.Member)

    def update_member(self, member_id: int, changes: schemas.MemberPatch) -> schemas.Member:
        result = self._call(
            "PATCH",
            f"/api/v1/members/{member_id}",
            schemas.Member,
            json=changes.model_dump(mode="json", exclude_unset=True),
        )
        assert result is not None
        return result

    def add_member(self, member: schemas.MemberCreate) -> schemas.MemberCreated:
        return self._post(
            "/api/v1/members",
            schemas.MemberCreated,
            json=member.model_dump(mode="json", exclude_none=True),
        )

    def member_orders(self, member_id: int, *, cursor: str | None = None) -> schemas.MemberOrders:
        params = {"cursor": cursor} if cursor else None
        return self._get(f"/api/v1/members/{member_id}/orders", schemas.MemberOrders, params=params)

    def member_audit(self, member_id: int, *, cursor: str | None = None) -> schemas.MemberAudit:
        params = {"cursor": cursor} if cursor else None
        return self._get(f"/api/v1/members/{member_id}/audit", schemas.MemberAudit, params=params)

    def member_points(self, member_id: int, *, cursor: str | None = None) -> schemas.PointsLedger:
        params = {"cursor": cursor} if cursor else None
        return self._get(f"/api/v1/members/{member_id}/points", schemas.PointsLedger, params=params)

    def change_points(
        self, member_id: int, change: schemas.PointsChange, *, idempotency_key: str
    ) -> schemas.PointsChangeResult:
        return self._post(
            f"/api/v1/members/{member_id}/points",
            schemas.PointsChangeResult,
            json=change.model_dump(mode="json", exclude_none=True),
            idempotency_key=idempotency_key,
        )

    def levels(self) -> list[schemas.Level]:
        return self._get("/api/v1/levels", _LevelList).root

    def invite_past_buyers(
        self, customer_ids: list[int], *, idempotency_key: str
    ) -> schemas.InviteResult:
        return self._post(
            "/api/v1/members/invitations",
            schemas.InviteResult,
            json=schemas.InvitePastBuyers(customer_ids=customer_ids).model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    @contextmanager
    def export_members(
        self, query: MemberQuery, *, chunk_size: int = 64 * 1024
    ) -> Iterator[Iterator[bytes]]:
        """The CSV export as it streams in: ``with client.export_members(q) as chunks:``;
        leaving the block early closes the connection (the server stops writing)."""
        token = self.session_token
        if not token:
            raise ApiError("not_logged_in", "Log in first.")
        try:
            reply = self._http.get(
                self.base_url + "/api/v1/members/export.csv",
                params=query.params(),
                headers={"Authorization": f"Bearer {token}"},
                timeout=(self._connect_timeout, self._read_timeout),
                stream=True,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise OfflineError("offline", "The backend can't be reached.") from exc
        try:
            if reply.status_code >= 400:
                reply.content  # noqa: B018 (read the error body before parsing it)
                self._parse(reply, None)
            try:
                yield reply.iter_content(chunk_size=chunk_size)
            except requests.RequestException as exc:  # cut off mid-way (also a broken chunk)
                raise OfflineError("offline", "The export was cut off.") from exc
        finally:
            reply.close()

    # --- import, merge, erase (an admin; issue 13) -------------------------------------------

    def import_template(self, language: str = "en") -> bytes:
        """The sample CSV file as the backend writes it (header and two example rows), its
        header in ``language`` ("en" or "zh_TW")."""
        token = self.session_token
        if not token:
            raise ApiError("not_logged_in", "Log in first.")
        try:
            reply = self._http.get(
                self.base_url + "/api/v1/members/import/template.csv",
                params={"lang": language},
                headers={"Authorization": f"Bearer {token}"},
                timeout=(self._connect_timeout, self._read_timeout),
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise OfflineError("offline", "The backend can't be reached.") from exc
        self._parse(reply, None)
        return reply.content

    def import_members(
        self,
        content: bytes,
        *,
        file_name: str,
        mode: schemas.ImportMode,
        dry_run: bool,
        first_login: bool = False,
    ) -> schemas.ImportResult:
        """The file as it is on disk (a multipart ``file``: its name is the points' reason);
        a file with any mistake is 422 ``import_rejected`` listing them, nothing written."""
        params: dict[str, Any] = {"mode": str(mode), "dry_run": 1 if dry_run else 0}
        if first_login:
            params["first_login"] = 1
        return self._post(
            "/api/v1/members/import",
            schemas.ImportResult,
            params=params,
            files={"file": (file_name, content, "text/csv")},
        )

    def merge_preview(self, request: schemas.MergeRequest) -> schemas.MergePreview:
        return self._post(
            "/api/v1/members/merge/preview",
            schemas.MergePreview,
            json=request.model_dump(mode="json", exclude_none=True),
        )

    def merge_members(self, confirm: schemas.MergeConfirm) -> schemas.Member:
        """Irreversible; 409 ``preview_stale`` when anything changed since the preview."""
        return self._post(
            "/api/v1/members/merge",
            schemas.Member,
            json=confirm.model_dump(mode="json", exclude_none=True),
        )

    def erase_member(self, member_id: int, reason: str) -> schemas.Member:
        return self._post(
            f"/api/v1/members/{member_id}/erase",
            schemas.Member,
            json=schemas.EraseRequest(reason=reason).model_dump(mode="json"),
        )

    # --- development only --------------------------------------------------------------------

    # --- integration API keys (an admin) ----------------------------------------------------

    def api_keys(self) -> list[schemas.ApiKeyOut]:
        return self._get("/api/v1/integrations/keys", schemas.ApiKeyList).root

    def create_api_key(self, name: str) -> schemas.ApiKeyCreated:
        body = schemas.ApiKeyCreate(name=name, scopes=["orders:write"])
        return self._post(
            "/api/v1/integrations/keys", schemas.ApiKeyCreated, json=body.model_dump()
        )

    def revoke_api_key(self, key_id: int) -> schemas.ApiKeyOut:
        return self._post(f"/api/v1/integrations/keys/{key_id}/revoke", schemas.ApiKeyOut)

    def webhooks(self) -> list[schemas.WebhookEndpointOut]:
        return self._get("/api/v1/webhooks", schemas.WebhookEndpointList).root

    def create_webhook(
        self, url: str, events: list[schemas.WebhookEvent]
    ) -> schemas.WebhookEndpointWithSecret:
        body = schemas.WebhookEndpointCreate(url=url, events=events)
        return self._post(
            "/api/v1/webhooks", schemas.WebhookEndpointWithSecret, json=body.model_dump(mode="json")
        )

    def update_webhook(
        self, endpoint_id: int, change: schemas.WebhookEndpointUpdate
    ) -> schemas.WebhookEndpointOut:
        result = self._call(
            "PATCH",
            f"/api/v1/webhooks/{endpoint_id}",
            schemas.WebhookEndpointOut,
            json=change.model_dump(mode="json", exclude_none=True),
        )
        assert result is not None
        return result

    def rotate_webhook_secret(self, endpoint_id: int) -> schemas.WebhookEndpointWithSecret:
        return self._post(
            f"/api/v1/webhooks/{endpoint_id}/rotate-secret", schemas.WebhookEndpointWithSecret
        )

    def delete_webhook(self, endpoint_id: int) -> None:
        self._call("DELETE", f"/api/v1/webhooks/{endpoint_id}", None)

    def webhook_deliveries(
        self, endpoint_id: int, *, cursor: str | None = None
    ) -> schemas.WebhookDeliveryPage:
        return self._get(
            f"/api/v1/webhooks/{endpoint_id}/deliveries",
            schemas.WebhookDeliveryPage,
            params={"cursor": cursor} if cursor else None,
        )

    def dev_messages(self, *, to: str | None = None) -> schemas.DevMessageList:
        return self._get(
            "/api/v1/dev/messages",
            schemas.DevMessageList,
            auth="none",
            params={"to": to} if to else None,
        )


class _LevelList(RootModel[list[schemas.Level]]):
    pass


def _wait_params(wait: float, known_status: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if wait > 0:
        params["wait"] = wait
    if known_status is not None:
        params["known_status"] = str(known_status)
    return params
