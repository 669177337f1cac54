"""``omo-backend …``: the operator's commands (see API.md, "Operator CLI")."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from backend_client.schemas import Role
from omo_backend import migrate
from omo_backend.db import Database
from omo_backend.errors import DomainError
from omo_backend.logs import configure_logging
from omo_backend.settings import Settings


def _database(settings: Settings) -> Database:
    db = Database(settings.effective_database_url)
    migrate.upgrade(db.engine)
    return db


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    db = _database(settings)
    if args.workers > 1:
        db.dispose()
        os.environ["OMO_SERVE_DISPATCHER"] = "0" if args.no_dispatcher else "1"
        uvicorn.run(
            "omo_backend.cli:worker_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=False,
            log_config=None,
        )
        return 0
    from omo_backend.app import create_app

    app = create_app(settings, db, run_dispatcher=not args.no_dispatcher)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_config=None)
    return 0


def worker_app() -> object:
    """One API process of several (``serve --workers N``): each its own app and dispatcher."""
    from omo_backend.app import create_app

    settings = Settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    return create_app(settings, run_dispatcher=os.environ.get("OMO_SERVE_DISPATCHER") == "1")


def cmd_dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.messaging.dispatcher import run_dispatcher
    from omo_backend.webhooks.sender import sending_webhooks

    _database(settings).dispose()
    with sending_webhooks(settings):  # until run_dispatcher returns (SIGTERM)
        run_dispatcher(settings)
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _database(settings).dispose()
    print("database is at the latest schema")
    return 0


def cmd_store_add(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.stores import service

    with _database(settings).transaction() as session:
        store = service.create(
            session=session,
            code=args.code,
            name=args.name,
            locale=args.locale,
            timezone=args.timezone,
        )
        print(f"store {store.code} added (id {store.id})")
    return 0


def cmd_store_set(args: argparse.Namespace, settings: Settings) -> int:
    from pydantic import ValidationError

    from backend_client.schemas import StorePageSettings
    from omo_backend.stores import service

    given: dict[str, str | None] = {}
    for field in ("shop_url", "line_add_friend_url"):
        value = getattr(args, field)
        if value is not None:
            given[field] = value or None  # "" removes the setting
    if args.terms_file is not None:
        given["terms_text"] = _read_text(args.terms_file) if args.terms_file else None
    if not given:
        print("error: nothing to set (see --help)", file=sys.stderr)
        return 2
    try:
        page_settings = StorePageSettings.model_validate(given)
    except ValidationError as error:
        for problem in error.errors():
            field = str(problem["loc"][0]).replace("_", "-")
            print(f"error: --{field}: {problem['msg']}", file=sys.stderr)
        return 2
    with _database(settings).transaction() as session:
        store = service.get_by_code_or_raise(session=session, code=args.code)
        service.update_page_settings(session=session, store=store, settings=page_settings)
    print(f"store {args.code}: {', '.join(sorted(given))} set")
    return 0


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as text:
        return text.read().strip()


def cmd_staff_add(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.staff import service
    from omo_backend.stores import service as stores

    with _database(settings).transaction() as session:
        store = stores.get_by_code_or_raise(session=session, code=args.store)
        staff = service.create(
            session=session,
            store=store,
            code=args.code,
            name=args.name,
            role=Role(args.role),
            pin=args.pin,
        )
        print(f"staff {staff.code} ({staff.role}) added to {store.code}")
    return 0


def cmd_staff_list(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.staff import service
    from omo_backend.stores import service as stores
    from omo_backend.wire import staff_account_out

    with _database(settings).transaction(write=False) as session:
        store = stores.get_by_code_or_raise(session=session, code=args.store)
        for staff, guard in service.list_for_store(session=session, store_id=store.id):
            account = staff_account_out(staff, guard)
            state = "active" if account.active else "deactivated"
            if account.unlock_required:
                state += ", locked until unlocked"
            elif account.locked_until is not None:
                state += f", locked until {account.locked_until:%Y-%m-%d %H:%M} UTC"
            print(f"{account.code}  {account.name}  {account.role}  {state}")
    return 0


def cmd_staff_deactivate(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.staff import service
    from omo_backend.stores import service as stores

    with _database(settings).transaction() as session:
        store = stores.get_by_code_or_raise(session=session, code=args.store)
        staff = service.get_by_code_or_raise(session=session, store=store, code=args.code)
        ended = service.deactivate(session=session, staff=staff, by=None)
    # Running API processes see it when their session cache runs out (auth_cache_seconds).
    print(f"staff {args.code} of {args.store} deactivated ({len(ended)} sessions ended)")
    return 0


def cmd_staff_unlock(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.staff import service
    from omo_backend.stores import service as stores

    with _database(settings).transaction() as session:
        store = stores.get_by_code_or_raise(session=session, code=args.store)
        staff = service.get_by_code_or_raise(session=session, store=store, code=args.code)
        service.unlock(session=session, staff=staff, by=None)
    print(f"staff {args.code} of {args.store} unlocked")
    return 0


def cmd_device_list(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.devices import service
    from omo_backend.stores import service as stores
    from omo_backend.wire import device_out

    with _database(settings).transaction(write=False) as session:
        store_id = None
        if args.store:
            store_id = stores.get_by_code_or_raise(session=session, code=args.store).id
        for device in service.list_devices(session=session, store_id=store_id):
            row = device_out(device)
            seen = f"{row.last_seen_at:%Y-%m-%d %H:%M} UTC" if row.last_seen_at else "never"
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M} UTC" if row.revoked_at else "active"
            print(f"{row.id}  {row.store_code}  {row.name}  last seen {seen}  {state}")
    return 0


def cmd_device_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.devices import service

    with _database(settings).transaction() as session:
        device = service.get_or_raise(session=session, device_id=args.id)
        ended = service.revoke(session=session, device=device, by=None)
    print(f"device {args.id} revoked ({len(ended)} sessions ended)")
    return 0


def cmd_device_set(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend import audit
    from omo_backend.devices import service

    with _database(settings).transaction() as session:
        device = service.get_or_raise(session=session, device_id=args.id)
        before = device.counter_only
        device.counter_only = args.counter_only
        audit.by_actor_or_operator(
            session=session,
            actor=None,
            action="device.counter_only",
            store_id=device.store_id,
            subject_type="device",
            subject_id=device.id,
            details={"before": before, "after": args.counter_only},
        )
    shown = "the counter only" if args.counter_only else "every section the staff's role allows"
    print(f"device {args.id} shows {shown} (from the next log-in)")
    return 0


def cmd_settings_set(args: argparse.Namespace, settings: Settings) -> int:
    from pydantic import ValidationError

    from backend_client.schemas import SmsPrice
    from omo_backend.reports import pricing

    try:
        price = SmsPrice(price_per_segment=args.value, currency=args.currency)
    except ValidationError as error:
        first = error.errors()[0]
        print(f"error: {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    with _database(settings).transaction() as session:
        pricing.set_sms_price(session=session, price=price)
    print(f"{pricing.SMS_SEGMENT_PRICE}: {price.price_per_segment} {price.currency} minor units")
    return 0


def cmd_settings_show(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.reports import pricing

    with _database(settings).transaction(write=False) as session:
        price = pricing.sms_price(session)
    shown = f"{price.price_per_segment} {price.currency}" if price else "not set"
    print(f"{pricing.SMS_SEGMENT_PRICE}: {shown}")
    return 0


def _row_id(text: str) -> int:
    value = int(text)
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text} is not an id")
    return value


def cmd_enroll_code(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.devices import service
    from omo_backend.stores import service as stores

    with _database(settings).transaction() as session:
        store = stores.get_by_code_or_raise(session=session, code=args.store)
        code = service.create_enrollment_code(
            session=session, store=store, ttl_seconds=settings.enrollment_code_ttl_seconds
        )
    print(code)
    return 0


def cmd_order_add(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.orders import service
    from omo_backend.stores import service as stores

    with _database(settings).transaction() as session:
        store = stores.get_by_code_or_raise(session=session, code=args.store)
        order = service.record(
            session=session,
            caller=None,
            store_id=store.id,
            name=args.name,
            phone=args.phone,
            email=args.email,
            amount=args.amount,
            external_ref=args.ref,
            default_region=settings.default_country,
            currency=settings.currency,
        )
        print(f"order {order.id} recorded for customer {order.customer_id}")
    return 0


def cmd_apikey_create(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.integrations import service

    scopes = service.parse_scopes(args.scopes)
    with _database(settings).transaction() as session:
        row, key = service.create(session=session, name=args.name, scopes=scopes)
        prefix, scope_text = row.prefix, row.scopes
    print(key)
    print(
        f"API key {prefix} ({scope_text}) created: keep it now, it is not shown again",
        file=sys.stderr,
    )
    return 0


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else "never"


def cmd_apikey_list(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.integrations import service

    with _database(settings).transaction(write=False) as session:
        for row in service.list_keys(session=session):
            state = f"revoked {_when(row.revoked_at)}" if row.revoked_at else "active"
            print(
                f"{row.id}  {row.prefix}  {row.name}  {row.scopes}  created"
                f" {_when(row.created_at)}  last used {_when(row.last_used_at)}  {state}"
            )
    return 0


def cmd_apikey_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from omo_backend.integrations import service

    with _database(settings).transaction() as session:
        row = service.get_or_raise(session=session, prefix_or_id=str(args.key))
        service.revoke(session=session, row=row)
        prefix = row.prefix
    print(f"API key {prefix} revoked")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from omo_backend import demo_seed
    from omo_backend.app import create_app
    from omo_backend.dev.loopback import is_loopback_host
    from omo_backend.devices import service as devices
    from omo_backend.stores import service as stores

    if not is_loopback_host(args.host):
        # Dev mode shows every live link at /api/v1/dev/messages, and the demo's PINs are known.
        print("error: the demo listens only on this machine (127.0.0.1 or ::1)", file=sys.stderr)
        return 2
    base = f"http://{args.host}:{args.port}"
    settings = settings.model_copy(
        # Nothing leaves the machine in a demo: SMS and e-mail stay in the outbox.
        update={"dev_mode": True, "sms_provider": "outbox", "smtp_url": "", "public_base_url": base}
    )
    db = _database(settings)
    with db.transaction() as session:
        info = demo_seed.seed(session=session)
        store = stores.get_by_code_or_raise(session=session, code="TPE01")
        code = devices.create_enrollment_code(
            session=session, store=store, ttl_seconds=settings.enrollment_code_ttl_seconds
        )
    lines = [
        "",
        "OMO Counter demo backend",
        f"  URL:              {base}  (API docs: {base}/docs)",
        f"  database:         {settings.effective_database_url}",
        f"  enrollment code:  {code}  (store TPE01, one use, 24 h)",
        "  staff (store, code, name, role, PIN):",
        *[f"    {s}  {c}  {n}  {r}  PIN {p}" for s, c, n, r, p in info.staff],
        f"  members:          {', '.join(info.members)}",
        f"  past buyers:      {', '.join(info.buyers)}",
        f"  new customer:     {info.new_customer}",
        f"  one person, three accounts to merge (admin): {', '.join(info.duplicates)}",
        f"  SMS sent (dev):   {base}/api/v1/dev/messages",
        "",
    ]
    print("\n".join(lines), flush=True)
    app = create_app(settings, db, run_dispatcher=True)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_config=None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omo-backend", description="OMO Counter backend")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate if needed, serve the API and pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-dispatcher", action="store_true")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("dispatch", help="run only the message dispatcher").set_defaults(
        func=cmd_dispatch
    )
    sub.add_parser("migrate", help="bring the database to the latest schema").set_defaults(
        func=cmd_migrate
    )

    store = sub.add_parser("store", help="stores").add_subparsers(dest="action", required=True)
    store_add = store.add_parser("add", help="add a store")
    store_add.add_argument("--code", required=True)
    store_add.add_argument("--name", required=True)
    store_add.add_argument("--locale", default="zh_TW", choices=["zh_TW", "en"])
    store_add.add_argument("--timezone", default="Asia/Taipei")
    store_add.set_defaults(func=cmd_store_add)
    store_set = store.add_parser(
        "set", help='set what the customers\' pages show of a store ("" removes a setting)'
    )
    store_set.add_argument("--code", required=True)
    store_set.add_argument("--shop-url", help="the online shop, https://…")
    store_set.add_argument(
        "--line-add-friend-url", help="the LINE Official Account's https://line.me/R/ti/p/@…"
    )
    store_set.add_argument(
        "--terms-file", help="a UTF-8 text file: the member terms and privacy notice"
    )
    store_set.set_defaults(func=cmd_store_set)

    staff = sub.add_parser("staff", help="staff").add_subparsers(dest="action", required=True)
    staff_add = staff.add_parser("add", help="add a staff member")
    staff_add.add_argument("--store", required=True)
    staff_add.add_argument("--code", required=True)
    staff_add.add_argument("--name", required=True)
    staff_add.add_argument("--role", default="staff", choices=[r.value for r in Role])
    staff_add.add_argument("--pin", required=True)
    staff_add.set_defaults(func=cmd_staff_add)
    staff_list = staff.add_parser("list", help="list a store's staff and their locks")
    staff_list.add_argument("--store", required=True)
    staff_list.set_defaults(func=cmd_staff_list)
    for action, func, text in (
        ("deactivate", cmd_staff_deactivate, "stop a staff member logging in; end their sessions"),
        ("unlock", cmd_staff_unlock, "lift a staff code's PIN lock"),
    ):
        one = staff.add_parser(action, help=text)
        one.add_argument("--store", required=True)
        one.add_argument("--code", required=True)
        one.set_defaults(func=func)

    device = sub.add_parser("device", help="devices").add_subparsers(dest="action", required=True)
    enroll = device.add_parser("enroll-code", help="print a one-time enrollment code")
    enroll.add_argument("--store", required=True)
    enroll.set_defaults(func=cmd_enroll_code)
    device_list = device.add_parser("list", help="list devices (of one store with --store)")
    device_list.add_argument("--store")
    device_list.set_defaults(func=cmd_device_list)
    device_revoke = device.add_parser("revoke", help="revoke a device; its sessions end")
    device_revoke.add_argument("id", type=_row_id)
    device_revoke.set_defaults(func=cmd_device_revoke)
    device_set = device.add_parser(
        "set", help="a device's settings: --counter-only keeps it on the counter"
    )
    device_set.add_argument("id", type=_row_id)
    device_set.add_argument(
        "--counter-only",
        action=argparse.BooleanOptionalAction,
        required=True,
        help="show only the counter, whatever the role of who logs in (--no-counter-only undoes)",
    )
    device_set.set_defaults(func=cmd_device_set)

    merchant = sub.add_parser("settings", help="the merchant's settings").add_subparsers(
        dest="action", required=True
    )
    settings_set = merchant.add_parser("set", help="set one setting")
    setting = settings_set.add_subparsers(dest="name", required=True)
    price = setting.add_parser(
        "sms-segment-price",
        help="what one SMS segment costs, in the currency's minor units (the SMS usage report)",
    )
    price.add_argument("value", type=int, help="minor units, e.g. 150 for NT$1.50")
    price.add_argument("--currency", default="TWD", help="ISO 4217 code (default TWD)")
    price.set_defaults(func=cmd_settings_set)
    merchant.add_parser("show", help="print the settings").set_defaults(func=cmd_settings_show)

    order = sub.add_parser("order", help="purchases").add_subparsers(dest="action", required=True)
    order_add = order.add_parser("add", help="record a purchase (makes a past buyer)")
    order_add.add_argument("--store", required=True)
    order_add.add_argument("--name")
    order_add.add_argument("--phone")
    order_add.add_argument("--email")
    order_add.add_argument("--amount", type=int, required=True)
    order_add.add_argument("--ref")
    order_add.set_defaults(func=cmd_order_add)

    apikey = sub.add_parser("apikey", help="integration API keys").add_subparsers(
        dest="action", required=True
    )
    apikey_create = apikey.add_parser("create", help="make a key and print it once")
    apikey_create.add_argument("--name", required=True)
    apikey_create.add_argument(
        "--scopes", required=True, help="comma- or space-separated, e.g. orders:write"
    )
    apikey_create.set_defaults(func=cmd_apikey_create)
    apikey.add_parser("list", help="list keys (never the keys themselves)").set_defaults(
        func=cmd_apikey_list
    )
    apikey_revoke = apikey.add_parser("revoke", help="revoke a key by its prefix or id")
    which = apikey_revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--prefix", dest="key", help="the key's prefix (omo_ and 8 hex digits)")
    which.add_argument("--id", dest="key", type=_row_id, help="the key's id (apikey list)")
    apikey_revoke.set_defaults(func=cmd_apikey_revoke)

    from omo_backend.directory.cli import add_commands as add_member_commands

    add_member_commands(sub, _database)

    demo = sub.add_parser("demo", help="seed demo data (idempotent) and serve")
    demo.add_argument("--host", default="127.0.0.1", help="a loopback address")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    try:
        result: int = args.func(args, settings)
        return result
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
