"""What a graduate owes and where each check-in stands, computed from the plan's cadences
(education/cadence.py) and its check-ins; and the branch's queue and late lists, each in a
fixed number of queries whatever the number of people."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from development.clock import add_months
from education import cadence
from education.models import (
    Checkin,
    CheckinKind,
    CheckinPlan,
    CheckinStatus,
    DuesPayment,
    PlanStatus,
)
from education.services.dues import dues_of
from members.models import OrgUnit, Person
from members.models.people import MEMBER_STAGES
from members.scoping import scope_q

REVIEW_PERM = "review_checkins"


class State:
    UPCOMING = "upcoming"
    DUE = "due"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    LATE = "late"


STATE_LABELS = {
    State.UPCOMING: _("not yet due"),
    State.DUE: _("due"),
    State.SUBMITTED: _("waiting for review"),
    State.ACCEPTED: _("done"),
    State.RETURNED: _("sent back"),
    State.LATE: _("late"),
}


def period_state(period: cadence.Period, checkin: Checkin | None, day: dt.date) -> str:
    """One period on `day`: nothing sent is due, then late after its due date; what was sent
    is waiting, done or sent back (a sent-back one past its due date is late again)."""
    if checkin is None:
        if not period.has_started_on(day):
            return State.UPCOMING
        return State.LATE if period.is_late_on(day) else State.DUE
    if checkin.status == CheckinStatus.RETURNED and period.is_late_on(day):
        return State.LATE
    return {
        CheckinStatus.SUBMITTED: State.SUBMITTED,
        CheckinStatus.ACCEPTED: State.ACCEPTED,
        CheckinStatus.RETURNED: State.RETURNED,
    }[checkin.status]


def cadence_label(rule: cadence.Cadence) -> str:
    if rule.unit == cadence.WEEK:
        text = ngettext("every week", "every %(n)s weeks", rule.every)
    else:
        text = ngettext("every month", "every %(n)s months", rule.every)
    return text % {"n": rule.every}


@dataclass
class Slot:
    kind: str
    period: cadence.Period
    state: str
    checkin: Checkin | None

    @property
    def can_submit(self) -> bool:
        return self.state in (State.DUE, State.LATE, State.RETURNED)

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class KindBoard:
    kind: str
    rule: cadence.Cadence
    slots: list[Slot] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(CheckinKind(self.kind).label)

    @property
    def late(self) -> int:
        return sum(1 for s in self.slots if s.state == State.LATE)

    @property
    def cadence_label(self) -> str:
        return cadence_label(self.rule)

    @property
    def open_slots(self) -> list[Slot]:
        """What the graduate can act on now: late and sent-back ones first, then the due one."""
        order = {State.RETURNED: 0, State.LATE: 1, State.DUE: 2}
        return sorted((s for s in self.slots if s.can_submit), key=lambda s: order[s.state])


def plan_board(plan: CheckinPlan, checkins, day: dt.date) -> list[KindBoard]:
    """Each kind of `plan` with every period that has started by `day`, newest first, plus
    the next one (upcoming) so the graduate sees what comes."""
    by_slot = {(c.kind, c.period_index): c for c in checkins}
    boards = []
    for kind in plan.kinds:
        rule = plan.cadence_of(kind)
        board = KindBoard(kind=kind, rule=rule)
        started = cadence.periods(plan.starts_on, plan.ends_on, rule, until=day)
        following = cadence.period(plan.starts_on, plan.ends_on, rule, len(started))
        for p in started + ([following] if following else []):
            c = by_slot.get((kind, p.index))
            board.slots.append(Slot(kind=kind, period=p, state=period_state(p, c, day), checkin=c))
        board.slots.reverse()
        boards.append(board)
    return boards


def late_count(plan: CheckinPlan, checkins, day: dt.date) -> int:
    return sum(board.late for board in plan_board(plan, checkins, day))


# ---- the branch's lists --------------------------------------------------------------------


def review_queue(user) -> QuerySet[Checkin]:
    """Check-ins waiting for review in the user's scope, the oldest first."""
    return (
        Checkin.objects.filter(
            scope_q(user, REVIEW_PERM, field="plan__person__unit__path"),
            status=CheckinStatus.SUBMITTED,
            plan__person__removed_at__isnull=True,
        )
        .select_related("plan__person__unit")
        .order_by("submitted_at", "id")
    )


def open_plans(user) -> QuerySet[CheckinPlan]:
    return CheckinPlan.objects.filter(
        scope_q(user, REVIEW_PERM, field="person__unit__path"),
        status=PlanStatus.OPEN,
        person__removed_at__isnull=True,
    ).select_related("person__unit")


@dataclass
class LatePerson:
    plan: CheckinPlan
    late: int
    kinds: list[str]


@dataclass
class BranchLate:
    unit: OrgUnit
    plans: int = 0
    people_late: list[LatePerson] = field(default_factory=list)

    @property
    def late_checkins(self) -> int:
        return sum(p.late for p in self.people_late)


def late_by_branch(user, day: dt.date) -> list[BranchLate]:
    """Per unit with open plans in scope: how many plans, who is late and with how many
    check-ins. Two queries: the plans with their people and units, and their check-ins."""
    plans = list(open_plans(user).order_by("person__unit__path", "person__name", "pk"))
    checkins: dict[int, list[Checkin]] = defaultdict(list)
    for c in Checkin.objects.filter(plan__in=open_plans(user).values("pk")).only(
        "plan_id", "kind", "period_index", "status"
    ):
        checkins[c.plan_id].append(c)
    branches: dict[int, BranchLate] = {}
    for plan in plans:
        unit = plan.person.unit
        entry = branches.setdefault(unit.pk, BranchLate(unit=unit))
        entry.plans += 1
        boards = plan_board(plan, checkins[plan.pk], day)
        late = sum(b.late for b in boards)
        if late:
            kinds = [b.label for b in boards if b.late]
            entry.people_late.append(LatePerson(plan=plan, late=late, kinds=kinds))
    return list(branches.values())


# ---- dues ---------------------------------------------------------------------------------


@dataclass
class SheetRow:
    person: object
    due: object  # Decimal
    payment: object | None  # DuesPayment

    @property
    def paid(self) -> bool:
        return self.payment is not None


def dues_sheet(user, unit: OrgUnit, month: dt.date) -> list[SheetRow]:
    """A unit's monthly dues sheet: every member of its subtree who owes dues for `month`
    (admitted by the end of it), what they owe and what they paid. Two queries."""
    people = (
        Person.objects.restrict(user, "manage_dues")
        .filter(
            unit__path__startswith=unit.path,
            stage__in=MEMBER_STAGES,
            joined_on__lt=add_months(month, 1),
        )
        .select_related("unit", "dues_account")
        .prefetch_related(
            Prefetch(
                "dues_payments",
                queryset=DuesPayment.objects.filter(month=month),
                to_attr="month_payments",
            )
        )
        .order_by("unit__path", "name", "pk")
    )
    return [
        SheetRow(person=p, due=dues_of(p), payment=(p.month_payments or [None])[0]) for p in people
    ]
