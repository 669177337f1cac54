"""Members from a CSV file, all or nothing (API.md "Import:").

Every row is checked first, against the file alone (csv_file.py) and then against the
database in a few batched queries (the levels, retired identifiers, the customers holding the
file's phones and e-mails); a single mistake anywhere refuses the whole file with every
mistake by line and column. Only a clean file is written, in the caller's transaction: the
router rolls it back for a dry run, so a dry run says exactly what the write would do,
first-login messages and the SMS limits included.

- ``create`` (Boutir's rule): new members only; a phone or e-mail of an existing member is a
  mistake, and that member is never touched. A past buyer's phone makes the buyer a member.
- ``update``: the members found by phone, else by e-mail; only the non-empty cells change;
  "Member Points" becomes one ledger entry that brings the balance to it, the file's name
  as its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend_client import schemas
from backend_client.schemas import WebhookEvent
from omo_backend import audit
from omo_backend.actor import Actor
from omo_backend.callers import audit_by
from omo_backend.db import Database
from omo_backend.errors import Conflict, DomainError
from omo_backend.imports import csv_file
from omo_backend.members import enrolment, levels, points
from omo_backend.models import Customer, Level, Message, PointsEntry, RetiredIdentifier, utcnow
from omo_backend.reports.pricing import sms_price
from omo_backend.settings import Settings
from omo_backend.webhooks import events as webhook_events

# (stage, rows done, rows in all): "checking" then "writing".
Progress = Callable[[str, int, int], None]
_FIELDS = ("name", "phone", "email", "birthday", "level")
_BATCH = 500
_WRITE_CHUNK = 100


@dataclass
class _Target:
    """What a clean row does: the customer it changes (None: a new one)."""

    row: csv_file.Row
    customer: Customer | None
    action: schemas.ImportAction = schemas.ImportAction.CREATE
    changes: list[schemas.ImportFieldChange] = field(default_factory=list)


@dataclass
class _Holders:
    by_phone: dict[str, Customer]
    by_email: dict[str, Customer]
    retired: set[tuple[str, str]]
    levels: set[str]
    balances: dict[int, int]


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


def _holders(session: Session, rows: list[csv_file.Row], now: datetime) -> _Holders:
    phones = sorted({r.phone for r in rows if r.phone})
    emails = sorted({r.email for r in rows if r.email})
    by_phone: dict[str, Customer] = {}
    by_email: dict[str, Customer] = {}
    retired: set[tuple[str, str]] = set()
    for kind, values, found in (("phone", phones, by_phone), ("email", emails, by_email)):
        column = Customer.phone if kind == "phone" else Customer.email
        for chunk in _chunks(values):
            # Locked (PostgreSQL) until the import commits: a points change or an edit at
            # the same moment waits, so balances and cells are still what was checked.
            holding = select(Customer).where(column.in_(chunk)).with_for_update(of=Customer)
            for customer in session.scalars(holding):
                found[str(getattr(customer, kind))] = customer
            retired.update(
                (kind, value)
                for value in session.scalars(
                    select(RetiredIdentifier.value).where(
                        RetiredIdentifier.kind == kind, RetiredIdentifier.value.in_(chunk)
                    )
                )
            )
    ids = sorted({c.id for c in (*by_phone.values(), *by_email.values())})
    balances: dict[int, int] = {}
    for start in range(0, len(ids), _BATCH):
        query = (
            select(PointsEntry.customer_id, func.coalesce(func.sum(PointsEntry.remaining), 0))
            .where(
                PointsEntry.customer_id.in_(ids[start : start + _BATCH]),
                PointsEntry.delta > 0,
                or_(PointsEntry.expires_at.is_(None), PointsEntry.expires_at > now),
            )
            .group_by(PointsEntry.customer_id)
        )
        balances.update({int(cid): int(total or 0) for cid, total in session.execute(query)})
    codes = set(session.scalars(select(Level.code)))
    return _Holders(by_phone, by_email, retired, codes, balances)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


class _Checker:
    """The database's side of the rows' checks, one row at a time, adding to ``found``."""

    def __init__(
        self, found: csv_file.ReadFile, holders: _Holders, mode: schemas.ImportMode
    ) -> None:
        self.found = found
        self.holders = holders
        self.mode = mode
        self.first_line: dict[tuple[str, object], int] = {}

    def check(self, row: csv_file.Row) -> _Target | None:
        before = len(self.found.mistakes)
        self._repeats(row)
        self._retired(row)
        if row.level is not None and row.level not in self.holders.levels:
            self.found.add(
                row.line,
                "level",
                "unknown_level",
                f"There is no level with the code {row.level}: use a code from the level settings.",
            )
        by_phone = self.holders.by_phone.get(row.phone) if row.phone else None
        by_email = self.holders.by_email.get(row.email) if row.email else None
        target = (
            self._create(row, by_phone, by_email)
            if self.mode is schemas.ImportMode.CREATE
            else self._update(row, by_phone, by_email)
        )
        if target is not None and target.customer is not None:
            self._repeats_member(row, target.customer)
        return target if len(self.found.mistakes) == before else None

    def _repeats(self, row: csv_file.Row) -> None:
        for column, value, words in (
            ("phone", row.phone, "mobile number"),
            ("email", row.email, "e-mail"),
        ):
            if value is None:
                continue
            first = self.first_line.setdefault((column, value), row.line)
            if first != row.line:
                self.found.add(
                    row.line,
                    column,
                    "duplicate_in_file",
                    f"The same {words} as line {first}: each member once per file.",
                )

    def _repeats_member(self, row: csv_file.Row, member: Customer) -> None:
        first = self.first_line.setdefault(("member", member.id), row.line)
        if first != row.line:
            self.found.add(
                row.line,
                None,
                "duplicate_in_file",
                f"This line is the same member as line {first}: each member once per file.",
            )

    def _retired(self, row: csv_file.Row) -> None:
        for column, value in (("phone", row.phone), ("email", row.email)):
            if value is not None and (column, value) in self.holders.retired:
                self.found.add(
                    row.line,
                    column,
                    "identifier_retired",
                    f"{value} belonged to an account merged into another: it can't be used again.",
                )

    def _merged(self, row: csv_file.Row, column: str, holder: Customer) -> bool:
        if holder.merged_into_id is None:
            return False
        self.found.add(
            row.line,
            column,
            "member_merged",
            f"This account was merged into member {holder.merged_into_id}.",
        )
        return True

    def _create(
        self, row: csv_file.Row, by_phone: Customer | None, by_email: Customer | None
    ) -> _Target | None:
        for column, holder in (("phone", by_phone), ("email", by_email)):
            if holder is None or self._merged(row, column, holder):
                continue
            if holder.is_member:
                self.found.add(
                    row.line,
                    column,
                    "already_member",
                    f"Member {holder.id} has this {_word(column)} already; a new-members import"
                    " never changes a member (use update mode to change members).",
                )
        if _elsewhere(row, by_phone, by_email):
            assert by_email is not None
            self._taken(row, by_email)
        return _Target(row, by_phone or by_email)

    def _taken(self, row: csv_file.Row, holder: Customer) -> None:
        self.found.add(
            row.line,
            "email",
            "identifier_taken",
            f"This e-mail belongs to another customer ({holder.id}) than the mobile number.",
        )

    def _update(
        self, row: csv_file.Row, by_phone: Customer | None, by_email: Customer | None
    ) -> _Target | None:
        member = by_phone or by_email
        column = "phone" if by_phone is not None else "email"
        if member is None or not member.is_member:
            column = "phone" if row.phone else "email"
            self.found.add(
                row.line,
                column,
                "member_not_found",
                f"No member has this {_word(column)}: an update changes members found by"
                " mobile number, else by e-mail (use create mode for new members).",
            )
            return None
        if self._merged(row, column, member):
            return None
        if by_email is not None and by_email.id != member.id:
            self._taken(row, by_email)
        if by_phone is None and row.phone and member.phone and member.phone != row.phone:
            self.found.add(
                row.line,
                "phone",
                "phone_mismatch",
                f"The member with this e-mail has another mobile number ({member.phone}): an"
                " import never changes a member's mobile number.",
            )
        return _Target(row, member, schemas.ImportAction.UPDATE)


def _elsewhere(row: csv_file.Row, by_phone: Customer | None, by_email: Customer | None) -> bool:
    """The row's e-mail is another customer's than its phone's."""
    if by_email is None:
        return False
    if by_phone is not None:
        return by_phone.id != by_email.id
    return bool(row.phone and by_email.phone)


def _word(column: str) -> str:
    return "mobile number" if column == "phone" else "e-mail"


def check_or_raise(
    *,
    session: Session,
    settings: Settings,
    mode: schemas.ImportMode,
    data: bytes,
    first_login: bool,
    now: datetime,
    on_progress: Progress | None = None,
) -> list[_Target]:
    """The file's rows as what each will do, or 422 with every mistake; writes nothing."""
    if len(data) > schemas.IMPORT_MAX_BYTES:
        raise DomainError(
            f"The file is larger than {schemas.IMPORT_MAX_BYTES // (1024 * 1024)} MB: split it"
            f" into files of at most {schemas.IMPORT_MAX_ROWS} members.",
            code="file_too_large",
            status=413,
        )
    found = csv_file.read(
        csv_file.decode_or_raise(data), region=settings.default_country, today=now.date()
    )
    holders = _holders(session, found.rows, now)
    checker = _Checker(found, holders, mode)
    targets: list[_Target] = []
    total = len(found.rows)
    for done, row in enumerate(found.rows, start=1):
        target = checker.check(row)
        if target is not None:
            targets.append(target)
            if first_login and target.action is schemas.ImportAction.CREATE:
                _reachable(found, settings, row)
        if on_progress is not None:
            on_progress("checking", done, total)
    if found.mistakes:
        raise found.rejected()
    for target in targets:
        _plan(target, holders)
    return targets


def _reachable(found: csv_file.ReadFile, settings: Settings, row: csv_file.Row) -> None:
    if not enrolment.textable(settings, row.phone) and row.email is None:
        found.add(
            row.line,
            "email",
            "no_way_to_reach",
            "This member can get no first-login SMS: add an e-mail to send the link to.",
        )


def _plan(target: _Target, holders: _Holders) -> None:
    """Each cell's change; an update row without any is ``unchanged``."""
    row, customer = target.row, target.customer
    for name in _FIELDS:
        after = getattr(row, name)
        before = getattr(customer, name) if customer is not None else None
        if after is not None and after != before:
            target.changes.append(
                schemas.ImportFieldChange(field=name, before=_text(before), after=_text(after))
            )
    balance = holders.balances.get(customer.id, 0) if customer is not None else 0
    if row.points is not None and row.points != balance:
        target.changes.append(
            schemas.ImportFieldChange(field="points", before=str(balance), after=str(row.points))
        )
    if target.action is schemas.ImportAction.UPDATE and not target.changes:
        target.action = schemas.ImportAction.UNCHANGED


def points_reason(file_name: str) -> str:
    return f"CSV import: {file_name}"[:200]


def apply(
    *,
    session: Session,
    settings: Settings,
    actor: Actor | None,
    store_id: int | None,
    mode: schemas.ImportMode,
    targets: list[_Target],
    file_name: str,
    first_login: bool,
    now: datetime,
    on_progress: Progress | None = None,
) -> tuple[list[schemas.ImportChange], list[Customer]]:
    """Write what ``check_or_raise`` planned; the changes by line, and the members created."""
    out: list[schemas.ImportChange] = []
    created: list[Customer] = []
    staff_id = actor.staff_id if actor is not None else None
    device_id = actor.device_id if actor is not None else None
    # A chunk of rows at a time: one flush inserts a chunk's new members in one statement,
    # and the progress bar moves by chunks.
    for start in range(0, len(targets), _WRITE_CHUNK):
        chunk = targets[start : start + _WRITE_CHUNK]
        customers = [_write(session, target, store_id, now) for target in chunk]
        try:
            session.flush()
        except IntegrityError as exc:  # a phone or e-mail taken by another change just now
            raise Conflict(
                "Another change took one of the file's mobile numbers or e-mails at the same"
                " moment; nothing was imported. Import the file again to see which.",
                code="identifier_taken",
            ) from exc
        deducting = [
            customer.id
            for target, customer in zip(chunk, customers, strict=True)
            if any(_deduction(change) for change in target.changes)
        ]
        grants = points.live_grants_of(session, deducting, now) if deducting else {}
        for target, customer in zip(chunk, customers, strict=True):
            if target.action is schemas.ImportAction.CREATE:
                created.append(customer)
            for change in target.changes:
                if change.field == "points":
                    points.write_entry(
                        session=session,
                        member_id=customer.id,
                        delta=int(change.after or 0) - int(change.before or 0),
                        reason=points_reason(file_name),
                        expires_at=None,
                        staff_id=staff_id,
                        device_id=device_id,
                        now=now,
                        flush=False,
                        live_grants=grants.get(customer.id),
                    )
            if target.action is not schemas.ImportAction.UNCHANGED:
                _audit(session, actor, store_id, target, customer.id, file_name)
            out.append(
                schemas.ImportChange(
                    row=target.row.line,
                    action=target.action,
                    member_id=customer.id,
                    changes=target.changes,
                )
            )
        if on_progress is not None:
            on_progress("writing", start + len(chunk), len(targets))
    _level_by_spend(session, actor, store_id, created)
    session.flush()
    webhook_events.emit_many(
        session=session,
        event=WebhookEvent.MEMBER_CREATED,
        data=[{"member_id": member.id, "source": member.source} for member in created],
    )
    summary: dict[str, object] = {
        "file": file_name,
        "mode": mode.value,
        "created": len(created),
        "updated": sum(c.action is schemas.ImportAction.UPDATE for c in out),
        "first_login": first_login,
    }
    if actor is None:
        audit.record(
            session=session,
            action="members.imported",
            store_id=store_id,
            details={"by": "operator", **summary},
        )
    else:
        audit.by_actor(session=session, actor=actor, action="members.imported", details=summary)
    return out, created


def _deduction(change: schemas.ImportFieldChange) -> bool:
    return change.field == "points" and int(change.after or 0) < int(change.before or 0)


def _audit(
    session: Session,
    actor: Actor | None,
    store_id: int | None,
    target: _Target,
    customer_id: int,
    file_name: str,
) -> None:
    audit_by(
        session=session,
        caller=actor,
        action=(
            "member.added" if target.action is schemas.ImportAction.CREATE else "member.updated"
        ),
        store_id=store_id,
        subject_type="customer",
        subject_id=customer_id,
        details={
            "source": "import",
            "file": file_name,
            "line": target.row.line,
            "before": {c.field: c.before for c in target.changes},
            "after": {c.field: c.after for c in target.changes},
        },
    )


def _level_by_spend(
    session: Session, actor: Actor | None, store_id: int | None, created: list[Customer]
) -> None:
    """New members move up to the level their spending reaches (a past buyer's may), as when
    added by hand; the level for each spending looked up once."""
    reach: dict[int, Level | None] = {}
    for member in created:
        if member.net_spend not in reach:
            reach[member.net_spend] = levels.level_for_spend(session, member.net_spend)
        target = reach[member.net_spend]
        if target is not None and target.code != member.level:
            levels.upgrade_by_spend(session=session, caller=actor, store_id=store_id, member=member)


def _write(session: Session, target: _Target, store_id: int | None, now: datetime) -> Customer:
    customer = target.customer
    if customer is None:
        customer = Customer(source_store_id=store_id)
        session.add(customer)
    for change in target.changes:
        if change.field != "points":
            setattr(customer, change.field, getattr(target.row, change.field))
    if target.row.name is not None:
        customer.name_search = target.row.name.lower()
    if target.action is schemas.ImportAction.CREATE:
        customer.is_member = True
        customer.member_since = now
        customer.source = "import"
    return customer


def send_first_logins(
    *,
    session: Session,
    settings: Settings,
    actor: Actor | None,
    store_id: int,
    members: list[Customer],
) -> schemas.FirstLoginPlan:
    """The first-login message of each member created, through the outbox and the SMS limits
    (429 ``rate_limited`` refuses the whole import); what they count and cost."""
    start = session.scalar(select(func.max(Message.id))) or 0
    phones: list[str] = []
    emails = 0
    for member in members:
        sent = enrolment.send_first_login(
            session=session, settings=settings, caller=actor, store_id=store_id, member=member
        )
        if sent.channel == "sms" and member.phone is not None:
            phones.append(member.phone)
        else:
            emails += 1
    segments = 0
    for chunk in _chunks(phones):
        segments += int(
            session.scalar(
                select(func.coalesce(func.sum(Message.segments), 0)).where(
                    Message.id > start,
                    Message.purpose == "first_login",
                    Message.channel == schemas.MessageChannel.SMS.value,
                    Message.to_address.in_(chunk),
                )
            )
            or 0
        )
    price = sms_price(session)
    return schemas.FirstLoginPlan(
        sms=len(phones),
        emails=emails,
        segments=segments,
        price_per_segment=price.price_per_segment if price is not None else None,
        currency=price.currency if price is not None else None,
        cost=segments * price.price_per_segment if price is not None else None,
    )


class _DryRun(Exception):
    def __init__(self, result: schemas.ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


def run(
    *,
    db: Database,
    settings: Settings,
    actor: Actor | None,
    store_id: int | None,
    mode: schemas.ImportMode,
    data: bytes,
    file_name: str,
    first_login: bool,
    dry_run: bool,
    on_progress: Progress | None = None,
) -> schemas.ImportResult:
    """Check the whole file, then write it, in one transaction: committed, or rolled back for
    a dry run (which so does exactly what the import would, up to the SMS limits)."""
    try:
        with db.transaction() as session:
            now = utcnow()
            targets = check_or_raise(
                session=session,
                settings=settings,
                mode=mode,
                data=data,
                first_login=first_login,
                now=now,
                on_progress=on_progress,
            )
            changes, created = apply(
                session=session,
                settings=settings,
                actor=actor,
                store_id=store_id,
                mode=mode,
                targets=targets,
                file_name=file_name,
                first_login=first_login,
                now=now,
                on_progress=on_progress,
            )
            plan = None
            if first_login and store_id is not None:
                plan = send_first_logins(
                    session=session,
                    settings=settings,
                    actor=actor,
                    store_id=store_id,
                    members=created,
                )
            result = _result(mode, dry_run, changes, len(created), plan)
            if dry_run:
                raise _DryRun(result)
            return result
    except _DryRun as stop:
        return stop.result


def _result(
    mode: schemas.ImportMode,
    dry_run: bool,
    changes: list[schemas.ImportChange],
    created: int,
    plan: schemas.FirstLoginPlan | None,
) -> schemas.ImportResult:
    if dry_run:  # the ids of members a dry run created are gone with it
        changes = [
            c.model_copy(update={"member_id": None})
            if c.action is schemas.ImportAction.CREATE
            else c
            for c in changes
        ]
    return schemas.ImportResult(
        mode=mode,
        dry_run=dry_run,
        created=created,
        updated=sum(c.action is schemas.ImportAction.UPDATE for c in changes),
        unchanged=sum(c.action is schemas.ImportAction.UNCHANGED for c in changes),
        errors=[],
        changes=changes,
        first_login=plan,
    )
