"""The silent-branch mark (DESIGN §6): meetings held, check-ins sent or accepted and dues paid
by the branch's members are activity; each at the month's edge (the day before, on and after
clock.silent_since), the set-based selector agreeing with compliance(), in one query."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from education import clock, selectors
from education.models import Checkin, CheckinPlan, CheckinStatus, DuesPayment, MeetingKind
from education.services import meetings as m
from members.models import OrgUnit
from tests.factories import make_person, make_unit

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2025, 5, 15)
SINCE = clock.silent_since(TODAY)  # 15 April: activity on or after it keeps a branch awake
BOUNDARY = [(SINCE - dt.timedelta(days=1), True), (SINCE, False), (TODAY, False)]


def held(unit, day, kind=MeetingKind.THEME_DAY):
    meeting = m.meeting_plan(
        unit=unit, kind=kind, held_on=day, start_time=dt.time(0), topic="t", place="p", actor=None
    )
    everyone = {p.pk: "present" for p in selectors.expected_attendees(meeting)}
    return m.meeting_record(meeting=meeting, minutes="m", attendance=everyone, actor=None)


def checkin(person, at: dt.datetime, status=CheckinStatus.SUBMITTED, index=0):
    """A check-in sent at `at` (fixture rows: the service stamps the real time)."""
    plan = CheckinPlan.objects.filter(person=person).first() or CheckinPlan.objects.create(
        person=person, category="away", starts_on=D(2025, 1, 1), ends_on=D(2026, 6, 30),
        cadences=[{"kind": "xuexi", "unit": "week", "every": 2}],
    )  # fmt: skip
    return Checkin.objects.create(
        plan=plan, kind="xuexi", period_index=index, period_start=D(2025, 1, 1),
        due_on=D(2025, 1, 14), status=status, submitted_at=at, first_submitted_on=at.date(),
    )  # fmt: skip


def paid(person, on: dt.date):
    return DuesPayment.objects.create(
        person=person, month=D(2025, 1, 1), amount=Decimal("0.20"), paid_on=on
    )


def local(day: dt.date, hour=0, minute=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def silent(school) -> tuple[bool, bool]:
    """(silent_branches says, compliance says) for branch_a1: they must agree."""
    units = OrgUnit.objects.filter(pk=school.branch_a1.pk)
    by_set = school.branch_a1.pk in selectors.silent_branches(units, TODAY)
    (row,) = selectors.compliance(units, D(2025, 1, 1), D(2025, 12, 31), TODAY)
    return by_set, row.silent


def test_nothing_at_all_is_silent(school):
    assert silent(school) == (True, True)


@pytest.mark.parametrize("day, expected", BOUNDARY)
def test_a_meeting_held(school, day, expected):
    held(school.branch_a1, day)
    assert silent(school) == (expected, expected)


def test_a_party_groups_meeting_counts_for_its_branch(school):
    held(make_unit("党小组", OrgUnit.Kind.GROUP, school.branch_a1), SINCE, MeetingKind.GROUP)
    assert silent(school) == (False, False)


def test_a_planned_meeting_is_not_activity(school):
    m.meeting_plan(
        unit=school.branch_a1, kind=MeetingKind.GENERAL, held_on=SINCE, start_time=dt.time(9),
        topic="t", place="p", actor=None,
    )  # fmt: skip
    assert silent(school) == (True, True)


@pytest.mark.parametrize("day, expected", BOUNDARY)
def test_a_dues_payment(school, day, expected):
    paid(make_person(school.branch_a1, stage="full"), day)
    assert silent(school) == (expected, expected)


def test_dues_recorded_for_a_member_of_a_party_group(school):
    group = make_unit("党小组", OrgUnit.Kind.GROUP, school.branch_a1)
    paid(make_person(group, stage="full"), TODAY)
    assert silent(school) == (False, False)


@pytest.mark.parametrize(
    "at, expected",
    [
        (local(SINCE - dt.timedelta(days=1), 23, 59), True),  # late in the evening before
        (local(SINCE), False),  # midnight in Shanghai (16:00 UTC the day before)
        (local(TODAY, 23, 59), False),
    ],
)
def test_a_checkin_sent_by_local_date(school, at, expected):
    checkin(make_person(school.branch_a1, stage="full"), at)
    assert silent(school) == (expected, expected)


@pytest.mark.parametrize(
    "status, expected",
    [
        (CheckinStatus.SUBMITTED, False),
        (CheckinStatus.ACCEPTED, False),
        (CheckinStatus.RETURNED, True),
    ],
)
def test_a_checkin_sent_back_is_not_activity(school, status, expected):
    checkin(make_person(school.branch_a1, stage="full"), local(TODAY), status)
    assert silent(school) == (expected, expected)


def test_what_is_dated_after_today_is_not_activity(school):
    person = make_person(school.branch_a1, stage="full")
    paid(person, TODAY + dt.timedelta(days=1))
    checkin(person, local(TODAY + dt.timedelta(days=1)))
    held(school.branch_a1, TODAY + dt.timedelta(days=1))
    assert silent(school) == (True, True)


def test_other_branches_activity_does_not_count(school):
    paid(make_person(school.branch_b1, stage="full"), TODAY)
    held(school.branch_a2, TODAY)
    assert silent(school) == (True, True)


def test_last_activity_is_the_latest_of_the_three(school):
    person = make_person(school.branch_a1, stage="full")
    held(school.branch_a1, D(2025, 3, 1))
    paid(person, D(2025, 4, 2))
    checkin(person, local(D(2025, 4, 20), 0, 30))  # 19 April 16:30 UTC
    (row,) = selectors.compliance(
        OrgUnit.objects.filter(pk=school.branch_a1.pk), D(2025, 1, 1), D(2025, 12, 31), TODAY
    )
    assert row.last_activity == D(2025, 4, 20) and not row.silent


def populate(school, n: int) -> None:
    for i in range(n):
        branch = make_unit(f"支部{i}", OrgUnit.Kind.BRANCH, school.college_a)
        person = make_person(branch, stage="full")
        if i % 4 == 0:
            held(branch, TODAY)
        elif i % 4 == 1:
            paid(person, TODAY)
        elif i % 4 == 2:
            checkin(person, local(TODAY))


@pytest.mark.parametrize("n", [4, 16])
def test_one_query_for_the_silent_set_and_three_for_compliance(
    school, django_assert_num_queries, n
):
    populate(school, n)
    units = OrgUnit.objects.filter(path__startswith=school.college_a.path)
    with django_assert_num_queries(1):
        found = selectors.silent_branches(units, TODAY)
    # branch_a1, branch_a2 and every fourth new branch have nothing.
    assert len(found) == 2 + n // 4
    with django_assert_num_queries(3):
        rows = selectors.compliance(units, D(2025, 1, 1), D(2025, 12, 31), TODAY)
    assert {r.branch.pk for r in rows if r.silent} == found
