"""``omo-backend members export FILE.csv [filters]``: the API's export for the operator, every
member (an operator is head office), the same filters, a progress line on stderr; audited."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from backend_client import schemas
from omo_backend import audit
from omo_backend.db import Database
from omo_backend.directory import export, query
from omo_backend.imports import cli as import_cli
from omo_backend.models import Customer, utcnow


def add_commands(sub: Any, run: Any) -> None:
    """``members export`` under the CLI's subcommands; ``run`` opens the database."""
    members = sub.add_parser("members", help="the member list").add_subparsers(
        dest="action", required=True
    )
    out = members.add_parser("export", help="write the member list as CSV (UTF-8 with BOM)")
    out.add_argument("file", help="the CSV file to write")
    out.add_argument("--q", help="name, e-mail or phone")
    out.add_argument("--level", help="a level code")
    out.add_argument("--status", choices=[s.value for s in schemas.MemberStatusFilter])
    out.add_argument("--spend-min", type=int)
    out.add_argument("--spend-max", type=int)
    out.add_argument("--store", help="referral store code")
    out.add_argument("--staff", help="referral staff code")
    out.add_argument("--line", choices=["true", "false"])
    out.add_argument("--joined-from", type=date.fromisoformat, help="YYYY-MM-DD")
    out.add_argument("--joined-to", type=date.fromisoformat, help="YYYY-MM-DD")
    out.add_argument("--kind", choices=[k.value for k in schemas.MemberKind], default="member")
    out.add_argument(
        "--sort",
        choices=[s.value for s in schemas.MemberSort],
        default=schemas.MemberSort.MEMBER_SINCE_DESC.value,
    )
    out.add_argument("--timezone", default="Asia/Taipei", help="for the file's times and days")
    out.set_defaults(func=lambda args, settings: export_members(args, run(settings)))
    import_cli.add_commands(members, run)


def export_members(args: argparse.Namespace, db: Database) -> int:
    filters = query.Filters(
        q=args.q,
        level=args.level,
        status=schemas.MemberStatusFilter(args.status) if args.status else None,
        spend_min=args.spend_min,
        spend_max=args.spend_max,
        store=args.store,
        staff=args.staff,
        line=None if args.line is None else args.line == "true",
        joined_from=args.joined_from,
        joined_to=args.joined_to,
        kind=schemas.MemberKind(args.kind),
    )
    sort = schemas.MemberSort(args.sort)
    key = query.sort_key(sort, filters.kind)
    with db.transaction() as session:
        where = query.conditions(
            session, filters, now=utcnow(), zone=args.timezone, sort_column=key.column
        )
        # The operator waits for a file: an exact count is worth its time here.
        total = int(session.scalar(select(func.count()).select_from(Customer).where(*where)) or 0)
        audit.record(
            session=session,
            action="members.exported",
            store_id=None,
            details={"by": "operator", "filters": filters.described(), "sort": sort.value},
        )
    written = 0

    def progress(rows: int) -> None:
        nonlocal written
        written += rows
        print(f"\r{written} / {total} members", end="", file=sys.stderr, flush=True)

    with Path(args.file).open("wb") as out:
        for chunk in export.stream(
            db=db, where=where, sort=sort, kind=filters.kind, zone=args.timezone, on_rows=progress
        ):
            out.write(chunk)
    print(f"\r{written} members written to {args.file}", file=sys.stderr)
    return 0
