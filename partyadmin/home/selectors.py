"""The figures of the home pages, each in one grouped query whatever the school's size.

Every function takes a queryset already scoped to the viewer (`Person.objects.restrict`) or
the viewer's paths, so a figure never counts a person the viewer could not open."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from development.models import Approval, ApprovalStatus, Decision, Step, StepRecord
from members.models import OrgUnit, Person
from members.models.org import path_step
from members.models.people import PIPELINE_STAGES

STEP_WIDTH = len(path_step(1))  # every level of the materialized path has the same width


@dataclass
class FunnelRow:
    unit: OrgUnit
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def children_of(top: OrgUnit) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(parent=top, is_active=True).order_by("path"))


def stage_funnel(people: QuerySet[Person], top: OrgUnit) -> list[FunnelRow]:
    """People in each pipeline stage under each unit directly below `top` (for the school:
    per college), from one GROUP BY on the prefix of the unit path."""
    width = STEP_WIDTH * (top.depth + 2)
    rows = (
        people.filter(unit__path__startswith=top.path, stage__in=PIPELINE_STAGES)
        .annotate(branch_path=Substr("unit__path", 1, width))
        .values("branch_path", "stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["branch_path"]][row["stage"]] = row["n"]
    return [FunnelRow(unit, counts.get(unit.path, {})) for unit in children_of(top)]


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return _("%(year)s Q%(number)s") % {"year": self.year, "number": self.number}

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)


def last_quarters(today: dt.date, count: int) -> list[Quarter]:
    """The quarter holding `today` and the `count - 1` before it, oldest first."""
    year, number = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for _step in range(count):
        quarters.append(Quarter(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    return quarters[::-1]


def admissions_by_quarter(
    people: QuerySet[Person], today: dt.date, count: int = 8
) -> list[tuple[Quarter, int, int]]:
    """(quarter, admissions approved, conversions approved) for the last `count` quarters."""
    quarters = last_quarters(today, count)
    records = (
        StepRecord.objects.filter(
            person__in=people.order_by().values("pk"),
            step__in=(Step.ADMISSION_APPROVAL, Step.CONVERSION_APPROVAL),
            decision=Decision.AGREED,
            on__gte=quarters[0].start,
            on__lte=quarters[-1].end,
        )
        .values_list("step", "on")
        .order_by()
    )
    tally: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for step, on in records:
        tally[(on.year, (on.month - 1) // 3 + 1)][0 if step == Step.ADMISSION_APPROVAL else 1] += 1
    return [(q, *tally.get((q.year, q.number), [0, 0])) for q in quarters]


def open_approvals(people: QuerySet[Person]) -> QuerySet[Approval]:
    """Approvals the committees owe for these people, the most urgent first."""
    return (
        Approval.objects.filter(
            person__in=people.order_by().values("pk"), status=ApprovalStatus.OPEN
        )
        .select_related("person", "person__unit", "committee")
        .order_by("due_on", "id")
    )


def stage_counts(people: QuerySet[Person]) -> dict[str, int]:
    rows = people.values("stage").annotate(n=Count("id")).order_by()
    return {row["stage"]: row["n"] for row in rows}


def lost_contact_count(people: QuerySet[Person]) -> int:
    return people.filter(Q(lost_contact=True)).count()
