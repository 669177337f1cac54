"""The database floor: the indexed phone lookup search does, without HTTP, FastAPI or the ORM."""

from __future__ import annotations

import time

from sqlalchemy import bindparam, select

from omo_backend.db import make_engine
from omo_backend.models import Customer


def phone_lookups(url: str, phones: list[str], *, warmup: int = 200) -> tuple[list[float], float]:
    """Latency of each ``SELECT … FROM customer WHERE phone = :p``, and the wall time.

    Each lookup checks a connection out of the pool and runs in its own transaction, as a
    request's read does (on SQLite that is a ``BEGIN``; see omo_backend/db.py).
    """
    engine = make_engine(url, pool_size=1)
    table = Customer.__table__
    query = select(table).where(table.c.phone == bindparam("p"))
    try:
        for phone in phones[:warmup]:
            with engine.connect() as conn:
                conn.execute(query, {"p": phone}).first()
        latencies = []
        started = time.perf_counter()
        for phone in phones[warmup:]:
            mark = time.perf_counter()
            with engine.connect() as conn:
                row = conn.execute(query, {"p": phone}).first()
            latencies.append(time.perf_counter() - mark)
            if row is None:
                raise RuntimeError("a seeded phone was not found: the seed or lookup is wrong")
        return latencies, time.perf_counter() - started
    finally:
        engine.dispose()
