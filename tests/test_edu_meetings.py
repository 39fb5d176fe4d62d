"""Meetings, attendance and leave: the rules of leave (before the meeting, approved by the
secretary), attendance that must match the leave, and the lapse dates kept current with
set-based updates that are also right when an attendance is corrected downward."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from education.models import (
    Attendance,
    AttendanceStatus,
    LeaveStatus,
    MeetingKind,
    MeetingStatus,
    WorkStatus,
)
from education.services import meetings as m
from education.services import service as sv
from members.models import OrgUnit, Person
from members.models.access import Role
from members.services.people import person_link_account
from tests.factories import make_person, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English msgids."""
    with translation.override("en"):
        yield


P, L, A = AttendanceStatus.PRESENT, AttendanceStatus.ON_LEAVE, AttendanceStatus.ABSENT
TODAY = timezone.localdate()


@pytest.fixture
def branch(school):
    class B:
        unit = school.branch_a1
        secretary = make_user("sec", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
        outsider = make_user("outsider", role=Role.BRANCH_SECRETARY, unit=school.branch_b1)
        ann = make_person(school.branch_a1, "安", stage="full")
        ben = make_person(school.branch_a1, "本", stage="probationary")
        cai = make_person(school.branch_a1, "蔡", stage="full")
        applicant = school.alice  # an applicant: not expected at branch meetings
        ann_user = make_user("ann")

    person_link_account(person=B.ann, user=B.ann_user, actor=None)
    return B


def plan(b, *, days: int = 3, kind=MeetingKind.THEME_DAY, at=dt.time(19, 0), actor=None):
    return m.meeting_plan(
        unit=b.unit,
        kind=kind,
        held_on=TODAY + dt.timedelta(days=days),
        start_time=at,
        topic="学习党章",
        place="党员之家",
        actor=actor or b.secretary,
    )


def after_start(meeting):
    return meeting.starts_at + dt.timedelta(minutes=1)


def test_plan_needs_a_place_or_link_and_a_branch(branch, school):
    with pytest.raises(ValidationError, match="place or an online link"):
        m.meeting_plan(
            unit=branch.unit,
            kind=MeetingKind.LECTURE,
            held_on=TODAY,
            start_time=dt.time(9),
            topic="党课",
            actor=branch.secretary,
        )
    with pytest.raises(ValidationError, match="Party branch or a Party group"):
        m.meeting_plan(
            unit=school.college_a,
            kind=MeetingKind.LECTURE,
            held_on=TODAY,
            start_time=dt.time(9),
            topic="党课",
            place="x",
            actor=None,
        )
    with pytest.raises(PermissionDenied):
        plan(branch, actor=branch.outsider)


def test_a_group_meeting_counts_for_its_branch(branch):
    group = make_unit("第一党小组", OrgUnit.Kind.GROUP, branch.unit)
    meeting = m.meeting_plan(
        unit=group,
        kind=MeetingKind.GROUP,
        held_on=TODAY,
        start_time=dt.time(9),
        topic="小组学习",
        place="x",
        actor=None,
    )
    assert meeting.branch_id == branch.unit.pk
    with pytest.raises(ValidationError, match="Party group meetings only"):
        m.meeting_plan(
            unit=group,
            kind=MeetingKind.LECTURE,
            held_on=TODAY,
            start_time=dt.time(9),
            topic="x",
            place="x",
            actor=None,
        )


def test_leave_is_asked_before_the_meeting_starts(branch):
    meeting = plan(branch)
    just_before = meeting.starts_at - dt.timedelta(seconds=1)
    leave = m.leave_request(meeting=meeting, reason="实习", actor=branch.ann_user, now=just_before)
    assert leave.status == LeaveStatus.REQUESTED and leave.person == branch.ann
    # Once is enough.
    with pytest.raises(ValidationError, match="already asked"):
        m.leave_request(meeting=meeting, reason="again", actor=branch.ann_user, now=just_before)
    m.leave_withdraw(leave=leave, actor=branch.ann_user, now=just_before)
    # At the start it is too late, with the time in the message.
    with pytest.raises(ValidationError, match="before it starts"):
        m.leave_request(
            meeting=meeting, reason="迟到", actor=branch.ann_user, now=meeting.starts_at
        )


def test_leave_needs_a_reason_and_is_only_for_ones_own_meetings(branch, school):
    meeting = plan(branch)
    with pytest.raises(ValidationError, match="why you cannot attend"):
        m.leave_request(meeting=meeting, reason="  ", actor=branch.ann_user)
    # Someone not expected at the meeting (another branch) cannot ask.
    other = make_person(school.branch_b1, "外人", stage="full")
    user = make_user("other")
    person_link_account(person=other, user=user, actor=None)
    with pytest.raises(PermissionDenied):
        m.leave_request(meeting=meeting, reason="x", actor=user)
    # Staff without a person record cannot ask for anyone.
    with pytest.raises(PermissionDenied):
        m.leave_request(meeting=meeting, reason="x", actor=branch.secretary)


def test_secretary_approves_or_refuses_with_a_reason(branch):
    meeting = plan(branch)
    leave = m.leave_request(meeting=meeting, reason="考试", actor=branch.ann_user)
    with pytest.raises(ValidationError, match="Say why the leave is refused"):
        m.leave_decide(leave=leave, approve=False, note="", actor=branch.secretary)
    with pytest.raises(PermissionDenied):
        m.leave_decide(leave=leave, approve=True, actor=branch.outsider)
    refused = m.leave_decide(leave=leave, approve=False, note="考试可调", actor=branch.secretary)
    assert refused.status == LeaveStatus.REFUSED and refused.decided_by == branch.secretary
    with pytest.raises(ValidationError, match="already"):
        m.leave_decide(leave=leave, approve=True, actor=branch.secretary)
    # A refused request stays in the register; a new one may follow.
    again = m.leave_request(meeting=meeting, reason="生病", actor=branch.ann_user)
    assert m.leave_decide(leave=again, approve=True, actor=branch.secretary).status == "approved"


def test_record_needs_the_meeting_to_have_started_and_everyone(branch):
    meeting = plan(branch, days=0, at=dt.time(0, 0))
    everyone = {branch.ann.pk: P, branch.ben.pk: P, branch.cai.pk: P}
    with pytest.raises(ValidationError, match="not started"):
        m.meeting_record(
            meeting=meeting,
            minutes="x",
            attendance=everyone,
            actor=branch.secretary,
            now=meeting.starts_at - dt.timedelta(seconds=1),
        )
    with pytest.raises(ValidationError, match="本: say whether"):
        m.meeting_record(
            meeting=meeting,
            minutes="x",
            attendance={branch.ann.pk: P, branch.cai.pk: P},
            actor=branch.secretary,
            now=after_start(meeting),
        )
    with pytest.raises(ValidationError, match="not members"):
        m.meeting_record(
            meeting=meeting,
            minutes="x",
            attendance={**everyone, branch.applicant.pk: P},
            actor=branch.secretary,
            now=after_start(meeting),
        )
    with pytest.raises(ValidationError, match="minutes"):
        m.meeting_record(
            meeting=meeting,
            minutes=" ",
            attendance=everyone,
            actor=branch.secretary,
            now=after_start(meeting),
        )
    assert not Attendance.objects.exists()


def test_on_leave_only_with_approved_leave(branch):
    meeting = plan(branch)
    leave = m.leave_request(meeting=meeting, reason="实习", actor=branch.ann_user)
    statuses = {branch.ann.pk: L, branch.ben.pk: L, branch.cai.pk: P}
    meeting.held_on = TODAY  # let it have started, as the record page would see it
    with pytest.raises(ValidationError) as refused:
        m.meeting_record(
            meeting=meeting,
            minutes="x",
            attendance=statuses,
            actor=branch.secretary,
            now=after_start(meeting) + dt.timedelta(days=3),
        )
    messages = " ".join(refused.value.messages)
    assert "安 asked for leave but it is not decided yet" in messages
    assert "本 has no approved leave" in messages
    m.leave_decide(leave=leave, approve=True, actor=branch.secretary)
    statuses[branch.ben.pk] = A
    done = m.meeting_record(
        meeting=meeting,
        minutes="学习了党章",
        attendance=statuses,
        actor=branch.secretary,
        now=after_start(meeting) + dt.timedelta(days=3),
    )
    assert done.status == MeetingStatus.HELD
    row = Attendance.objects.get(meeting=meeting, person=branch.ann)
    assert row.status == L and row.leave == leave
    with pytest.raises(ValidationError, match="cannot be recorded again"):
        m.meeting_record(
            meeting=meeting,
            minutes="x",
            attendance=statuses,
            actor=None,
            now=after_start(meeting) + dt.timedelta(days=3),
        )


def _held(branch, day: dt.date, statuses, kind=MeetingKind.THEME_DAY):
    meeting = m.meeting_plan(
        unit=branch.unit,
        kind=kind,
        held_on=day,
        start_time=dt.time(9),
        topic="t",
        place="p",
        actor=None,
    )
    return m.meeting_record(meeting=meeting, minutes="m", attendance=statuses, actor=None)


def test_last_org_life_moves_forward_only_for_those_present(branch, django_assert_num_queries):
    early, late = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=10)
    _held(branch, late, {branch.ann.pk: P, branch.ben.pk: A, branch.cai.pk: P})
    # An older meeting recorded afterwards never moves the date back.
    _held(branch, early, {branch.ann.pk: P, branch.ben.pk: P, branch.cai.pk: A})
    dates = dict(
        Person.objects.filter(pk__in=[branch.ann.pk, branch.ben.pk, branch.cai.pk]).values_list(
            "name", "last_org_life_on"
        )
    )
    assert dates == {"安": late, "本": early, "蔡": late}
    # A special session is not organizational life. (Yesterday: a meeting at 09:00 today
    # has not started yet when the suite runs in the small hours, Beijing time.)
    _held(
        branch,
        TODAY - dt.timedelta(days=1),
        {branch.ann.pk: P, branch.ben.pk: P, branch.cai.pk: P},
        kind=MeetingKind.SPECIAL,
    )
    assert Person.objects.get(pk=branch.ben.pk).last_org_life_on == early


def test_org_life_update_is_one_statement_for_any_number_present(branch, school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(6):
        make_person(branch.unit, f"多{i}", stage="full")
    meeting = m.meeting_plan(
        unit=branch.unit,
        kind=MeetingKind.LECTURE,
        held_on=TODAY,
        start_time=dt.time(0),
        topic="t",
        place="p",
        actor=None,
    )
    people = [
        p.pk for p in Person.objects.filter(unit=branch.unit, stage__in=["full", "probationary"])
    ]
    with CaptureQueriesContext(connection) as ctx:
        m.meeting_record(
            meeting=meeting, minutes="m", attendance=dict.fromkeys(people, P), actor=None
        )
    updates = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("UPDATE") and "last_org_life_on" in q["sql"]
    ]
    assert len(updates) == 1
    assert Person.objects.filter(pk__in=people, last_org_life_on=TODAY).count() == len(people)


def test_correcting_attendance_downward_recomputes_from_the_records(branch):
    early, late = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=10)
    _held(branch, early, {branch.ann.pk: P, branch.ben.pk: P, branch.cai.pk: A})
    meeting = _held(branch, late, {branch.ann.pk: P, branch.ben.pk: P, branch.cai.pk: P})
    with pytest.raises(ValidationError, match="Say why"):
        m.attendance_correct(
            meeting=meeting, person=branch.ann, status=A, reason="", actor=branch.secretary
        )
    with pytest.raises(ValidationError, match="no approved leave"):
        m.attendance_correct(
            meeting=meeting, person=branch.ann, status=L, reason="x", actor=branch.secretary
        )
    m.attendance_correct(
        meeting=meeting, person=branch.ann, status=A, reason="签到有误", actor=branch.secretary
    )
    m.attendance_correct(
        meeting=meeting, person=branch.cai, status=A, reason="签到有误", actor=branch.secretary
    )
    people = {p.name: p.last_org_life_on for p in Person.objects.filter(unit=branch.unit)}
    assert people["安"] == early  # back to the meeting before
    assert people["蔡"] is None  # no other organizational life on record
    assert people["本"] == late  # untouched
    # And upward again.
    m.attendance_correct(
        meeting=meeting, person=branch.cai, status=P, reason="补记", actor=branch.secretary
    )
    assert Person.objects.get(pk=branch.cai.pk).last_org_life_on == late


def test_cancel_only_planned_and_with_reason(branch):
    meeting = plan(branch)
    leave = m.leave_request(meeting=meeting, reason="x", actor=branch.ann_user)
    with pytest.raises(ValidationError, match="Say why"):
        m.meeting_cancel(meeting=meeting, reason="", actor=branch.secretary)
    m.meeting_cancel(meeting=meeting, reason="改期", actor=branch.secretary)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        m.meeting_cancel(meeting=meeting, reason="again", actor=branch.secretary)


def test_assigned_work_done_keeps_last_work_done_on(branch):
    first = sv.work_assign(
        person=branch.ann,
        title="整理支部台账",
        assigned_on=TODAY - dt.timedelta(days=30),
        actor=branch.secretary,
    )
    second = sv.work_assign(
        person=branch.ann,
        title="迎新服务",
        assigned_on=TODAY - dt.timedelta(days=30),
        actor=branch.secretary,
    )
    with pytest.raises(ValidationError, match="not one"):
        sv.work_assign(person=branch.applicant, title="x", assigned_on=TODAY, actor=None)
    with pytest.raises(ValidationError, match="before it was assigned"):
        sv.work_mark_done(work=first, on=TODAY - dt.timedelta(days=31), actor=branch.secretary)
    sv.work_mark_done(work=first, on=TODAY - dt.timedelta(days=20), actor=branch.secretary)
    sv.work_mark_done(work=second, on=TODAY - dt.timedelta(days=5), actor=branch.secretary)
    assert Person.objects.get(pk=branch.ann.pk).last_work_done_on == TODAY - dt.timedelta(days=5)
    reopened = sv.work_reopen(work=second, reason="未完成", actor=branch.secretary)
    assert reopened.status == WorkStatus.ASSIGNED
    assert Person.objects.get(pk=branch.ann.pk).last_work_done_on == TODAY - dt.timedelta(days=20)
    sv.work_reopen(work=first, reason="未完成", actor=branch.secretary)
    assert Person.objects.get(pk=branch.ann.pk).last_work_done_on is None


def test_committee_meetings_are_for_the_committee(branch):
    from education import selectors
    from members.models import BranchPost
    from members.services.org import branch_post_assign

    meeting = plan(branch, kind=MeetingKind.COMMITTEE)

    # No committee on record: every member is expected and sees it.
    assert selectors.upcoming_for_member(branch.ann, TODAY).filter(pk=meeting.pk).exists()
    branch_post_assign(
        unit=branch.unit,
        person=branch.cai,
        post=BranchPost.Post.SECRETARY,
        term_start=TODAY - dt.timedelta(days=30),
        actor=None,
    )
    assert list(selectors.expected_attendees(meeting)) == [branch.cai]
    assert not selectors.upcoming_for_member(branch.ann, TODAY).filter(pk=meeting.pk).exists()
    assert selectors.upcoming_for_member(branch.cai, TODAY).filter(pk=meeting.pk).exists()
    with pytest.raises(PermissionDenied):
        m.leave_request(meeting=meeting, reason="x", actor=branch.ann_user)
