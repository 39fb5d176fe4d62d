"""Next step, due date and late flag for everyone, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from development import clock
from development import services as s
from development.models import Step, TrainingKind, VetoKind
from development.selectors import (
    ACTIVE_STAGES_FOR_DUE,
    due_and_overdue,
    may_be_due,
    next_steps,
    training_hours,
    volunteer_hours,
)
from members.models import Person, Role, Stage
from tests.factories import make_user
from tests.test_dev_helpers import D, Pipeline

pytestmark = pytest.mark.django_db
ONE = dt.timedelta(days=1)
# people, step records, assignments, approvals, notice entries, objections, vetoes,
# extensions, training, volunteering, experiences, local rules: one query each.
QUERIES = 13  # 12 of development + transfers' open two-way examinations


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pipe(school) -> Pipeline:
    return Pipeline(school)


# Where each stage stands -----------------------------------------------------------------


def test_next_step_of_each_stage(pipe):
    fresh = pipe.applicant()
    applied = pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK).person
    activist = pipe.walk(pipe.applicant()).until(Step.ASSESSMENT)
    awaiting = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    probation = pipe.walk(pipe.applicant()).until(Step.CONVERSION_APPLICATION)
    today = D(2021, 6, 1)
    ids = [p.pk for p in (fresh, applied, activist.person, awaiting.person, probation.person)]
    found = next_steps(Person.objects.filter(pk__in=ids), today)

    assert found[fresh.pk].step == Step.APPLICATION
    talk = found[applied.pk]
    assert (talk.stage, talk.since, talk.step) == (
        Stage.APPLICANT,
        D(2021, 3, 1),
        Step.APPLICANT_TALK,
    )
    assert (talk.due, talk.late, talk.days_late) == (D(2021, 4, 1), True, 61)

    # An activist waiting for the year to pass: next is candidacy, with its unmet rules and
    # the earliest day; the 6-month assessment is already overdue.
    cultivation = found[activist.person.pk]
    assert cultivation.step == Step.CANDIDATE_DETERMINED
    assert cultivation.earliest == D(2022, 4, 2)
    assert any("305 days short" in reason for reason in cultivation.unmet)
    assert "Cultivation contact assigned" in cultivation.met
    later = next_steps([activist.person], D(2021, 10, 2))[activist.person.pk]
    assert (later.assessment_due, later.late) == (D(2021, 10, 1), True)
    on_time = next_steps([activist.person], D(2021, 10, 1))[activist.person.pk]
    assert on_time.late is False

    meeting = awaiting.on[Step.ADMISSION_MEETING]
    waiting = next_steps([awaiting.person], awaiting.on[Step.HIGHER_TALK])[awaiting.person.pk]
    assert (waiting.step, waiting.due) == (Step.ADMISSION_APPROVAL, clock.approval_due(meeting))
    assert waiting.unmet == []

    end = probation.probation_end()
    member = next_steps([probation.person], end - 40 * ONE)[probation.person.pk]
    assert member.step == Step.CONVERSION_APPLICATION
    assert (member.earliest, member.due, member.late) == (clock.add_months(end, -1), end, False)
    assert member.unmet  # not yet in the last month


def test_veto_and_open_objection_show_as_unmet(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    notice = walk.notices["admission"]
    s.notice_objection_record(
        notice=notice, person=walk.person, received_on=notice.start, content="x", actor=None
    )
    s.veto_raise(
        person=walk.person,
        kind=VetoKind.COLLEGE,
        on=notice.start,
        raised_by="学院党总支",
        reason="学业预警",
        actor=None,
    )
    step = next_steps([walk.person], notice.end + ONE)[walk.person.pk]
    assert step.step == Step.ADMISSION_MEETING
    assert step.earliest == notice.end + ONE
    assert any("1 objection(s)" in r for r in step.unmet)
    assert any("college veto" in r for r in step.unmet)


# A fixed number of queries ---------------------------------------------------------------


def _population(pipe: Pipeline) -> list[Person]:
    """30 people at every stage, with notices, objections, vetoes, training, volunteering."""
    people = [pipe.applicant() for _ in range(6)]
    stops = [Step.APPLICANT_TALK, Step.ACTIVIST_DETERMINED, Step.ASSESSMENT, Step.BRANCH_REVIEW,
             Step.ADMISSION_MEETING, Step.HIGHER_TALK, Step.CONVERSION_APPLICATION,
             Step.CONVERSION_MEETING, None]  # fmt: skip
    for index in range(24):
        walk = pipe.walk(pipe.applicant()).until(stops[index % len(stops)])
        people.append(walk.person)
        if walk.person.stage == Stage.CANDIDATE and "admission" in walk.notices:
            notice = walk.notices["admission"]
            s.notice_objection_record(
                notice=notice, person=walk.person, received_on=notice.start, content="x", actor=None
            )
        if walk.person.stage == Stage.PROBATIONARY:
            s.volunteer_record(
                person=walk.person, on=walk.person.joined_on, hours=10, activity="x", actor=None
            )
        if index % 5 == 0:
            s.veto_raise(
                person=walk.person,
                kind=VetoKind.TEACHERS,
                on=D(2021, 3, 2),
                raised_by="任课教师",
                reason="x",
                actor=None,
            )
    return people


def test_next_steps_in_the_same_number_of_queries_for_3_and_30(pipe, django_assert_num_queries):
    people = _population(pipe)
    assert len(people) == 30
    assert len({p.stage for p in Person.objects.filter(pk__in=[p.pk for p in people])}) == 5
    today = D(2026, 1, 1)
    for subset in (people[-3:], people):
        queryset = Person.objects.filter(pk__in=[p.pk for p in subset])
        with django_assert_num_queries(QUERIES):
            found = next_steps(queryset, today)
        assert len(found) == len(subset)
        with django_assert_num_queries(QUERIES):
            due_and_overdue(queryset, today)
    # A page of a list (a sliced queryset) costs the same.
    with django_assert_num_queries(QUERIES):
        page = next_steps(Person.objects.filter(pk__in=[p.pk for p in people])[5:25], today)
    assert len(page) == 20


def test_due_and_overdue_list_of_a_branch_and_a_college(school, pipe):
    late_talk = pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK).person
    awaiting = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    not_due = pipe.walk(pipe.applicant()).until(Step.ACTIVIST_DETERMINED).person
    other_branch = Pipeline(school, branch=school.branch_b1, voters=0)
    elsewhere = other_branch.walk(other_branch.applicant()).until(Step.APPLICANT_TALK).person

    meeting = awaiting.on[Step.ADMISSION_MEETING]
    today = meeting + 10 * ONE
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    college = Person.objects.restrict(office)
    listed = due_and_overdue(college, today, horizon_days=90)
    ids = [n.person_id for n in listed]
    assert late_talk.pk in ids and awaiting.person.pk in ids
    assert elsewhere.pk not in ids  # another college
    first = listed[0]
    assert (first.person_id, first.late) == (late_talk.pk, True)  # most urgent first
    approval = next(n for n in listed if n.person_id == awaiting.person.pk)
    assert (approval.due, approval.late) == (clock.approval_due(meeting), False)
    # Waiting for the branch committee to decide on an activist: nothing is due.
    assert not_due.pk not in ids
    assert next_steps([not_due], today)[not_due.pk].step == Step.ACTIVIST_DETERMINED


# Hours: the one place the rules read them from --------------------------------------------


def test_training_and_volunteer_hours(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.TRAINING)
    person = walk.person
    start = walk.default_date(Step.TRAINING)
    s.training_record(person=person, course="a", start=start, end=start + ONE, days=2,
                      hours=Decimal("12.5"), actor=None)  # fmt: skip
    s.training_record(person=person, course="b", start=start, end=start, days=1, hours=8,
                      actor=None)  # fmt: skip
    s.training_record(person=person, course="failed", start=start, end=start, days=1, hours=8,
                      passed=False, actor=None)  # fmt: skip
    s.training_record(person=person, course="activists", start=start, end=start, days=1,
                      hours=8, kind=TrainingKind.ACTIVIST, actor=None)  # fmt: skip
    total = training_hours(person)
    assert (total.days, total.hours) == (Decimal(3), Decimal("20.5"))
    assert volunteer_hours(person) == 0  # nothing counts before admission


def test_due_and_overdue_loads_only_who_can_be_due_and_misses_nobody(pipe):
    """The SQL condition `may_be_due` narrows who is loaded; on days around the clocks'
    boundaries the list is the one computed from everyone's file."""
    people = _population(pipe)
    queryset = Person.objects.filter(pk__in=[p.pk for p in people])
    active = queryset.filter(stage__in=ACTIVE_STAGES_FOR_DUE, removed_at__isnull=True)

    def everyone(today, horizon_days):
        horizon = today + dt.timedelta(days=horizon_days)
        found = [(n.person_id, n.due_on) for n in next_steps(active, today).values()
                 if n.due_on and n.due_on <= horizon]  # fmt: skip
        return sorted(found, key=lambda x: (x[1], x[0]))

    def listed(today, horizon_days):
        found = due_and_overdue(queryset, today, horizon_days=horizon_days)
        return [(n.person_id, n.due_on) for n in found]

    cases = [(D(2021, 1, 1) + dt.timedelta(days=n), 30) for n in range(0, 2000, 97)]
    # The day before and the day a due date is reached (horizon 0: due by today).
    dues = sorted({due for _pk, due in everyone(D(2021, 6, 1), 4000)})
    cases += [(due + delta, 0) for due in dues[:10] for delta in (-ONE, 0 * ONE)]
    narrowed = False
    for today, horizon_days in cases:
        assert listed(today, horizon_days) == everyone(today, horizon_days), (today, horizon_days)
        horizon = today + dt.timedelta(days=horizon_days)
        narrowed |= active.filter(may_be_due(today, horizon)).count() < active.count()
    assert narrowed and dues
