"""Late check-ins counted by the database (selectors.with_late and the per-unit counts) agree
with education/cadence.py's periods and period_state: day before, on and after every due
date, at month ends and at the plan's end; each selector in a fixed number of queries."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from education import cadence, selectors
from education.models import Checkin, CheckinKind, CheckinPlan, CheckinStatus
from members.models import OrgUnit, Person
from tests.factories import make_person, make_unit

pytestmark = pytest.mark.django_db
D = dt.date
ONE = dt.timedelta(days=1)


def plan_for(person, starts_on, ends_on, *rules) -> CheckinPlan:
    """A plan row as a fixture: `rules` are (kind, unit, every)."""
    cadences = [{"kind": k, "unit": u, "every": n} for k, u, n in rules]
    return CheckinPlan.objects.create(
        person=person, category="away", starts_on=starts_on, ends_on=ends_on, cadences=cadences
    )


def sent(plan, kind, index, status=CheckinStatus.SUBMITTED) -> Checkin:
    p = cadence.period(plan.starts_on, plan.ends_on, plan.cadence_of(kind), index)
    return Checkin.objects.create(
        plan=plan, kind=kind, period_index=index, period_start=p.start, due_on=p.due,
        status=status, submitted_at=timezone.now(), first_submitted_on=p.start,
    )  # fmt: skip


def db_late(plan, day) -> int:
    return selectors.with_late(CheckinPlan.objects.filter(pk=plan.pk), day).get().r_late


def py_late(plan, day) -> int:
    return selectors.late_count(plan, list(plan.checkins.all()), day)


# ---- the edges, written out ---------------------------------------------------------------


@pytest.mark.parametrize(
    "day, late",
    [(D(2025, 7, 14), 0), (D(2025, 7, 15), 1), (D(2025, 7, 28), 1), (D(2025, 7, 29), 2)],
)
def test_fortnightly_due_dates(school, day, late):
    plan = plan_for(make_person(school.branch_a1), D(2025, 7, 1), D(2026, 6, 30),
                    ("xuexi", "week", 2))  # fmt: skip
    assert db_late(plan, day) == late == py_late(plan, day)


@pytest.mark.parametrize(
    "day, late",
    [
        (D(2025, 1, 30), 0),  # before the plan starts
        (D(2025, 2, 27), 0),  # period 0 (31 Jan – 27 Feb) is due today
        (D(2025, 2, 28), 1),  # the day after: late; period 1 starts 28 Feb (no 31st)
        (D(2025, 3, 30), 1),  # period 1 due (28 Feb – 30 Mar)
        (D(2025, 3, 31), 2),
    ],
)
def test_monthly_from_the_31st(school, day, late):
    plan = plan_for(make_person(school.branch_a1), D(2025, 1, 31), D(2025, 12, 31),
                    ("study_report", "month", 1))  # fmt: skip
    assert db_late(plan, day) == late == py_late(plan, day)


@pytest.mark.parametrize(
    "day, late", [(D(2025, 3, 10), 1), (D(2025, 3, 11), 2), (D(2026, 1, 1), 2)]
)
def test_the_last_period_is_due_when_the_plan_ends(school, day, late):
    # Periods 1 Feb – 28 Feb (due 28 Feb) and 1 – 10 Mar (cut short, due on the plan's end).
    plan = plan_for(make_person(school.branch_a1), D(2025, 2, 1), D(2025, 3, 10),
                    ("study_report", "month", 1))  # fmt: skip
    assert db_late(plan, day) == late == py_late(plan, day)


def test_sent_and_accepted_are_not_late_sent_back_is(school):
    plan = plan_for(make_person(school.branch_a1), D(2025, 7, 1), D(2026, 6, 30),
                    ("xuexi", "week", 2), ("study_report", "month", 1))  # fmt: skip
    day = D(2025, 8, 31)  # xuexi periods 0–3 and the July report have ended; August is due
    assert db_late(plan, day) == 5
    sent(plan, "xuexi", 0)
    sent(plan, "xuexi", 1, CheckinStatus.ACCEPTED)
    sent(plan, "xuexi", 2, CheckinStatus.RETURNED)
    sent(plan, "study_report", 0)
    sent(plan, "study_report", 1, CheckinStatus.RETURNED)  # August: due today, not late
    assert db_late(plan, day) == 2 == py_late(plan, day)  # xuexi 2 (sent back) and 3
    row = selectors.with_late(CheckinPlan.objects.filter(pk=plan.pk), day).get()
    assert selectors.late_kinds(row) == [str(CheckinKind.XUEXI.label)]


# ---- every due date of many plans, against the Python board --------------------------------

STARTS = [D(2024, 1, 31), D(2024, 2, 29), D(2025, 8, 30), D(2025, 12, 31)]
RULES = [("week", 1), ("week", 2), ("month", 1), ("month", 2), ("month", 6)]


def test_agrees_with_the_python_board_around_every_due_date(school):
    person_units = itertools.cycle([school.branch_a1, school.branch_a2])
    plans = []
    for i, (start, (unit, every)) in enumerate(itertools.product(STARTS, RULES)):
        end = cadence.add_months(start, 5 + i % 4) + dt.timedelta(days=i % 9)
        plan = plan_for(make_person(next(person_units)), start, end,
                        ("xuexi", unit, every), ("org_life", "month", 1))  # fmt: skip
        for index in range(0, 8, 3):  # some periods sent, one accepted, one sent back
            status = [CheckinStatus.SUBMITTED, CheckinStatus.ACCEPTED, CheckinStatus.RETURNED][
                index % 3 if i % 2 else 2 - index % 3
            ]
            if cadence.period(start, end, plan.cadence_of("xuexi"), index):
                sent(plan, "xuexi", index, status)
        plans.append(plan)
    days = set()
    for plan in plans:
        for kind in plan.kinds:
            for p in cadence.periods(plan.starts_on, plan.ends_on, plan.cadence_of(kind)):
                days |= {p.start - ONE, p.due - ONE, p.due, p.due + ONE}
    checkins = {p.pk: list(p.checkins.all()) for p in plans}
    for day in sorted(days)[::3]:  # a third of them, all the edges' kinds still among them
        found = dict(
            selectors.with_late(CheckinPlan.objects.all(), day).values_list("pk", "r_late")
        )
        expected = {p.pk: selectors.late_count(p, checkins[p.pk], day) for p in plans}
        assert found == expected, day


# ---- the home pages' counts ---------------------------------------------------------------

DAY = D(2025, 9, 1)


def populate(school, n: int) -> list[OrgUnit]:
    """n graduates in new branches under college_a and its groups: every other one late."""
    branches = [make_unit(f"支部{i}", OrgUnit.Kind.BRANCH, school.college_a) for i in range(2)]
    group = make_unit("党小组", OrgUnit.Kind.GROUP, branches[1])
    for i in range(n):
        person = make_person([branches[0], group][i % 2], f"毕业生{i}", stage="full")
        plan = plan_for(person, D(2025, 8, 1), D(2026, 7, 31), ("study_report", "month", 1))
        sent(plan, "study_report", 0, CheckinStatus.SUBMITTED if i % 2 else CheckinStatus.RETURNED)
    return branches


@pytest.mark.parametrize("n", [4, 12])
def test_counts_per_unit_in_one_query_each(school, django_assert_num_queries, n):
    branches = populate(school, n)
    units = OrgUnit.objects.filter(pk__in=[b.pk for b in branches] + [school.college_a.pk])
    with django_assert_num_queries(1):
        waiting = selectors.awaiting_review_by_unit(units)
    assert waiting == {branches[0].pk: 0, branches[1].pk: n // 2, school.college_a.pk: n // 2}
    with django_assert_num_queries(1):
        late = selectors.late_graduates_by_unit(units, DAY)
    # The August report sent back and past due: late; sent and waiting: not late.
    assert late == {branches[0].pk: n // 2, branches[1].pk: 0, school.college_a.pk: n // 2}
    people = Person.objects.filter(unit__path__startswith=school.college_a.path)
    with django_assert_num_queries(1):
        per_person = selectors.late_checkins_of(people, DAY)
    assert sorted(per_person.values()) == [1] * (n // 2)


def test_closed_plans_and_removed_people_are_not_counted(school):
    branches = populate(school, 2)
    CheckinPlan.objects.update(status="closed")
    units = OrgUnit.objects.filter(pk=branches[0].pk)
    assert selectors.late_graduates_by_unit(units, DAY) == {branches[0].pk: 0}
