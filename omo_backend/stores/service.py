"""Stores: the merchant's branches."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client.schemas import StorePageSettings
from omo_backend.errors import Conflict, NotFound
from omo_backend.models import Store


def get_by_code_or_raise(*, session: Session, code: str) -> Store:
    store = session.scalar(select(Store).where(Store.code == code))
    if store is None:
        raise NotFound(f"No store with code {code}.", code="store_not_found")
    return store


def create(
    *, session: Session, code: str, name: str, locale: str = "zh_TW", timezone: str = "Asia/Taipei"
) -> Store:
    if session.scalar(select(Store.id).where(Store.code == code)) is not None:
        raise Conflict(f"Store {code} exists already.", code="store_exists")
    store = Store(code=code, name=name, locale=locale, timezone=timezone)
    session.add(store)
    session.flush()
    return store


def update_page_settings(*, session: Session, store: Store, settings: StorePageSettings) -> Store:
    """Sets what the customers' pages show of ``store``: the fields ``settings`` was given."""
    for field in sorted(settings.model_fields_set):
        setattr(store, field, getattr(settings, field))
    session.flush()
    return store
