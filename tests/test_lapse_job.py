"""The lapse job: each count on its own, the five- and six-month boundaries with frozen time,
one case per member and count however often or concurrently it runs, a fixed number of
queries, re-engaged members no longer flagged, and a run that dies half-way."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from core.models import Notification
from members.models import LapseCase, LapseCount, LapseStatus, LapseStep, Person, Role
from members.services import lapses
from members.services.lapses import lapse_sweep
from tests.factories import School, make_person, make_user

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
RECENT = D(2026, 11, 20)
PAID = D(2026, 11, 1)
JOINED = D(2020, 1, 1)


def at(day: dt.date, hour: int = 1):
    """Frozen time on `day` in the school's zone (01:30 is when beat runs the job)."""
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=SHANGHAI), tick=False
    )


def member(unit, *, org=RECENT, dues=PAID, work=RECENT, joined=JOINED, **extra):
    person = make_person(unit, stage="full", joined_on=joined, **extra)
    Person.objects.filter(pk=person.pk).update(
        last_org_life_on=org, dues_paid_through=dues, last_work_done_on=work
    )
    person.refresh_from_db()
    return person


def cases(person=None, **filters):
    qs = LapseCase.objects.all() if person is None else LapseCase.objects.filter(person=person)
    return list(qs.filter(**filters).order_by("count").values_list("count", "status"))


@pytest.fixture
def world(db):
    school = School()
    secretary = make_user("lapse_secretary", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    return school, secretary


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2026, 11, 1), []),
        (D(2026, 11, 2), [("org_life", "warning")]),  # five months: the branch is warned
        (D(2026, 12, 1), [("org_life", "warning")]),  # the day before six months
        (D(2026, 12, 2), [("org_life", "lapsed")]),  # the day of
        (D(2026, 12, 3), [("org_life", "lapsed")]),  # the day after
    ],
)
def test_org_life_boundaries_with_frozen_time(world, today, expected):
    school, _ = world
    person = member(school.branch_a1, org=D(2026, 6, 2))
    with at(today):
        lapse_sweep()
    assert cases(person) == expected


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2027, 1, 30), []),
        (D(2027, 1, 31), [("work", "warning")]),  # 31 August + 5 months
        (D(2027, 2, 27), [("work", "warning")]),
        (D(2027, 2, 28), [("work", "lapsed")]),  # 31 August + 6 months
    ],
)
def test_month_end_boundary_on_assigned_work(world, today, expected):
    school, _ = world
    person = member(school.branch_a1, work=D(2026, 8, 31), org=D(2027, 1, 20), dues=D(2027, 1, 1))
    with at(today):
        lapse_sweep()
    assert cases(person) == expected


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2026, 11, 30), []),
        (D(2026, 12, 1), [("dues", "warning")]),  # July–November unpaid: five months
        (D(2026, 12, 31), [("dues", "warning")]),
        (D(2027, 1, 1), [("dues", "lapsed")]),  # July–December unpaid: six months
    ],
)
def test_dues_paid_up_to_june(world, today, expected):
    school, _ = world
    person = member(school.branch_a1, dues=D(2026, 6, 1), org=D(2026, 11, 30), work=D(2026, 11, 30))
    with at(today):
        lapse_sweep()
    assert cases(person) == expected


def test_each_count_separately_and_joined_on_when_never_recorded(world):
    school, _ = world
    three = member(school.branch_a1, org=D(2026, 1, 5), dues=D(2026, 1, 1), work=D(2026, 1, 5))
    never = member(school.branch_a1, org=None, dues=None, work=None, joined=D(2026, 5, 1))
    lost = member(school.branch_a1, lost_contact=True, lost_contact_since=D(2026, 5, 20))
    with at(D(2026, 12, 2)):
        lapse_sweep()
    assert cases(three) == [("dues", "lapsed"), ("org_life", "lapsed"), ("work", "lapsed")]
    assert cases(never) == [("dues", "lapsed"), ("org_life", "lapsed"), ("work", "lapsed")]
    assert cases(lost) == [("lost_contact", "lapsed")]
    case = LapseCase.objects.get(person=never, count=LapseCount.ORG_LIFE)
    assert (case.gap_since, case.lapses_on) == (D(2026, 5, 1), D(2026, 11, 1))


def test_only_members_are_counted(world):
    school, _ = world
    applicant = make_person(school.branch_a1, joined_on=D(2020, 1, 1))
    removed = member(school.branch_a1, org=D(2025, 1, 1))
    Person.objects.filter(pk=removed.pk).update(removed_at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
    with at(D(2026, 12, 2)):
        lapse_sweep()
    assert cases(applicant) == [] and cases(removed) == []


def test_warning_flips_to_lapsed_exactly_once_and_runs_twice_change_nothing(world):
    school, secretary = world
    person = member(school.branch_a1, org=D(2026, 6, 2))
    with at(D(2026, 11, 2)):
        first = lapse_sweep()
        again = lapse_sweep()
    assert first["opened"] == 1 and again == {
        "closed": 0, "opened": 0, "lapsed": 0, "steps": 0, "notifications": 0,
    }  # fmt: skip
    with at(D(2026, 12, 2)):
        flipped = lapse_sweep()
        flipped_again = lapse_sweep()
    assert flipped["lapsed"] == 1 and flipped_again["lapsed"] == 0
    case = LapseCase.objects.get(person=person)
    assert (case.status, case.lapsed_on) == (LapseStatus.LAPSED, D(2026, 12, 2))
    assert list(case.steps.values_list("kind", flat=True)) == ["opened", "lapsed"]
    keys = set(Notification.objects.filter(user=secretary).values_list("key", flat=True))
    assert keys == {f"lapse:{case.pk}:warning", f"lapse:{case.pk}:lapsed"}


def test_the_member_is_told_at_six_months(world):
    school, _ = world
    user = make_user("lapsed_member")
    person = member(school.branch_a1, org=D(2026, 6, 2))
    Person.objects.filter(pk=person.pk).update(user=user)
    with at(D(2026, 12, 2)):
        lapse_sweep()
        lapse_sweep()
    assert list(Notification.objects.filter(user=user).values_list("kind", flat=True)) == [
        "lapse_member"
    ]


def test_a_member_who_re_engages_stops_being_flagged(world):
    school, _ = world
    person = member(school.branch_a1, org=D(2026, 6, 2))
    with at(D(2026, 11, 10)):
        lapse_sweep()
    Person.objects.filter(pk=person.pk).update(last_org_life_on=D(2026, 11, 15))
    with at(D(2026, 11, 16)):
        done = lapse_sweep()
    case = LapseCase.objects.get(person=person)
    assert done["closed"] == 1 and case.status == LapseStatus.CLOSED and case.close_reason
    assert case.steps.filter(kind=LapseStep.Kind.CLOSED).count() == 1
    with at(D(2026, 12, 2)):
        lapse_sweep()
    assert LapseCase.objects.filter(person=person).count() == 1  # nothing new: not flagged


def test_a_case_the_branch_acted_on_stays_open_for_the_branch(world):
    school, secretary = world
    person = member(school.branch_a1, org=D(2026, 6, 2))
    with at(D(2026, 12, 2)):
        lapse_sweep()
        case = LapseCase.objects.get(person=person)
        lapses.lapse_notice_record(case=case, on=D(2026, 12, 2), note="书面通报", actor=secretary)
    Person.objects.filter(pk=person.pk).update(last_org_life_on=D(2026, 12, 5))
    with at(D(2026, 12, 6)):
        lapse_sweep()
    case.refresh_from_db()
    assert case.is_open and case.status == LapseStatus.NOTICE


def test_a_closed_case_is_never_reopened_for_the_same_gap(world):
    school, secretary = world
    person = member(school.branch_a1, org=D(2026, 6, 2))
    with at(D(2026, 12, 2)):
        lapse_sweep()
        case = LapseCase.objects.get(person=person)
        lapses.lapse_close(case=case, reason="有正当理由：出国交换", actor=secretary)
        lapse_sweep()
    assert LapseCase.objects.filter(person=person).count() == 1
    # A new gap later on is a new case.
    Person.objects.filter(pk=person.pk).update(last_org_life_on=D(2026, 12, 10))
    with at(D(2027, 6, 10)):
        lapse_sweep()
    assert cases(person, count="org_life") == [("org_life", "closed"), ("org_life", "lapsed")]


def _population(unit, n: int) -> None:
    for i in range(n):
        member(unit, org=D(2026, 5, 1) if i % 2 else D(2026, 6, 20), dues=D(2026, 1, 1))


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_does_not_grow_with_members(world, django_assert_num_queries, n):
    school, _ = world
    _population(school.branch_a1, n)
    with at(D(2026, 12, 2)), django_assert_num_queries(JOB_QUERIES):
        done = lapse_sweep()
    # Dues for everyone; org life for everyone too (half lapsed, half at five months).
    assert done["opened"] == 2 * n
    assert LapseCase.objects.filter(status=LapseStatus.WARNING).count() == (n + 1) // 2


# 4 counts × (close + open) + flip + 3 step inserts + 5 notification inserts + marking them
# announced, in a savepoint.
JOB_QUERIES = 4 * 2 + 1 + 3 + 5 + 1 + 2


def test_a_run_that_dies_half_way_is_finished_by_the_next(world, monkeypatch):
    school, secretary = world
    _population(school.branch_a1, 4)

    def killed():
        raise SystemExit("worker killed")

    monkeypatch.setattr(lapses, "_notify_sweep", killed)
    with at(D(2026, 12, 2)), pytest.raises(SystemExit):
        lapse_sweep()
    assert LapseCase.objects.count() == 0  # one transaction: nothing half-done
    monkeypatch.undo()
    with at(D(2026, 12, 2)):
        lapse_sweep()
        lapse_sweep()
    assert LapseCase.objects.count() == 8
    assert Notification.objects.filter(user=secretary).count() == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_on_postgresql_equal_one():
    school = School()
    secretary = make_user("lapse_secretary", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    _population(school.branch_a1, 20)
    errors, barrier = [], threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            with at(D(2026, 12, 2)):
                lapse_sweep()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert LapseCase.objects.count() == 40
    assert LapseStep.objects.filter(kind=LapseStep.Kind.OPENED).count() == 40
    assert Notification.objects.filter(user=secretary).count() == 40


def test_the_database_refuses_a_second_open_case_and_a_second_case_for_a_gap(world):
    from django.db import IntegrityError, transaction

    school, _ = world
    person = member(school.branch_a1)
    fields = dict(person=person, count="dues", lapses_on=D(2026, 7, 1), opened_on=D(2026, 6, 1))
    first = LapseCase.objects.create(gap_since=D(2026, 1, 1), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        LapseCase.objects.create(gap_since=D(2026, 2, 1), **fields)  # a second open case
    LapseCase.objects.filter(pk=first.pk).update(
        status=LapseStatus.CLOSED, closed_at=dt.datetime(2026, 7, 1, tzinfo=SHANGHAI)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LapseCase.objects.create(gap_since=D(2026, 1, 1), **fields)  # the same gap again
    LapseCase.objects.create(gap_since=D(2026, 2, 1), **fields)  # a new gap: allowed


def test_a_run_days_late_records_the_day_six_months_were_reached(world):
    """Ticks missed (Redis down): the next run catches up, with the true dates."""
    school, _ = world
    person = member(school.branch_a1, org=D(2026, 6, 2))
    straight = member(school.branch_a1, org=D(2026, 6, 1))
    with at(D(2026, 11, 2)):
        lapse_sweep()
    with at(D(2026, 12, 9)):
        lapse_sweep()
    case = LapseCase.objects.get(person=person)
    assert (case.status, case.lapsed_on) == (LapseStatus.LAPSED, D(2026, 12, 2))
    assert case.steps.get(kind=LapseStep.Kind.LAPSED).on == D(2026, 12, 2)
    assert LapseCase.objects.get(person=straight).lapsed_on == D(2026, 12, 1)
