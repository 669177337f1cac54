"""Importing members from a CSV file (an admin), in Boutir's steps: download the sample file,
choose a file, read the dry run (how many are added or changed and each change, or every
mistake by line and column beside the file's own rows), then Confirm with a progress bar.

The wizard draws what ``ImportController`` hands it; choosing a file goes through the system's
dialog (replaceable in tests).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from backend_client import schemas
from backend_client.errors import ApiError
from omo_desktop.design.tokens import BUTTON_HEIGHT, PALETTE, SPACE, TOUCH_MIN
from omo_desktop.members import words
from omo_desktop.members.imports import ChosenFile, ImportController
from omo_desktop.messages import describe
from omo_desktop.screens.base import button, label, set_role
from omo_desktop.screens.members.steps import StepDialog, page
from omo_desktop.widgets import named
from omo_desktop.widgets.layout import Tone

PathChooser = Callable[[QWidget], Path | None]


def ask_open_path(parent: QWidget) -> Path | None:
    chosen, _filter = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("ImportWizard", "Choose the CSV file"),
        "",
        QCoreApplication.translate("ImportWizard", "CSV files (*.csv)"),
    )
    return Path(chosen) if chosen else None


def ask_template_path(parent: QWidget) -> Path | None:
    chosen, _filter = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("ImportWizard", "Save the sample file"),
        "members-sample.csv",
        QCoreApplication.translate("ImportWizard", "CSV files (*.csv)"),
    )
    return Path(chosen) if chosen else None


class Step(enum.IntEnum):
    START = 0
    MISTAKES = 1
    PREVIEW = 2
    RUNNING = 3
    DONE = 4


def _table(name: str) -> QTableWidget:
    table = named(QTableWidget(), name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(BUTTON_HEIGHT)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class _WrappedText(QStyledItemDelegate):
    """Measures a cell's wrapped text in the width the theme's padding leaves it (Qt's own
    measure forgets the padding, and the last words would be cut with "…")."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self._table = table

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        padding = 2 * SPACE["s"] + SPACE["s"]  # the theme's padding either side, and the grid
        text = str(index.data() or "")
        metrics = QFontMetrics(index.data(Qt.ItemDataRole.FontRole) or option.font)
        # As wide as the text on one line (a column sized to its contents), and as tall as
        # it is wrapped in the column's width.
        room = max(1, self._table.columnWidth(index.column()) - padding)
        area = QRect(0, 0, room, 100_000)
        high = metrics.boundingRect(area, Qt.TextFlag.TextWordWrap, text).height()
        wide = metrics.horizontalAdvance(text) + padding
        return QSize(wide, max(BUTTON_HEIGHT, high + 2 * SPACE["s"]))


def _wrapped(table: QTableWidget) -> None:
    """Rows read whole: no line numbers of the table's own, each sentence wraps, a row grows."""
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.setItemDelegate(_WrappedText(table))
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.verticalHeader().setMinimumSectionSize(BUTTON_HEIGHT)


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


# The fields an import change names (ImportFieldChange.field), in words.
def field_name(field: str) -> str:
    known = {
        "name": QCoreApplication.translate("ImportWizard", "Name"),
        "phone": QCoreApplication.translate("ImportWizard", "Mobile"),
        "email": QCoreApplication.translate("ImportWizard", "E-mail"),
        "birthday": QCoreApplication.translate("ImportWizard", "Birthday"),
        "level": QCoreApplication.translate("ImportWizard", "Level"),
        "points": QCoreApplication.translate("ImportWizard", "Member Points"),
    }
    return known.get(field, field)


def mistake_words(mistake: schemas.ImportRowError) -> str:
    """A mistake in the file in the staff's language; one not named here in the backend's
    words (English, with the values it quotes)."""

    known = {
        "already_member": QCoreApplication.translate(
            "ImportWizard",
            "Already a member: adding new members never changes one. Use Update existing "
            "members, or delete this line.",
        ),
        "birthday_out_of_range": QCoreApplication.translate(
            "ImportWizard", "This birthday is not a possible date of birth."
        ),
        "duplicate_column": QCoreApplication.translate(
            "ImportWizard", "This column is twice in the header."
        ),
        "duplicate_in_file": QCoreApplication.translate(
            "ImportWizard", "The same mobile or e-mail is on another line of the file."
        ),
        "example_row": QCoreApplication.translate(
            "ImportWizard", "An example line of the sample file: delete it."
        ),
        "extra_cells": QCoreApplication.translate(
            "ImportWizard", "More cells than the header has columns: is there a comma too many?"
        ),
        "identifier_retired": QCoreApplication.translate(
            "ImportWizard",
            "This mobile or e-mail was merged into another member and can't be used again.",
        ),
        "identifier_taken": QCoreApplication.translate(
            "ImportWizard", "This mobile or e-mail belongs to another customer."
        ),
        "invalid_birthday": QCoreApplication.translate(
            "ImportWizard", "Write the birthday as year-month-day, e.g. 1990-05-31."
        ),
        "invalid_email": QCoreApplication.translate(
            "ImportWizard", "This is not an e-mail address."
        ),
        "invalid_phone": QCoreApplication.translate("ImportWizard", "This is not a phone number."),
        "not_mobile": QCoreApplication.translate("ImportWizard", "This is not a mobile number."),
        "invalid_points": QCoreApplication.translate(
            "ImportWizard", "Member Points: a whole number from 0 up, or blank."
        ),
        "member_merged": QCoreApplication.translate(
            "ImportWizard", "This member was merged into another one: use that member's line."
        ),
        "member_not_found": QCoreApplication.translate(
            "ImportWizard",
            "No member has this mobile or e-mail: updating only changes members. Use Add new "
            "members for new ones.",
        ),
        "missing_column": QCoreApplication.translate(
            "ImportWizard",
            "This column is missing from the header: keep all the sample file's columns (a "
            "cell may stay blank).",
        ),
        "name_too_long": QCoreApplication.translate("ImportWizard", "The name is too long."),
        "no_way_to_reach": QCoreApplication.translate(
            "ImportWizard",
            "This member can get no first-login SMS: add an e-mail to send the link to.",
        ),
        "not_one_line": QCoreApplication.translate(
            "ImportWizard", "The cell holds a line break or a control character."
        ),
        "phone_mismatch": QCoreApplication.translate(
            "ImportWizard",
            "The member with this e-mail has another mobile number: an import never changes "
            "a member's mobile.",
        ),
        "phone_or_email_required": QCoreApplication.translate(
            "ImportWizard", "Each line needs a mobile or an e-mail."
        ),
        "unknown_column": QCoreApplication.translate(
            "ImportWizard", "The sample file has no such column: delete or rename it."
        ),
        "unknown_level": QCoreApplication.translate(
            "ImportWizard", "No level has this code: use a code from the level settings."
        ),
    }
    return known.get(mistake.code, mistake.message)


class ImportWizard(StepDialog):
    def __init__(
        self,
        controller: ImportController,
        parent: QWidget | None = None,
        *,
        choose_file: PathChooser = ask_open_path,
        choose_template_path: PathChooser = ask_template_path,
    ) -> None:
        super().__init__("import", parent)
        self.controller = controller
        self.choose_file = choose_file
        self.choose_template_path = choose_template_path
        self._mistakes: list[schemas.ImportRowError] = []
        self._result: schemas.ImportResult | None = None

        # Start: which kind of import, the sample file, the file.
        start_column = page(self.pages, "m")
        modes = QHBoxLayout()
        modes.setSpacing(SPACE["s"])
        self.mode_create = button("import_mode_create", "chip")
        self.mode_update = button("import_mode_update", "chip")
        self.mode_group = QButtonGroup(self)
        for chip, mode in (
            (self.mode_create, schemas.ImportMode.CREATE),
            (self.mode_update, schemas.ImportMode.UPDATE),
        ):
            chip.setCheckable(True)
            self.mode_group.addButton(chip)
            chip.clicked.connect(lambda _checked=False, m=mode: self._set_mode(m))
            modes.addWidget(chip)
        modes.addStretch(1)
        self.mode_create.setChecked(True)
        start_column.addLayout(modes)
        self.mode_hint = label("import_mode_hint", "body")
        start_column.addWidget(self.mode_hint)
        self.rules = label("import_rules", "hint")
        start_column.addWidget(self.rules)
        self.sample = button("import_sample", "link")
        self.sample.clicked.connect(self._save_template)
        start_column.addWidget(self.sample, 0, Qt.AlignmentFlag.AlignLeft)
        start_column.addStretch(1)

        # Mistakes: each one by line and column, beside the file's own rows.
        problems_column = page(self.pages)
        self.mistakes_text = label("import_mistakes_text", "body")
        problems_column.addWidget(self.mistakes_text)
        self.errors = _table("import_errors")
        self.errors.setColumnCount(3)
        _wrapped(self.errors)
        self.errors.itemSelectionChanged.connect(self._show_mistake_line)
        self.rows = _table("import_rows")
        # The line numbers: never narrower than a finger (nor the corner above them).
        self.rows.setCornerButtonEnabled(False)
        self.rows.verticalHeader().setMinimumWidth(TOUCH_MIN)
        split = named(QSplitter(Qt.Orientation.Horizontal), "import_split")
        split.addWidget(self.errors)
        split.addWidget(self.rows)
        split.setChildrenCollapsible(False)
        split.setSizes([560, 560])
        problems_column.addWidget(split, 1)

        # Preview: the counts and each change; first-login messages and what they cost.
        preview_column = page(self.pages)
        self.counts = label("import_counts", "lead")
        preview_column.addWidget(self.counts)
        self.changes = _table("import_changes")
        self.changes.setColumnCount(3)
        _wrapped(self.changes)
        preview_column.addWidget(self.changes, 1)
        first_login_row = QHBoxLayout()
        self.first_login = button("import_first_login", "chip")
        self.first_login.setCheckable(True)
        self.first_login.clicked.connect(self._first_login)
        first_login_row.addWidget(self.first_login)
        self.first_login_cost = label("import_first_login_cost", "hint")
        first_login_row.addWidget(self.first_login_cost, 1)
        preview_column.addLayout(first_login_row)

        # Writing: a progress bar.
        running_column = page(self.pages, "m")
        self.running_text = label("import_running_text", "lead")
        self.progress = named(QProgressBar(), "import_progress")
        self.progress.setTextVisible(False)
        self.progress.setRange(0, 0)
        running_column.addWidget(self.running_text)
        running_column.addWidget(self.progress)
        running_column.addStretch(1)

        done_column = page(self.pages)
        self.done_text = label("import_done_text", "lead")
        done_column.addWidget(self.done_text)
        done_column.addStretch(1)

        self.file_line = label("import_file", "hint", wrap=False)
        self.cancel = button("import_cancel")
        self.cancel.clicked.connect(self.reject)
        self.again = button("import_again")
        self.again.clicked.connect(self._check_again)
        self.choose = button("import_choose")
        self.choose.clicked.connect(self._choose)
        self.confirm = button("import_confirm", "primary")
        self.confirm.clicked.connect(self._confirm)
        self.close_button = button("import_close", "primary")
        self.close_button.clicked.connect(self.accept)
        self.bar.add_leading(self.cancel)
        for action in (self.again, self.choose, self.confirm, self.close_button):
            self.bar.add_trailing(action)
        self.lay_out(self.file_line)
        self.setMinimumWidth(960)

        c = controller
        c.template_saved.connect(self._template_saved)
        c.file_read.connect(self._file_read)
        c.checked.connect(self._checked)
        c.rejected.connect(self._rejected)
        c.imported.connect(self._imported)
        c.failed.connect(self.show_error)
        c.busy_changed.connect(self._busy)
        self.retranslate()

    @property
    def step(self) -> Step:
        return Step(self.pages.currentIndex())

    # --- what the admin does ----------------------------------------------------------------------

    def _set_mode(self, mode: schemas.ImportMode) -> None:
        self.controller.set_mode(mode)
        self.retranslate()

    def _save_template(self) -> None:
        path = self.choose_template_path(self)
        if path is not None:
            # The sample's header in the language shown (the backend reads either).
            language = self.tr("en", "the sample file's header: en or zh_TW")
            self.controller.save_template(path, "zh_TW" if language == "zh_TW" else "en")

    def _choose(self) -> None:
        path = self.choose_file(self)
        if path is not None:
            self.say(None)
            self.controller.choose(path)

    def _check_again(self) -> None:
        """The admin fixed the file in their spreadsheet: read it again and check it."""
        if self.controller.file is not None:
            self.say(None)
            self.controller.choose(self.controller.file.path)

    def _first_login(self) -> None:
        self.controller.set_first_login(self.first_login.isChecked())

    def _confirm(self) -> None:
        if self.controller.preview is None:
            return
        self.say(None)
        self.go(Step.RUNNING)
        self.controller.confirm()

    # --- what arrives --------------------------------------------------------------------------

    def _template_saved(self, path: Path) -> None:
        where = str(path)
        self.say(lambda: self.tr("Sample file saved: %1").replace("%1", where), Tone.INFO)

    def _file_read(self, chosen: ChosenFile) -> None:
        self._draw_file_line()

    def _checked(self, result: schemas.ImportResult) -> None:
        self._result = None
        self.go(Step.PREVIEW)

    def _rejected(self, found: list[schemas.ImportRowError]) -> None:
        self._mistakes = found
        self.go(Step.MISTAKES)
        if self.step == Step.MISTAKES and self.errors.rowCount():
            self.errors.selectRow(0)

    def _imported(self, result: schemas.ImportResult) -> None:
        self._result = result
        self.go(Step.DONE)

    def show_error(self, error: ApiError) -> None:
        if self.step == Step.RUNNING:
            self.go(Step.PREVIEW if self.controller.preview is not None else Step.START)
        self.say(lambda: self._error_words(error))

    def _error_words(self, error: ApiError) -> str:
        known = {
            "unsupported_encoding": self._encoding_words(error),
            "file_too_large": self.tr(
                "The file is larger than 15 MB: split it into files of at most 500 members."
            ),
            "payload_too_large": self.tr(
                "The file is larger than 15 MB: split it into files of at most 500 members."
            ),
            "too_many_rows": self.tr(
                "The file has more than 500 members: split it into smaller files."
            ),
            "template_unchanged": self.tr(
                "This is the sample file unchanged: put your members in it in place of the "
                "two example rows."
            ),
            "empty_file": self.tr("The file is empty."),
            "no_rows": self.tr("The file has a header but no members under it."),
            "unreadable_csv": self.tr("The file is not a CSV file that can be read."),
            "file_not_read": self.tr("The file could not be opened. Choose it again."),
        }
        return known.get(error.code) or describe(error)

    def _encoding_words(self, error: ApiError) -> str:
        encoding = str(error.details.get("encoding", ""))
        if encoding == "big5":
            found = self.tr("The file was saved as Big5 (Traditional Chinese).")
        elif encoding.startswith("utf-16"):
            found = self.tr('The file was saved as UTF-16 ("Unicode Text").')
        else:
            found = self.tr("The file is not saved as UTF-8.")
        how = self.tr(
            'In Excel: File › Save As, and choose "CSV UTF-8 (Comma delimited)". Then choose '
            "the file again."
        )
        return (
            self.tr("%1 %2", "one sentence after another").replace("%1", found).replace("%2", how)
        )

    def _busy(self, busy: bool) -> None:
        for action in (self.choose, self.again, self.sample):
            action.setEnabled(not busy)
        if busy and self.step in (Step.PREVIEW, Step.START):
            self.confirm.setEnabled(False)
        elif not busy:
            self.confirm.setEnabled(self.controller.preview is not None)

    def _show_mistake_line(self) -> None:
        """The file's line of the mistake chosen, in view and marked."""
        selected = self.errors.selectedItems()
        if not selected:
            return
        line = self.errors.item(selected[0].row(), 0)
        if line is None:
            return
        number = int(line.data(Qt.ItemDataRole.UserRole))
        index = number - 2  # the file's line 2 is the table's first row
        column = self.errors.item(selected[0].row(), 1)
        place = self._column_at(column.data(Qt.ItemDataRole.UserRole) if column else None)
        if 0 <= index < self.rows.rowCount():
            self.rows.selectRow(index)
            self.rows.scrollTo(self.rows.model().index(index, max(0, place)))

    def _column_at(self, name: str | None) -> int:
        """Where the column a mistake names is in the file (-1: the whole line)."""
        chosen = self.controller.file
        if name is None or chosen is None or not chosen.lines:
            return -1
        header = [cell.strip().casefold() for cell in chosen.lines[0]]
        wanted = name.strip().casefold()
        return header.index(wanted) if wanted in header else -1

    # --- drawing ----------------------------------------------------------------------------------

    def _draw_file_line(self) -> None:
        chosen = self.controller.file
        self.file_line.setVisible(chosen is not None and self.step != Step.START)
        if chosen is not None:
            lines = max(0, len(chosen.lines) - 1)
            text = self.tr("File: %1").replace("%1", chosen.name)
            if lines:
                text += "  ·  " + self.tr("%1 rows").replace("%1", f"{lines:,}")
            self.file_line.setText(text)

    def _draw_mistakes(self) -> None:
        found = self._mistakes
        lines = {m.row for m in found}
        self.mistakes_text.setText(
            self.tr(
                "Nothing was imported: the file has %1 mistakes on %2 lines. Fix them in the "
                "file, save it, then tap Check again."
            )
            .replace("%1", f"{len(found):,}")
            .replace("%2", f"{len(lines):,}")
        )
        self.errors.setHorizontalHeaderLabels(
            [self.tr("Line"), self.tr("Column"), self.tr("Mistake")]
        )
        self.errors.setRowCount(len(found))
        for number, mistake in enumerate(found):
            line = _item(str(mistake.row))
            line.setData(Qt.ItemDataRole.UserRole, mistake.row)
            self.errors.setItem(number, 0, line)
            column = _item(mistake.column or self.tr("whole line"))
            column.setData(Qt.ItemDataRole.UserRole, mistake.column)
            self.errors.setItem(number, 1, column)
            self.errors.setItem(number, 2, _item(mistake_words(mistake)))
        self.errors.resizeColumnToContents(0)
        self.errors.resizeColumnToContents(1)
        # Once laid out at its width, each sentence is measured again and wraps whole.
        QTimer.singleShot(0, self.errors, self.errors.resizeRowsToContents)
        chosen = self.controller.file
        file_lines = chosen.lines if chosen is not None else []
        header, rows = (file_lines[0], file_lines[1:]) if file_lines else ([], [])
        self.rows.setColumnCount(len(header))
        self.rows.setHorizontalHeaderLabels(header)
        self.rows.setRowCount(len(rows))
        self.rows.setVerticalHeaderLabels([str(n + 2) for n in range(len(rows))])
        # The cells a mistake is about, in the danger colour and bold.
        wrong = {(m.row, self._column_at(m.column)) for m in found}
        danger = QColor(PALETTE["danger"])
        for number, cells in enumerate(rows):
            for place, cell in enumerate(cells[: len(header)]):
                item = _item(cell)
                if (number + 2, place) in wrong:
                    item.setForeground(danger)
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.rows.setItem(number, place, item)
        self.rows.resizeColumnsToContents()
        self.rows.setVisible(bool(file_lines))

    def _draw_preview(self) -> None:
        preview = self.controller.preview
        if preview is None:
            return
        self.counts.setText(
            self.tr("Ready to import: %1 new members, %2 changed, %3 unchanged.")
            .replace("%1", f"{preview.created:,}")
            .replace("%2", f"{preview.updated:,}")
            .replace("%3", f"{preview.unchanged:,}")
        )
        self.changes.setHorizontalHeaderLabels(
            [self.tr("Line"), self.tr("What happens"), self.tr("Changes")]
        )
        shown = [c for c in preview.changes if c.action != schemas.ImportAction.UNCHANGED]
        self.changes.setRowCount(len(shown))
        actions = {
            schemas.ImportAction.CREATE: self.tr("New member"),
            schemas.ImportAction.UPDATE: self.tr("Changed"),
            schemas.ImportAction.UNCHANGED: self.tr("Unchanged"),
        }
        for number, change in enumerate(shown):
            self.changes.setItem(number, 0, _item(str(change.row)))
            self.changes.setItem(number, 1, _item(actions[change.action]))
            self.changes.setItem(number, 2, _item(self._change_words(change)))
        self.changes.resizeColumnToContents(0)
        self.changes.resizeColumnToContents(1)
        QTimer.singleShot(0, self.changes, self.changes.resizeRowsToContents)
        creates = preview.created > 0
        self.first_login.setVisible(creates)
        self.first_login_cost.setVisible(creates)
        self.first_login.setChecked(self.controller.first_login)
        self.first_login.setText(self.tr("Send first-login messages"))
        self.first_login_cost.setText(self._first_login_words(preview))

    def _change_words(self, change: schemas.ImportChange) -> str:
        parts = []
        for field in change.changes:
            after = field.after or words.dash()
            value = after if field.before is None else f"{field.before} → {after}"
            parts.append(
                self.tr("%1: %2", "a field and its value")
                .replace("%1", field_name(field.field))
                .replace("%2", value)
            )
        return "  ·  ".join(parts)

    def _first_login_words(self, preview: schemas.ImportResult) -> str:
        plan = preview.first_login
        if not self.controller.first_login or plan is None:
            return self.tr("Off: the new members get no message until you invite them.")
        text = (
            self.tr("SMS: %1 (%2 parts)  ·  e-mail: %3")
            .replace("%1", f"{plan.sms:,}")
            .replace("%2", f"{plan.segments:,}")
            .replace("%3", f"{plan.emails:,}")
        )
        if plan.cost is not None:
            text += "  ·  " + self.tr("SMS cost %1").replace("%1", words.money(plan.cost))
        else:
            text += "  ·  " + self.tr("SMS price not set")
        return text

    def retranslate(self) -> None:
        step = self.step
        self.setWindowTitle(self.tr("Import members"))
        self.title.setText(
            {
                Step.START: self.tr("Import members from a CSV file"),
                Step.MISTAKES: self.tr("The file has mistakes"),
                Step.PREVIEW: self.tr("Check before importing"),
                Step.RUNNING: self.tr("Importing…"),
                Step.DONE: self.tr("Import finished"),
            }[step]
        )
        self.lead.setText(
            self.tr(
                "Download the sample file, put your members in it, save it as CSV UTF-8 and "
                "choose it. Nothing is imported until you confirm."
            )
        )
        self.lead.setVisible(step == Step.START)
        self.mode_create.setText(self.tr("Add new members"))
        self.mode_update.setText(self.tr("Update existing members"))
        if self.controller.mode == schemas.ImportMode.CREATE:
            hint = self.tr(
                "Each line becomes a new member. A mobile or e-mail that is already a member's "
                "is a mistake: existing members are never changed."
            )
        else:
            hint = self.tr(
                "Members are found by mobile, else e-mail; only the cells you filled in "
                "change. Member Points becomes the new balance, with the file's name as reason."
            )
        self.mode_hint.setText(hint)
        self.rules.setText(
            self.tr(
                "Columns: Name, Mobile, Email, Birthday (YYYY-MM-DD), Level (its code), Member "
                "Points. A mobile or an e-mail on each line. At most 500 members and 15 MB "
                "per file. All or nothing: one mistake and nothing is imported."
            )
        )
        self.sample.setText(self.tr("Download sample file"))
        self._draw_file_line()
        if step == Step.MISTAKES:
            self._draw_mistakes()
        if step == Step.PREVIEW:
            self._draw_preview()
        preview = self.controller.preview
        count = (preview.created + preview.updated) if preview is not None else 0
        self.running_text.setText(
            self.tr("Importing %1 members: keep this window open.").replace("%1", f"{count:,}")
        )
        result = self._result
        if result is not None:
            self.done_text.setText(
                self.tr("Imported: %1 new members, %2 changed.")
                .replace("%1", f"{result.created:,}")
                .replace("%2", f"{result.updated:,}")
            )
        self.cancel.setText(self.tr("Cancel"))
        self.again.setText(self.tr("Check again"))
        self.choose.setText(
            self.tr("Choose file") if step == Step.START else self.tr("Choose another file")
        )
        self.confirm.setText(
            self.tr("Import %1 members").replace("%1", f"{count:,}")
            if count
            else self.tr("Nothing to import")
        )
        self.close_button.setText(self.tr("Close"))
        self.cancel.setVisible(step in (Step.START, Step.MISTAKES, Step.PREVIEW))
        self.again.setVisible(step == Step.MISTAKES)
        self.choose.setVisible(step in (Step.START, Step.MISTAKES, Step.PREVIEW))
        self.confirm.setVisible(step == Step.PREVIEW)
        self.confirm.setEnabled(count > 0)
        self.close_button.setVisible(step == Step.DONE)
        # The way on: choosing the file at the start, checking it again once fixed,
        # confirming once it is clean.
        set_role(self.choose, "primary" if step == Step.START else "")
        set_role(self.again, "primary" if step == Step.MISTAKES else "")
        self.draw_message()
