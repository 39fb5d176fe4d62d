"""Development ledger import (DESIGN §9, issue 3 point 8): historical dates from a ledger,
each run through the pipeline's rules, written as step records with the file, sheet and row
as evidence.

upload → `ledger_upload` checks the file (members.excel.safety), reads it (the roster's
reader with the ledger's columns), plans every row and stores the file unless it is refused
as a whole; the preview and the confirm step read and plan it again against the database as
it is then. People are matched, created and updated by the roster's rules
(`members.excel.services.plan_people`): by 身份证 (blind index) or 学号, in the importer's
scope only; a row for someone unknown creates them in the branch its 党支部 cell or its
sheet names. Each row's dates go through development.ledger.rules.

Nothing is written while any row has an error, unless the importer explicitly confirms the
valid rows only (`ledger_confirm(..., subset=...)` with the fingerprint of the preview they
saw, so a changed file or database is never confirmed blind). Everything is written in one
transaction: if any row fails then, nothing is.

Re-importing the same ledger is idempotent: a person whose step records already say what the
row says is unchanged; a person whose records differ from the row is an error that names the
column (the pipeline's own steps change a history, a ledger does not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.idnumber import birth_date as id_birth_date
from core.models import AuditEvent
from development import clock
from development.ledger import rules
from development.ledger.columns import LEDGER_STEPS, STEP_HEADER, report_number, step_key
from development.ledger.parse import LedgerData, LedgerRow, read_ledger
from development.models import STAGE_STEPS, Decision, LocalRules, Step, StepRecord
from development.selectors import school_id
from members.excel import storage
from members.excel.reader import Note, Position, SheetData
from members.excel.safety import ImportRefused, check_xlsx
from members.excel.services import (
    ImportReport,
    Issue,
    MaskedId,
    RowPlan,
    apply_person_row,
    can_import,
    plan_people,
)
from members.models import Person, PersonChange, Stage
from members.models.people import PIPELINE_STAGES
from members.scoping import has_unit_perm

KIND = "ledger"  # members.excel.storage keeps ledger uploads apart from rosters
AUDIT_TARGET = "development.ledger"
LOOKUP_CHUNK = 400
# Steps whose record is a decision that went the person's way.
AGREED_STEPS = frozenset(
    {*STAGE_STEPS, Step.PRE_REVIEW, Step.POLITICAL_REVIEW, Step.ADMISSION_MEETING}
)
PERSON_DATES = {  # Person field → the ledger step that dates it
    "applied_on": Step.APPLICATION,
    "joined_on": Step.ADMISSION_MEETING,
    "full_member_on": Step.CONVERSION_APPROVAL,
}


@dataclass(frozen=True)
class StepPlan:
    step: str
    on: dt.date
    column: str  # letter
    header: str  # as the sheet writes it
    number: int | None = None  # the N of 第N次思想汇报


@dataclass
class LedgerRowPlan:
    sheet: str
    row: int
    name: str
    person: RowPlan  # the roster's plan for the person's own fields
    steps: list[StepPlan] = field(default_factory=list)
    stage: str | None = None  # None: the row dates no step
    stage_since: dt.date | None = None
    dates: dict[str, dt.date | None] = field(default_factory=dict)  # PERSON_DATES fields
    history_on_record: bool = False  # the records already say all this (a re-import)

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label) if self.stage else ""

    @property
    def action(self) -> str:
        """new (person) | load (history onto a known person) | update (own fields only) |
        unchanged."""
        if self.person.action == "new":
            return "new"
        if self.steps and not self.history_on_record:
            return "load"
        return "update" if self.person.action == "update" else "unchanged"


@dataclass
class LedgerReport:
    filename: str
    refused: ImportRefused | None = None
    errors: list[Issue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    plans: list[LedgerRowPlan] = field(default_factory=list)
    token: str | None = None
    applied: bool = False
    subset: bool = False  # written: the valid rows only, as explicitly confirmed
    sha256: str = ""
    imported_before: list[AuditEvent] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.errors

    @property
    def error_rows(self) -> int:
        return len({(i.sheet, i.row) for i in self.errors if i.row})

    @property
    def can_confirm_subset(self) -> bool:
        return self.refused is None and bool(self.errors) and bool(self.writing)

    @property
    def writing(self) -> list[LedgerRowPlan]:
        return [p for p in self.plans if p.action != "unchanged"]

    @property
    def counts(self) -> dict[str, int]:
        found = {"new": 0, "load": 0, "update": 0, "unchanged": 0}
        for plan in self.plans:
            found[plan.action] += 1
        found["steps"] = sum(len(p.steps) for p in self.plans if p.action in ("new", "load"))
        found["error_rows"] = self.error_rows
        return found

    @property
    def fingerprint(self) -> str:
        """What the importer saw: the file, the rows to be written and the rows left out.
        Confirming the valid rows only requires the same fingerprint."""
        digest = hashlib.sha256(self.sha256.encode())
        for plan in self.plans:
            digest.update(f"+{plan.sheet}\x00{plan.row}\x00{plan.action}\n".encode())
        for sheet, row in sorted({(i.sheet, i.row or 0) for i in self.errors}):
            digest.update(f"-{sheet}\x00{row}\n".encode())
        return digest.hexdigest()[:32]


# ---------------------------------------------------------------------------- flows


def can_import_ledger(user) -> bool:
    return can_import(user)


def ledger_upload(user, stream: BinaryIO, *, size: int, name: str, ignore_unknown: bool):
    """Check and plan an upload; stored (report.token) unless refused as a whole, so that the
    preview can offer the valid rows when some have errors."""
    report = _judge(
        user, stream, size=size, filename=storage.safe_name(name), ignore_unknown=ignore_unknown
    )
    if report.refused is None:
        report.token = storage.store(
            stream,
            uploader_id=user.pk,
            original_name=name,
            ignore_unknown=ignore_unknown,
            kind=KIND,
        )
    return report


def ledger_load(token: str, user) -> storage.PendingImport | None:
    return storage.load(token, uploader_id=user.pk, kind=KIND)


def ledger_preview(user, pending: storage.PendingImport) -> LedgerReport:
    """Plan a stored ledger again against the database as it is now. Writes nothing."""
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


def ledger_confirm(
    user, pending: storage.PendingImport, *, subset: str | None = None
) -> LedgerReport:
    """Re-read, re-plan and write in one transaction. Without `subset`, only a ledger without
    errors is written; with it (the fingerprint of the preview the importer confirmed), the
    valid rows are written and the rows with errors left out, provided the plan is still the
    one they saw. A report that is not `applied` means nothing was written."""

    def write() -> LedgerReport:
        try:
            with transaction.atomic():
                report = ledger_preview(user, pending)
                if report.refused is not None:
                    return report
                if subset is not None:
                    if subset != report.fingerprint:
                        report.refused = ImportRefused(
                            "changed",
                            _(
                                "The ledger's rows or the records they match have changed "
                                "since the preview; nothing was written. Check the preview "
                                "again."
                            ),
                        )
                        return report
                    report.subset = bool(report.errors)
                elif report.errors:
                    return report
                _apply(user, report)
                report.applied = True
        except _RowFailed as failed:
            report.errors.append(failed.issue)
            report.applied = False
        return report

    return storage.confirm_locked(pending, LedgerReport, write)


def ledger_discard(pending: storage.PendingImport) -> None:
    storage.delete(pending)


# ---------------------------------------------------------------------------- judging


def _judge(user, stream: BinaryIO, *, size: int, filename: str, ignore_unknown: bool):
    report = LedgerReport(filename=filename)
    try:
        check_xlsx(stream, size)
        report.sha256 = storage.sha256_of(stream)
        data = read_ledger(stream, ignore_unknown=ignore_unknown)
    except ImportRefused as refused:
        report.refused = refused
        return report
    finally:
        stream.seek(0)
    report.notes.extend(data.workbook.notes)
    _Planner(user, report, data).plan()
    report.imported_before = list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.IMPORT, target_type=AUDIT_TARGET, detail__sha256=report.sha256
        ).order_by("at")[:5]
    )
    return report


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Planner:
    def __init__(self, user, report: LedgerReport, data: LedgerData) -> None:
        self.user = user
        self.report = report
        self.data = data
        self.today = timezone.localdate()
        self.sheets = {s.title: s for s in data.workbook.sheets}

    def _issue(self, sheet: SheetData, row: int, key: str | None, code: str, message: str):
        pos = sheet.columns.get(key) if key else None
        self.report.errors.append(
            Issue(
                sheet.title,
                row,
                pos.column if pos else "",
                pos.header if pos else "",
                code,
                message,
            )
        )

    def _note(self, sheet: SheetData, row: int | None, key: str | None, code: str, message: str):
        pos = sheet.columns.get(key) if key else None
        where = (
            Position(sheet.title, row, pos.column, pos.header)
            if pos
            else Position(sheet.title, row)
        )
        self.report.notes.append(Note(where, code, message))

    def plan(self) -> None:
        people = ImportReport(filename=self.report.filename)
        plan_people(self.user, people, self.data.person_sheets)
        self.report.errors.extend(people.errors)
        self.report.notes.extend(people.notes)
        person_errors = {(e.sheet, e.row) for e in people.errors}
        person_plans = {(p.sheet, p.row): p for p in people.plans}
        self._load(person_plans.values())
        for sheet in self.data.workbook.sheets:
            self._sheet_notes(sheet)
        for key, dated in self.data.rows.items():
            plan = person_plans.get(key)
            if plan is None and key not in person_errors:
                continue  # skipped as no person (the roster's note says so)
            errors_before = len(self.report.errors)
            ledger_plan = self._plan_row(dated, plan)
            if plan is not None and len(self.report.errors) == errors_before and ledger_plan:
                self.report.plans.append(ledger_plan)
        order = {title: index for index, title in enumerate(self.sheets)}
        self.report.errors.sort(
            key=lambda e: (order.get(e.sheet, 0), e.row or 0, len(e.column), e.column)
        )
        self.report.plans.sort(key=lambda p: (order.get(p.sheet, 0), p.row))

    # -- what the rows refer to, in a few queries

    def _load(self, plans) -> None:
        ids = sorted({p.person_id for p in plans if p.person_id})
        self.people: dict[int, Person] = {}
        self.records: dict[int, list[StepRecord]] = defaultdict(list)
        for chunk in _chunks(ids):
            self.people.update(Person.objects.in_bulk(chunk))
            for record in StepRecord.objects.filter(person_id__in=chunk).order_by("id"):
                self.records[record.person_id].append(record)
        units = {p.unit for p in plans if p.unit is not None}
        schools = {school_id(u) for u in units}
        self.rules = {r.school_id: r for r in LocalRules.objects.filter(school_id__in=schools)}

    def _min_wait(self, plan: RowPlan | None) -> int | None:
        if plan is None or plan.unit is None:
            return None
        found = self.rules.get(school_id(plan.unit)) or LocalRules()
        return found.min_wait_months

    def _sheet_notes(self, sheet: SheetData) -> None:
        columns = self.data.step_columns[sheet.title]
        if Step.TRAINING in columns:
            self._note(
                sheet,
                None,
                step_key(Step.TRAINING),
                "training_hours",
                _(
                    "党校结业 gives no days or class hours: for development candidates still "
                    "before admission, record the course with its hours in PartyAdmin."
                ),
            )

    # -- one row

    def _birth(self, plan: RowPlan | None, person: Person | None) -> dt.date | None:
        if plan is not None and plan.fields.get("birth_date"):
            return plan.fields["birth_date"]
        if plan is not None and plan.id_number and not isinstance(plan.id_number, MaskedId):
            return id_birth_date(plan.id_number)
        return person.birth_date if person is not None else None

    def _plan_row(self, dated: LedgerRow, plan: RowPlan | None) -> LedgerRowPlan | None:
        sheet = dated.sheet
        for found in dated.errors:
            self._issue(sheet, dated.row, found.key, found.code, found.message)
        for found in dated.notes:
            self._note(sheet, dated.row, found.key, found.code, found.message)
        if dated.errors:
            return None
        person = self.people.get(plan.person_id) if plan and plan.person_id else None
        remarks = (plan.fields.get("remarks") if plan else None) or (
            person.remarks if person else ""
        )
        row_dates = rules.RowDates(
            steps=dated.steps,
            reports=dated.reports,
            columns=self.data.step_columns[sheet.title],
            birth=self._birth(plan, person),
            min_wait_months=self._min_wait(plan),
            remarks=remarks or "",
        )
        if not dated.steps and not dated.reports:
            return LedgerRowPlan(sheet.title, dated.row, plan.name, plan) if plan else None
        errors, notes = rules.check(row_dates, self.today)
        for found in errors:
            self._issue(sheet, dated.row, found.key, found.code, found.message)
        for found in notes:
            self._note(sheet, dated.row, found.key, found.code, found.message)
        if errors or plan is None:
            return None
        stage, since = rules.stage_of(dated.steps)
        steps = self._steps(sheet, dated)
        ledger_plan = LedgerRowPlan(
            sheet=sheet.title,
            row=dated.row,
            name=plan.name,
            person=plan,
            steps=steps,
            stage=stage,
            stage_since=since,
            dates={f: dated.steps.get(step) for f, step in PERSON_DATES.items()},
        )
        if Step.ADMISSION_APPROVAL not in dated.steps:
            ledger_plan.dates["joined_on"] = None
        if person is not None and not self._fits(sheet, dated.row, person, ledger_plan):
            return None
        return ledger_plan

    def _steps(self, sheet: SheetData, dated: LedgerRow) -> list[StepPlan]:
        found = []
        for step, on in dated.steps.items():
            pos = sheet.columns[step_key(step)]
            found.append(StepPlan(step, on, pos.column, pos.header))
        for key, on in dated.reports.items():
            pos = sheet.columns[key]
            found.append(
                StepPlan(Step.THOUGHT_REPORT, on, pos.column, pos.header, report_number(key))
            )
        order = {step: index for index, step in enumerate(LEDGER_STEPS)}
        return sorted(found, key=lambda s: (s.on, order.get(s.step, 99), s.number or 0))

    def _fits(self, sheet: SheetData, row: int, person: Person, plan: LedgerRowPlan) -> bool:
        """A known person: the row must agree with what is on record about them."""
        if person.stage not in PIPELINE_STAGES:
            self._issue(
                sheet,
                row,
                "name",
                "stage_not_pipeline",
                _("%(name)s is %(stage)s; a ledger cannot load their development history.")
                % {"name": person.name, "stage": person.get_stage_display()},
            )
            return False
        records = [r for r in self.records.get(person.pk, []) if r.decision != Decision.REFUSED]
        if records:
            on_record = {(r.step, r.on) for r in records}
            differing = [s for s in plan.steps if (s.step, s.on) not in on_record]
            if not differing:
                plan.history_on_record = True
                return True
            first = differing[0]
            dates = sorted({r.on for r in records if r.step == first.step})
            self._issue(
                sheet,
                row,
                step_key(first.step) if first.number is None else f"report:{first.number}",
                "history_on_record",
                _(
                    "%(name)s already has %(n)d steps on record in PartyAdmin, and %(header)s "
                    "%(date)s is not one of them (on record: %(recorded)s). A ledger does not "
                    "change a recorded history; record further steps through the pipeline."
                )
                % {
                    "name": person.name,
                    "n": len(records),
                    "header": first.header,
                    "date": first.on.isoformat(),
                    "recorded": "、".join(d.isoformat() for d in dates) or "—",
                },
            )
            return False
        if person.stage != Stage.APPLICANT and person.stage != plan.stage:
            self._issue(
                sheet,
                row,
                "name",
                "stage_conflict",
                _(
                    "%(name)s is %(stage)s in PartyAdmin, but the ledger's dates make them "
                    "%(ledger)s."
                )
                % {
                    "name": person.name,
                    "stage": person.get_stage_display(),
                    "ledger": Stage(plan.stage).label if plan.stage else "—",
                },
            )
            return False
        for name, step in PERSON_DATES.items():
            known, given = getattr(person, name), plan.dates.get(name)
            if known and given and known != given:
                self._issue(
                    sheet,
                    row,
                    step_key(step),
                    "date_conflict",
                    _("%(header)s is %(given)s here but %(known)s in PartyAdmin.")
                    % {
                        "header": STEP_HEADER[step],
                        "given": given.isoformat(),
                        "known": known.isoformat(),
                    },
                )
                return False
        return True


# ---------------------------------------------------------------------------- writing


class _RowFailed(Exception):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _apply(user, report: LedgerReport) -> None:
    """Write every planned row (inside the caller's transaction) and audit the import."""
    for plan in report.plans:
        evidence = f"{report.filename}（{plan.sheet}）第{plan.row}行"
        try:
            person = apply_person_row(user, plan.person, evidence)
            if plan.steps and plan.action in ("new", "load"):
                _load_history(user, person, plan, report, evidence)
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
        target_type=AUDIT_TARGET,
        summary=(
            f"{report.filename}: {counts['new']} new, {counts['load']} loaded, "
            f"{counts['update']} updated, {counts['unchanged']} unchanged, "
            f"{counts['steps']} steps"
            + (f", {counts['error_rows']} rows left out" if report.subset else "")
        ),
        detail={
            "file": report.filename,
            "sha256": report.sha256,
            "subset": report.subset,
            **counts,
        },
    )


def _load_history(user, person: Person, plan: LedgerRowPlan, report: LedgerReport, evidence: str):
    """The row's steps as records, and the stage and dates they give, with history and audit."""
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    if user is not None and not (
        has_unit_perm(user, "import_people", person.unit)
        and has_unit_perm(user, "change_people", person.unit)
    ):
        raise PermissionDenied
    if StepRecord.objects.filter(person=person).exists():
        raise ValidationError(
            _("%(name)s got step records while the import ran; check the preview again.")
            % {"name": person.name}
        )
    actor = user if user is not None and user.is_authenticated else None
    applied = plan.dates.get("applied_on")
    records = []
    for step in plan.steps:
        detail = {
            "source": "ledger",
            "file": report.filename,
            "sha256": report.sha256,
            "sheet": plan.sheet,
            "row": plan.row,
            "column": step.column,
            "header": step.header,
        }
        if step.step == Step.THOUGHT_REPORT:
            detail["title"] = step.header
        elif step.step == Step.APPLICANT_TALK and applied:
            due = clock.talk_due(applied)
            detail.update(due=due.isoformat(), days_late=clock.days_late(step.on, due))
        elif step.step == Step.TRAINING:
            detail.update(course=step.header, hours_unknown=True)
        records.append(
            StepRecord(
                person=person,
                step=step.step,
                on=step.on,
                decision=Decision.AGREED if step.step in AGREED_STEPS else Decision.DONE,
                evidence=f"{evidence} {step.column}{plan.row}「{step.header}」",
                evidence_ref=f"{plan.sheet}!{step.column}{plan.row}"[:255],
                detail=detail,
                actor=actor,
            )
        )
    StepRecord.objects.bulk_create(records)
    fields: dict = {"stage": plan.stage, "stage_since": plan.stage_since}
    fields.update({k: v for k, v in plan.dates.items() if v is not None})
    changes: dict[str, list[str | None]] = {}
    for name, value in fields.items():
        before = getattr(person, name)
        if name == "stage":
            changes[name] = [str(Stage(before).label), str(Stage(value).label)]
        elif before != value:
            changes[name] = [before.isoformat() if before else None, value.isoformat()]
    Person.objects.filter(pk=person.pk).update(updated_at=timezone.now(), **fields)
    PersonChange.objects.create(
        person=person,
        actor=actor,
        kind=PersonChange.Kind.IMPORTED,
        changes=changes,
        reason=evidence[:255],
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.IMPORT,
        target=person,
        summary=f"{person.name} {plan.stage} ({len(records)} steps)",
        detail={
            "evidence": evidence,
            "steps": [[s.step, s.on.isoformat()] for s in plan.steps],
            "changes": changes,
        },
    )
