"""Integration API keys: made, listed and revoked by the operator, checked on each call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from omo_backend import audit, security
from omo_backend.actor import Actor
from omo_backend.errors import NotFound, Unauthorized, ValidationFailed
from omo_backend.models import ApiKey, utcnow
from omo_backend.models.base import find_by_id

# What a key may be given; an endpoint names the one it needs (deps.require_scope).
SCOPES = frozenset({"orders:write"})
# last_used_at is written at most this often per key: a busy POS is not a write per call.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Integration:
    """Who is calling when an API key is: the key's id, name, prefix and scopes."""

    api_key_id: int
    name: str
    prefix: str
    scopes: frozenset[str]


def parse_scopes(text: str) -> frozenset[str]:
    scopes = frozenset(part for part in text.replace(",", " ").split() if part)
    unknown = sorted(scopes - SCOPES)
    if not scopes or unknown:
        named = ", ".join(unknown) or "(none given)"
        raise ValidationFailed(
            f"Unknown scope {named}; known: {', '.join(sorted(SCOPES))}.",
            code="invalid_scope",
        )
    return scopes


def create(
    *, session: Session, name: str, scopes: frozenset[str], actor: Actor | None = None
) -> tuple[ApiKey, str]:
    """A new key and the key itself, which is not kept: the caller shows it once."""
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise ValidationFailed("A key's name is 1 to 100 characters.", code="invalid_name")
    key = security.new_api_key()
    row = ApiKey(
        name=clean,
        prefix=key[: security.API_KEY_PREFIX_LENGTH],
        key_hash=security.hash_token(key),
        scopes=" ".join(sorted(scopes)),
    )
    session.add(row)
    session.flush()
    _audit(session, row, "api_key.created", {"name": row.name, "scopes": row.scopes}, actor)
    return row, key


def list_keys(*, session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def get_or_raise(*, session: Session, prefix_or_id: str) -> ApiKey:
    text = prefix_or_id.strip()
    row = None
    if text.isdigit() and len(text) < 19:
        row = find_by_id(session, ApiKey, int(text))
    elif text:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == text))
    if row is None:
        raise NotFound(f"No API key {text}.", code="api_key_not_found")
    return row


def revoke(*, session: Session, row: ApiKey, actor: Actor | None = None) -> None:
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    _audit(session, row, "api_key.revoked", {"before": "active", "after": "revoked"}, actor)


def _audit(
    session: Session,
    row: ApiKey,
    action: str,
    details: dict[str, object],
    actor: Actor | None,
) -> None:
    """An action on a key, named by its prefix: an admin in the app, or the operator's CLI
    (no staff, no device)."""
    audit.record(
        session=session,
        action=action,
        store_id=actor.store_id if actor else None,
        staff_id=actor.staff_id if actor else None,
        device_id=actor.device_id if actor else None,
        subject_type="api_key",
        subject_id=row.id,
        details={"prefix": row.prefix} | details,
    )


def authenticate_or_raise(*, session: Session, key: str) -> tuple[Integration, bool]:
    """The integration a key belongs to, and whether its last use is due to be written."""
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == security.hash_token(key)))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("Unknown or revoked API key.", code="invalid_api_key")
    stale = row.last_used_at is None or utcnow() - row.last_used_at >= TOUCH_EVERY
    return Integration(row.id, row.name, row.prefix, frozenset(row.scopes.split())), stale


def touch(*, session: Session, api_key_id: int) -> None:
    row = session.get(ApiKey, api_key_id)
    if row is not None:
        row.last_used_at = utcnow()
