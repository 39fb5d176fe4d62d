"""Shared helpers of the development tests (no tests here): a branch with voting members, a
secretary and a committee office, and `Walk`, which takes one person through the pipeline
on a known schedule, step by step, through the real services."""

import datetime as dt
from collections.abc import Callable

from development import clock
from development import services as s
from development.models import Attendance, OpinionSource, Purpose, Step
from development.services import VoteInput
from members.models import OrgUnit, Person, Role, Stage
from tests.factories import School, make_person, make_user

D = dt.date
MEMBERS_SINCE = D(2015, 7, 1)
BORN = D(2001, 9, 1)
START = D(2021, 3, 1)  # the day the walk's application is received
OPINIONS = {source.value: "同意" for source in OpinionSource}


def make_full_member(unit: OrgUnit, since: dt.date = MEMBERS_SINCE, **fields) -> Person:
    """A full member loaded as a fixture (not through the pipeline)."""
    person = make_person(unit, stage=Stage.FULL, **fields)
    Person.objects.filter(pk=person.pk).update(
        joined_on=clock.add_years(since, -1), full_member_on=since, stage_since=since
    )
    person.refresh_from_db()
    return person


class Pipeline:
    """A branch of `school` with `voters` full members, its secretary and the office of the
    committee with approval power above it."""

    def __init__(self, school: School, branch: OrgUnit | None = None, voters: int = 5) -> None:
        self.school = school
        self.branch = branch or school.branch_a1
        self.secretary = make_user(role=Role.BRANCH_SECRETARY, unit=self.branch)
        self.office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
        self.members = [make_full_member(self.branch) for _ in range(voters)]

    def applicant(self, born: dt.date | None = BORN, **fields) -> Person:
        return make_person(self.branch, birth_date=born, **fields)

    def walk(self, person: Person, start: dt.date = START) -> "Walk":
        return Walk(self, person, start)

    def attendance(self) -> dict[int, str]:
        return {m.pk: Attendance.PRESENT for m in self.members}


class Walk:
    """One person through every step. `until(step)` performs each step before `step`;
    `on[step]` is the date each step was recorded on."""

    def __init__(self, pipeline: Pipeline, person: Person, start: dt.date) -> None:
        self.p = pipeline
        self.person = person
        self.start = start
        self.on: dict[str, dt.date] = {}
        self.notices: dict[str, object] = {}

    # The schedule: each step's default date, from the dates before it.
    def default_date(self, step: str) -> dt.date:
        on, add = self.on, dt.timedelta
        activist = on.get(Step.ACTIVIST_DETERMINED)
        candidate = on.get(Step.CANDIDATE_DETERMINED)
        meeting = on.get(Step.ADMISSION_MEETING)
        end = self.probation_end()
        schedule: dict[str, Callable[[], dt.date]] = {
            Step.APPLICATION: lambda: self.start,
            Step.APPLICANT_TALK: lambda: self.start + add(10),
            Step.RECOMMENDATION: lambda: self.start + add(20),
            Step.ACTIVIST_DETERMINED: lambda: clock.add_months(self.start, 1),
            Step.ACTIVIST_FILED: lambda: activist + add(5),
            Step.CONTACTS_ASSIGNED: lambda: activist + add(5),
            Step.THOUGHT_REPORT: lambda: self.start + add(15),
            Step.ASSESSMENT: lambda: clock.assessment_next_due(activist, self.assessments()),
            Step.CANDIDATE_DETERMINED: lambda: clock.candidate_earliest(activist),
            Step.CANDIDATE_FILED: lambda: candidate + add(5),
            Step.INTRODUCERS_ASSIGNED: lambda: candidate + add(10),
            Step.POLITICAL_REVIEW: lambda: candidate + add(20),
            Step.TRAINING: lambda: candidate + add(30),
            Step.BRANCH_REVIEW: lambda: candidate + add(40),
            Step.PRE_REVIEW: lambda: candidate + add(50),
            Step.APPLICATION_FORM: lambda: candidate + add(55),
            Step.ADMISSION_NOTICE: lambda: candidate + add(56),
            Step.ADMISSION_MEETING: lambda: self.notice_over(Purpose.ADMISSION),
            Step.HIGHER_TALK: lambda: meeting + add(7),
            Step.ADMISSION_APPROVAL: lambda: meeting + add(30),
            Step.ADMISSION_FILED: lambda: on[Step.ADMISSION_APPROVAL] + add(5),
            Step.PLACEMENT: lambda: on[Step.ADMISSION_APPROVAL] + add(5),
            Step.OATH: lambda: on[Step.ADMISSION_APPROVAL] + add(10),
            Step.CONVERSION_APPLICATION: lambda: end - add(12),
            Step.CONVERSION_NOTICE: lambda: end - add(10),
            Step.CONVERSION_MEETING: lambda: max(end, self.notice_over(Purpose.CONVERSION)),
            Step.CONVERSION_APPROVAL: lambda: on[Step.CONVERSION_MEETING] + add(20),
        }
        return schedule[step]()

    def assessments(self) -> int:
        return self.person.step_records.filter(step=Step.ASSESSMENT).count()

    def probation_end(self) -> dt.date | None:
        self.person.refresh_from_db()
        if self.person.joined_on is None:
            return None
        ext = getattr(self.person, "probation_extension", None)
        return clock.probation_end(self.person.joined_on, ext.months if ext else 0)

    def notice_over(self, purpose: str) -> dt.date:
        notice = self.notices[purpose]
        return clock.meeting_earliest(notice.end)

    # Doing a step ----------------------------------------------------------------------

    def do(self, step: str, on: dt.date | None = None, **kwargs):
        on = on or self.default_date(step)
        result = self._perform(step, on, **kwargs)
        self.on[step] = on
        self.person.refresh_from_db()
        return result

    def until(self, step: str | None) -> "Walk":
        """Perform every step before `step` (all of them when `step` is None)."""
        for current in ORDER:
            if current == step:
                break
            if current in self.on:
                continue  # done before
            if current == Step.ASSESSMENT:
                for _ in range(2):  # at 6 and 12 months
                    self.do(Step.ASSESSMENT)
                continue
            self.do(current)
        return self

    def _perform(self, step: str, on: dt.date, **kw):
        p, person = self.p, self.person
        sec, office = p.secretary, p.office
        match step:
            case Step.APPLICATION:
                return s.person_apply(person=person, applied_on=on, actor=kw.get("actor", sec))
            case Step.APPLICANT_TALK:
                return s.applicant_talk_record(
                    person=person, on=on, talked_by="组织委员", actor=kw.get("actor", sec)
                )
            case Step.RECOMMENDATION:
                return s.recommendation_record(
                    person=person, on=on, kind="youth_league", actor=kw.get("actor", sec)
                )
            case Step.ACTIVIST_DETERMINED:
                return s.activist_determine(person=person, on=on, actor=kw.get("actor", sec))
            case Step.ACTIVIST_FILED:
                return s.activist_file(person=person, on=on, actor=kw.get("actor", sec))
            case Step.CONTACTS_ASSIGNED:
                return s.contacts_assign(
                    person=person,
                    contacts=kw.get("contacts", p.members[:2]),
                    on=on,
                    actor=kw.get("actor", sec),
                )
            case Step.ASSESSMENT:
                return s.assessment_record(
                    person=person,
                    on=on,
                    assessor="支部",
                    conclusion="合格",
                    actor=kw.get("actor", sec),
                )
            case Step.THOUGHT_REPORT:
                return s.thought_report_record(person=person, on=on, actor=kw.get("actor", sec))
            case Step.CANDIDATE_DETERMINED:
                return s.candidate_determine(
                    person=person,
                    on=on,
                    opinions=kw.get("opinions", OPINIONS),
                    actor=kw.get("actor", sec),
                )
            case Step.CANDIDATE_FILED:
                return s.candidate_file(person=person, on=on, actor=kw.get("actor", sec))
            case Step.INTRODUCERS_ASSIGNED:
                return s.introducers_assign(
                    person=person,
                    introducers=kw.get("introducers", p.members[:2]),
                    on=on,
                    actor=kw.get("actor", sec),
                )
            case Step.POLITICAL_REVIEW:
                return s.political_review_record(
                    person=person,
                    on=on,
                    conclusion="政治合格",
                    passed=kw.get("passed", True),
                    actor=kw.get("actor", sec),
                )
            case Step.TRAINING:
                return s.training_record(
                    person=person,
                    course="分党校发展对象培训班",
                    start=on,
                    end=on + dt.timedelta(days=2),
                    days=kw.get("days", 3),
                    hours=kw.get("hours", 24),
                    actor=kw.get("actor", sec),
                )
            case Step.BRANCH_REVIEW:
                return s.branch_review_record(
                    person=person, on=on, agreed=kw.get("agreed", True), actor=kw.get("actor", sec)
                )
            case Step.PRE_REVIEW:
                return s.pre_review_decide(
                    person=person,
                    on=on,
                    passed=kw.get("passed", True),
                    actor=kw.get("actor", office),
                )
            case Step.APPLICATION_FORM:
                return s.application_form_issue(
                    person=person, on=on, form_number="No.001", actor=kw.get("actor", sec)
                )
            case Step.ADMISSION_NOTICE | Step.CONVERSION_NOTICE:
                purpose = Purpose.ADMISSION if step == Step.ADMISSION_NOTICE else Purpose.CONVERSION
                notice = s.notice_open(
                    unit=p.branch,
                    purpose=purpose,
                    start=on,
                    people=[person],
                    places=kw.get("places", ["学区", "学院楼栋"]),
                    end=kw.get("end"),
                    actor=kw.get("actor", sec),
                )
                self.notices[purpose] = notice
                return notice
            case Step.ADMISSION_MEETING | Step.CONVERSION_MEETING:
                record = (
                    s.admission_meeting_record
                    if step == Step.ADMISSION_MEETING
                    else s.conversion_meeting_record
                )
                votes_for = kw.get("votes_for", len(p.members))
                return record(
                    branch=p.branch,
                    held_on=on,
                    attendance=kw.get("attendance", p.attendance()),
                    votes=[VoteInput(person, votes_for)],
                    actor=kw.get("actor", sec),
                )
            case Step.HIGHER_TALK:
                return s.higher_talk_record(
                    person=person, on=on, talked_by="组织员", actor=kw.get("actor", office)
                )
            case Step.ADMISSION_APPROVAL:
                return s.admission_approve(
                    person=person,
                    on=on,
                    approve=kw.get("approve", True),
                    actor=kw.get("actor", office),
                )
            case Step.ADMISSION_FILED:
                return s.admission_file(person=person, on=on, actor=kw.get("actor", sec))
            case Step.PLACEMENT:
                return s.placement_record(person=person, on=on, actor=kw.get("actor", sec))
            case Step.OATH:
                return s.oath_record(person=person, on=on, actor=kw.get("actor", sec))
            case Step.CONVERSION_APPLICATION:
                return s.conversion_apply(person=person, on=on, actor=kw.get("actor", sec))
            case Step.CONVERSION_APPROVAL:
                return s.conversion_approve(
                    person=person,
                    on=on,
                    approve=kw.get("approve", True),
                    actor=kw.get("actor", office),
                )
        raise ValueError(step)


# The order `Walk.until` follows (thought reports are optional and left out).
ORDER = (
    Step.APPLICATION,
    Step.APPLICANT_TALK,
    Step.RECOMMENDATION,
    Step.ACTIVIST_DETERMINED,
    Step.ACTIVIST_FILED,
    Step.CONTACTS_ASSIGNED,
    Step.ASSESSMENT,
    Step.CANDIDATE_DETERMINED,
    Step.CANDIDATE_FILED,
    Step.INTRODUCERS_ASSIGNED,
    Step.POLITICAL_REVIEW,
    Step.TRAINING,
    Step.BRANCH_REVIEW,
    Step.PRE_REVIEW,
    Step.APPLICATION_FORM,
    Step.ADMISSION_NOTICE,
    Step.ADMISSION_MEETING,
    Step.HIGHER_TALK,
    Step.ADMISSION_APPROVAL,
    Step.ADMISSION_FILED,
    Step.PLACEMENT,
    Step.OATH,
    Step.CONVERSION_APPLICATION,
    Step.CONVERSION_NOTICE,
    Step.CONVERSION_MEETING,
    Step.CONVERSION_APPROVAL,
)
