"""Points rules, whatever the sequence of grants, deductions and passing time:
- the balance never goes negative, and is the sum of what is left of the unexpired grants;
- a deduction larger than the balance is refused and changes nothing;
- grants are spent earliest-expiring first (no expiry last), and expired ones never.

Checked against a naive model that spends one point at a time from the grant that expires
first, so the rule is written twice, differently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omo_backend.members.points import Grant, InsufficientPoints, allocate, balance, is_live

rule = settings(derandomize=True, database=None, max_examples=300, deadline=None)
START = datetime(2026, 1, 1, tzinfo=UTC)

grant = st.tuples(
    st.just("grant"),
    st.integers(1, 50),
    st.none() | st.integers(1, 20).map(lambda h: timedelta(hours=h)),
)
deduct = st.tuples(st.just("deduct"), st.integers(1, 80), st.none())
wait = st.tuples(st.just("wait"), st.integers(1, 10).map(lambda h: timedelta(hours=h)), st.none())
steps = st.lists(st.one_of(grant, deduct, wait), max_size=40)


def naive_spend(grants: list[Grant], amount: int, now: datetime) -> dict[int, int]:
    """One point at a time, from the live grant with the earliest expiry (oldest on a tie)."""
    left = {g.id: g.remaining for g in grants}
    for _ in range(amount):
        live = [g for g in grants if is_live(g, now) and left[g.id] > 0]
        first = min(live, key=lambda g: (g.expires_at or datetime.max.replace(tzinfo=UTC), g.id))
        left[first.id] -= 1
    return left


@rule
@given(steps)
def test_any_sequence_keeps_the_rules(sequence):
    now = START
    grants: list[Grant] = []
    for kind, value, expiry in sequence:
        if kind == "wait":
            now += value
        elif kind == "grant":
            grants.append(Grant(len(grants) + 1, value, now + expiry if expiry else None))
        else:
            before = balance(grants, now)
            snapshot = [(g.id, g.remaining) for g in grants]
            if value > before:
                with pytest.raises(InsufficientPoints) as refused:
                    allocate(grants, value, now)
                assert refused.value.details == {"balance": before, "requested": value}
                assert [(g.id, g.remaining) for g in grants] == snapshot
                continue
            expected = naive_spend(grants, value, now)
            by_id = {g.id: g for g in grants}
            taken = allocate(grants, value, now)
            assert sum(t for _, t in taken) == value
            assert all(t > 0 for _, t in taken)
            for grant_id, take in taken:
                assert is_live(by_id[grant_id], now), "an expired grant was spent"
                by_id[grant_id].remaining -= take
            assert {g.id: g.remaining for g in grants} == expected
            assert balance(grants, now) == before - value
        assert all(g.remaining >= 0 for g in grants)
        assert balance(grants, now) >= 0
        assert balance(grants, now) == sum(g.remaining for g in grants if is_live(g, now))


def test_earliest_expiring_first_and_no_expiry_last():
    now = START
    grants = [
        Grant(1, 10, None),
        Grant(2, 10, now + timedelta(days=30)),
        Grant(3, 10, now + timedelta(days=1)),
        Grant(4, 10, now - timedelta(seconds=1)),
    ]
    assert balance(grants, now) == 30
    assert allocate(grants, 25, now) == [(3, 10), (2, 10), (1, 5)]


def test_a_grant_expires_at_its_very_instant():
    at = START + timedelta(days=1)
    grants = [Grant(1, 10, at)]
    assert balance(grants, at - timedelta(microseconds=1)) == 10
    assert balance(grants, at) == 0
    with pytest.raises(InsufficientPoints):
        allocate(grants, 1, at)
