"""Education's reminders: a check-in missing past its due date and a silent branch, each at
its boundary (the day before, on and after), to the right people, once per event, in one
INSERT … SELECT per source whatever the number of graduates or branches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from core.models import Notification
from core.notifications.registry import SOURCES, load_sources, notify_rows, reminders_run
from education import clock
from education.models import Checkin, CheckinPlan, CheckinStatus, DuesPayment, MeetingKind
from education.services import meetings as m
from members.models import OrgUnit, Role
from members.services.people import person_link_account
from tests.factories import School, make_person, make_unit, make_user

pytestmark = pytest.mark.django_db
D = dt.date
ONE = dt.timedelta(days=1)
CHECKIN_SOURCES = ("checkin_late", "checkin_late_review", "checkin_late_review_group")
SILENT_SOURCES = ("branch_silent", "branch_silent_committee", "branch_silent_committee_above")
LONG_AGO = timezone.make_aware(dt.datetime(2024, 1, 1))


@pytest.fixture
def world():
    s = School()
    OrgUnit.objects.update(created_at=LONG_AGO)  # the tree has been there a while
    sec = make_user("edu_sec", role=Role.BRANCH_SECRETARY, unit=s.branch_a1)
    office = make_user("edu_office", role=Role.COMMITTEE_OFFICE, unit=s.college_a)
    return s, sec, office


def run(*names: str, today: dt.date) -> list[tuple]:
    """Run the sources; every notification of their kinds as (user, kind, subject, due)."""
    load_sources()
    for name in names:
        notify_rows(SOURCES[name].kind, SOURCES[name].rows(today))
    kinds = {SOURCES[n].kind for n in names}
    rows = Notification.objects.filter(kind__in=kinds).values_list(
        "user__username", "kind", "subject", "due_on"
    )
    return sorted(rows, key=lambda row: (*row[:3], row[3] or D.min))


def graduate(unit, name="毕业生甲", username="grad"):
    person = make_person(unit, name, stage="full")
    person_link_account(person=person, user=make_user(username), actor=None)
    return person


def fortnightly(person) -> CheckinPlan:
    return CheckinPlan.objects.create(
        person=person, category="away", starts_on=D(2025, 7, 1), ends_on=D(2026, 6, 30),
        cadences=[{"kind": "xuexi", "unit": "week", "every": 2}],
    )  # fmt: skip


# ---- check-ins ----------------------------------------------------------------------------


@pytest.mark.parametrize("today, due", [(D(2025, 7, 14), None), (D(2025, 7, 15), D(2025, 7, 14))])
def test_checkin_late_from_the_day_after_its_due_date(world, today, due):
    s, *_ = world
    fortnightly(graduate(s.branch_a1))
    expected = []
    if due:
        expected = [
            ("edu_sec", "checkin_late", "毕业生甲", due),
            ("grad", "checkin_late_mine", "毕业生甲", due),
        ]
    assert run(*CHECKIN_SOURCES, today=today) == expected


def test_checkin_late_once_per_period_that_ends_missing(world):
    s, *_ = world
    plan = fortnightly(graduate(s.branch_a1))
    assert len(run(*CHECKIN_SOURCES, today=D(2025, 7, 15))) == 2
    assert len(run(*CHECKIN_SOURCES, today=D(2025, 7, 28))) == 2  # the same event
    # Period 1 ends missing too: a new event, due on its own date.
    assert len(run(*CHECKIN_SOURCES, today=D(2025, 7, 29))) == 4
    # Both sent: nothing is late, nothing new.
    for index, (start, due) in enumerate([(D(2025, 7, 1), D(2025, 7, 14)),
                                          (D(2025, 7, 15), D(2025, 7, 28))]):  # fmt: skip
        Checkin.objects.create(
            plan=plan, kind="xuexi", period_index=index, period_start=start, due_on=due,
            status=CheckinStatus.SUBMITTED, submitted_at=timezone.now(), first_submitted_on=due,
        )  # fmt: skip
    before = Notification.objects.count()
    run(*CHECKIN_SOURCES, today=D(2025, 8, 11))
    assert Notification.objects.count() == before


def test_checkin_late_reaches_the_branch_above_a_party_group(world):
    s, *_ = world
    group = make_unit("第一党小组", OrgUnit.Kind.GROUP, s.branch_a1)
    reviewer = make_user("group_rev", role=Role.BRANCH_COMMITTEE, unit=group)
    fortnightly(graduate(group))
    users = {row[0] for row in run(*CHECKIN_SOURCES, today=D(2025, 7, 15))}
    assert users == {"edu_sec", reviewer.username, "grad"}


def test_closed_plans_and_graduates_without_accounts(world):
    s, *_ = world
    fortnightly(make_person(s.branch_a1, "无账号", stage="full"))
    closed = fortnightly(graduate(s.branch_a1, "已关闭", "closed"))
    CheckinPlan.objects.filter(pk=closed.pk).update(status="closed")
    assert run(*CHECKIN_SOURCES, today=D(2025, 7, 15)) == [
        ("edu_sec", "checkin_late", "无账号", D(2025, 7, 14))
    ]


# ---- silent branches -----------------------------------------------------------------------

TODAY = D(2025, 5, 15)
SINCE = clock.silent_since(TODAY)  # 15 April


def held(unit, day):
    meeting = m.meeting_plan(
        unit=unit, kind=MeetingKind.THEME_DAY, held_on=day, start_time=dt.time(0), topic="t",
        place="p", actor=None,
    )  # fmt: skip
    return m.meeting_record(meeting=meeting, minutes="m", attendance={}, actor=None)


def keep_others_busy(s, day=TODAY):
    for branch in (s.branch_a2, s.branch_b1):
        held(branch, day)


@pytest.mark.parametrize("last, silent", [(SINCE - ONE, True), (SINCE, False), (TODAY, False)])
def test_branch_silent_a_month_after_the_last_activity(world, last, silent):
    s, *_ = world
    keep_others_busy(s)
    held(s.branch_a1, last)
    expected = []
    if silent:
        # The secretary, and the committee above the general branch it sits in.
        expected = [(u, "branch_silent", s.branch_a1.name, last) for u in ("edu_office", "edu_sec")]
    assert run(*SILENT_SOURCES, today=TODAY) == expected


def test_dues_paid_keep_a_branch_awake(world):
    s, *_ = world
    keep_others_busy(s)
    person = make_person(s.branch_a1, stage="full")
    DuesPayment.objects.create(person=person, month=D(2025, 4, 1), amount=Decimal("0.2"),
                               paid_on=SINCE)  # fmt: skip
    assert run(*SILENT_SOURCES, today=TODAY) == []


def test_a_branch_right_under_its_committee_and_one_never_active(world):
    s, _, office = world
    held(s.branch_a1, TODAY)
    held(s.branch_b1, TODAY)
    # branch_a2 sits right under college_a and has never had any activity.
    assert run(*SILENT_SOURCES, today=TODAY) == [
        ("edu_office", "branch_silent", s.branch_a2.name, None)
    ]


def test_a_new_branch_has_its_month_first(world):
    s, *_ = world
    keep_others_busy(s)
    held(s.branch_a1, TODAY)
    make_unit("新支部", OrgUnit.Kind.BRANCH, s.college_a)  # created now, after TODAY's month
    assert run(*SILENT_SOURCES, today=TODAY) == []


def test_silent_again_after_new_activity_is_a_new_event(world):
    s, *_ = world
    keep_others_busy(s)
    keep_others_busy(s, D(2025, 6, 20))
    assert len(run(*SILENT_SOURCES, today=TODAY)) == 2  # never active
    assert len(run(*SILENT_SOURCES, today=TODAY + ONE)) == 2  # the same event
    held(s.branch_a1, D(2025, 5, 20))
    assert len(run(*SILENT_SOURCES, today=D(2025, 6, 20))) == 2  # awake
    assert len(run(*SILENT_SOURCES, today=D(2025, 6, 21))) == 4  # silent again


# ---- the whole run: frozen time, idempotent, fixed queries --------------------------------


def populate(s, n: int) -> None:
    for i in range(n):
        branch = make_unit(f"支部{i}", OrgUnit.Kind.BRANCH, s.college_a)
        make_user(f"sec{n}_{i}", role=Role.BRANCH_SECRETARY, unit=branch)
        fortnightly(graduate(branch, f"毕业生{i}", f"g{n}_{i}"))
    OrgUnit.objects.update(created_at=LONG_AGO)


@pytest.mark.parametrize("n", [2, 8])
def test_one_statement_per_source_and_nothing_twice(world, django_assert_num_queries, n):
    s, *_ = world
    populate(s, n)
    load_sources()
    with time_machine.travel(dt.datetime(2025, 7, 15, 9, tzinfo=dt.UTC), tick=False):
        for name in CHECKIN_SOURCES + SILENT_SOURCES:
            with django_assert_num_queries(1):
                notify_rows(SOURCES[name].kind, SOURCES[name].rows(timezone.localdate()))
        # Each graduate and their secretary; every new branch (never active) to its secretary
        # and the office, and the school's own three: branch_a1 to both, branch_a2 to the
        # office, branch_b1 to nobody (no one keeps college_b's meetings).
        assert Notification.objects.filter(kind="checkin_late_mine").count() == n
        assert Notification.objects.filter(kind="checkin_late").count() == n
        assert Notification.objects.filter(kind="branch_silent").count() == 2 * n + 3
        again = reminders_run()
    assert all(again[name] == 0 for name in CHECKIN_SOURCES + SILENT_SOURCES)
