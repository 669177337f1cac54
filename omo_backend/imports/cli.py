"""``omo-backend members import FILE.csv [--mode create|update] [--dry-run]``: the API's import
for the operator, with a progress bar on stderr; every mistake listed by line and column."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from backend_client import schemas
from omo_backend.db import Database
from omo_backend.errors import DomainError
from omo_backend.imports import service
from omo_backend.settings import Settings
from omo_backend.stores import service as stores

BAR_WIDTH = 30
STAGE_WORDS = {"checking": "Checking", "writing": "Writing "}


def add_commands(members: Any, run: Any) -> None:
    """``members import`` under the ``members`` subcommands; ``run`` opens the database."""
    cmd = members.add_parser("import", help="import members from a CSV file (all or nothing)")
    cmd.add_argument("file", help="the CSV file (UTF-8, the sample file's columns)")
    cmd.add_argument("--mode", choices=[m.value for m in schemas.ImportMode], default="create")
    cmd.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    cmd.add_argument(
        "--first-login",
        action="store_true",
        help="send the members created their first-login message (needs --store)",
    )
    cmd.add_argument("--store", help="the store code the messages and new members come from")
    cmd.set_defaults(func=lambda args, settings: import_members(args, settings, run(settings)))


class ProgressBar:
    """``Checking [#######-------]  120/500`` on one line, redrawn in place."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        line = (
            f"\r{STAGE_WORDS.get(stage, stage)} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}]"
            f" {done:>{len(str(total))}}/{total}"
        )
        if line != self.shown:
            self.out.write(line + ("\n" if done == total else ""))
            self.out.flush()
            self.shown = line


def import_members(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    path = Path(args.file)
    if args.first_login and not args.store:
        print(
            "error: --first-login needs --store (the store the messages come from)", file=sys.stderr
        )
        return 2
    data = path.read_bytes()
    bar = ProgressBar(sys.stderr)
    try:
        store_id = None
        if args.store:
            with db.transaction(write=False) as session:
                store_id = stores.get_by_code_or_raise(session=session, code=args.store).id
        result = service.run(
            db=db,
            settings=settings,
            actor=None,
            store_id=store_id,
            mode=schemas.ImportMode(args.mode),
            data=data,
            file_name=path.name[: schemas.IMPORT_FILE_NAME_MAX],
            first_login=args.first_login,
            dry_run=args.dry_run,
            on_progress=bar,
        )
    except DomainError as error:
        print(f"\n{path.name}: {error.message}", file=sys.stderr)
        for mistake in error.details.get("errors", []):
            where = f"line {mistake['row']}" + (
                f", {mistake['column']}" if mistake["column"] else ""
            )
            print(f"  {where}: {mistake['message']}", file=sys.stderr)
        return 1
    print(summary(result))
    return 0


def summary(result: schemas.ImportResult) -> str:
    verb = ("would be " if result.dry_run else "") + "{}"
    lines = [
        f"{result.created} {verb.format('created')}, {result.updated} {verb.format('updated')},"
        f" {result.unchanged} unchanged."
    ]
    plan = result.first_login
    if plan is not None:
        cost = f", costing {plan.cost} {plan.currency}" if plan.cost is not None else ""
        lines.append(
            f"First-login messages: {plan.sms} SMS ({plan.segments} segments{cost}),"
            f" {plan.emails} e-mails."
        )
    if result.dry_run:
        lines.append("Dry run: nothing was written.")
    return "\n".join(lines)
