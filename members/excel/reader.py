"""Reading a checked workbook into rows keyed by column: header detection and mapping.

A ledger may have a title row, a group row over the field row ("基本信息" over 姓名, 性别 …),
one sheet per branch or a 党支部 column. The field row is the one, among the first rows of
a sheet, that matches the most known header names; a cell left empty in it (a vertically
merged header) takes the header from the row above.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from members.excel.columns import IGNORED, Column, match_header, normalize_header
from members.excel.safety import ImportRefused
from members.excel.values import is_blank

HEADER_SCAN_ROWS = 12  # a header row further down than this is not a header row
MAX_COLUMNS = 200
MIN_HEADER_MATCHES = 2
# Header text → its column, IGNORED, or None; the development ledger passes its own.
Matcher = Callable[[object], "Column | object | None"]


@dataclass(frozen=True)
class Position:
    """Where a cell is, as the person who wrote the file sees it."""

    sheet: str
    row: int | None = None
    column: str = ""  # letter
    header: str = ""


@dataclass
class Note:
    """Something the preview tells the importer that does not stop the import."""

    position: Position
    code: str
    message: str


@dataclass
class SourceRow:
    sheet: str
    row: int
    cells: dict[str, object]  # column key → raw cell value (non-blank cells only)


@dataclass
class SheetData:
    title: str
    header_row: int
    columns: dict[str, Position]  # column key → where that column is
    rows: list[SourceRow] = field(default_factory=list)


@dataclass
class WorkbookData:
    sheets: list[SheetData]
    notes: list[Note]


def read_workbook(
    stream: BinaryIO, *, ignore_unknown: bool = False, match: Matcher = match_header
) -> WorkbookData:
    """Rows of every sheet that has a recognisable header row. Raises ImportRefused for a
    workbook with no such sheet, with columns it cannot map (unless told to ignore them),
    or with more rows than settings.IMPORT_MAX_ROWS."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise ImportRefused("not_xlsx", _("The workbook is damaged and cannot be read.")) from exc
    try:
        return _read(workbook, ignore_unknown=ignore_unknown, match=match)
    finally:
        workbook.close()


def _read(workbook, *, ignore_unknown: bool, match: Matcher = match_header) -> WorkbookData:
    sheets: list[SheetData] = []
    notes: list[Note] = []
    unknown: list[tuple[Position, str]] = []  # with why, when it is not just unknown
    total_rows = 0
    for worksheet in workbook.worksheets:
        worksheet.reset_dimensions()  # declared dimensions are often wrong; read all cells
        rows = worksheet.iter_rows(values_only=True)
        head: list[tuple] = []
        for values in rows:
            head.append(_trim(values))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        found = _find_header(head, match)
        if found is None:
            if any(not is_blank(v) for r in head for v in r):
                notes.append(
                    Note(
                        Position(worksheet.title),
                        "sheet_skipped",
                        _("This sheet has no recognisable header row and was skipped."),
                    )
                )
            continue
        header_index, columns_at, sheet_unknown, sheet_notes = _map_columns(
            worksheet.title, head, found, match
        )
        unknown.extend(sheet_unknown)
        notes.extend(sheet_notes)
        sheet = SheetData(
            title=worksheet.title,
            header_row=header_index + 1,
            columns={col.key: pos for pos, col in columns_at.values()},
        )
        sheets.append(sheet)

        def data_rows(head=head, header_index=header_index, rows=rows):
            yield from enumerate(head[header_index + 1 :], start=header_index + 2)
            yield from enumerate(rows, start=len(head) + 1)

        for number, values in data_rows():
            cells = {}
            for index, (_pos, column) in columns_at.items():
                value = values[index] if index < len(values) else None
                if not is_blank(value):
                    cells[column.key] = value
            if not cells:
                continue
            total_rows += 1
            if total_rows > settings.IMPORT_MAX_ROWS:
                raise ImportRefused(
                    "too_many_rows",
                    _("The workbook has more than %(max)d rows; split it and import the parts.")
                    % {"max": settings.IMPORT_MAX_ROWS},
                )
            sheet.rows.append(SourceRow(worksheet.title, number, cells))

    if not sheets:
        raise ImportRefused(
            "no_header",
            _(
                "No sheet has a header row this importer recognises. The header row must "
                "name the columns, including 姓名, such as 姓名, 性别, 身份证号, 党支部."
            ),
        )
    if unknown and not ignore_unknown:
        raise ImportRefused(
            "unknown_columns",
            _(
                "These columns cannot be mapped to the roster. Rename them, delete them, "
                "or choose to ignore them:"
            ),
            details=[_describe(pos, why) for pos, why in unknown],
        )
    for pos, why in unknown:
        notes.append(Note(pos, "column_ignored", why or _("Unknown column, ignored as asked.")))
    return WorkbookData(sheets=sheets, notes=notes)


def _trim(values: tuple) -> tuple:
    return tuple(values[:MAX_COLUMNS])


def _describe(pos: Position, why: str) -> str:
    where = f"{pos.sheet} {pos.column}{pos.row or ''} “{pos.header}”"
    return f"{where}: {why}" if why else where


def _score(row: tuple, match: Matcher = match_header) -> int:
    return sum(1 for value in row if isinstance(match(value), Column))


def _find_header(head: list[tuple], match: Matcher = match_header) -> int | None:
    """Index of the field row: the most known names (at least two), with 姓名 in it or in
    the group row above it."""
    best, best_score = None, MIN_HEADER_MATCHES - 1
    for index, row in enumerate(head):
        score = _score(row, match)
        if score <= best_score:
            continue
        above = head[index - 1] if index else ()
        keys = {_key(v, match) for v in row} | {_key(v, match) for v in above}
        if "name" in keys:
            best, best_score = index, score
    return best


def _key(value: object, match: Matcher = match_header) -> str | None:
    matched = match(value)
    return matched.key if isinstance(matched, Column) else None


def _map_columns(
    title: str, head: list[tuple], index: int, match: Matcher = match_header
) -> tuple[int, dict[int, tuple[Position, Column]], list[tuple[Position, str]], list[Note]]:
    """Column index → (position, column) for the mapped columns; unknown ones; notes."""
    fields = head[index]
    above = head[index - 1] if index else ()
    header_row = index + 1
    mapped: dict[int, tuple[Position, Column]] = {}
    taken: dict[str, Position] = {}
    unknown: list[tuple[Position, str]] = []
    notes: list[Note] = []
    group = ""  # the group row's label carries over the columns a merged cell spans
    for i in range(max(len(fields), len(above))):
        text = fields[i] if i < len(fields) else None
        over = above[i] if i < len(above) else None
        if not is_blank(over):
            group = str(over).strip()
        letter = get_column_letter(i + 1)
        if is_blank(text):
            # A vertically merged header: the name is in the row above.
            if is_blank(over):
                continue
            text, row = over, header_row - 1
        else:
            row = header_row
        label = str(text).strip()
        pos = Position(title, row, letter, label)
        matched = match(text)
        if matched is None and group:
            matched = match(group + normalize_header(text))
            if matched is None and match(group) is IGNORED:
                matched = IGNORED
        if matched is IGNORED:
            notes.append(Note(pos, "column_ignored", _("Ledger column, not imported.")))
            continue
        if matched is None:
            unknown.append((pos, ""))
            continue
        if matched.key in taken:
            why = _("column %(first)s already gives %(header)s") % {
                "first": taken[matched.key].column,
                "header": matched.header,
            }
            unknown.append((pos, why))
            continue
        taken[matched.key] = pos
        mapped[i] = (pos, matched)
    return index, mapped, unknown, notes
