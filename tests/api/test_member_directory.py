"""The member list for managers (GET /members): each filter, q in its forms, sorts and keyset
pages, roles and masking, over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from omo_backend.models import (
    Consent,
    Customer,
    Level,
    Order,
    RetiredIdentifier,
    Store,
    utcnow,
)
from tests.support.directory import Shop, add_customer, shop

__all__ = ["shop"]

PHONE = "+886912345678"


def listing(shop: Shop, **params: Any) -> dict[str, Any]:
    reply = shop.manager.get("/api/v1/members", params=params)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def ids(shop: Shop, **params: Any) -> list[int]:
    return [row["id"] for row in listing(shop, **params)["items"]]


def test_counter_staff_never_see_the_list(shop: Shop):
    for path in ("/api/v1/members", "/api/v1/members?cursor=%%%", "/api/v1/members?limit=0"):
        reply = shop.staff.get(path)
        assert reply.status_code == 403, reply.text
        assert reply.json()["error"]["code"] == "forbidden"
    assert shop.admin.get("/api/v1/members").status_code == 200


def test_rows_are_masked_and_carry_the_referral(shop: Shop):
    now = utcnow()
    mei = add_customer(
        shop.backend,
        name="Mei Lin",
        phone=PHONE,
        email="mei.lin@example.com",
        store="KHH01",
        staff="1002",
        level=None,
        net_spend=12300,
        orders_count=2,
        open_cart_at=now - timedelta(days=1),
        line_user_id="U123",
        points=40,
    )
    body = listing(shop)
    assert body["total"] == 1
    assert body["total_exact"] is True
    assert body["next_cursor"] is None
    (row,) = body["items"]
    assert row["id"] == mei
    assert row["name"] == "Mei Lin"
    assert row["phone_masked"] == "+886 9•••••678"
    assert row["email_masked"] == "m••••••@e••••••.com"
    assert row["points"] == 40
    assert row["net_spend"] == 12300
    assert row["orders_count"] == 2
    assert row["open_cart"] is True
    assert row["line_bound"] is True
    assert row["referral"]["store"]["code"] == "KHH01"
    assert row["referral"]["staff"]["name"] == "Cai"
    reply = shop.manager.get("/api/v1/members")
    assert "912345678" not in reply.text
    assert "mei.lin@" not in reply.text


def test_each_filter(shop: Shop):
    now = utcnow()
    b = shop.backend
    old = now - timedelta(days=30)
    a = add_customer(
        b, name="A", joined=old, level="gold", net_spend=100, store="TPE01", staff="1001"
    )
    c = add_customer(b, name="C", joined=now - timedelta(days=2), level="silver", net_spend=500)
    d = add_customer(
        b, name="D", joined=old, net_spend=1000, store="KHH01", staff="1001", line_user_id="U1"
    )
    e = add_customer(
        b,
        name="E",
        joined=now - timedelta(days=60),
        open_cart_at=now - timedelta(days=1),
        store="KHH01",
        staff="1002",
    )
    stale_cart = add_customer(b, name="F", joined=old, open_cart_at=now - timedelta(days=9))
    buyer = add_customer(b, name="G", is_member=False, orders_count=1, net_spend=700)
    add_customer(b, name="H", is_member=False)  # no orders: neither member nor past buyer
    merged = add_customer(b, name="M", joined=old)
    erased = add_customer(b, name=None, joined=old, erased_at=now)
    with b.db.transaction() as session:
        session.get_one(Customer, merged).merged_into_id = a

    members = {a, c, d, e, stale_cart}
    assert set(ids(shop)) == members
    assert merged not in ids(shop)
    assert erased not in ids(shop)
    assert ids(shop, kind="past_buyer") == [buyer]
    assert ids(shop, level="gold") == [a]
    assert ids(shop, level="nope") == []
    assert ids(shop, status="new_7d") == [c]
    assert ids(shop, status="open_cart") == [e]
    assert set(ids(shop, spend_min=500)) == {c, d}
    assert set(ids(shop, spend_max=500)) == {a, c, e, stale_cart}
    assert ids(shop, spend_min=500, spend_max=500) == [c]
    assert ids(shop, store="TPE01") == [a]
    assert set(ids(shop, store="KHH01")) == {d, e}
    assert ids(shop, store="NOPE") == []
    assert set(ids(shop, staff="1001")) == {a, d}
    assert ids(shop, staff="1001", store="KHH01") == [d]
    assert ids(shop, staff="1002") == [e]
    assert ids(shop, line="true") == [d]
    assert set(ids(shop, line="false")) == members - {d}
    day = (now - timedelta(days=30)).date()
    assert set(ids(shop, joined_from=day.isoformat(), joined_to=day.isoformat())) <= {
        a,
        d,
        stale_cart,
    }
    assert set(ids(shop, joined_from=(now - timedelta(days=45)).date().isoformat())) == {
        a,
        c,
        d,
        stale_cart,
    }
    assert set(ids(shop, joined_to=(now - timedelta(days=45)).date().isoformat())) == {e}
    assert ids(shop, kind="past_buyer", spend_min=701) == []


@pytest.mark.parametrize(
    "q",
    [
        "mei",
        "MEI",
        "ei li",
        "Lin",
        "0912-345-678",
        "0912345678",
        "+886 912 345 678",
        "+886912345678",
        "912345678",
        "345",
        "mei.lin@",
        "EXAMPLE.COM",
    ],
)
def test_q_finds_name_parts_phone_forms_and_email(shop: Shop, q: str):
    mei = add_customer(shop.backend, name="Mei Lin", phone=PHONE, email="mei.lin@example.com")
    add_customer(shop.backend, name="Other", phone="+886922000111", email="o@other.tw")
    assert ids(shop, q=q) == [mei]


def test_q_short_and_chinese_and_special_characters(shop: Shop):
    b = shop.backend
    wang = add_customer(b, name="王小明", phone="+886933111222")
    chen = add_customer(b, name="陳美玲")
    percent = add_customer(b, name="100% Cotton_Fan")
    assert ids(shop, q="王") == [wang]
    assert ids(shop, q="美玲") == [chen]
    assert ids(shop, q="陳美") == [chen]
    assert ids(shop, q="小明") == [wang]
    assert ids(shop, q="CO") == [percent]
    assert ids(shop, q="10") == [percent]
    assert ids(shop, q="美明") == []
    assert ids(shop, q="陳美玲") == [chen]
    assert ids(shop, q="%") == [percent]
    assert ids(shop, q="_fan") == [percent]
    assert ids(shop, q='"') == []
    assert ids(shop, q='x" OR "') == []


def test_q_follows_changes_and_leaves_merged_and_erased_out(shop: Shop):
    b = shop.backend
    mei = add_customer(b, name="Mei Lin", phone=PHONE)
    gone = add_customer(b, name="Mei Gone")
    assert set(ids(shop, q="mei")) == {mei, gone}
    with b.db.transaction() as session:
        row = session.get_one(Customer, mei)
        row.name = "Amy Wu"
        row.email = "amy@example.com"
        session.get_one(Customer, gone).erased_at = utcnow()
    assert ids(shop, q="mei") == []
    assert ids(shop, q="amy wu") == [mei]
    assert ids(shop, q="amy@example") == [mei]
    assert ids(shop, q="0912345678") == [mei]


SORTS = [
    "-member_since",
    "member_since",
    "name",
    "-name",
    "net_spend",
    "-net_spend",
    "orders_count",
    "-orders_count",
]


@pytest.mark.parametrize("sort", SORTS)
def test_cursor_pages_have_no_duplicates_or_gaps(shop: Shop, sort: str):
    now = utcnow()
    made: list[dict[str, Any]] = []
    for i in range(23):
        fields = {
            # Ties on purpose: every sort value is shared by several rows.
            "joined": now - timedelta(days=i % 4),
            "name": None if i % 5 == 0 else f"name {i % 3}",
            "net_spend": (i % 3) * 100,
            "orders_count": i % 2,
        }
        made.append({"id": add_customer(shop.backend, **fields), **fields})
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"sort": sort, "limit": 5}
        if cursor:
            params["cursor"] = cursor
        body = listing(shop, **params)
        assert body["total"] == 23
        seen += [row["id"] for row in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    field = {"member_since": "joined"}.get(sort.lstrip("-"), sort.lstrip("-"))
    descending = sort.startswith("-")
    with_value = [m for m in made if m[field] is not None]
    without = [m for m in made if m[field] is None]
    expected = sorted(with_value, key=lambda m: (m[field], m["id"]), reverse=descending)
    expected += sorted(without, key=lambda m: m["id"], reverse=descending)
    assert seen == [m["id"] for m in expected]


def test_a_bad_or_foreign_cursor_is_refused(shop: Shop):
    for i in range(3):
        add_customer(shop.backend, name=f"n{i}")
    cursor = listing(shop, limit=1)["next_cursor"]
    assert cursor
    for params in (
        {"cursor": cursor, "sort": "name"},
        {"cursor": "AAAA"},
        {"cursor": "bm90IGpzb24"},
        {"cursor": "WyItbWVtYmVyX3NpbmNlIiwgMCwgIngiLCAxXQ"},
    ):
        reply = shop.manager.get("/api/v1/members", params=params)
        assert reply.status_code == 422, reply.text
        assert reply.json()["error"]["code"] in {"invalid_cursor", "validation_error"}
    reply = shop.manager.get("/api/v1/members", params={"limit": 201})
    assert reply.status_code == 422


def test_total_is_exact_up_to_the_cap(shop: Shop, monkeypatch: pytest.MonkeyPatch):
    from omo_backend.directory import query

    monkeypatch.setattr(query, "MEMBER_TOTAL_CAP", 4)
    for i in range(6):
        add_customer(shop.backend, name=f"n{i}")
    body = listing(shop, limit=2)
    assert (body["total"], body["total_exact"]) == (4, False)
    body = listing(shop, q="n1")
    assert (body["total"], body["total_exact"]) == (1, True)


# --- the overview ---------------------------------------------------------------------------


def test_overview_counts_members_by_level_and_referral_store(shop: Shop):
    now = utcnow()
    b = shop.backend
    with b.db.transaction() as session:
        session.add_all(
            [
                Level(code="silver", name_en="Silver", name_zh_TW="銀卡", rank=0),
                Level(code="gold", name_en="Gold", name_zh_TW="金卡", rank=1),
            ]
        )
    old = now - timedelta(days=30)
    add_customer(b, name="a", level="gold", store="TPE01", joined=old)
    add_customer(b, name="b", level="gold", store="KHH01", staff="1001")
    add_customer(b, name="c", store="KHH01", joined=old)
    add_customer(b, name="d", joined=old)
    add_customer(b, name="buyer", is_member=False, orders_count=3)
    add_customer(b, name=None, level="gold", store="TPE01", erased_at=now)
    merged = add_customer(b, name="m", store="KHH01", joined=old)
    # Merged and erased, counted out once; a past buyer merged away was never counted in.
    both = add_customer(b, name=None, level="gold", store="KHH01", erased_at=now)
    buyer = add_customer(b, name="old buyer", is_member=False, orders_count=1)
    with b.db.transaction() as session:
        for gone in (merged, both, buyer):
            session.get_one(Customer, gone).merged_into_id = 1
    reply = shop.manager.get("/api/v1/members/overview")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["total"] == 4
    assert body["new_7d"] == 1
    assert body["by_level"] == [
        {"level": "silver", "members": 0},
        {"level": "gold", "members": 2},
        {"level": None, "members": 2},
    ]
    assert body["by_store"] == [
        {"store": "KHH01", "store_name": "高雄店", "members": 2},
        {"store": "TPE01", "store_name": "台北總店", "members": 1},
        {"store": None, "store_name": None, "members": 1},
    ]
    assert shop.staff.get("/api/v1/members/overview").status_code == 403


# --- one member ---------------------------------------------------------------------------


def test_one_member_with_profile_consents_and_orders_summary(shop: Shop):
    now = utcnow()
    b = shop.backend
    mei = add_customer(
        b,
        name="Mei",
        phone=PHONE,
        email="mei@example.com",
        store="TPE01",
        staff="1001",
        net_spend=900,
        orders_count=1,
        birthday=date(1990, 5, 17),
        points=12,
    )
    with b.db.transaction() as session:
        store_id = session.scalar(select(Store.id).where(Store.code == "TPE01"))
        assert store_id is not None
        session.add(Order(customer_id=mei, store_id=store_id, amount=900, created_at=now))
        session.add(
            Consent(
                customer_id=mei,
                purpose="marketing",
                granted=True,
                text_shown="ok",
                locale="zh_TW",
                channel="register_page",
            )
        )
    reply = shop.manager.get(f"/api/v1/members/{mei}")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["name"] == "Mei"
    assert body["phone_masked"] == "+886 9•••••678"
    assert body["birthday"] == "1990-05-17"
    assert body["points"] == 12
    assert body["merged_into_id"] is None
    assert body["erased_at"] is None
    assert body["referral"]["store"]["code"] == "TPE01"
    assert body["orders"]["count"] == 1
    assert body["orders"]["net_spend"] == 900
    assert body["orders"]["last_order_at"] is not None
    assert [c["purpose"] for c in body["consents"]] == ["marketing"]
    assert "912345678" not in reply.text
    orders = shop.manager.get(f"/api/v1/members/{mei}/orders").json()
    assert [o["amount"] for o in orders["items"]] == [900]
    assert orders["next_cursor"] is None


def test_a_merged_account_answers_with_where_it_went(shop: Shop):
    b = shop.backend
    primary = add_customer(b, name="Primary")
    merged = add_customer(b, name="Merged")
    with b.db.transaction() as session:
        session.get_one(Customer, merged).merged_into_id = primary
    reply = shop.manager.get(f"/api/v1/members/{merged}")
    assert reply.status_code == 200, reply.text
    assert reply.json()["merged_into_id"] == primary
    reply = shop.manager.http.patch(
        b.url(f"/api/v1/members/{merged}"), json={"name": "X"}, timeout=40
    )
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "member_merged"


def test_unknown_members_and_roles(shop: Shop):
    for path in ("", "/orders", "/audit"):
        reply = shop.manager.get(f"/api/v1/members/424242{path}")
        assert reply.status_code == 404, reply.text
        assert reply.json()["error"]["code"] == "member_not_found"
        assert shop.staff.get(f"/api/v1/members/424242{path}").status_code == 403
    reply = shop.staff.http.patch(
        shop.backend.url("/api/v1/members/424242"), json={"name": "X"}, timeout=40
    )
    assert reply.status_code == 403


def patch(shop: Shop, member_id: int, body: dict[str, Any]) -> Any:
    return shop.manager.http.patch(
        shop.backend.url(f"/api/v1/members/{member_id}"), json=body, timeout=40
    )


def test_patch_changes_the_profile_and_the_audit_trail_shows_before_and_after(shop: Shop):
    b = shop.backend
    with b.db.transaction() as session:
        session.add(Level(code="gold", name_en="Gold", name_zh_TW="金卡", rank=0))
    mei = add_customer(b, name="Mei", phone=PHONE, email="mei@example.com")
    reply = patch(shop, mei, {"name": "Mei Lin", "level": "gold", "birthday": "1991-02-03"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["name"], body["level"], body["birthday"]) == ("Mei Lin", "gold", "1991-02-03")
    # The search line follows the new name.
    assert ids(shop, q="mei lin") == [mei]
    reply = patch(shop, mei, {"email": "  MEI.LIN@Example.com ", "level": None})
    assert reply.status_code == 200, reply.text
    assert reply.json()["email_masked"] == "m••••••@e••••••.com"
    assert reply.json()["level"] is None
    assert ids(shop, q="mei.lin@example") == [mei]
    # Nothing changed: nothing audited.
    assert patch(shop, mei, {"name": "Mei Lin"}).status_code == 200
    trail = shop.manager.get(f"/api/v1/members/{mei}/audit").json()
    assert [e["action"] for e in trail["items"]] == ["member.updated", "member.updated"]
    newest, first = trail["items"]
    assert first["details"] == {
        "before": {"name": "Mei", "level": None, "birthday": None},
        "after": {"name": "Mei Lin", "level": "gold", "birthday": "1991-02-03"},
    }
    assert newest["details"] == {
        "before": {"email": "mei@example.com", "level": "gold"},
        "after": {"email": "mei.lin@example.com", "level": None},
    }
    assert newest["staff"]["code"] == "2001"
    assert newest["store"] == "TPE01"
    assert newest["device_name"]
    page = shop.manager.get(f"/api/v1/members/{mei}/audit", params={"limit": 1}).json()
    assert [e["id"] for e in page["items"]] == [newest["id"]]
    rest = shop.manager.get(
        f"/api/v1/members/{mei}/audit", params={"limit": 1, "cursor": page["next_cursor"]}
    ).json()
    assert [e["id"] for e in rest["items"]] == [first["id"]]
    assert rest["next_cursor"] is None


def test_patch_refusals(shop: Shop):
    b = shop.backend
    mei = add_customer(b, name="Mei", phone=PHONE, email="mei@example.com")
    add_customer(b, name="Amy", email="amy@example.com")
    with b.db.transaction() as session:
        session.add(RetiredIdentifier(kind="email", value="old@example.com", customer_id=mei))
    cases = [
        ({"email": "AMY@example.com"}, 409, "identifier_taken"),
        ({"email": "old@example.com"}, 409, "identifier_retired"),
        ({"email": "not an address"}, 422, "invalid_email"),
        ({"level": "platinum"}, 422, "unknown_level"),
        ({"name": None}, 422, "field_required"),
        ({"email": None}, 422, "field_required"),
        (
            {"birthday": (utcnow() + timedelta(days=3)).date().isoformat()},
            422,
            "birthday_out_of_range",
        ),
    ]
    for body, status, code in cases:
        reply = patch(shop, mei, body)
        assert reply.status_code == status, (body, reply.text)
        assert reply.json()["error"]["code"] == code, body
    # The phone is never changed here: the field is not read.
    reply = patch(shop, mei, {"phone": "+886922333444"})
    assert reply.status_code == 200
    with b.db.transaction(write=False) as session:
        assert session.get_one(Customer, mei).phone == PHONE


def test_days_are_iso_and_the_fixed_paths_are_no_members(shop: Shop):
    for bad in ("0", "20240101", "2024-02-30"):
        reply = shop.manager.get("/api/v1/members", params={"joined_to": bad})
        assert reply.status_code == 422, (bad, reply.text)
    for day in ("0001-01-01", "9999-12-31"):
        reply = shop.manager.get("/api/v1/members", params={"joined_from": day, "joined_to": day})
        assert reply.status_code == 200, reply.text
    reply = shop.manager.http.patch(
        shop.backend.url("/api/v1/members/overview"), json={"name": "x"}, timeout=40
    )
    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET"
    reply = patch(shop, add_customer(shop.backend), {"birthday": "0729-06-13"})
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "birthday_out_of_range"
