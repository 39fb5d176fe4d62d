"""Reading a development ledger: the roster's reader with the ledger's columns, then each row
split into its personal cells (planned by the roster's rules) and its dated steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _

from development.ledger.columns import (
    REPORT_PREFIX,
    STEP_PREFIX,
    match_ledger_header,
)
from members.excel.reader import SheetData, SourceRow, WorkbookData, read_workbook
from members.excel.values import CellError, parse_date


@dataclass
class CellFinding:
    key: str
    code: str
    message: str


@dataclass
class LedgerRow:
    """The dated cells of one row: steps by Step, thought reports by their column key."""

    sheet: SheetData
    row: int
    steps: dict[str, dt.date] = field(default_factory=dict)
    reports: dict[str, dt.date] = field(default_factory=dict)
    errors: list[CellFinding] = field(default_factory=list)
    notes: list[CellFinding] = field(default_factory=list)


@dataclass
class LedgerData:
    workbook: WorkbookData
    person_sheets: list[SheetData]  # the same sheets with only the roster's columns
    rows: dict[tuple[str, int], LedgerRow]  # (sheet, row) → dated cells
    step_columns: dict[str, frozenset[str]]  # sheet → the steps it has a column for


def is_dated_key(key: str) -> bool:
    return key.startswith((STEP_PREFIX, REPORT_PREFIX))


def read_ledger(stream: BinaryIO, *, ignore_unknown: bool) -> LedgerData:
    """Raises members.excel.safety.ImportRefused as the roster's reader does."""
    workbook = read_workbook(stream, ignore_unknown=ignore_unknown, match=match_ledger_header)
    person_sheets: list[SheetData] = []
    rows: dict[tuple[str, int], LedgerRow] = {}
    step_columns: dict[str, frozenset[str]] = {}
    for sheet in workbook.sheets:
        step_columns[sheet.title] = frozenset(
            key[len(STEP_PREFIX) :] for key in sheet.columns if key.startswith(STEP_PREFIX)
        )
        personal = SheetData(
            title=sheet.title,
            header_row=sheet.header_row,
            columns={k: v for k, v in sheet.columns.items() if not is_dated_key(k)},
        )
        for source in sheet.rows:
            personal.rows.append(
                SourceRow(
                    source.sheet,
                    source.row,
                    {k: v for k, v in source.cells.items() if not is_dated_key(k)},
                )
            )
            rows[(sheet.title, source.row)] = _dated(sheet, source)
        person_sheets.append(personal)
    return LedgerData(workbook, person_sheets, rows, step_columns)


def _dated(sheet: SheetData, source: SourceRow) -> LedgerRow:
    row = LedgerRow(sheet, source.row)
    for key, raw in source.cells.items():
        if not is_dated_key(key):
            continue
        try:
            parsed = parse_date(raw)
        except CellError as exc:
            row.errors.append(CellFinding(key, exc.code, exc.message))
            continue
        if parsed.month_only:
            row.notes.append(
                CellFinding(
                    key,
                    "month_only",
                    _("Only a year and a month were given; the 1st of the month is used."),
                )
            )
        if key.startswith(STEP_PREFIX):
            row.steps[key[len(STEP_PREFIX) :]] = parsed.value
        else:
            row.reports[key] = parsed.value
    return row
