"""Roster export: exactly the people a user may export, as the national data items.

The workbook is written by openpyxl in write-only mode into an anonymous temporary file
(rows go straight to disk, never held as cell objects), and the people are read with
`.iterator()` in chunks with their unit joined, so memory and the number of queries stay
the same for ten people or a million. Every text cell a spreadsheet could run as a
formula is written with a leading apostrophe.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from core import crypto
from core.audit import audit_record
from core.models import AuditEvent
from members.excel.columns import (
    BOOL_VALUES,
    DEGREE_VALUES,
    EXPORT_COLUMNS,
    SEX_VALUES,
    STAGE_VALUES,
    STATUS_NORMAL,
    STATUS_SUSPENDED,
    WHEREABOUTS_VALUES,
    Column,
)
from members.excel.values import FORMULA_TRIGGERS
from members.filters import filter_people
from members.models import Person, Stage
from members.models.people import MEMBER_STAGES
from members.scoping import has_any_grant, has_unit_perm

CHUNK_SIZE = 2000
SHEET_TITLE = "党员名册"
# The people list calls the graduation-year filter `graduation_year`; accept the short
# spelling too, so links written either way export the same rows.
PARAM_ALIASES = {"grad_year": "graduation_year"}


def can_export(user) -> bool:
    return has_any_grant(user, "export_people")


def neutralise(value: Any) -> Any:
    """A text that Excel, WPS or LibreOffice would run as a formula gets an apostrophe;
    control characters a workbook cannot hold are dropped."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def export_queryset(user, params: Mapping[str, Any]) -> QuerySet[Person]:
    """The people `user` may export, narrowed by the people list's own filters."""
    params = {k: v for k, v in params.items()}
    for alias, name in PARAM_ALIASES.items():
        if alias in params and name not in params:
            params[name] = params[alias]
    scoped = Person.objects.restrict(user, "export_people")
    queryset, _used = filter_people(scoped, params, user=user)
    return queryset.select_related("unit")


def _cell_value(person: Person, column: Column, id_number: str) -> Any:
    key = column.key
    if key == "id_number":
        return id_number
    if key == "unit":
        return person.unit.name
    if key == "category":
        return STAGE_VALUES.get(person.stage, person.stage)
    if key == "status":
        if person.stage == Stage.SUSPENDED:
            return STATUS_SUSPENDED
        return STATUS_NORMAL if person.stage in MEMBER_STAGES else None
    value = getattr(person, key)
    if key == "sex":
        return SEX_VALUES.get(value)
    if key == "degree_level":
        return DEGREE_VALUES.get(value)
    if key == "whereabouts":
        return WHEREABOUTS_VALUES.get(value)
    if isinstance(value, bool):
        return BOOL_VALUES[value]
    if value == "":
        return None
    return value


def _rows(user, queryset: QuerySet[Person], stats: dict[str, int]) -> Iterator[list[Any]]:
    for person in queryset.iterator(chunk_size=CHUNK_SIZE):
        id_number = person.id_number_masked or None
        # The unit is joined and the user's grants are cached: no query per row.
        if person.id_number_encrypted and has_unit_perm(user, "view_id_number", person.unit):
            id_number = crypto.decrypt(person.id_number_encrypted)
            stats["unmasked_id_numbers"] += 1
        stats["rows"] += 1
        yield [neutralise(_cell_value(person, c, id_number)) for c in EXPORT_COLUMNS]


def write_roster(user, queryset: QuerySet[Person], out: IO[bytes]) -> dict[str, int]:
    """Write the roster workbook to `out`; return how many rows and unmasked ID numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    bold = Font(bold=True)
    header = []
    for column in EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    stats = {"rows": 0, "unmasked_id_numbers": 0}
    for row in _rows(user, queryset, stats):
        sheet.append(row)
    workbook.save(out)
    return stats


def export_roster(user, params: Mapping[str, Any]) -> tuple[IO[bytes], str]:
    """Build the roster into a temporary file (deleted when closed) and record the export
    of personal data in the audit log. Returns the open file, at position 0, and a name."""
    queryset = export_queryset(user, params)
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    try:
        stats = write_roster(user, queryset, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    used = {k: str(v) for k, v in params.items() if v not in ("", None)}
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target_type=Person._meta.label_lower,
        summary=(
            f"roster export: {stats['rows']} people, "
            f"{stats['unmasked_id_numbers']} unmasked ID numbers"
        ),
        detail={"filters": used, **stats},
    )
    return out, f"roster-{timezone.localdate():%Y%m%d}.xlsx"
