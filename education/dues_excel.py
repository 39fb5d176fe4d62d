"""Dues in Excel: import a sheet of payments (preview with row and column errors, then all
or nothing) and export the payments of the user's scope. The file checks (members.excel.
safety), the pending-upload store (members.excel.storage), the cell parsers (members.excel.
values) and the formula guard of the roster export are reused as they are."""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.audit import audit_record
from core.models import AuditEvent
from education import cadence
from education.models import DuesPayment, PaymentSource
from education.services import dues as dues_services
from members.excel import storage
from members.excel.export import neutralise
from members.excel.safety import ImportRefused, check_xlsx
from members.excel.values import CellError, clean_text, is_blank, parse_date
from members.models import OrgUnit, Person
from members.scoping import scope_q

PERM = dues_services.PERM
SHEET_TITLE = "党费交纳"
HEADER_SCAN_ROWS = 5
MAX_ROWS = 20000
# column key → the headers schools write for it; the first is what the export writes.
HEADERS: dict[str, tuple[str, ...]] = {
    "student_number": ("学号", "学工号"),
    "name": ("姓名",),
    "month": ("月份", "党费月份", "交纳月份", "缴纳月份", "所属月份"),
    "amount": ("金额（元）", "金额", "党费金额", "交纳金额", "缴纳金额", "金额(元)"),
    "paid_on": ("交纳日期", "缴纳日期", "交费日期", "缴费日期"),
}
REQUIRED = ("student_number", "month", "paid_on")


@dataclass
class RowError:
    row: int
    column: str  # the column letter, or "" for the whole file
    header: str  # the header as written
    message: str


@dataclass
class PlannedRow:
    row: int
    person: Person
    month: Any
    amount: Decimal | None
    paid_on: Any


@dataclass
class DuesReport:
    filename: str
    token: str = ""
    refused: ImportRefused | None = None
    errors: list[RowError] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.errors and bool(self.rows)

    @property
    def total(self) -> Decimal:
        return sum(
            (
                r.amount if r.amount is not None else dues_services.dues_of(r.person)
                for r in self.rows
            ),
            Decimal(0),
        )


def can_import(user) -> bool:
    from members.scoping import has_any_grant

    return has_any_grant(user, PERM)


def _header_key(text: str) -> str | None:
    text = clean_text(text).replace(" ", "")
    for key, names in HEADERS.items():
        if text in names:
            return key
    return None


def _read(stream: BinaryIO) -> tuple[dict[str, tuple[int, str]], list[tuple[int, dict]]]:
    """Columns found (key → index, header) and the data rows (row number, key → value)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise ImportRefused("not_xlsx", _("The workbook is damaged and cannot be read.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        columns: dict[str, tuple[int, str]] = {}
        header_row = 0
        for number, values in enumerate(rows, start=1):
            found = {}
            for index, value in enumerate(values or ()):
                key = _header_key(value) if isinstance(value, str) else None
                if key and key not in found:
                    found[key] = (index, clean_text(value))
            if all(k in found for k in REQUIRED):
                columns, header_row = found, number
                break
            if number >= HEADER_SCAN_ROWS:
                break
        if not columns:
            raise ImportRefused(
                "no_header",
                _("No header row with the columns %(cols)s was found in the first rows.")
                % {"cols": "、".join(HEADERS[k][0] for k in REQUIRED)},
            )
        data = []
        for number, values in enumerate(rows, start=header_row + 1):
            cells = {k: values[i] for k, (i, _h) in columns.items() if i < len(values or ())}
            if all(is_blank(v) for v in cells.values()):
                continue
            data.append((number, cells))
            if len(data) > MAX_ROWS:
                raise ImportRefused(
                    "too_many_rows",
                    _("At most %(n)s rows can be imported at once.") % {"n": MAX_ROWS},
                )
        return columns, data
    finally:
        workbook.close()


def _judge(user, stream: BinaryIO, *, size: int, filename: str) -> DuesReport:
    report = DuesReport(filename=filename)
    try:
        check_xlsx(stream, size)
        columns, data = _read(stream)
    except ImportRefused as refused:
        report.refused = refused
        return report
    header = {k: (get_column_letter(i + 1), h) for k, (i, h) in columns.items()}
    numbers = {clean_text(c.get("student_number")) for _n, c in data} - {""}
    people = {
        p.student_number: p
        for p in Person.objects.restrict(user, PERM)
        .filter(student_number__in=numbers)
        .select_related("unit", "dues_account")
    }
    paid = dues_services.paid_months(p.pk for p in people.values())
    on = dues_services.today()
    for number, cells in data:
        errors_before = len(report.errors)

        def error(key: str, message: str, number=number) -> None:
            letter, title = header.get(key, ("", ""))
            report.errors.append(RowError(number, letter, title, message))

        student_number = clean_text(cells.get("student_number"))
        person = people.get(student_number)
        if not student_number:
            error("student_number", _("The student number is empty."))
        elif person is None:
            error("student_number", _("No member with student number %(n)s in your scope.")
                  % {"n": student_number})  # fmt: skip
        name = clean_text(cells.get("name"))
        if person is not None and name and name != person.name:
            error("name", _("Student number %(n)s is %(name)s, not %(given)s.")
                  % {"n": student_number, "name": person.name, "given": name})  # fmt: skip
        month = paid_on = None
        try:
            month = cadence.first_of_month(parse_date(cells.get("month")).value)
        except CellError as exc:
            error("month", exc.message)
        try:
            paid_on = parse_date(cells.get("paid_on")).value
        except CellError as exc:
            error("paid_on", exc.message)
        amount = None
        if not is_blank(cells.get("amount")):
            try:
                amount = Decimal(clean_text(cells.get("amount")))
                if not amount.is_finite() or amount <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                error("amount", _("The amount must be a number of yuan, such as 0.20."))
                amount = None
        if len(report.errors) > errors_before or person is None:
            continue
        entry = dues_services.Entry(person, month, paid_on, amount)
        months = paid.setdefault(person.pk, set())
        for problem in dues_services.entry_problems(entry, on=on, paid=months):
            error("month", problem)
        months.add(month)
        report.rows.append(PlannedRow(number, person, month, amount, paid_on))
    if not data:
        report.refused = ImportRefused("empty", _("The sheet has a header but no rows."))
    return report


def import_upload(user, stream: BinaryIO, *, size: int, name: str) -> DuesReport:
    report = _judge(user, stream, size=size, filename=storage.safe_name(name))
    if report.ok:
        report.token = storage.store(
            stream, uploader_id=user.pk, original_name=name, ignore_unknown=False
        )
    return report


def import_preview(user, pending: storage.PendingImport) -> DuesReport:
    with open(pending.workbook_path, "rb") as stream:
        report = _judge(
            user, stream, size=pending.workbook_path.stat().st_size, filename=pending.original_name
        )
    report.token = pending.token
    return report


def import_confirm(user, pending: storage.PendingImport) -> DuesReport:
    """Judge the stored file again and record every row, or none."""
    if not storage.lock(pending):
        report = DuesReport(filename=pending.original_name, token=pending.token)
        report.refused = ImportRefused("busy", _("This import is already being confirmed."))
        return report
    try:
        with transaction.atomic():
            report = import_preview(user, pending)
            if not report.ok:
                return report
            entries = [
                dues_services.Entry(
                    r.person, r.month, r.paid_on, r.amount, f"{pending.original_name} 第{r.row}行"
                )
                for r in report.rows
            ]
            try:
                dues_services.dues_record_many(
                    entries=entries, actor=user, source=PaymentSource.IMPORTED
                )
            except (ValidationError, PermissionDenied) as exc:
                messages = (
                    exc.messages if isinstance(exc, ValidationError) else [_("Out of scope.")]
                )
                report.errors += [RowError(0, "", "", m) for m in messages]
                return report
            report.applied = True
    finally:
        storage.unlock(pending)
    storage.delete(pending)
    return report


# ---- export -------------------------------------------------------------------------------

EXPORT_HEADERS = ("党支部", "学号", "姓名", "月份", "金额（元）", "交纳日期", "来源", "党费交至")


def export_queryset(user, params: Mapping[str, Any]):
    queryset = DuesPayment.objects.filter(scope_q(user, PERM, field="person__unit__path"))
    unit_id = params.get("unit")
    if unit_id and str(unit_id).isdigit():
        unit = OrgUnit.objects.restrict(user, PERM).filter(pk=int(unit_id)).first()
        queryset = (
            queryset.filter(person__unit__path__startswith=unit.path) if unit else queryset.none()
        )
    year = params.get("year")
    if year and str(year).isdigit():
        queryset = queryset.filter(month__year=int(year))
    return queryset.select_related("person__unit").order_by(
        "person__unit__path", "person__name", "person_id", "month"
    )


def export_dues(user, params: Mapping[str, Any]) -> tuple[IO[bytes], str]:
    queryset = export_queryset(user, params)
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    bold = Font(bold=True)
    header = []
    for title in EXPORT_HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    rows = 0
    for p in queryset.iterator(chunk_size=2000):
        person = p.person
        through = person.dues_paid_through
        sheet.append([neutralise(v) for v in (
            person.unit.name, person.student_number or "", person.name, f"{p.month:%Y-%m}",
            p.amount, p.paid_on, p.get_source_display(), f"{through:%Y-%m}" if through else "",
        )])  # fmt: skip
        rows += 1
    workbook.save(out)
    out.seek(0)
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target_type=DuesPayment._meta.label_lower,
        summary=f"dues export: {rows} payments",
        detail={"filters": {k: str(v) for k, v in params.items() if v}, "rows": rows},
    )
    return out, f"dues-{timezone.localdate():%Y%m%d}.xlsx"
