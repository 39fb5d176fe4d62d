"""Roster import: check, read, judge every row, and write all of it or nothing.

upload → `import_upload` checks the file (safety), reads it (reader), plans every row
(this module) and stores it only when nothing is wrong; the preview and the confirm step
both read the stored file again and plan again, so what is written is judged against
the database as it is at that moment. `import_confirm` writes every row in one
transaction through the people services (scope checks, history, audit) and rolls all of
it back if any row fails.

A row matches an existing person by student number or ID number (blind index), whatever
their unit; a match outside the importer's scope is an error that names nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.idnumber import birth_date as id_birth_date
from core.idnumber import sex_from_id
from core.models import AuditEvent
from members.excel import rules, storage
from members.excel.columns import (
    BOOL_ALIASES,
    COLUMNS_BY_KEY,
    DEGREE_ALIASES,
    DEGREE_VALUES,
    SEX_ALIASES,
    SEX_VALUES,
    STAGE_ALIASES,
    STAGE_VALUES,
    STATUS_ALIASES,
    STATUS_SUSPENDED,
    WHEREABOUTS_ALIASES,
    WHEREABOUTS_VALUES,
    Column,
    Kind,
    lookup,
)
from members.excel.reader import Note, Position, SheetData, SourceRow, read_workbook
from members.excel.safety import ImportRefused, check_xlsx
from members.excel.values import (
    CellError,
    ParsedDate,
    clean_text,
    parse_choice,
    parse_date,
    parse_email,
    parse_grade,
    parse_id_number,
    parse_text,
)
from members.models import OrgUnit, Person, PersonChange, Stage
from members.scoping import has_any_grant, has_unit_perm
from members.services.history import LOADABLE_STAGES, person_load_historical_stage
from members.services.people import EDITABLE_FIELDS, id_number_index, person_create, person_update

LOOKUP_CHUNK = 400  # values per IN (...) query
FOOTER_NAMES = ("合计", "总计", "小计")
FOOTER_PREFIXES = ("填表人", "制表人", "审核人", "负责人", "注:", "注：", "说明")


@dataclass
class Issue:
    """An error that stops the import, at a sheet / row / column of the file."""

    sheet: str
    row: int | None
    column: str
    header: str
    code: str
    message: str


@dataclass
class RowPlan:
    """What confirming will do with one row."""

    sheet: str
    row: int
    name: str
    action: str  # "new" | "update" | "unchanged"
    unit: OrgUnit | None = None
    person_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # create fields, or changed ones
    id_number: str | None = None  # None: leave as it is
    stage: str | None = None  # a stage to load
    stage_since: dt.date | None = None
    changed: list[str] = field(default_factory=list)  # headers, for the preview


@dataclass
class ImportReport:
    filename: str
    refused: ImportRefused | None = None
    errors: list[Issue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    plans: list[RowPlan] = field(default_factory=list)
    token: str | None = None
    applied: bool = False
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for plan in self.plans if plan.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": self.count("new"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "error_rows": len({(i.sheet, i.row) for i in self.errors if i.row}),
        }


class MaskedId(str):
    """An ID number as a masked export writes it: never an ID, only compared."""


def can_import(user) -> bool:
    return has_any_grant(user, "import_people")


# ---------------------------------------------------------------------------- flows


def import_upload(user, stream: BinaryIO, *, size: int, name: str, ignore_unknown: bool):
    """Check and plan an upload. Stored (report.token set) only when nothing is wrong."""
    report = _judge(
        user, stream, size=size, filename=storage.safe_name(name), ignore_unknown=ignore_unknown
    )
    if report.ok:
        report.token = storage.store(
            stream, uploader_id=user.pk, original_name=name, ignore_unknown=ignore_unknown
        )
    return report


def import_preview(user, pending: storage.PendingImport) -> ImportReport:
    """Plan a stored import again against the database as it is now. Writes nothing."""
    with open(pending.workbook_path, "rb") as stream:
        report = _judge(
            user,
            stream,
            size=pending.workbook_path.stat().st_size,
            filename=pending.original_name,
            ignore_unknown=pending.ignore_unknown,
        )
    report.token = pending.token
    return report


def import_confirm(user, pending: storage.PendingImport) -> ImportReport:
    """Re-read, re-plan and write every row in one transaction; all or nothing. The stored
    file is deleted once written. A report with errors means nothing was written."""

    def write() -> ImportReport:
        try:
            with transaction.atomic():
                report = import_preview(user, pending)
                if not report.ok:
                    return report
                _apply(user, report)
                report.applied = True
        except _RowFailed as failed:
            report.errors.append(failed.issue)
        return report

    return storage.confirm_locked(pending, ImportReport, write)


def import_discard(pending: storage.PendingImport) -> None:
    storage.delete(pending)


# ---------------------------------------------------------------------------- judging


def _judge(user, stream: BinaryIO, *, size: int, filename: str, ignore_unknown: bool):
    report = ImportReport(filename=filename)
    try:
        check_xlsx(stream, size)
        report.sha256 = storage.sha256_of(stream)
        workbook = read_workbook(stream, ignore_unknown=ignore_unknown)
    except ImportRefused as refused:
        report.refused = refused
        return report
    finally:
        stream.seek(0)
    report.notes.extend(workbook.notes)
    _Planner(user, report).plan(workbook.sheets)
    return report


@dataclass
class _Parsed:
    sheet: SheetData
    row: int
    values: dict[str, Any]
    month_only: set[str]  # date columns that gave only a year and a month


class _Planner:
    """Plans the rows of one workbook for one importer; fills report.errors/notes/plans."""

    def __init__(self, user, report: ImportReport) -> None:
        self.user = user
        self.report = report
        self.today = timezone.localdate()
        self.max_length = {
            f.name: f.max_length for f in Person._meta.fields if getattr(f, "max_length", None)
        }

    # -- errors and notes at a cell

    def _pos(self, sheet: SheetData, row: int | None, key: str | None) -> Position:
        column = sheet.columns.get(key) if key else None
        if column is None:
            return Position(sheet.title, row)
        return Position(sheet.title, row, column.column, column.header)

    def error(self, sheet: SheetData, row: int | None, key: str | None, code: str, message: str):
        pos = self._pos(sheet, row, key)
        self.report.errors.append(Issue(pos.sheet, pos.row, pos.column, pos.header, code, message))

    def note(self, sheet: SheetData, row: int | None, key: str | None, code: str, message: str):
        self.report.notes.append(Note(self._pos(sheet, row, key), code, message))

    # -- the whole workbook

    def plan(self, sheets: list[SheetData]) -> None:
        parsed = [
            row
            for sheet in sheets
            for source in sheet.rows
            if (row := self._parse_row(sheet, source)) is not None
        ]
        self.units = self._load_units(sheets, [p.values for p in parsed])
        self.sheet_units = {s.title: self._sheet_unit(s) for s in sheets}
        self._load_people([p.values for p in parsed])
        self._load_namesakes([p.values for p in parsed])
        self.seen: dict[tuple[str, str], tuple[str, int]] = {}
        for row in parsed:
            errors_before = len(self.report.errors)
            plan = self._plan_row(row)
            if plan is not None and len(self.report.errors) == errors_before:
                self.report.plans.append(plan)
        # Errors in the order of the file: sheet, row, column.
        order = {sheet.title: index for index, sheet in enumerate(sheets)}
        self.report.errors.sort(
            key=lambda e: (order.get(e.sheet, 0), e.row or 0, len(e.column), e.column)
        )

    # -- one row's cells

    def _parse_row(self, sheet: SheetData, source: SourceRow) -> _Parsed | None:
        values: dict[str, Any] = {}
        month_only: set[str] = set()
        for key, raw in source.cells.items():
            column = COLUMNS_BY_KEY[key]
            try:
                value = self._parse_cell(column, raw)
            except CellError as exc:
                self.error(sheet, source.row, key, exc.code, exc.message)
                values[key] = _INVALID
                continue
            if isinstance(value, ParsedDate):
                if value.month_only:
                    month_only.add(key)
                    self.note(
                        sheet,
                        source.row,
                        key,
                        "month_only",
                        _("Only a year and a month were given; the 1st of the month is used."),
                    )
                value = value.value
            values[key] = value
        name = values.get("name")
        if not any(values.get(k) for k in ("name", "student_number", "id_number")) or (
            isinstance(name, str) and (name in FOOTER_NAMES or name.startswith(FOOTER_PREFIXES))
        ):
            self.note(
                sheet,
                source.row,
                None,
                "row_skipped",
                _("No name, student number or ID number: the row is skipped."),
            )
            return None
        if not name:
            self.error(sheet, source.row, "name", "name_required", _("The name is missing."))
            values["name"] = _INVALID
        if values.get("whereabouts") is _FREE_TEXT:
            # A destination written out ("某某公司") rather than a category: keep it as detail.
            text = clean_text(source.cells["whereabouts"])
            del values["whereabouts"]
            if "whereabouts_detail" not in values:
                values["whereabouts_detail"] = text[: self.max_length["whereabouts_detail"]]
                self.note(
                    sheet,
                    source.row,
                    "whereabouts",
                    "whereabouts_detail",
                    _("Not one of the whereabouts categories; kept as the whereabouts detail."),
                )
        return _Parsed(sheet, source.row, values, month_only)

    def _parse_cell(self, column: Column, raw: object) -> Any:
        kind = column.kind
        if kind is Kind.DATE:
            return parse_date(raw)
        if kind is Kind.ID_NUMBER:
            text = clean_text(raw)
            return MaskedId(text) if "*" in text else parse_id_number(raw)
        if kind is Kind.GRADE:
            return parse_grade(raw)
        if kind is Kind.EMAIL:
            return parse_email(raw, self.max_length["email"])
        if kind is Kind.BOOL:
            text = clean_text(raw).lower()
            if text not in BOOL_ALIASES:
                raise CellError("invalid_choice", _("Write 是 or 否."))
            return BOOL_ALIASES[text]
        if kind is Kind.SEX:
            return parse_choice(raw, SEX_VALUES, SEX_ALIASES, lookup)
        if kind is Kind.DEGREE:
            return parse_choice(raw, DEGREE_VALUES, DEGREE_ALIASES, lookup)
        if kind is Kind.CATEGORY:
            return parse_choice(raw, STAGE_VALUES, STAGE_ALIASES, lookup)
        if kind is Kind.STATUS:
            text = clean_text(raw)
            if text not in STATUS_ALIASES:
                raise CellError("invalid_choice", _("Write 正常 or 停止党籍."))
            return STATUS_ALIASES[text]
        if kind is Kind.WHEREABOUTS:
            code = lookup(clean_text(raw), WHEREABOUTS_VALUES, WHEREABOUTS_ALIASES)
            return code if code is not None else _FREE_TEXT
        if kind is Kind.UNIT:
            return clean_text(raw)
        return parse_text(raw, self.max_length.get(column.key, 255))

    # -- what the rows refer to: units and people, each in a few queries

    def _load_units(self, sheets: list[SheetData], rows: list[dict]) -> dict[str, list[OrgUnit]]:
        """Units in the importer's scope (import and change) named by a sheet or a row."""
        names = {s.title.strip() for s in sheets}
        names |= {v["unit"] for v in rows if isinstance(v.get("unit"), str)}
        by_name: dict[str, list[OrgUnit]] = {}
        in_scope = OrgUnit.objects.restrict(self.user, "import_people").filter(is_active=True)
        in_scope = in_scope.exclude(kind=OrgUnit.Kind.SCHOOL)
        for chunk in _chunks(sorted(names)):
            for unit in in_scope.filter(name__in=chunk):
                if has_unit_perm(self.user, "change_people", unit):
                    by_name.setdefault(unit.name, []).append(unit)
        return by_name

    def _sheet_unit(self, sheet: SheetData) -> OrgUnit | None:
        found = self.units.get(sheet.title.strip(), [])
        return found[0] if len(found) == 1 else None

    def _load_people(self, rows: list[dict]) -> None:
        """Everyone a row could match, in or out of scope, removed or not."""
        numbers = {v["student_number"] for v in rows if isinstance(v.get("student_number"), str)}
        indexes = {
            id_number_index(v["id_number"])
            for v in rows
            if isinstance(v.get("id_number"), str) and not isinstance(v["id_number"], MaskedId)
        }
        self.by_number: dict[str, Person] = {}
        self.by_index: dict[str, Person] = {}
        queries = [Q(student_number__in=c) for c in _chunks(sorted(numbers))]
        queries += [Q(id_number_index__in=c) for c in _chunks(sorted(indexes))]
        for query in queries:
            for person in Person.objects.filter(query).select_related("unit"):
                if person.student_number:
                    self.by_number[person.student_number] = person
                if person.id_number_index:
                    self.by_index[person.id_number_index] = person
        ids = {p.pk for p in (*self.by_number.values(), *self.by_index.values())}
        self.with_stage_history: set[int] = set()
        for chunk in _chunks(sorted(ids)):
            self.with_stage_history.update(
                PersonChange.objects.filter(person_id__in=chunk, changes__has_key="stage")
                .values_list("person_id", flat=True)
                .distinct()
            )

    def _load_namesakes(self, rows: list[dict]) -> None:
        """For rows with neither a student number nor an ID number: the people of the same
        name in the units the workbook names, so that re-importing an export of people
        without either finds them instead of creating them twice."""
        names = {
            v["name"]
            for v in rows
            if isinstance(v.get("name"), str)
            and not v.get("student_number")
            and not v.get("id_number")
        }
        unit_ids = sorted({u.pk for found in self.units.values() for u in found})
        self.namesakes: dict[tuple[int, str], list[Person]] = {}
        if not names or not unit_ids:
            return
        for chunk in _chunks(sorted(names)):
            people = Person.objects.filter(
                name__in=chunk, unit_id__in=unit_ids, removed_at__isnull=True
            ).select_related("unit")
            for person in people:
                self.namesakes.setdefault((person.unit_id, person.name), []).append(person)

    def _in_scope(self, person: Person) -> bool:
        return has_unit_perm(self.user, "import_people", person.unit) and has_unit_perm(
            self.user, "change_people", person.unit
        )

    # -- one row's plan

    def _plan_row(self, parsed: _Parsed) -> RowPlan | None:
        sheet, row, values = parsed.sheet, parsed.row, parsed.values
        if any(v is _INVALID for v in values.values()):
            return None  # the cell errors are reported; nothing more can be judged

        number = values.get("student_number")
        id_value = values.get("id_number")
        real_id = id_value and not isinstance(id_value, MaskedId)
        index = id_number_index(id_value) if real_id else None
        if not self._first_occurrence(sheet, row, number, index):
            return None

        by_number = self.by_number.get(number) if number else None
        by_index = self.by_index.get(index) if index else None
        for key, match in (("student_number", by_number), ("id_number", by_index)):
            if match is not None and not self._in_scope(match):
                self.error(
                    sheet,
                    row,
                    key,
                    "out_of_scope",
                    _("This row matches a person outside your scope; it cannot be imported here."),
                )
                return None
        if by_number and by_index and by_number.pk != by_index.pk:
            self.error(
                sheet,
                row,
                "id_number",
                "two_people",
                _("The student number and the ID number belong to two different people."),
            )
            return None
        person = by_number or by_index
        if person is not None:
            if person.removed_at is not None:
                self.error(
                    sheet,
                    row,
                    "name",
                    "removed",
                    _("This row matches a person who was removed; restore them first."),
                )
                return None
            if ("person", str(person.pk)) in self.seen:
                first_sheet, first_row = self.seen[("person", str(person.pk))]
                self.error(
                    sheet,
                    row,
                    "name",
                    "duplicate",
                    _("This row is the same person as %(sheet)s row %(row)d.")
                    % {"sheet": first_sheet, "row": first_row},
                )
                return None
            self.seen[("person", str(person.pk))] = (sheet.title, row)

        unit = self._row_unit(sheet, row, values, person)
        if unit is _INVALID:
            return None
        if person is None and not number and not id_value:
            namesakes = self.namesakes.get((unit.pk, values["name"]), [])
            if len(namesakes) > 1:
                self.error(
                    sheet,
                    row,
                    "name",
                    "ambiguous_person",
                    _(
                        "Several people in %(unit)s have this name; give a student number or "
                        "an ID number to say which one."
                    )
                    % {"unit": unit.name},
                )
                return None
            if namesakes:
                person = namesakes[0]
                if ("person", str(person.pk)) in self.seen:
                    self.error(
                        sheet, row, "name", "duplicate", _("This person is already in another row.")
                    )
                    return None
                self.seen[("person", str(person.pk))] = (sheet.title, row)
        if isinstance(id_value, MaskedId) and (
            person is None or id_value != person.id_number_masked
        ):
            self.error(
                sheet,
                row,
                "id_number",
                "masked_id_number",
                _("A masked ID number cannot be imported; give the full number or leave it empty."),
            )
            return None
        if not self._identity_consistent(parsed, id_value):
            return None
        if person is None:
            return self._plan_new(sheet, row, values, unit)
        return self._plan_update(parsed, unit, person)

    def _first_occurrence(self, sheet, row: int, number: str | None, index: str | None) -> bool:
        for kind, key, value in (("sn", "student_number", number), ("id", "id_number", index)):
            if not value:
                continue
            if (kind, value) in self.seen:
                first_sheet, first_row = self.seen[(kind, value)]
                self.error(
                    sheet,
                    row,
                    key,
                    "duplicate",
                    _("The same value is already in %(sheet)s row %(row)d.")
                    % {"sheet": first_sheet, "row": first_row},
                )
                return False
            self.seen[(kind, value)] = (sheet.title, row)
        return True

    def _row_unit(self, sheet, row: int, values: dict, person: Person | None):
        """The unit the row puts the person in: its 党支部 cell, else the sheet's name, else
        (for someone already known) where they are now."""
        name = values.get("unit")
        if name:
            found = self.units.get(name, [])
            if len(found) == 1:
                return found[0]
            if not found:
                self.error(
                    sheet,
                    row,
                    "unit",
                    "unknown_unit",
                    _("There is no unit named “%(name)s” in your scope.") % {"name": name},
                )
            else:
                self.error(
                    sheet,
                    row,
                    "unit",
                    "ambiguous_unit",
                    _("Several units in your scope are named “%(name)s”; rename one of them first.")
                    % {"name": name},
                )
            return _INVALID
        if self.sheet_units[sheet.title] is not None:
            return self.sheet_units[sheet.title]
        if person is not None:
            return person.unit
        self.error(
            sheet,
            row,
            "unit",
            "no_unit",
            _(
                "No Party branch: the sheet name “%(sheet)s” is not a unit in your scope, and the "
                "row gives none."
            )
            % {"sheet": sheet.title},
        )
        return _INVALID

    def _identity_consistent(self, parsed: _Parsed, id_value) -> bool:
        """Sex and birth date must agree with the ID number, which contains both."""
        sheet, row, values = parsed.sheet, parsed.row, parsed.values
        if not id_value or isinstance(id_value, MaskedId):
            return True
        ok = True
        if values.get("sex") and values["sex"] != sex_from_id(id_value):
            self.error(
                sheet, row, "sex", "sex_mismatch", _("The sex does not match the ID number.")
            )
            ok = False
        born = values.get("birth_date")
        from_id = id_birth_date(id_value)
        if born:
            same = (born.year, born.month) == (from_id.year, from_id.month)
            if not same or ("birth_date" not in parsed.month_only and born != from_id):
                self.error(
                    sheet,
                    row,
                    "birth_date",
                    "birth_date_mismatch",
                    _("The birth date does not match the ID number (%(date)s).")
                    % {"date": from_id.isoformat()},
                )
                ok = False
            else:
                values["birth_date"] = from_id  # the ID number has the day
        return ok

    def _check_dates(self, sheet, row: int, stage: str | None, dates: dict, birth) -> bool:
        errors = rules.date_errors(dates, today=self.today, birth=birth)
        if stage in LOADABLE_STAGES:  # ending states (transferred out …) have no such rules
            errors += rules.stage_errors(stage, dates)
        for key, code, message in errors:
            at = key if key in sheet.columns else _first_present(sheet, rules.STEP_FIELDS)
            self.error(sheet, row, at, code, message)
        return not errors

    def _stage_loadable(self, sheet, row: int, stage: str) -> bool:
        if stage not in LOADABLE_STAGES:
            self.error(
                sheet,
                row,
                "category",
                "stage_not_loadable",
                _("Only pipeline stages can be loaded from a roster."),
            )
            return False
        return True

    def _plan_new(self, sheet, row: int, values: dict, unit: OrgUnit) -> RowPlan | None:
        fields = {k: v for k, v in values.items() if k in EDITABLE_FIELDS and k != "unit"}
        if values.get("status") == STATUS_SUSPENDED:
            self.error(
                sheet,
                row,
                "status",
                "status_suspended",
                _("Suspension is recorded through a lapse case, not by an import."),
            )
            return None
        stage = values.get("category") or rules.infer_stage(values)
        if not self._stage_loadable(sheet, row, stage):
            return None
        birth = values.get("birth_date") or (
            id_birth_date(values["id_number"]) if values.get("id_number") else None
        )
        if not self._check_dates(sheet, row, stage, values, birth):
            return None
        return RowPlan(
            sheet=sheet.title,
            row=row,
            name=values["name"],
            action="new",
            unit=unit,
            fields=fields,
            id_number=values.get("id_number"),
            stage=stage if stage != Stage.APPLICANT else None,
            stage_since=rules.stage_since(stage, values),
            changed=[COLUMNS_BY_KEY[k].header for k in values if k in COLUMNS_BY_KEY],
        )

    def _plan_update(self, parsed: _Parsed, unit, person: Person) -> RowPlan | None:
        sheet, row, values = parsed.sheet, parsed.row, parsed.values
        data = {
            k: v
            for k, v in values.items()
            if k in EDITABLE_FIELDS and k != "unit" and _differs(person, k, v)
        }
        born = data.get("birth_date")
        known = person.birth_date
        same_month = born and known and (born.year, born.month) == (known.year, known.month)
        if same_month and "birth_date" in parsed.month_only:
            del data["birth_date"]  # "200305" says nothing new about 2003-05-17
        if unit.pk != person.unit_id:
            data["unit"] = unit
        id_value = values.get("id_number")
        new_id = None
        if (
            id_value
            and not isinstance(id_value, MaskedId)
            and id_number_index(id_value) != person.id_number_index
        ):
            new_id = id_value

        status = values.get("status")
        suspended = person.stage == Stage.SUSPENDED
        if status and (status == STATUS_SUSPENDED) != suspended:
            self.error(
                sheet,
                row,
                "status",
                "status_change",
                _("Membership status changes through a lapse case, not by an import."),
            )
            return None

        stage = values.get("category")
        load = stage if stage and stage != person.stage else None
        if load:
            if not self._stage_loadable(sheet, row, load):
                return None
            if person.pk in self.with_stage_history:
                self.error(
                    sheet,
                    row,
                    "category",
                    "stage_history",
                    _(
                        "This person already has a recorded stage history; use the pipeline's "
                        "steps instead."
                    ),
                )
                return None

        touched_dates = load or any(k in data for k in (*rules.STEP_FIELDS, "birth_date"))
        if touched_dates or any(k in values for k in ("activist_on", "candidate_on")):
            dates = {k: getattr(person, k, None) for k in rules.STEP_FIELDS}
            dates.update({k: v for k, v in values.items() if k in rules.STEP_FIELDS})
            birth = data.get("birth_date", person.birth_date)
            if not self._check_dates(sheet, row, load or person.stage, dates, birth):
                return None

        changed = [COLUMNS_BY_KEY[k].header for k in data]
        if new_id:
            changed.append(COLUMNS_BY_KEY["id_number"].header)
        if load:
            changed.append(COLUMNS_BY_KEY["category"].header)
        return RowPlan(
            sheet=sheet.title,
            row=row,
            name=values.get("name") or person.name,
            action="update" if changed else "unchanged",
            unit=unit,
            person_id=person.pk,
            fields=data,
            id_number=new_id,
            stage=load,
            stage_since=rules.stage_since(load, {**_person_dates(person), **values})
            if load
            else None,
            changed=changed,
        )


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_INVALID: Any = _Marker("invalid")  # a cell that failed to parse (its error is reported)
_FREE_TEXT: Any = _Marker("free text")  # a whereabouts cell that is not a category


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _first_present(sheet: SheetData, keys) -> str | None:
    return next((k for k in keys if k in sheet.columns), "category")


def _person_dates(person: Person) -> dict[str, dt.date | None]:
    return {k: getattr(person, k, None) for k in rules.STEP_FIELDS}


def _differs(person: Person, key: str, value: Any) -> bool:
    current = getattr(person, key)
    if key == "birth_date" and current and value:
        return current != value
    if isinstance(current, str) or current is None:
        return (current or "") != (value if value is not None else "")
    return current != value


# ---------------------------------------------------------------------------- writing


class _RowFailed(Exception):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _apply(user, report: ImportReport) -> None:
    """Write every planned row (inside the caller's transaction) and audit the import."""
    for plan in report.plans:
        evidence = f"{report.filename}（{plan.sheet}）第{plan.row}行"
        try:
            _apply_row(user, plan, evidence)
        except (ValidationError, PermissionDenied, IntegrityError) as exc:
            messages = getattr(exc, "messages", None) or [
                _("You may not change people in this unit.")
                if isinstance(exc, PermissionDenied)
                else _("The database refused this row.")
            ]
            raise _RowFailed(
                Issue(plan.sheet, plan.row, "", "", "write_failed", " ".join(messages))
            ) from exc
    counts = report.counts
    audit_record(
        actor=user,
        action=AuditEvent.Action.IMPORT,
        target_type=Person._meta.label_lower,
        summary=(
            f"{report.filename}: {counts['new']} new, {counts['update']} updated, "
            f"{counts['unchanged']} unchanged"
        ),
        detail={
            "file": report.filename,
            "sha256": report.sha256,
            "rows": len(report.plans),
            **counts,
        },
    )


def plan_people(user, report: ImportReport, sheets: list[SheetData]) -> None:
    """Plan rows with the roster's rules (matching, scope, units, identity, fields) into
    `report`; the development ledger import plans its people through this."""
    _Planner(user, report).plan(sheets)


def apply_person_row(user, plan: RowPlan, evidence: str) -> Person | None:
    """Write one planned row (inside the caller's transaction); the person it is about."""
    if plan.action == "unchanged":
        return Person.objects.get(pk=plan.person_id)
    return _apply_row(user, plan, evidence)


def _apply_row(user, plan: RowPlan, evidence: str) -> Person | None:
    if plan.action == "unchanged":
        return None
    if plan.action == "new":
        person = person_create(
            actor=user,
            unit=plan.unit,
            id_number=plan.id_number,
            kind=PersonChange.Kind.IMPORTED,
            **plan.fields,
        )
    else:
        person = Person.objects.get(pk=plan.person_id)
        if plan.fields or plan.id_number:
            person = person_update(
                person=person,
                actor=user,
                data=plan.fields,
                id_number=plan.id_number,
                reason=evidence,
                kind=PersonChange.Kind.IMPORTED,
            )
    if plan.stage:
        person = person_load_historical_stage(
            person=person, stage=plan.stage, since=plan.stage_since, evidence=evidence, actor=user
        )
    return person
