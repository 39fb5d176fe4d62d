"""The demo school's branch life, through the services (education/): three months of meetings
in the demo secretary's branch with attendance, approved and pending leave, Party-school
training hours, volunteer hours, dues paid, and retained graduates' check-ins (accepted,
awaiting review, sent back, and late).

Retained graduates are made here through transfers' own services (application, approval),
which open their check-in plans; someone who already has an open plan (retentions seeded
elsewhere) is used as they are. Dates follow the demo's calendar (members/demo/dates.py),
choices follow the people's ids, so a seed always gives the same branch life. A branch that
already has meetings is taken to be seeded: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from development.clock import add_months
from development.models import TrainingKind
from education import cadence
from education.models import (
    AttendanceStatus,
    CheckinPlan,
    Meeting,
    MeetingKind,
    PartySchool,
    PlanStatus,
)
from education.selectors import expected_attendees
from education.services import checkins as checkin_services
from education.services import dues as dues_services
from education.services import meetings as meeting_services
from education.services import service as service_services
from education.services import training as training_services
from members.demo.dates import Calendar, add_years
from members.models import OrgUnit, Person, Stage, User
from members.models.people import MEMBER_STAGES

# (kind, day of the month it is held on, topic); months counted back from the reference one.
MONTHLY = (
    (MeetingKind.COMMITTEE, 3, "研究部署本月支部工作"),
    (MeetingKind.THEME_DAY, 12, "主题党日：参观校史馆，重温入党誓词"),
)
QUARTERLY = (
    (MeetingKind.GENERAL, 18, "支部党员大会：讨论发展对象、通报党费收缴情况"),
    (MeetingKind.LECTURE, 22, "党课：学习《中国共产党章程》"),
)
MONTHS_BACK = 3
GRADUATES = 3
PLACE = "学院楼 305 会议室"


def seed_education(*, units: dict[str, OrgUnit], home: str, retained: str, cal: Calendar) -> int:
    """Seed the demo's education data once (call inside a transaction); returns how many
    meetings were recorded, 0 when it was there already."""
    branch, retained_branch = units[home], units[retained]
    if Meeting.objects.filter(branch=branch).exists():
        return 0
    secretary = User.objects.filter(username="demo_secretary").first()
    held = _meetings(branch, cal, secretary)
    _pending_leave(branch, cal, secretary)
    _training(branch, cal, secretary)
    _volunteering(branch, cal, secretary)
    _dues(branch, cal, secretary)
    _member_plan(branch, cal, secretary)
    _checkins(retained_branch, cal)
    return held


# ---- meetings, attendance and leave -----------------------------------------------------


def _members(branch: OrgUnit):
    return Person.objects.filter(
        unit__path__startswith=branch.path, stage__in=MEMBER_STAGES, removed_at__isnull=True
    ).order_by("id")


def _leave_taker(branch: OrgUnit) -> Person | None:
    """The demo member (who can log in and see it), else any member with an account who
    holds no committee seat (the secretary decides on leave)."""
    people = _members(branch).filter(user__isnull=False)
    return people.filter(user__username="demo_member").first() or people.filter(post="").first()


def _plan(branch: OrgUnit, kind: str, day: dt.date, topic: str, actor) -> Meeting:
    return meeting_services.meeting_plan(
        unit=branch, kind=kind, held_on=day, start_time=dt.time(19, 0), topic=topic,
        place=PLACE, actor=actor,
    )  # fmt: skip


def _record(meeting: Meeting, actor, *, absent: int | None = None, leave=None) -> None:
    """Everyone present but one absent (by position) and whoever was on approved leave."""
    people = list(expected_attendees(meeting))
    statuses = {p.pk: AttendanceStatus.PRESENT for p in people}
    if absent is not None and len(people) > 2:
        statuses[people[absent % len(people)].pk] = AttendanceStatus.ABSENT
    if leave is not None:
        statuses[leave.person_id] = AttendanceStatus.ON_LEAVE
    minutes = f"{meeting.topic}。应到 {len(people)} 人，会议按议程进行，形成决议并记录在案。"
    meeting_services.meeting_record(
        meeting=meeting, minutes=minutes, attendance=statuses, actor=actor
    )


def _meetings(branch: OrgUnit, cal: Calendar, actor) -> int:
    """Committee meetings and theme days every month, a general meeting and a Party lecture
    in the quarter, an organization-life meeting; one absence here and there, and one
    member on approved leave (asked for a day before)."""
    member = _leave_taker(branch)
    count = 0
    for back in range(MONTHS_BACK, 0, -1):
        month = add_months(cal.ref, -back)
        rows = MONTHLY + (QUARTERLY if back in (1, MONTHS_BACK) else ())
        for kind, day, topic in rows:
            meeting = _plan(branch, kind, month.replace(day=day), topic, actor)
            leave = None
            if member is not None and kind == MeetingKind.GENERAL and back == 1:
                leave = _approved_leave(meeting, member, actor)
            _record(meeting, actor, absent=count if kind == MeetingKind.THEME_DAY else None,
                    leave=leave)  # fmt: skip
            count += 1
    life = _plan(branch, MeetingKind.ORG_LIFE, add_months(cal.ref, -1).replace(day=26),
                 "年度组织生活会：开展批评与自我批评", actor)  # fmt: skip
    _record(life, actor)
    return count + 1


def _approved_leave(meeting: Meeting, member: Person, actor):
    before = meeting.starts_at - dt.timedelta(days=1)
    leave = meeting_services.leave_request(
        meeting=meeting, reason="外出参加学科竞赛，无法到会", actor=member.user, now=before
    )
    return meeting_services.leave_decide(
        leave=leave, approve=True, note="同意，会后请补学会议精神", actor=actor
    )


def _pending_leave(branch: OrgUnit, cal: Calendar, actor) -> None:
    """A theme day planned after this month, and a member's leave waiting for the
    secretary (it stays in the future all month long, as the seed's dates do)."""
    day = cal.month_end + dt.timedelta(days=7)
    meeting = _plan(branch, MeetingKind.THEME_DAY, day, "主题党日：志愿服务进社区", actor)
    member = _leave_taker(branch)
    if member is not None:
        meeting_services.leave_request(
            meeting=meeting, reason="当天有专业课程考试，申请请假", actor=member.user
        )


# ---- training, volunteering, dues ----------------------------------------------------------


COURSES = (
    (TrainingKind.ACTIVIST, (Stage.ACTIVIST, Stage.CANDIDATE), "入党积极分子培训班"),
    (TrainingKind.PROBATIONARY, (Stage.PROBATIONARY,), "预备党员培训班"),
)


def _training(branch: OrgUnit, cal: Calendar, actor) -> None:
    """The branch's Party-school courses (activists', probationary members'), with their
    sessions and results for those of the branch at that stage."""
    start = add_months(cal.ref, -2)
    for audience, stages, name in COURSES:
        people = Person.objects.filter(
            unit__path__startswith=branch.path, stage__in=stages, removed_at__isnull=True
        ).order_by("id")[:4]
        if not people:
            continue
        course = training_services.course_create(
            unit=branch, school=PartySchool.COLLEGE, audience=audience, name=name, start=start,
            end=start + dt.timedelta(days=13), actor=actor,
        )  # fmt: skip
        for offset, topic in ((0, "党的基本理论"), (7, "党的组织制度与纪律")):
            training_services.course_session_add(
                course=course, held_on=start + dt.timedelta(days=offset), topic=topic, hours=4,
                actor=actor,
            )  # fmt: skip
        for person in people:
            training_services.training_result_record(
                course=course, person=person, days=2, hours=8, evidence="结业考试合格",
                actor=actor,
            )  # fmt: skip


def _volunteering(branch: OrgUnit, cal: Calendar, actor) -> None:
    """Volunteer hours of probationary members (seed 004 asks 50 during probation)."""
    people = _members(branch).filter(stage=Stage.PROBATIONARY)[:4]
    activities = (("社区防诈宣传", 4), ("图书馆志愿服务", 6), ("校运会志愿者", 8))
    for n, person in enumerate(people):
        for k, (activity, hours) in enumerate(activities[: 1 + n % 3]):
            on = add_months(cal.ref, -1 - k).replace(day=10 + n)
            service_services.volunteer_service_record(
                person=person, on=on, hours=hours, activity=activity, actor=actor
            )


def _dues(branch: OrgUnit, cal: Calendar, actor) -> None:
    """Dues for the last months, each member from the month they owe from; two members
    behind, so the monthly sheet shows who has not paid."""
    first = add_months(cal.ref, -2)
    for n, person in enumerate(_members(branch)):
        owed = dues_services.first_owed_month(person)
        if n % 6 == 5 or owed is None or owed > cal.ref:
            continue
        start = max(first, owed)
        last = cal.ref if n % 4 else add_months(cal.ref, -1)
        if last < start:
            continue
        dues_services.dues_record(
            person=person, first_month=start, last_month=last,
            paid_on=min(cal.ref, timezone.localdate()), actor=actor,
        )  # fmt: skip


# ---- retained graduates and their check-ins -------------------------------------------------


def _png(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (196, 30, 58)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _retain(person: Person, contact: Person, branch: OrgUnit, starts_on: dt.date, category: str):
    """A minimal retention through transfers' services: the graduate's application with its
    evidence, submitted, and approved by the office (which opens the check-in plan)."""
    from transfers.models import COMMITMENTS, RetentionReason
    from transfers.services import retention

    application = retention.application_start(person=person, actor=None)
    data = {
        "reason": RetentionReason.NO_EMPLOYER,
        "category": category,
        "mobile": person.mobile or "13800000000",
        "emergency_contact": person.emergency_contact or "家长",
        "emergency_phone": person.emergency_phone or "13900000000",
        "starts_on": starts_on,
        "ends_on": add_years(starts_on, 1) - dt.timedelta(days=1),
        "commitments": [code for code, _text in COMMITMENTS],
    }
    retention.application_save(
        application=application, data=data, files=[_png("留校申请.png")], actor=None
    )
    retention.application_submit(application=application, actor=None)
    retention.application_decide(
        application=application, decision="approve", branch=branch, contact_person=contact,
        actor=None,
    )  # fmt: skip


def _graduate_plans(branch: OrgUnit, cal: Calendar) -> list[CheckinPlan]:
    """Up to GRADUATES open plans of the retained branch's full members with accounts first
    (the demo graduate sees their own), opening retentions where there are none yet."""
    from transfers.models import RetentionApplication

    people = list(
        Person.objects.filter(
            unit__path__startswith=branch.path, stage=Stage.FULL, removed_at__isnull=True
        ).order_by("id")
    )
    people.sort(key=lambda p: p.user_id is None)  # stable: by id within each
    plans: list[CheckinPlan] = []
    starts_on = cal.ref - dt.timedelta(weeks=10)  # five fortnights and two months have ended
    for n, person in enumerate(people):
        if len(plans) == GRADUATES:
            break
        plan = person.checkin_plans.filter(status=PlanStatus.OPEN).first()
        if plan is None and not RetentionApplication.objects.filter(person=person).exists():
            contact = next((p for p in people if p.pk != person.pk), None)
            if contact is None:
                break
            category = "on_campus" if n % 3 == 2 else "away"
            _retain(person, contact, branch, starts_on, category)
            plan = person.checkin_plans.filter(status=PlanStatus.OPEN).first()
        if plan is not None:
            plans.append(plan)
    return plans


def _checkins(branch: OrgUnit, cal: Calendar) -> None:
    """Graduates who can log in (the demo graduate) sent theirs; the others have sent
    nothing: their plans show late on the branch's list."""
    reviewer = User.objects.filter(username="demo_office").first()
    for plan in _graduate_plans(branch, cal):
        if plan.person.user is not None:
            _send(plan, plan.person.user, reviewer, cal)


def _member_plan(branch: OrgUnit, cal: Calendar, secretary) -> None:
    """The demo member is away on an internship: the secretary opened a plan by hand (as
    the plan page lets them), so the branch's own queue and late list have rows too."""
    member = _members(branch).filter(user__username="demo_member").first()
    if member is None or member.checkin_plans.exists():
        return
    starts_on = cal.ref - dt.timedelta(weeks=6)
    plan = checkin_services.checkin_plan_open(
        person=member, category="away", starts_on=starts_on,
        ends_on=add_years(starts_on, 1) - dt.timedelta(days=1), actor=secretary,
    )  # fmt: skip
    _send(plan, member.user, secretary, cal)


def _send(plan: CheckinPlan, user: User, reviewer, cal: Calendar) -> None:
    """Per kind: the earliest periods accepted, the second sent back, the latest sent
    waiting for review, and the last period that has ended left missing (late)."""
    for kind in plan.kinds:
        ended = [
            p
            for p in cadence.periods(plan.starts_on, plan.ends_on, plan.cadence_of(kind))
            if p.due < cal.ref
        ]
        for n, period in enumerate(ended[:-1]):
            checkin = _submit(plan, kind, period.index, user)
            if n == len(ended) - 2:
                continue  # the latest one sent waits for review
            if n == 1:
                checkin_services.checkin_return(
                    checkin=checkin, reason="截图不清晰，请重新上传", actor=reviewer
                )
            else:
                checkin_services.checkin_accept(checkin=checkin, actor=reviewer)


def _submit(plan: CheckinPlan, kind: str, index: int, user: User):
    text = {"xuexi": "本期学习强国积分截图", "study_report": "本月思想政治学习心得体会：学习党章"}
    return checkin_services.checkin_submit(
        plan=plan, kind=kind, period_index=index, text=text.get(kind, "参加所在地党组织活动"),
        files=[_png(f"{kind}-{index}.png")], actor=user,
    )  # fmt: skip
