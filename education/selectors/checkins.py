"""What a graduate owes and where each check-in stands, computed from the plan's cadences
(education/cadence.py) and its check-ins; and the branch's queue and late lists, each in a
fixed number of queries whatever the number of people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
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
    return _open(
        CheckinPlan.objects.filter(scope_q(user, REVIEW_PERM, field="person__unit__path"))
    ).select_related("person__unit")


# ---- late check-ins, counted by the database ---------------------------------------------
#
# A plan keeps its kinds and cadences as a list (CheckinPlan.cadences), at most one entry per
# kind; position i of the list is read as its own columns, and for each the periods that have
# ended by `today` (cadence.sql_ended_periods) less the check-ins sent or accepted for them
# are late. A sent-back check-in of an ended period is late again (period_state), so it is
# not subtracted. Everything happens in the plan's own query: no row per person or period
# reaches Python.
MAX_KINDS = len(CheckinKind.values)
SENT = (CheckinStatus.SUBMITTED, CheckinStatus.ACCEPTED)
INT = IntegerField()
TEXT = CharField(max_length=16)
DATE = DateField()


class CadenceItem(Func):
    """`cadences[index][key]` of a plan, as text or an integer. Flat on purpose: Django's
    key transforms wrap each read in CASE expressions, and these are read many times inside
    one deeply nested expression (SQLite's parser stack is small)."""

    def __init__(self, field: str, index: int, key: str, **extra) -> None:
        self.index, self.key = int(index), key
        super().__init__(F(field), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({sql}, '$[{self.index}].{self.key}')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        text = f"(({sql})::jsonb #>> '{{{self.index},{self.key}}}')"
        if isinstance(self.output_field, IntegerField):
            return f"({text})::int", params
        return text, params

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - other databases
        raise NotImplementedError(f"CadenceItem on {connection.vendor}")


def count_of(qs: QuerySet) -> Coalesce:
    """COUNT(*) of a correlated queryset as a scalar subquery (0 when nothing matches)."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=INT))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=INT), 0, output_field=INT)


def with_late(plans: QuerySet[CheckinPlan], today: dt.date) -> QuerySet[CheckinPlan]:
    """`plans` annotated with `r_kind_<i>` and `r_late_<i>` (the kind at position i and its
    late check-ins) and `r_late`, their sum, on `today`."""
    for i in range(MAX_KINDS):
        plans = plans.annotate(
            **{
                f"r_kind_{i}": CadenceItem("cadences", i, "kind", output_field=TEXT),
                f"r_unit_{i}": CadenceItem("cadences", i, "unit", output_field=TEXT),
                f"r_every_{i}": CadenceItem("cadences", i, "every", output_field=INT),
            }
        ).annotate(
            **{
                f"r_ended_{i}": cadence.sql_ended_periods(
                    "starts_on", "ends_on", f"r_unit_{i}", f"r_every_{i}", today
                )
            }
        )
        sent = Checkin.objects.filter(
            plan=OuterRef("pk"),
            kind=OuterRef(f"r_kind_{i}"),
            status__in=SENT,
            period_index__lt=OuterRef(f"r_ended_{i}"),
        )
        late = Coalesce(F(f"r_ended_{i}") - count_of(sent), 0, output_field=INT)
        plans = plans.annotate(**{f"r_late_{i}": late})
    total = sum((F(f"r_late_{i}") for i in range(MAX_KINDS)), Value(0))
    return plans.annotate(r_late=ExpressionWrapper(total, output_field=INT))


NO_DATE = dt.date(1900, 1, 1)  # stands for "none" where SQL's GREATEST would see a NULL


def with_last_late_due(plans: QuerySet[CheckinPlan], today: dt.date) -> QuerySet[CheckinPlan]:
    """`with_late` plans with `r_last_due`: of the kinds that have late check-ins, the due
    date of the last period that has ended (cadence.sql_period_due). It moves each time
    another period ends with something still missing, so a reminder keyed on it is new
    then, and only then."""
    plans = with_late(plans, today)
    dues = []
    for i in range(MAX_KINDS):
        due = cadence.sql_last_ended_due(
            "starts_on", "ends_on", f"r_unit_{i}", f"r_every_{i}", f"r_ended_{i}", today
        )
        dues.append(
            Case(
                When(**{f"r_late_{i}__gt": 0}, then=due), default=Value(NO_DATE), output_field=DATE
            )
        )
    return plans.annotate(r_last_due=Greatest(*dues, output_field=DATE))


def late_kinds(plan: CheckinPlan) -> list[str]:
    """The labels of a `with_late` plan's kinds that have late check-ins, in plan order."""
    return [
        str(CheckinKind(getattr(plan, f"r_kind_{i}")).label)
        for i in range(MAX_KINDS)
        if getattr(plan, f"r_late_{i}")
    ]


def _open(plans: QuerySet[CheckinPlan]) -> QuerySet[CheckinPlan]:
    return plans.filter(status=PlanStatus.OPEN, person__removed_at__isnull=True)


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
    check-ins. Two queries whatever the number of graduates: the units with their count of
    open plans, and the late plans (with their people) counted by the database."""
    scoped = open_plans(user)
    units = (
        OrgUnit.objects.filter(people__checkin_plans__in=scoped.values("pk"))
        .annotate(n_plans=Count("people__checkin_plans"))
        .order_by("path")
    )
    branches = {u.pk: BranchLate(unit=u, plans=u.n_plans) for u in units}
    late = (
        with_late(scoped, day)
        .filter(r_late__gt=0)
        .order_by("person__unit__path", "person__name", "pk")
    )
    for plan in late:
        branches[plan.person.unit_id].people_late.append(
            LatePerson(plan=plan, late=plan.r_late, kinds=late_kinds(plan))
        )
    return list(branches.values())


# ---- counts for the home pages, per unit of a scoped queryset, in one query each ----------


def awaiting_review_by_unit(units: QuerySet[OrgUnit]) -> dict[int, int]:
    """{unit id: check-ins waiting for review in its subtree} for each unit of `units` (the
    caller scopes it, e.g. OrgUnit.objects.restrict(user, REVIEW_PERM)). One query."""
    waiting = Checkin.objects.filter(
        plan__person__unit__path__startswith=OuterRef("path"),
        status=CheckinStatus.SUBMITTED,
        plan__person__removed_at__isnull=True,
    )
    rows = units.annotate(r_waiting=count_of(waiting)).values_list("pk", "r_waiting")
    return dict(rows.order_by())


def late_graduates_by_unit(units: QuerySet[OrgUnit], today: dt.date) -> dict[int, int]:
    """{unit id: graduates in its subtree with at least one late check-in on `today`} for
    each unit of `units` (scoped by the caller). One query."""
    late = with_late(
        _open(CheckinPlan.objects.filter(person__unit__path__startswith=OuterRef("path"))), today
    ).filter(r_late__gt=0)
    rows = units.annotate(r_late=count_of(late)).values_list("pk", "r_late")
    return dict(rows.order_by())


def late_checkins_of(people: QuerySet[Person], today: dt.date) -> dict[int, int]:
    """{person id: late check-ins on `today`} for those of `people` (scoped by the caller)
    with an open plan that has any. One query."""
    plans = _open(CheckinPlan.objects.filter(person__in=people.order_by().values("pk")))
    rows = with_late(plans, today).filter(r_late__gt=0).values_list("person_id", "r_late")
    return dict(rows.order_by())


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
