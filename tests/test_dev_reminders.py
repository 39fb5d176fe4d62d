"""The development pipeline's reminders: due dates that agree with development.clock, the
right recipients, a fixed number of queries, each reminder once."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Notification
from core.notifications.registry import SOURCES, load_sources, notify_rows, reminders_run
from development import clock
from development.models import Approval, BranchMeeting, Purpose, Step, StepRecord
from members.models import Person, Role
from tests.factories import School, make_person, make_user

D = dt.date
TODAY = D(2026, 12, 2)
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    s = School()
    secretary = make_user("dev_sec", role=Role.BRANCH_SECRETARY, unit=s.branch_a1)
    office = make_user("dev_office", role=Role.COMMITTEE_OFFICE, unit=s.college_a)
    return s, secretary, office


def record(person, step, on):
    return StepRecord.objects.create(person=person, step=step, on=on)


def run(name: str) -> list[tuple]:
    load_sources()
    notify_rows(SOURCES[name].kind, SOURCES[name].rows(TODAY))
    return sorted(
        Notification.objects.filter(kind=SOURCES[name].kind).values_list(
            "user__username", "subject", "due_on"
        )
    )


def test_applicant_talk_due_a_month_after_the_application(world):
    s, secretary, _ = world
    due_soon = make_person(s.branch_a1, "申请人甲", applied_on=D(2026, 11, 10))  # due 12-10
    later = make_person(s.branch_a1, "申请人乙", applied_on=D(2026, 11, 20))  # due 12-20
    talked = make_person(s.branch_a1, "申请人丙", applied_on=D(2026, 10, 1))
    record(talked, Step.APPLICANT_TALK, D(2026, 10, 20))
    late = make_person(s.branch_a1, "申请人丁", applied_on=D(2026, 8, 31))  # due 09-30, late
    assert run("applicant_talk_due") == [
        ("dev_sec", "申请人丁", clock.talk_due(late.applied_on)),
        ("dev_sec", "申请人甲", clock.talk_due(due_soon.applied_on)),
    ]
    del later


def test_half_yearly_assessment_counts_those_done(world):
    s, *_ = world
    fresh = make_person(s.branch_a1, "积极分子甲", stage="activist")
    record(fresh, Step.ACTIVIST_DETERMINED, D(2026, 6, 10))  # first due 12-10
    assessed = make_person(s.branch_a1, "积极分子乙", stage="activist")
    record(assessed, Step.ACTIVIST_DETERMINED, D(2026, 6, 10))
    record(assessed, Step.ASSESSMENT, D(2026, 12, 1))  # next due 2027-06-10
    assert run("assessment_due") == [
        ("dev_sec", "积极分子甲", clock.assessment_next_due(D(2026, 6, 10), 0))
    ]


def test_approval_window_reminds_the_committee(world):
    s, _, office = world
    person = make_person(s.branch_a1, "发展对象甲", stage="candidate")
    meeting = BranchMeeting.objects.create(
        unit=s.branch_a1,
        held_on=D(2026, 9, 10),
        purpose=Purpose.ADMISSION,
        voting_members_counted=5,
        present_voting=5,
    )
    Approval.objects.create(
        person=person,
        purpose=Purpose.ADMISSION,
        meeting=meeting,
        committee=s.college_a,
        opened_on=D(2026, 9, 10),
        due_on=clock.approval_due(D(2026, 9, 10)),
    )
    assert run("approval_due") == [("dev_office", "发展对象甲", D(2026, 12, 10))]


def test_probation_ending_within_a_month(world):
    s, *_ = world
    ending = make_person(s.branch_a1, "预备党员甲", stage="probationary", joined_on=D(2025, 12, 20))
    make_person(s.branch_a1, "预备党员乙", stage="probationary", joined_on=D(2026, 3, 1))
    assert run("probation_ending") == [
        ("dev_sec", "预备党员甲", clock.probation_end(ending.joined_on))
    ]


def test_every_source_once_in_fixed_queries(world, django_assert_max_num_queries):
    s, *_ = world
    for i in range(10):
        make_person(s.branch_a1, f"申请人{i}", applied_on=D(2026, 11, 1))
    load_sources()
    with django_assert_max_num_queries(len(SOURCES) + 2):
        first = reminders_run(TODAY)
    assert first["applicant_talk_due"] == 10
    assert set(reminders_run(TODAY).values()) == {0}
    Person.objects.filter(applied_on__isnull=False).update(
        applied_on=D(2026, 11, 2)
    )  # the deadline moved: a new event
    assert reminders_run(TODAY)["applicant_talk_due"] == 10


def test_lost_contact_removal_due_two_years_after_suspension(world):
    from members.models import LapseCase, LapseStatus

    s, secretary, _ = world
    person = make_person(s.branch_a1, "失联党员", stage="suspended")
    Person.objects.filter(pk=person.pk).update(lost_contact=True)
    LapseCase.objects.create(
        person=person,
        count="lost_contact",
        gap_since=D(2024, 1, 1),
        lapses_on=D(2024, 7, 1),
        status=LapseStatus.SUSPENDED,
        opened_on=D(2024, 6, 1),
        suspended_on=D(2024, 12, 10),  # two years on 2026-12-10, within the lookahead
    )
    assert run("lost_contact_removal_due") == [("dev_sec", "失联党员", D(2026, 12, 10))]
