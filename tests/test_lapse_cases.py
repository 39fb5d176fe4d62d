"""The escalation of seed 000, step by step: written notice, talk, suspension, the branch
meeting's decision and the higher organization's approval; the member's answer; closing
with a reason. Every step is guarded (scope, state, dates) and recorded with evidence."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from core.models import AuditEvent, Notification, PendingTask
from members.models import LapseCase, LapseStatus, LapseStep, Person, PersonChange, Role, Stage
from members.services import lapses
from tests.factories import School, make_person, make_user

D = dt.date
TODAY = D(2026, 12, 10)
GAP = D(2026, 5, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    moment = dt.datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # the messages below are matched in English
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name: str = "minutes.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue())


class World:
    def __init__(self, *, count: str = "org_life", gap=GAP, status="lapsed"):
        self.s = School()
        self.secretary = make_user("sec", role=Role.BRANCH_SECRETARY, unit=self.s.branch_a1)
        self.office = make_user("office", role=Role.COMMITTEE_OFFICE, unit=self.s.college_a)
        self.outsider = make_user("other", role=Role.BRANCH_SECRETARY, unit=self.s.branch_b1)
        self.member_user = make_user("member")
        self.person = make_person(self.s.branch_a1, "党员丙", stage=Stage.FULL)
        Person.objects.filter(pk=self.person.pk).update(
            user=self.member_user, lost_contact=count == "lost_contact"
        )
        self.case = LapseCase.objects.create(
            person=self.person,
            count=count,
            gap_since=gap,
            lapses_on=lapses.lapse_clock.reaches(gap, 6),
            status=status,
            opened_on=D(2026, 10, 1),
            lapsed_on=D(2026, 11, 1) if status == "lapsed" else None,
        )

    def reload(self):
        self.case.refresh_from_db()
        self.person.refresh_from_db()
        return self.case


def test_full_escalation_to_removal(django_capture_on_commit_callbacks):
    w = World()
    with django_capture_on_commit_callbacks(execute=True):
        lapses.lapse_notice_record(
            case=w.case, on=D(2026, 11, 2), note="书面通报告诫", evidence=photo(), actor=w.secretary
        )
    assert w.reload().status == LapseStatus.NOTICE
    # The member is told, in the app and (written notice) by e-mail at once.
    told = Notification.objects.get(user=w.member_user)
    assert told.kind == "lapse_step_notice"
    lapses.lapse_talk_record(case=w.case, on=D(2026, 11, 9), note="谈心谈话", actor=w.secretary)
    lapses.lapse_suspend(case=w.case, on=D(2026, 11, 20), note="屡教不改", actor=w.secretary)
    assert w.reload().status == LapseStatus.SUSPENDED
    assert w.person.stage == Stage.SUSPENDED and w.case.stage_before == Stage.FULL
    lapses.lapse_removal_decide(
        case=w.case, on=D(2026, 12, 1), note="支部大会决定除名", evidence=photo(), actor=w.secretary
    )
    assert w.reload().status == LapseStatus.REMOVAL_DECIDED
    assert Notification.objects.filter(user=w.office, kind="lapse_approve").count() == 1
    with pytest.raises(PermissionDenied):  # the branch cannot approve its own decision
        lapses.lapse_removal_approve(
            case=w.case, on=TODAY, approve=True, note="批准", actor=w.secretary
        )
    lapses.lapse_removal_approve(
        case=w.case, on=TODAY, approve=True, note="党委批复", actor=w.office
    )
    case = w.reload()
    assert case.status == LapseStatus.REMOVED and not case.is_open
    assert w.person.stage == Stage.LAPSED_REMOVED and w.person.stage_since == TODAY
    kinds = list(case.steps.values_list("kind", flat=True))
    assert kinds == ["notice", "talk", "suspension", "removal_decision", "removal_approval"]
    assert all(s.actor_id for s in case.steps.all())
    evidence = case.steps.get(kind="removal_decision").evidence
    assert evidence.person_id == w.person.pk and evidence.kind == "lapse_evidence"
    # The stage moved only through recorded changes, with the audit trail.
    stages = PersonChange.objects.filter(person=w.person, kind=PersonChange.Kind.STAGE)
    assert stages.count() == 2
    assert AuditEvent.objects.filter(target_type="members.lapsestep").count() == 5


def test_suspension_needs_the_member_told_first():
    w = World()
    with pytest.raises(ValidationError, match="written notice or a talk"):
        lapses.lapse_suspend(case=w.case, on=TODAY, note="x", actor=w.secretary)
    assert w.reload().status == LapseStatus.LAPSED and w.person.stage == Stage.FULL
    assert not LapseStep.objects.exists()


def test_removal_decision_needs_minutes_and_a_told_member():
    w = World()
    with pytest.raises(ValidationError, match="told"):
        lapses.lapse_removal_decide(
            case=w.case, on=TODAY, note="x", evidence=photo(), actor=w.secretary
        )
    lapses.lapse_notice_record(case=w.case, on=TODAY, note="通报", actor=w.secretary)
    with pytest.raises(ValidationError, match="minutes"):
        lapses.lapse_removal_decide(case=w.case, on=TODAY, note="决定", actor=w.secretary)


def test_removal_needs_six_months_reached():
    w = World(gap=D(2026, 7, 1), status="warning")  # six months on 2027-01-01
    lapses.lapse_notice_record(case=w.case, on=TODAY, note="提前告诫", actor=w.secretary)
    with pytest.raises(ValidationError, match="2027-01-01"):
        lapses.lapse_removal_decide(
            case=w.case, on=TODAY, note="决定", evidence=photo(), actor=w.secretary
        )


def test_scope_and_dates_are_checked():
    w = World()
    with pytest.raises(PermissionDenied):
        lapses.lapse_notice_record(case=w.case, on=TODAY, note="x", actor=w.outsider)
    with pytest.raises(ValidationError, match="future"):
        lapses.lapse_notice_record(case=w.case, on=D(2026, 12, 11), note="x", actor=w.secretary)
    with pytest.raises(ValidationError, match="before the case"):
        lapses.lapse_notice_record(case=w.case, on=D(2026, 9, 30), note="x", actor=w.secretary)
    with pytest.raises(ValidationError):
        lapses.lapse_notice_record(case=w.case, on=TODAY, note="  ", actor=w.secretary)
    assert not LapseStep.objects.exists()


def test_the_member_answers_and_the_branch_hears():
    w = World()
    lapses.lapse_answer(case=w.case, text="我在外地实习，会补交党费", actor=w.member_user)
    assert w.case.steps.get().kind == LapseStep.Kind.ANSWER
    assert Notification.objects.filter(user=w.secretary, kind="lapse_answer").count() == 1
    with pytest.raises(PermissionDenied):
        lapses.lapse_answer(case=w.case, text="冒充", actor=w.secretary)


def test_closing_a_suspended_case_restores_the_stage():
    w = World()
    lapses.lapse_talk_record(case=w.case, on=D(2026, 11, 2), note="谈话", actor=w.secretary)
    lapses.lapse_suspend(case=w.case, on=D(2026, 11, 3), note="停止党籍", actor=w.secretary)
    with pytest.raises(ValidationError):
        lapses.lapse_close(case=w.case, reason="", actor=w.secretary)
    lapses.lapse_close(case=w.case, reason="本人已恢复参加组织生活", actor=w.secretary)
    case = w.reload()
    assert case.status == LapseStatus.CLOSED and case.close_reason == "本人已恢复参加组织生活"
    assert case.closed_by == w.secretary and w.person.stage == Stage.FULL
    with pytest.raises(ValidationError, match="closed"):
        lapses.lapse_notice_record(case=w.case, on=TODAY, note="x", actor=w.secretary)


def test_refused_removal_goes_back_to_the_branch():
    w = World()
    lapses.lapse_notice_record(case=w.case, on=D(2026, 11, 2), note="通报", actor=w.secretary)
    lapses.lapse_removal_decide(
        case=w.case, on=D(2026, 11, 5), note="决定", evidence=photo(), actor=w.secretary
    )
    with pytest.raises(ValidationError, match="waiting for approval"):
        lapses.lapse_close(case=w.case, reason="x", actor=w.secretary)
    lapses.lapse_removal_approve(
        case=w.case, on=TODAY, approve=False, note="材料不全", actor=w.office
    )
    assert w.reload().status == LapseStatus.TALKED and w.person.stage == Stage.FULL


def test_lost_contact_suspension_then_removal_two_years_later():
    w = World(count="lost_contact", gap=D(2026, 5, 1))
    lapses.lapse_suspend(case=w.case, on=D(2026, 11, 2), note="失联满六个月", actor=w.secretary)
    assert w.reload().status == LapseStatus.SUSPENDED
    with pytest.raises(ValidationError, match="2028-11-02"):
        lapses.lapse_removal_decide(
            case=w.case, on=TODAY, note="决定", evidence=photo(), actor=w.secretary
        )
    with time_machine.travel(dt.datetime(2028, 11, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        lapses.lapse_removal_decide(
            case=w.case, on=D(2028, 11, 2), note="仍无法取得联系", evidence=photo(),
            actor=w.secretary,
        )  # fmt: skip
        lapses.lapse_removal_approve(
            case=w.case, on=D(2028, 11, 2), approve=True, note="批复", actor=w.office
        )
    assert w.reload().status == LapseStatus.REMOVED and w.person.stage == Stage.LAPSED_REMOVED


def test_a_written_notice_with_redis_down_is_kept_in_the_outbox(
    settings, django_capture_on_commit_callbacks
):
    """The page's transaction commits; the e-mail task that cannot reach the broker waits
    in the outbox instead of failing the page."""
    from core import jobs

    w = World()
    w.member_user.email = "m@example.edu.cn"
    w.member_user.save()
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    task = jobs._task("core.tasks.email_now")
    original = task.apply_async
    task.apply_async = down
    try:
        with django_capture_on_commit_callbacks(execute=True):
            lapses.lapse_notice_record(case=w.case, on=TODAY, note="通报", actor=w.secretary)
    finally:
        task.apply_async = original
    pending = PendingTask.objects.get()
    assert pending.task == "core.tasks.email_now" and "Redis is down" in pending.last_error
    assert w.reload().status == LapseStatus.NOTICE  # the step itself was recorded


def test_a_written_notice_is_e_mailed_to_the_member_at_once_and_only_once(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    from core.notifications.digest import digest_send

    w = World()
    w.member_user.email = "member@example.edu.cn"
    w.member_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        lapses.lapse_notice_record(
            case=w.case, on=TODAY, note="请按时参加组织生活", actor=w.secretary
        )
    assert [m.to for m in mail.outbox] == [["member@example.edu.cn"]]
    assert "党员丙" not in mail.outbox[0].subject  # the subject names no one
    digest_send()  # the digest does not send it again
    assert len(mail.outbox) == 1
