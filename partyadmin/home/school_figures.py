"""The figures of the committee office's and the organization department's homes beyond the
pipeline (partyadmin.home.selectors): the office's queues, retained graduates, lapse cases and
the inspection of development work (检查指导制度, seed 002). One grouped query per figure.

Every function takes `people`, a queryset already scoped to the viewer
(`Person.objects.restrict`) and to the page's unit, so no figure counts a person the viewer
could not open; `*_people` functions give the people behind one number of a figure."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from development.clock import add_months
from development.models import (
    ADMISSION_ROUND,
    Approval,
    ApprovalStatus,
    Decision,
    Purpose,
    Step,
    StepRecord,
)
from members.models import OrgUnit, Person, Stage
from members.models.lapses import LapseCase, LapseCount, LapseStatus
from partyadmin.home.selectors import STEP_WIDTH, children_of
from transfers.models import (
    ApplicationStatus,
    Direction,
    IntroductionLetter,
    LetterStatus,
    Retention,
    RetentionApplication,
    RetentionCategory,
    Transfer,
    TransferStatus,
)


def _ids(people: QuerySet[Person]):
    return people.order_by().values("pk")


# The committee office's queues ---------------------------------------------------------


@dataclass(frozen=True)
class OfficeQueues:
    retention_waiting: int
    retention_oldest_days: int | None  # the longest a submitted application has waited
    pre_reviews: int
    admission_approvals: int
    conversion_approvals: int
    approvals_overdue: int
    letters_to_issue: int  # outgoing transfers requested, no letter issued yet
    letters_overdue: int  # issued, no receipt, past the receipt clock (transfers.clock)


def _last_id(step: str, *, refused: bool | None = None) -> Subquery:
    """The id of the person's latest record of `step` (or of any refusal in the admission
    round when `step` is empty): record ids grow with time, so the larger id is the later."""
    records = StepRecord.objects.filter(person=OuterRef("pk"))
    records = records.filter(step=step) if step else records.filter(step__in=ADMISSION_ROUND)
    if refused is True:
        records = records.filter(decision=Decision.REFUSED)
    elif refused is False:
        records = records.exclude(decision=Decision.REFUSED)
    return Subquery(records.order_by().values("person").annotate(m=Max("id")).values("m")[:1])


def pre_reviews_waiting(people: QuerySet[Person]) -> QuerySet[Person]:
    """Development candidates whose branch review stands and has no pre-review after it,
    nor a refusal closing the round: development.queues' PRE_REVIEW queue, in SQL."""
    return (
        people.filter(stage=Stage.CANDIDATE)
        .annotate(
            _review=_last_id(Step.BRANCH_REVIEW, refused=False),
            _pre=Coalesce(_last_id(Step.PRE_REVIEW), 0),
            _refusal=Coalesce(_last_id("", refused=True), 0),
        )
        .filter(Q(_review__gt=F("_pre")) & Q(_review__gt=F("_refusal")))
    )


def _scalar(queryset: QuerySet, function: str = "COUNT", column: str = "id") -> Subquery:
    """COUNT (or MIN) over a whole queryset as a scalar subquery, so several figures of
    different tables come back in one statement."""
    output = queryset.model._meta.get_field(column) if function != "COUNT" else IntegerField()
    value = Func(F(column), function=function, output_field=output)
    return Subquery(queryset.order_by().annotate(v=value).values("v")[:1], output_field=output)


def office_queues(
    people: QuerySet[Person], top: OrgUnit, today: dt.date, now: dt.datetime
) -> OfficeQueues:
    """One statement whatever the numbers: each queue a scalar subquery (retention
    applications, pre-reviews, approvals, transfers without a letter, overdue letters)."""
    ids = _ids(people)
    retention = RetentionApplication.objects.filter(
        person__in=ids, status=ApplicationStatus.SUBMITTED
    )
    approvals = Approval.objects.filter(person__in=ids, status=ApprovalStatus.OPEN)
    # The unit's own row carries the figures: every column is a scalar subquery.
    figures = (
        OrgUnit.objects.filter(pk=top.pk)
        .values(
            retention=_scalar(retention),
            oldest=_scalar(retention, "MIN", "submitted_at"),
            pre_reviews=_scalar(pre_reviews_waiting(people)),
            admission=_scalar(
                approvals.filter(purpose=Purpose.ADMISSION, person__stage=Stage.CANDIDATE)
            ),
            conversion=_scalar(
                approvals.filter(purpose=Purpose.CONVERSION, person__stage=Stage.PROBATIONARY)
            ),
            overdue=_scalar(approvals.filter(due_on__lt=today)),
            to_issue=_scalar(transfers_without_letter(people)),
            letters_overdue=_scalar(
                IntroductionLetter.objects.filter(
                    transfer__person__in=ids, status=LetterStatus.ISSUED, receipt_due__lt=today
                )
            ),
        )
        .get()
    )
    oldest = figures["oldest"]
    return OfficeQueues(
        retention_waiting=figures["retention"] or 0,
        retention_oldest_days=(now - oldest).days if oldest else None,
        pre_reviews=figures["pre_reviews"] or 0,
        admission_approvals=figures["admission"] or 0,
        conversion_approvals=figures["conversion"] or 0,
        approvals_overdue=figures["overdue"] or 0,
        letters_to_issue=figures["to_issue"] or 0,
        letters_overdue=figures["letters_overdue"] or 0,
    )


def transfers_without_letter(people: QuerySet[Person]) -> QuerySet[Transfer]:
    return Transfer.objects.filter(
        person__in=_ids(people),
        direction=Direction.OUTGOING,
        status=TransferStatus.REQUESTED,
    ).exclude(Exists(IntroductionLetter.objects.filter(transfer=OuterRef("pk"))))


# Retained graduates by category and deadline -------------------------------------------

EXPIRED, APPLY_NOW, WITHIN_3, LATER = "expired", "apply_now", "within_3", "later"
# The deadline buckets, nearest first. "Apply now" is transfers.clock's APPLY_NOW state (the
# retention ends within a month: its apply-by day has come), so the bucket and the retained
# list's filter agree to the day.
DEADLINE_BUCKETS = (
    (EXPIRED, _("expired")),
    (APPLY_NOW, _("ending within 1 month")),
    (WITHIN_3, _("ending within 3 months")),
    (LATER, _("ending later")),
)
WITHIN_MONTHS = 3


def _bucket(today: dt.date) -> Case:
    return Case(
        When(ends_on__lt=today, then=Value(EXPIRED)),
        When(transfer_apply_by__lte=today, then=Value(APPLY_NOW)),
        When(ends_on__lte=add_months(today, WITHIN_MONTHS), then=Value(WITHIN_3)),
        default=Value(LATER),
        output_field=CharField(),
    )


def _active_retentions(people: QuerySet[Person]) -> QuerySet[Retention]:
    return Retention.objects.filter(person__in=_ids(people), status=Retention.Status.ACTIVE)


def retained_grid(people: QuerySet[Person], today: dt.date) -> dict[tuple[str, str], int]:
    """(category, deadline bucket) → active retentions: one GROUP BY."""
    rows = (
        _active_retentions(people)
        .annotate(bucket=_bucket(today))
        .values("category", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["category"], row["bucket"]): row["n"] for row in rows}


def retained_people(
    people: QuerySet[Person], today: dt.date, category: str, bucket: str
) -> QuerySet[Person]:
    retentions = _active_retentions(people).annotate(bucket=_bucket(today))
    if category:
        retentions = retentions.filter(category=category)
    if bucket:
        retentions = retentions.filter(bucket=bucket)
    return people.filter(pk__in=retentions.values("person_id"))


RETAINED_CATEGORIES = RetentionCategory.choices


# Lapse cases ----------------------------------------------------------------------------


@dataclass
class LapseFigures:
    by_count: dict[str, int] = field(default_factory=dict)  # open cases per count kind
    warnings: int = 0  # five months reached, six not yet (LapseStatus.WARNING)

    @property
    def total(self) -> int:
        return sum(self.by_count.values())


def lapse_figures(people: QuerySet[Person]) -> LapseFigures:
    """Open lapse cases by count kind and status: one GROUP BY."""
    rows = (
        LapseCase.objects.filter(person__in=_ids(people), closed_at__isnull=True)
        .values("count", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    figures = LapseFigures(by_count={c: 0 for c in LapseCount.values})
    for row in rows:
        figures.by_count[row["count"]] = figures.by_count.get(row["count"], 0) + row["n"]
        if row["status"] == LapseStatus.WARNING:
            figures.warnings += row["n"]
    return figures


# Inspection of development work (seed 002: 检查指导制度) ---------------------------------


@dataclass(frozen=True)
class Period:
    """A quarter (a committee inspects quarterly) or a half-year (the school, half-yearly)."""

    year: int
    half: bool  # True: a half-year (number 1 or 2); False: a quarter (1 to 4)
    number: int

    @property
    def code(self) -> str:
        return f"{self.year}{'H' if self.half else 'Q'}{self.number}"

    @property
    def label(self) -> str:
        if self.half:
            return _("%(year)s H%(number)s") % {"year": self.year, "number": self.number}
        return _("%(year)s Q%(number)s") % {"year": self.year, "number": self.number}

    @property
    def months(self) -> int:
        return 6 if self.half else 3

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.months * (self.number - 1) + 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return add_months(self.start, self.months) - dt.timedelta(days=1)

    def shifted(self, by: int) -> Period:
        per_year = 2 if self.half else 4
        index = self.year * per_year + self.number - 1 + by
        return Period(index // per_year, self.half, index % per_year + 1)


PERIOD_RE = re.compile(r"^(\d{4})(?:([Hh])([12])|([Qq])([1-4]))$")


def period_containing(day: dt.date, half: bool) -> Period:
    months = 6 if half else 3
    return Period(day.year, half, (day.month - 1) // months + 1)


def parse_period(code: str, today: dt.date, half: bool) -> Period:
    """'2026H2' or '2026Q4'; the current period of the viewer's kind when blank or invalid."""
    match = PERIOD_RE.match(code or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        return period_containing(today, half)
    if match.group(2):
        return Period(int(match.group(1)), True, int(match.group(3)))
    return Period(int(match.group(1)), False, int(match.group(5)))


# Measure code → (label, the step whose records count, or None for the approvals' clock).
MEASURES = (
    ("applications", _("Applications"), Step.APPLICATION),
    ("activists", _("Activists determined"), Step.ACTIVIST_DETERMINED),
    ("candidates", _("Development candidates determined"), Step.CANDIDATE_DETERMINED),
    ("admissions", _("Admissions approved"), Step.ADMISSION_APPROVAL),
    ("conversions", _("Conversions approved"), Step.CONVERSION_APPROVAL),
    ("late", _("Approvals overdue or decided late"), None),
)
MEASURE_STEPS = {code: step for code, _label, step in MEASURES if step}


@dataclass
class InspectionRow:
    unit: OrgUnit
    counts: dict[str, int] = field(default_factory=dict)


COUNTED_DECISIONS = (Decision.DONE, Decision.AGREED)  # a refusal is not the step done


def _records_in(people: QuerySet[Person], period: Period) -> QuerySet[StepRecord]:
    return StepRecord.objects.filter(
        person__in=_ids(people),
        step__in=list(MEASURE_STEPS.values()),
        on__gte=period.start,
        on__lte=period.end,
        decision__in=COUNTED_DECISIONS,
    )


def _late_approvals(people: QuerySet[Person], period: Period, today: dt.date):
    """Approvals whose deadline fell in the period and that were decided after it or are
    still open past it (the three-month clock, development.clock.approval_due)."""
    return Approval.objects.filter(
        person__in=_ids(people), due_on__gte=period.start, due_on__lte=min(period.end, today)
    ).filter(
        Q(status=ApprovalStatus.OPEN, due_on__lt=today)
        | Q(decided_on__isnull=False, decided_on__gt=F("due_on"))
    )


def inspection(
    people: QuerySet[Person], top: OrgUnit, period: Period, today: dt.date
) -> list[InspectionRow]:
    """Per unit directly below `top`, the period's development work: two GROUP BYs on the
    prefix of the unit path (step records, late approvals) and the units themselves."""
    width = STEP_WIDTH * (top.depth + 2)
    step_codes = {step: code for code, step in MEASURE_STEPS.items()}
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    # Joined from the scoped people rather than `person IN (…)`: at 1M people the planner
    # then reads the period's records by the unit's people (0.6 s instead of 1.6 s, jit off).
    records = (
        people.filter(
            step_records__step__in=list(MEASURE_STEPS.values()),
            step_records__on__gte=period.start,
            step_records__on__lte=period.end,
            step_records__decision__in=COUNTED_DECISIONS,
        )
        .annotate(branch_path=Substr("unit__path", 1, width), step=F("step_records__step"))
        .values("branch_path", "step")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    for row in records:
        counts[row["branch_path"]][step_codes[row["step"]]] = row["n"]
    late = (
        _late_approvals(people, period, today)
        .annotate(branch_path=Substr("person__unit__path", 1, width))
        .values("branch_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in late:
        counts[row["branch_path"]]["late"] = row["n"]
    return [
        InspectionRow(unit, {code: counts[unit.path].get(code, 0) for code, *_ in MEASURES})
        for unit in children_of(top)
    ]


def inspection_people(
    people: QuerySet[Person], unit: OrgUnit, measure: str, period: Period, today: dt.date
) -> QuerySet[Person]:
    """The people behind one number of the inspection table."""
    under = people.filter(unit__path__startswith=unit.path)
    if measure == "late":
        ids = _late_approvals(under, period, today).values("person_id")
    else:
        ids = _records_in(under, period).filter(step=MEASURE_STEPS[measure]).values("person_id")
    return under.filter(pk__in=ids)
