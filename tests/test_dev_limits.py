"""Every rule with a number, through the services: the day before, the day of, the day after.

Each case walks a person through the real services up to the step under test, then tries
that step on a boundary date and checks it is refused (with the rule and its numbers) or
recorded."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from development import clock
from development import services as s
from development.models import (
    Approval,
    ApprovalStatus,
    Attendance,
    Decision,
    MeetingVote,
    Step,
    StepRecord,
)
from development.selectors import next_steps
from development.services import VoteInput
from members.models import Person, Stage
from tests.test_dev_helpers import D, Pipeline

pytestmark = pytest.mark.django_db
ONE = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pipe(school) -> Pipeline:
    return Pipeline(school)


def refused(call, *fragments: str) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    text = " ".join(caught.value.messages)
    for fragment in fragments:
        assert fragment in text, text
    return text


# Age 18 at application --------------------------------------------------------------------


@pytest.mark.parametrize(
    "applied_on, ok",
    [(D(2021, 5, 16), False), (D(2021, 5, 17), True), (D(2021, 5, 18), True)],
)
def test_applicant_is_at_least_18(pipe, applied_on, ok):
    person = pipe.applicant(born=D(2003, 5, 17))
    apply = lambda: s.person_apply(person=person, applied_on=applied_on, actor=pipe.secretary)  # noqa: E731
    if ok:
        apply()
        person.refresh_from_db()
        assert (person.applied_on, person.stage_since) == (applied_on, applied_on)
    else:
        refused(apply, "is 17 on 2021-05-16", "at least 18 (from 2021-05-17)")
        assert not StepRecord.objects.filter(person=person).exists()


def test_application_without_birth_date_is_refused(pipe):
    person = pipe.applicant(born=None)
    refused(
        lambda: s.person_apply(person=person, applied_on=D(2021, 3, 1), actor=pipe.secretary),
        "birth date is not known",
    )


# Talk within one month ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "talk_on, days_late", [(D(2021, 3, 31), 0), (D(2021, 4, 1), 0), (D(2021, 4, 2), 1)]
)
def test_talk_within_one_month_is_flagged_when_late(pipe, talk_on, days_late):
    walk = pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK)
    record = walk.do(Step.APPLICANT_TALK, talk_on)
    assert record.detail["due"] == "2021-04-01"
    assert record.detail["days_late"] == days_late


@pytest.mark.parametrize(
    "today, late", [(D(2021, 3, 31), False), (D(2021, 4, 1), False), (D(2021, 4, 2), True)]
)
def test_talk_overdue_flag(pipe, today, late):
    walk = pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK)
    step = next_steps(Person.objects.filter(pk=walk.person.pk), today)[walk.person.pk]
    assert (step.step, step.due, step.late) == (Step.APPLICANT_TALK, D(2021, 4, 1), late)


# Local minimum wait between application and activist --------------------------------------


@pytest.mark.parametrize(
    "on, ok", [(D(2021, 8, 31), False), (D(2021, 9, 1), True), (D(2021, 9, 2), True)]
)
def test_local_minimum_wait_before_activist(school, pipe, on, ok):
    s.local_rules_update(school=school.school, actor=None, min_wait_months=6)
    walk = pipe.walk(pipe.applicant()).until(Step.ACTIVIST_DETERMINED)
    if ok:
        walk.do(Step.ACTIVIST_DETERMINED, on)
        assert walk.person.stage == Stage.ACTIVIST
    else:
        refused(
            lambda: walk.do(Step.ACTIVIST_DETERMINED, on),
            "requires 6 months between application and activist: 1 days short",
        )


def test_minimum_wait_is_off_by_default(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ACTIVIST_DETERMINED)
    walk.do(Step.ACTIVIST_DETERMINED, D(2021, 3, 22))  # three weeks after the application
    assert walk.person.stage == Stage.ACTIVIST


# More than one year as an activist --------------------------------------------------------


@pytest.mark.parametrize(
    "on, ok", [(D(2022, 4, 1), False), (D(2022, 4, 2), True), (D(2022, 4, 3), True)]
)
def test_candidate_after_more_than_one_year(pipe, on, ok):
    walk = pipe.walk(pipe.applicant()).until(Step.CANDIDATE_DETERMINED)
    assert walk.on[Step.ACTIVIST_DETERMINED] == D(2021, 4, 1)
    if ok:
        walk.do(Step.CANDIDATE_DETERMINED, on)
        assert (walk.person.stage, walk.person.stage_since) == (Stage.CANDIDATE, on)
    else:
        text = refused(
            lambda: walk.do(Step.CANDIDATE_DETERMINED, on),
            "has not lasted more than one year: 1 days short.",
        )
        assert "Half-yearly" not in text  # both assessments (6 and 12 months) are on record


def test_candidate_needs_every_half_yearly_assessment(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ASSESSMENT)
    walk.do(Step.ASSESSMENT)  # only the 6-month assessment
    refused(
        lambda: walk.do(Step.CANDIDATE_DETERMINED, D(2022, 4, 2)),
        "Half-yearly assessments: 1 on record, 2 due by 2022-04-02.",
    )


# Concentrated training: 3 days or 24 class hours ------------------------------------------


@pytest.mark.parametrize(
    "days, hours, ok",
    [(2, 23, False), (2, Decimal("23.5"), False), (3, 0, True), (Decimal("2.5"), 24, True)],
)
def test_training_three_days_or_24_hours(pipe, days, hours, ok):
    walk = pipe.walk(pipe.applicant()).until(Step.TRAINING)
    walk.do(Step.TRAINING, days=days, hours=hours)
    if ok:
        walk.do(Step.BRANCH_REVIEW)
    else:
        refused(
            lambda: walk.do(Step.BRANCH_REVIEW),
            f"{Decimal(days)} days and {Decimal(hours)} class hours on record",
            "at least 3 days or 24 class hours",
        )


def test_school_may_require_more_training_but_not_less(school, pipe):
    with pytest.raises(ValidationError):
        s.local_rules_update(school=school.school, actor=None, training_min_hours=20)
    s.local_rules_update(school=school.school, actor=None, training_min_hours=32)
    s.local_rules_update(school=school.school, actor=None, training_min_days=4)
    walk = pipe.walk(pipe.applicant()).until(Step.BRANCH_REVIEW)
    refused(lambda: walk.do(Step.BRANCH_REVIEW), "at least 4 days or 32 class hours")


# Approval within 3 months, 6 in a recorded special case -----------------------------------


@pytest.mark.parametrize("shift, ok", [(-1, True), (0, True), (1, False)])
def test_approval_within_three_months(pipe, shift, ok):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    meeting = walk.on[Step.ADMISSION_MEETING]
    due = clock.approval_due(meeting)
    on = due + shift * ONE
    if ok:
        walk.do(Step.ADMISSION_APPROVAL, on)
        person = walk.person
        assert (person.stage, person.stage_since, person.joined_on) == (
            Stage.PROBATIONARY,
            on,
            meeting,
        )
    else:
        refused(
            lambda: walk.do(Step.ADMISSION_APPROVAL, on),
            f"by {due.isoformat()}: 1 days late",
            "special case",
        )
        assert walk.person.stage == Stage.CANDIDATE


@pytest.mark.parametrize("shift, ok", [(-1, True), (0, True), (1, False)])
def test_approval_within_six_months_in_a_special_case(pipe, shift, ok):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    meeting = walk.on[Step.ADMISSION_MEETING]
    approval = s.approval_special_case_record(
        person=walk.person, reason="党委换届", actor=pipe.office
    )
    due = clock.approval_due(meeting, special=True)
    assert approval.due_on == due
    on = due + shift * ONE
    if ok:
        walk.do(Step.ADMISSION_APPROVAL, on)
        assert walk.person.stage == Stage.PROBATIONARY
    else:
        refused(
            lambda: walk.do(Step.ADMISSION_APPROVAL, on),
            f"within 6 months of the branch meeting of {meeting.isoformat()}",
            "1 days late",
        )


def test_a_late_approval_can_still_be_refused_and_the_round_starts_again(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    late = clock.approval_due(walk.on[Step.ADMISSION_MEETING]) + 10 * ONE
    walk.do(Step.ADMISSION_APPROVAL, late, approve=False)
    assert walk.person.stage == Stage.CANDIDATE
    assert Approval.objects.get(person=walk.person).status == ApprovalStatus.REFUSED
    walk.do(Step.BRANCH_REVIEW, late + ONE)  # a new admission round


# Probation: one year from the meeting; extension once, 6 to 12 months ---------------------


@pytest.mark.parametrize("shift, ok", [(-1, False), (0, True), (1, True)])
def test_conversion_meeting_not_before_one_year_of_probation(pipe, shift, ok):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_MEETING)
    end = clock.probation_end(walk.on[Step.ADMISSION_MEETING])
    assert end == walk.probation_end()
    on = end + shift * ONE
    if ok:
        walk.do(Step.CONVERSION_MEETING, on)
        walk.do(Step.CONVERSION_APPROVAL, on + 20 * ONE)
        assert (walk.person.stage, walk.person.full_member_on) == (Stage.FULL, end)
    else:
        refused(
            lambda: walk.do(Step.CONVERSION_MEETING, on),
            f"Probation ends on {end.isoformat()}; the conversion meeting cannot be held",
        )


@pytest.mark.parametrize("shift, ok", [(-1, False), (0, True), (1, True)])
def test_conversion_application_in_the_last_month_of_probation(pipe, shift, ok):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_APPLICATION)
    earliest = clock.conversion_apply_from(walk.probation_end())
    on = earliest + shift * ONE
    if ok:
        walk.do(Step.CONVERSION_APPLICATION, on)
    else:
        refused(
            lambda: walk.do(Step.CONVERSION_APPLICATION, on),
            f"accepted from {earliest.isoformat()}",
        )


@pytest.mark.parametrize("months, ok", [(5, False), (6, True), (12, True), (13, False)])
def test_extension_between_6_and_12_months(pipe, months, ok):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_APPLICATION)
    person = walk.person
    end = walk.probation_end()
    extend = lambda: s.probation_extend(  # noqa: E731
        person=person, months=months, on=end - 5 * ONE, reason="考察不够", actor=pipe.office
    )
    if ok:
        extension = extend()
        assert extension.new_end == clock.add_months(end, months)
        assert walk.probation_end() == extension.new_end
    else:
        refused(extend, f"at least 6 and at most 12 months; {months} given")


def test_extension_only_once_and_conversion_starts_again(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_NOTICE)
    person = walk.person
    end = walk.probation_end()
    s.probation_extend(person=person, months=6, on=end - ONE, reason="考察不够", actor=pipe.office)
    refused(
        lambda: s.probation_extend(
            person=person, months=6, on=end, reason="再延长", actor=pipe.office
        ),
        f"extended only once; it was extended on {(end - ONE).isoformat()}",
    )
    # The application made before the extension belongs to the old round.
    refused(lambda: walk.do(Step.CONVERSION_NOTICE, end), "is not on record")
    new_end = walk.probation_end()
    assert new_end == clock.add_months(end, 6)
    walk.do(Step.CONVERSION_APPLICATION, new_end - 12 * ONE)
    walk.do(Step.CONVERSION_NOTICE, new_end - 10 * ONE)
    walk.do(Step.CONVERSION_MEETING, new_end)
    walk.do(Step.CONVERSION_APPROVAL, new_end + 20 * ONE)
    assert walk.person.full_member_on == new_end


# Branch meeting: quorum and majority of all voting members, odd and even --------------------


@pytest.mark.parametrize(
    "voters, present, votes_for, written_for, quorum, passed",
    [
        (10, 5, 5, 0, False, False),  # half present is not more than half
        (10, 6, 5, 0, True, False),  # 5 of the 10 who should attend is not more than half
        (10, 6, 6, 0, True, True),
        (10, 6, 5, 1, True, True),  # a written opinion sent in before the meeting counts
        (9, 4, 4, 0, False, False),
        (9, 5, 4, 0, True, False),
        (9, 5, 5, 0, True, True),  # odd: 5 of 9 is more than half
    ],
)
def test_branch_meeting_rule(school, voters, present, votes_for, written_for, quorum, passed):
    pipe = Pipeline(school, voters=voters)
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    attendance = {
        m.pk: Attendance.PRESENT if i < present else Attendance.ON_LEAVE
        for i, m in enumerate(pipe.members)
    }
    meeting = s.admission_meeting_record(
        branch=pipe.branch,
        held_on=walk.default_date(Step.ADMISSION_MEETING),
        attendance=attendance,
        votes=[VoteInput(walk.person, votes_for, written_for=written_for)],
        actor=pipe.secretary,
    )
    vote = MeetingVote.objects.get(meeting=meeting)
    assert (meeting.voting_members, meeting.present_voting) == (voters, present)
    assert (vote.quorum, vote.passed) == (quorum, passed)
    assert Approval.objects.filter(person=walk.person, status="open").exists() is passed
    record = StepRecord.objects.get(person=walk.person, step=Step.ADMISSION_MEETING)
    assert record.decision == (Decision.AGREED if passed else Decision.REFUSED)
    explanation = vote.explanation()
    if not quorum:
        assert f"Present: {present} of the {voters}" in explanation
    elif not passed:
        assert f"Votes for: {votes_for}, not more than half of the {voters}" in explanation
    else:
        assert f"{votes_for + written_for} votes for" in explanation


def test_voting_members_override_needs_a_reason(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    attendance = {m.pk: Attendance.PRESENT for m in pipe.members[:3]}
    record = lambda reason: s.admission_meeting_record(  # noqa: E731
        branch=pipe.branch,
        held_on=walk.default_date(Step.ADMISSION_MEETING),
        attendance=attendance,
        votes=[VoteInput(walk.person, 3)],
        voting_members_override=4,
        override_reason=reason,
        actor=pipe.secretary,
    )
    refused(lambda: record(""), "Say why the number of voting members is corrected.")
    meeting = record("一名党员受留党察看处分，无表决权")
    assert (meeting.voting_members_counted, meeting.voting_members) == (5, 4)
    assert MeetingVote.objects.get(meeting=meeting).passed  # 3 of 4 is more than half


def test_votes_cannot_exceed_those_present(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    refused(
        lambda: walk.do(
            Step.ADMISSION_MEETING, attendance={pipe.members[0].pk: Attendance.PRESENT}
        ),
        "Votes cast on",
        "more than the 1 voting members present",
    )


# Public notice: 5 working days by default -------------------------------------------------


@pytest.mark.parametrize("shift, ok", [(-1, False), (0, True), (1, True)])
def test_notice_runs_five_working_days(pipe, shift, ok):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_NOTICE)
    start = walk.default_date(Step.ADMISSION_NOTICE)
    shortest = clock.working_days_end(start, 5)
    end = shortest + shift * ONE
    if ok:
        notice = walk.do(Step.ADMISSION_NOTICE, start, end=end)
        assert notice.end == end
        refused(lambda: walk.do(Step.ADMISSION_MEETING, end), "runs until")
        walk.do(Step.ADMISSION_MEETING, end + ONE)
    else:
        refused(
            lambda: walk.do(Step.ADMISSION_NOTICE, start, end=end),
            f"at least 5 working days: from {start.isoformat()} until {shortest.isoformat()}",
        )


def test_notice_places_required_by_the_school(school, pipe):
    s.local_rules_update(school=school.school, actor=None, notice_places=["学区", "学院楼栋"])
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_NOTICE)
    refused(lambda: walk.do(Step.ADMISSION_NOTICE, places=["学区"]), "missing: 学院楼栋")
    walk.do(Step.ADMISSION_NOTICE, places=["学区", "学院楼栋"])


# Volunteer hours before conversion (seed 004: 50 hours) -----------------------------------


@pytest.mark.parametrize("hours, ok", [(Decimal("49.5"), False), (50, True), (51, True)])
def test_volunteer_hours_before_conversion(school, pipe, hours, ok):
    s.local_rules_update(school=school.school, actor=None, volunteer_hours_required=True)
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_MEETING)
    # Hours before admission do not count; those during probation do.
    joined = walk.person.joined_on
    s.volunteer_record(
        person=walk.person, on=joined - ONE, hours=20, activity="迎新", actor=pipe.secretary
    )
    s.volunteer_record(
        person=walk.person, on=joined + ONE, hours=hours, activity="义工", actor=pipe.secretary
    )
    if ok:
        walk.do(Step.CONVERSION_MEETING)
    else:
        refused(
            lambda: walk.do(Step.CONVERSION_MEETING),
            "Volunteer hours during probation: 49.5 of the 50.0 required.",
        )


def test_dates_in_the_future_are_refused(pipe):
    person = pipe.applicant()
    refused(
        lambda: s.person_apply(
            person=person, applied_on=timezone.localdate() + ONE, actor=pipe.secretary
        ),
        "is in the future",
    )
