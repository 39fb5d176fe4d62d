"""Development workbooks: the ledger (发展党员台账) and the filing forms schools send upward.

Like the roster export (members/excel/export.py, whose helpers this reuses), every workbook
is written by openpyxl in write-only mode into an anonymous temporary file, the people are
read in chunks with the step records of each chunk read in one query, exactly the people the
user may export are in it (`export_people`), every export is in the audit log, and every
text a spreadsheet could run as a formula is neutralised. The files are Chinese whatever the
interface language: headers are those of the ledgers and forms schools keep.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from core import crypto
from core.audit import audit_record
from core.models import AuditEvent
from development import clock
from development.models import (
    Assignment,
    AssignmentKind,
    Decision,
    Extension,
    RecommendationKind,
    Step,
    StepRecord,
)
from members.excel.export import neutralise
from members.models import OrgUnit, Person, Stage
from members.scoping import has_unit_perm

CHUNK_SIZE = 2000
MIN_THOUGHT_REPORTS = 4  # ledgers keep room for at least four reports
SEX = {Person.Sex.MALE: "男", Person.Sex.FEMALE: "女"}
RECOMMENDATION = {
    RecommendationKind.PARTY_MEMBERS: "党员推荐",
    RecommendationKind.YOUTH_LEAGUE: "团组织推优",
}
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# What one row reads -------------------------------------------------------------------


@dataclass
class Facts:
    """One person with their step records, contacts, introducers and extension."""

    person: Person
    records: list[StepRecord] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    introducers: list[str] = field(default_factory=list)
    extension: Extension | None = None
    id_number: str | None = None

    def on(self, step: str, first: bool = False) -> dt.date | None:
        days = [r.on for r in self.records if r.step == step and r.decision != Decision.REFUSED]
        if not days:
            return None
        return min(days) if first else max(days)

    def all_on(self, step: str) -> list[dt.date]:
        return sorted(
            r.on for r in self.records if r.step == step and r.decision != Decision.REFUSED
        )

    def last(self, step: str) -> StepRecord | None:
        found = [r for r in self.records if r.step == step and r.decision != Decision.REFUSED]
        return max(found, key=lambda r: (r.on, r.pk)) if found else None

    @property
    def probation_end(self) -> dt.date | None:
        joined = self.person.joined_on
        if joined is None:
            return None
        return clock.probation_end(joined, self.extension.months if self.extension else 0)


def _chunks(queryset: QuerySet[Person]) -> Iterator[list[Person]]:
    chunk: list[Person] = []
    for person in queryset.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(person)
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _facts(user, people: list[Person], stats: dict[str, int]) -> list[Facts]:
    """The chunk's facts in three queries (records, assignments, extensions)."""
    ids = [p.pk for p in people]
    records: dict[int, list[StepRecord]] = defaultdict(list)
    for record in StepRecord.objects.filter(person_id__in=ids).order_by("on", "id"):
        records[record.person_id].append(record)
    names: dict[tuple[int, str], list[str]] = defaultdict(list)
    current = Assignment.objects.filter(person_id__in=ids, ended_on__isnull=True)
    for person_id, kind, name in current.order_by("assigned_on", "id").values_list(
        "person_id", "kind", "member__name"
    ):
        names[(person_id, kind)].append(name)
    extensions = {e.person_id: e for e in Extension.objects.filter(person_id__in=ids)}
    out = []
    for person in people:
        id_number = person.id_number_masked or None
        if person.id_number_encrypted and has_unit_perm(user, "view_id_number", person.unit):
            id_number = crypto.decrypt(person.id_number_encrypted)
            stats["unmasked_id_numbers"] += 1
        stats["rows"] += 1
        out.append(
            Facts(
                person=person,
                records=records[person.pk],
                contacts=names[(person.pk, AssignmentKind.CONTACT)],
                introducers=names[(person.pk, AssignmentKind.INTRODUCER)],
                extension=extensions.get(person.pk),
                id_number=id_number,
            )
        )
    return out


# Columns ------------------------------------------------------------------------------

Getter = Callable[[Facts], Any]


def _text(value: str) -> str | None:
    return value or None


def _major_class(f: Facts) -> str | None:
    return " ".join(v for v in (f.person.major, f.person.class_name) if v) or None


def _recommendation(f: Facts) -> str | None:
    record = f.last(Step.RECOMMENDATION)
    return RECOMMENDATION.get(record.detail.get("kind")) if record else None


def _extension(f: Facts) -> str | None:
    return f"延长{f.extension.months}个月" if f.extension else None


def _step(step: str, first: bool = False) -> Getter:
    return lambda f: f.on(step, first)


COMMON: dict[str, Getter] = {
    "党支部": lambda f: f.person.unit.name,
    "所在党支部": lambda f: f.person.unit.name,
    "学号": lambda f: _text(f.person.student_number or ""),
    "姓名": lambda f: f.person.name,
    "出生": lambda f: f.person.birth_date,
    "出生年月": lambda f: f.person.birth_date,
    "性别": lambda f: SEX.get(f.person.sex),
    "民族": lambda f: _text(f.person.ethnicity),
    "籍贯": lambda f: _text(f.person.native_place),
    "电话": lambda f: _text(f.person.mobile),
    "身份证": lambda f: f.id_number,
    "公民身份号码": lambda f: f.id_number,
    "学历": lambda f: _text(f.person.education),
    "专业": lambda f: _text(f.person.major),
    "专业班级": _major_class,
    "申请书": lambda f: f.on(Step.APPLICATION) or f.person.applied_on,
    "递交入党申请书时间": lambda f: f.on(Step.APPLICATION) or f.person.applied_on,
    "首次谈话": _step(Step.APPLICANT_TALK),
    "谈话时间": _step(Step.APPLICANT_TALK),
    "积极分子": _step(Step.ACTIVIST_DETERMINED),
    "确定为入党积极分子时间": _step(Step.ACTIVIST_DETERMINED),
    "培养联系人": lambda f: "、".join(f.contacts) or None,
    "推优": _step(Step.RECOMMENDATION, first=True),
    "推荐方式": _recommendation,
    "推荐时间": _step(Step.RECOMMENDATION, first=True),
    "发展对象": _step(Step.CANDIDATE_DETERMINED),
    "确定为发展对象时间": _step(Step.CANDIDATE_DETERMINED),
    "政审": _step(Step.POLITICAL_REVIEW),
    "政治审查时间": _step(Step.POLITICAL_REVIEW),
    "党校结业": _step(Step.TRAINING),
    "集中培训结业时间": _step(Step.TRAINING),
    "支部委员会审查时间": _step(Step.BRANCH_REVIEW),
    "党委预审": _step(Step.PRE_REVIEW),
    "党委预审时间": _step(Step.PRE_REVIEW),
    "介绍人": lambda f: "、".join(f.introducers) or None,
    "入党介绍人": lambda f: "、".join(f.introducers) or None,
    "预备(支部大会)": lambda f: f.person.joined_on,
    "支部大会通过时间": lambda f: f.person.joined_on,
    "入党时间": lambda f: f.person.joined_on,
    "入党谈话": _step(Step.HIGHER_TALK),
    "党委审批": _step(Step.ADMISSION_APPROVAL),
    "党委审批时间": _step(Step.ADMISSION_APPROVAL),
    "宣誓": _step(Step.OATH),
    "入党宣誓时间": _step(Step.OATH),
    "预备期满时间": lambda f: f.probation_end,
    "延长预备期": _extension,
    "转正申请": _step(Step.CONVERSION_APPLICATION),
    "转正申请时间": _step(Step.CONVERSION_APPLICATION),
    "转正": lambda f: f.person.full_member_on,
    "毕业时间": lambda f: f.person.expected_graduation,
    "备注": lambda f: _text(f.person.remarks),
}

# The development ledger of DESIGN §9: a group row over a field row.
LEDGER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "基本信息",
        ("党支部", "学号", "姓名", "出生", "性别", "民族", "籍贯", "电话", "身份证", "专业"),
    ),
    ("入党申请人", ("申请书", "首次谈话")),
    ("入党积极分子", ("积极分子", "培养联系人", "推优")),
    ("发展对象", ("发展对象", "政审", "党校结业", "党委预审", "介绍人")),
    ("预备党员", ("预备(支部大会)", "入党谈话", "党委审批", "宣誓")),
    ("正式党员", ("转正申请", "转正")),
    ("其他", ("毕业时间", "备注")),
)
THOUGHT_REPORTS_GROUP = "思想汇报"


@dataclass(frozen=True)
class FilingForm:
    key: str
    title: str  # the form's name, as schools call it
    stage: str  # who is on it when no period is given: people now in this stage
    step: str  # the step whose date a period filters on (and that must be on record)
    columns: tuple[str, ...]


_ID = ("序号", "姓名", "性别", "民族", "出生年月", "学历", "学号", "专业班级", "所在党支部")
FILING_FORMS: dict[str, FilingForm] = {
    form.key: form
    for form in (
        FilingForm(
            "activist_filing",
            "入党积极分子备案表",
            Stage.ACTIVIST,
            Step.ACTIVIST_DETERMINED,
            _ID
            + (
                "递交入党申请书时间",
                "谈话时间",
                "推荐方式",
                "推荐时间",
                "确定为入党积极分子时间",
                "培养联系人",
                "备注",
            ),  # fmt: skip
        ),
        FilingForm(
            "candidate_filing",
            "发展对象备案表",
            Stage.CANDIDATE,
            Step.CANDIDATE_DETERMINED,
            _ID
            + (
                "递交入党申请书时间",
                "确定为入党积极分子时间",
                "培养联系人",
                "确定为发展对象时间",
                "入党介绍人",
                "备注",
            ),  # fmt: skip
        ),
        FilingForm(
            "admission_candidates",
            "拟接收预备党员人员名单",
            Stage.CANDIDATE,
            Step.BRANCH_REVIEW,
            _ID
            + (
                "递交入党申请书时间",
                "确定为入党积极分子时间",
                "确定为发展对象时间",
                "入党介绍人",
                "政治审查时间",
                "集中培训结业时间",
                "支部委员会审查时间",
                "党委预审时间",
                "备注",
            ),  # fmt: skip
        ),
        FilingForm(
            "admitted_probationary",
            "新接收预备党员名册",
            Stage.PROBATIONARY,
            Step.ADMISSION_APPROVAL,
            (
                "序号",
                "姓名",
                "性别",
                "民族",
                "出生年月",
                "公民身份号码",
                "学历",
                "学号",
                "所在党支部",
                "入党介绍人",
                "支部大会通过时间",
                "党委审批时间",
                "入党宣誓时间",
                "预备期满时间",
                "备注",
            ),  # fmt: skip
        ),
        FilingForm(
            "conversion_pre_review",
            "预备党员转正预审名单",
            Stage.PROBATIONARY,
            Step.CONVERSION_APPLICATION,
            _ID
            + (
                "入党时间",
                "预备期满时间",
                "延长预备期",
                "转正申请时间",
                "入党宣誓时间",
                "备注",
            ),  # fmt: skip
        ),
    )
}


# Who is in it ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    unit: OrgUnit | None = None  # narrow to this subtree (already checked to be in scope)
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def period(self) -> bool:
        return self.since is not None or self.until is not None

    def as_dict(self) -> dict[str, str]:
        shown = {
            "unit": self.unit.pk if self.unit else None,
            "since": self.since,
            "until": self.until,
        }
        return {k: str(v) for k, v in shown.items() if v is not None}


def _scoped(user, selection: Selection) -> QuerySet[Person]:
    people = Person.objects.restrict(user, "export_people")
    if selection.unit is not None:
        people = people.filter(unit__path__startswith=selection.unit.path)
    return people


def ledger_queryset(user, selection: Selection) -> QuerySet[Person]:
    """Everyone in the pipeline or past it that the user may export."""
    people = _scoped(user, selection).exclude(stage=Stage.WITHDRAWN)
    return people.select_related("unit").order_by("unit__path", "name", "id")


def filing_queryset(user, form: FilingForm, selection: Selection) -> QuerySet[Person]:
    """People now in the form's stage with its step on record; with a period, everyone whose
    step falls in it, whatever their stage since."""
    records = StepRecord.objects.filter(person=OuterRef("pk"), step=form.step).exclude(
        decision=Decision.REFUSED
    )
    if selection.since:
        records = records.filter(on__gte=selection.since)
    if selection.until:
        records = records.filter(on__lte=selection.until)
    people = _scoped(user, selection).filter(Exists(records))
    if not selection.period:
        people = people.filter(stage=form.stage)
    return people.select_related("unit").order_by("unit__path", "name", "id")


# Writing --------------------------------------------------------------------------------


def _cell(sheet, value: Any, *, bold: bool = False, date: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if bold:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if date or isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _row(sheet, values: list[Any]) -> list[WriteOnlyCell | None]:
    return [None if v is None else _cell(sheet, v) for v in values]


def sheet_title(name: str, used: set[str]) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\), unique."""
    base = SHEET_FORBIDDEN.sub("", name).strip("'") or "Sheet"
    title, n = base[:31], 1
    while title in used:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title)
    return title


def _thought_reports(queryset: QuerySet[Person]) -> int:
    most = (
        StepRecord.objects.filter(
            person__in=queryset.order_by().values("pk"), step=Step.THOUGHT_REPORT
        )
        .exclude(decision=Decision.REFUSED)
        .values("person_id")
        .annotate(n=Count("id"))
        .order_by()
        .aggregate(most=Max("n"))["most"]
    )
    return max(most or 0, MIN_THOUGHT_REPORTS)


def _sheet_unit(person: Person) -> OrgUnit:
    """A Party group's people belong on their branch's sheet."""
    unit = person.unit
    return unit.parent if unit.kind == OrgUnit.Kind.GROUP and unit.parent else unit


def _ledger_header(sheet, reports: int) -> None:
    groups = [
        *LEDGER_GROUPS,
        (THOUGHT_REPORTS_GROUP, tuple(f"第{n}次思想汇报" for n in range(1, reports + 1))),
    ]
    top: list[Any] = []
    fields: list[Any] = []
    column = 1
    for group, names in groups:
        top.extend([_cell(sheet, group, bold=True)] + [None] * (len(names) - 1))
        fields.extend(_cell(sheet, name, bold=True) for name in names)
        if len(names) > 1:
            sheet.merged_cells.add(f"{_col(column)}1:{_col(column + len(names) - 1)}1")
        column += len(names)
    sheet.append(top)
    sheet.append(fields)
    sheet.freeze_panes = "D3"


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


LEDGER_FIELDS = tuple(name for _group, names in LEDGER_GROUPS for name in names)


def write_ledger(user, queryset: QuerySet[Person], out: IO[bytes]) -> dict[str, int]:
    """One sheet per branch, people in name order, dates as Excel dates."""
    workbook = Workbook(write_only=True)
    reports = _thought_reports(queryset)
    stats = {"rows": 0, "unmasked_id_numbers": 0, "sheets": 0}
    used: set[str] = set()
    sheets: dict[int, Any] = {}
    for chunk in _chunks(queryset.select_related("unit__parent")):
        for f in _facts(user, chunk, stats):
            unit = _sheet_unit(f.person)
            sheet = sheets.get(unit.pk)
            if sheet is None:
                sheet = workbook.create_sheet(sheet_title(unit.name, used))
                _ledger_header(sheet, reports)
                sheets[unit.pk] = sheet
            dates = f.all_on(Step.THOUGHT_REPORT)
            values = [COMMON[name](f) for name in LEDGER_FIELDS]
            values += [dates[i] if i < len(dates) else None for i in range(reports)]
            sheet.append(_row(sheet, values))
    if not sheets:  # an empty ledger still has its header
        sheet = workbook.create_sheet("发展党员台账")
        _ledger_header(sheet, reports)
    stats["sheets"] = max(len(sheets), 1)
    workbook.save(out)
    return stats


def write_filing(
    user, form: FilingForm, queryset: QuerySet[Person], out: IO[bytes], *, heading: str, period: str
) -> dict[str, int]:
    """A title row, the filing unit and date, the header, then one row per person."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(form.title)
    width = len(form.columns)
    sheet.merged_cells.add(f"A1:{_col(width)}1")
    sheet.merged_cells.add(f"A2:{_col(width)}2")
    title = WriteOnlyCell(sheet, value=f"{heading}{form.title}")
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    sheet.append([title])
    info = f"填报单位：{heading}    填报日期：{timezone.localdate():%Y年%m月%d日}"
    if period:
        info += f"    统计时段：{period}"
    sheet.append([_cell(sheet, info)])
    sheet.append([_cell(sheet, name, bold=True) for name in form.columns])
    stats = {"rows": 0, "unmasked_id_numbers": 0}
    number = 0
    for chunk in _chunks(queryset):
        for f in _facts(user, chunk, stats):
            number += 1
            values = [number if name == "序号" else COMMON[name](f) for name in form.columns]
            sheet.append(_row(sheet, values))
    workbook.save(out)
    return stats


def _audited_file(
    user, kind: str, writer: Callable[[IO[bytes]], dict[str, int]], selection: Selection
) -> IO[bytes]:
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    try:
        stats = writer(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target_type=Person._meta.label_lower,
        summary=(
            f"{kind} export: {stats['rows']} people, "
            f"{stats['unmasked_id_numbers']} unmasked ID numbers"
        ),
        detail={"export": kind, "filters": selection.as_dict(), **stats},
    )
    return out


def export_ledger(user, selection: Selection) -> tuple[IO[bytes], str]:
    queryset = ledger_queryset(user, selection)
    out = _audited_file(
        user, "development ledger", lambda o: write_ledger(user, queryset, o), selection
    )
    return out, f"发展党员台账-{timezone.localdate():%Y%m%d}.xlsx"


def _heading(user, selection: Selection) -> str:
    if selection.unit is not None:
        return selection.unit.name
    top = OrgUnit.objects.restrict(user, "export_people").order_by("depth", "path").first()
    return top.name if top else ""


def _period(selection: Selection) -> str:
    if not selection.period:
        return ""
    since = f"{selection.since:%Y年%m月%d日}" if selection.since else ""
    until = f"{selection.until:%Y年%m月%d日}" if selection.until else ""
    return f"{since}至{until}"


def export_filing(user, form: FilingForm, selection: Selection) -> tuple[IO[bytes], str]:
    queryset = filing_queryset(user, form, selection)
    heading = _heading(user, selection)

    def writer(out: IO[bytes]) -> dict[str, int]:
        return write_filing(user, form, queryset, out, heading=heading, period=_period(selection))

    out = _audited_file(user, form.key, writer, selection)
    return out, f"{form.title}-{timezone.localdate():%Y%m%d}.xlsx"
