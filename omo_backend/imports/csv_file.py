"""The import file read on its own, no database: its encoding, its header and each row's cells
checked and parsed; every mistake is kept with its line and column, in words.

What staff open in Excel in Taiwan is often saved as Big5 (code page 950) or UTF-16 ("Unicode
Text"): both are recognised and refused with how to save the file as "CSV UTF-8", rather than
read as mojibake. A cell the export neutralised for spreadsheets (a ``'`` before ``+``, ``=``,
``-``, ``@``) is read back as it was, so an exported file imports unchanged.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from backend_client import schemas
from omo_backend.directory import export
from omo_backend.directory.service import EARLIEST_BIRTHDAY
from omo_backend.errors import ValidationFailed
from omo_backend.phones import normalise_email, normalise_phone

# The columns, in the template's order: field → (English header, Traditional Chinese header).
COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("Name", "姓名"),
    "phone": ("Mobile", "手機"),
    "email": ("Email", "電子郵件"),
    "birthday": ("Birthday", "生日"),
    "level": ("Level", "等級"),
    "points": ("Member Points", "會員點數"),
}
_BY_HEADER = {
    spelling.casefold(): name for name, spellings in COLUMNS.items() for spelling in spellings
}
# The export's other columns: an exported file imports as it is, and these are not read.
_EXPORT_ONLY = frozenset(h.casefold() for h in export.HEADER) - frozenset(_BY_HEADER)
EXAMPLE_MARK = "(example)"
TEMPLATE_ROWS = (
    ("(example) 王小明", "0912-345-678", "ming@example.com", "1990-05-20", "", "120"),
    ("(example) Amy Chen", "", "amy.chen@example.com", "1985-12-01", "", ""),
)
NAME_MAX = 100
_LEVEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_POINTS = re.compile(r"^[0-9]{1,10}$")
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SAVE_AS = (
    'Save it as "CSV UTF-8": in Excel, File › Save As › "CSV UTF-8 (Comma delimited) (*.csv)";'
    " in Google Sheets, File › Download › Comma-separated values. Then choose the file again."
)


def has_control(text: str) -> bool:
    """A line break or a control character: no cell (and no file name) holds one."""
    return _NOT_ONE_LINE.search(text) is not None


def template(language: str = "en") -> bytes:
    """The sample file: the header and two example rows, UTF-8 with a BOM so Excel reads
    Chinese; a phone written ``0912-345-678`` so Excel keeps its leading 0."""
    which = 1 if language == "zh_TW" else 0
    header = [spellings[which] for spellings in COLUMNS.values()]
    rows = [header, *(list(row) for row in TEMPLATE_ROWS)]
    return (export.BOM + "".join(_line(row) for row in rows)).encode()


def _line(cells: list[str]) -> str:
    return ",".join(f'"{c}"' if "," in c or '"' in c else c for c in cells) + "\r\n"


# --- the encoding ------------------------------------------------------------------------------


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: NUL bytes (the high half of every ASCII character), and commas
    once read that way."""
    head = data[:4000]
    if 0 not in head:
        return False
    head = head[: len(head) // 2 * 2]
    for codec in ("utf-16-le", "utf-16-be"):
        text = head.decode(codec, errors="replace")
        if "," in text and "\ufffd" not in text[:-1]:
            return True
    return False


def decode_or_raise(data: bytes) -> str:
    """The file's text, or 422 ``unsupported_encoding`` naming what it is saved as."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        raise _encoding("utf-16", 'saved as UTF-16 (Excel\'s "Unicode Text")')
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        body.decode("cp950")
    except UnicodeDecodeError:
        raise _encoding("unknown", "not saved as UTF-8") from None
    raise _encoding("big5", "saved as Big5 (Traditional Chinese, code page 950)")


def _encoding(encoding: str, words: str) -> ValidationFailed:
    return ValidationFailed(
        f"This file is {words}, so its Chinese would be garbled. {_SAVE_AS}",
        code="unsupported_encoding",
        details={"encoding": encoding},
    )


# --- rows --------------------------------------------------------------------------------------


@dataclass
class Row:
    """One data row's parsed values; None where its cell is blank."""

    line: int
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    birthday: date | None = None
    level: str | None = None
    points: int | None = None


@dataclass
class ReadFile:
    rows: list[Row]
    # The header's own spelling of each column, for the errors' ``column``.
    headers: dict[str, str]
    # How many columns the header has: a cell past them is a stray comma.
    width: int = 0
    mistakes: list[schemas.ImportRowError] = field(default_factory=list)

    def add(self, line: int, column: str | None, code: str, message: str) -> None:
        header = self.headers.get(column, column) if column is not None else None
        self.mistakes.append(
            schemas.ImportRowError(row=line, column=header, code=code, message=message)
        )

    def rejected(self) -> ValidationFailed:
        """422 ``import_rejected``: every mistake, in line and column order."""
        order = {self.headers.get(name, name): i for i, name in enumerate(COLUMNS)}
        return _rejected(
            sorted(self.mistakes, key=lambda m: (m.row, order.get(m.column or "", -1)))
        )


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    start = 1
    for record in reader:
        yield start, record
        start = reader.line_num + 1


def _unneutralise(cell: str) -> str:
    """The cell as it was before ``export.safe_cell``."""
    if len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(export.NEUTRALISED_STARTS):
        return cell[1:]
    return cell


def read(text: str, *, region: str, today: date) -> ReadFile:
    """Parse the file; ``mistakes`` lists everything wrong that the file alone shows.

    Raises for what makes the rows meaningless: no header, no rows, more than 500 rows, the
    sample file unchanged, or a CSV that cannot be read at all.
    """
    records = _records(text)
    try:
        _, header = next(records, (1, []))
        if not any(cell.strip() for cell in header):
            raise ValidationFailed(
                "The file is empty: start from the sample file and keep its header line.",
                code="empty_file",
            )
        found = ReadFile(rows=[], headers={}, width=len(header))
        positions = _header(found, header)
        if found.mistakes:
            raise found.rejected()
        data = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    except csv.Error as exc:
        raise ValidationFailed(
            f"The file is not a readable CSV: {exc}.", code="unreadable_csv"
        ) from None
    _check_count(data, positions["name"])
    for line, cells in data:
        found.rows.append(_row(found, positions, line, cells, region=region, today=today))
    return found


def _header(found: ReadFile, header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        spelled = raw.strip().removeprefix(export.BOM).strip()
        key = spelled.casefold()
        name = _BY_HEADER.get(key)
        if name is not None and name in positions:
            found.add(1, spelled, "duplicate_column", f'The column "{spelled}" is there twice.')
        elif name is not None:
            positions[name] = index
            found.headers[name] = spelled
        elif spelled and key not in _EXPORT_ONLY:
            found.add(
                1,
                spelled,
                "unknown_column",
                f'"{spelled}" is not a column of the sample file: remove it or rename it.',
            )
    for name, (english, _) in COLUMNS.items():
        if name not in positions:
            found.add(
                1,
                english,
                "missing_column",
                f'The column "{english}" is missing: the header must keep all the sample file\'s'
                " columns (a cell may stay blank).",
            )
    return positions


def _check_count(data: list[tuple[int, list[str]]], name_at: int) -> None:
    if not data:
        raise ValidationFailed(
            "The file has a header but no members: add one member per line below it.",
            code="no_rows",
        )
    if len(data) > schemas.IMPORT_MAX_ROWS:
        raise ValidationFailed(
            f"The file has {len(data)} members; at most {schemas.IMPORT_MAX_ROWS} can be"
            " imported at a time. Split it into several files.",
            code="too_many_rows",
            details={"rows": len(data), "limit": schemas.IMPORT_MAX_ROWS},
        )
    names = [_cell_at(cells, name_at).strip() for _, cells in data]
    if all(n.startswith(EXAMPLE_MARK) for n in names):
        raise ValidationFailed(
            "This is the sample file unchanged: put your members in place of the two example"
            " rows, then choose the file again.",
            code="template_unchanged",
        )


def _cell_at(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _rejected(mistakes: list[schemas.ImportRowError]) -> ValidationFailed:
    count = len(mistakes)
    return ValidationFailed(
        f"Nothing was imported: the file has {count} mistake{'s' if count != 1 else ''}."
        " Correct them and choose the file again.",
        code="import_rejected",
        details={"errors": [m.model_dump() for m in mistakes]},
    )


def _row(
    found: ReadFile,
    positions: dict[str, int],
    line: int,
    cells: list[str],
    *,
    region: str,
    today: date,
) -> Row:
    row = Row(line=line)
    if any(c.strip() for c in cells[found.width :]):
        found.add(
            line,
            None,
            "extra_cells",
            "This line has more cells than the header has columns: is there a comma too many?",
        )
    values: dict[str, str] = {}
    for name, index in positions.items():
        raw = _unneutralise(_cell_at(cells, index).strip())
        if has_control(raw):
            found.add(
                line,
                name,
                "not_one_line",
                "This cell holds a line break or a control character: keep it to one line.",
            )
        elif raw:
            values[name] = raw
    _name(found, row, values.get("name"))
    _phone(found, row, values.get("phone"), region)
    _email(found, row, values.get("email"))
    _birthday(found, row, values.get("birthday"), today)
    _level(found, row, values.get("level"))
    _points(found, row, values.get("points"))
    if row.phone is None and row.email is None and not _has_mistake(found, line):
        found.add(
            line,
            "phone",
            "phone_or_email_required",
            "A member needs a mobile number or an e-mail: fill in at least one.",
        )
    return row


def _has_mistake(found: ReadFile, line: int) -> bool:
    return any(m.row == line for m in found.mistakes)


def _name(found: ReadFile, row: Row, raw: str | None) -> None:
    if raw is None:
        return
    name = " ".join(raw.split())
    if name.startswith(EXAMPLE_MARK):
        found.add(
            row.line,
            "name",
            "example_row",
            "This is one of the sample file's example rows: delete it.",
        )
    elif len(name) > NAME_MAX:
        found.add(
            row.line,
            "name",
            "name_too_long",
            f"A name is at most {NAME_MAX} characters; this one has {len(name)}.",
        )
    else:
        row.name = name


def _phone(found: ReadFile, row: Row, raw: str | None, region: str) -> None:
    if raw is None:
        return
    try:
        row.phone = normalise_phone(raw, region, mobile_only=True)
    except ValidationFailed as exc:
        words = (
            f"{raw} is a phone number but not a mobile one: a member's phone must be a mobile."
            if exc.code == "not_mobile"
            else f"{raw} is not a phone number."
        )
        found.add(row.line, "phone", exc.code, words)


def _email(found: ReadFile, row: Row, raw: str | None) -> None:
    if raw is None:
        return
    try:
        row.email = normalise_email(raw)
    except ValidationFailed:
        found.add(row.line, "email", "invalid_email", f"{raw} is not an e-mail address.")


def _birthday(found: ReadFile, row: Row, raw: str | None, today: date) -> None:
    if raw is None:
        return
    try:
        day = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        day = None
    if day is None:
        found.add(
            row.line,
            "birthday",
            "invalid_birthday",
            f"{raw} is not a date written YYYY-MM-DD (for example 1990-05-20).",
        )
    elif not EARLIEST_BIRTHDAY <= day <= today:
        found.add(
            row.line,
            "birthday",
            "birthday_out_of_range",
            f"{raw} is not a birthday: a day from 1900-01-01 to today.",
        )
    else:
        row.birthday = day


def _level(found: ReadFile, row: Row, raw: str | None) -> None:
    if raw is None:
        return
    if _LEVEL.fullmatch(raw):
        row.level = raw
    else:
        found.add(
            row.line,
            "level",
            "unknown_level",
            f"{raw} is not a level code: use a code from the level settings (for example gold).",
        )


def _points(found: ReadFile, row: Row, raw: str | None) -> None:
    if raw is None:
        return
    digits = raw.replace(",", "")
    if _POINTS.fullmatch(digits) and int(digits) <= schemas.INT4_MAX:
        row.points = int(digits)
    else:
        found.add(
            row.line,
            "points",
            "invalid_points",
            f"{raw} is not a number of points: a whole number from 0 up, or blank.",
        )
