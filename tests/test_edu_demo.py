"""The demo school's education data (members/demo/education.py): made through the services,
every education page populated for the demo logins, and a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from education import selectors
from education.models import (
    Attendance,
    AttendanceStatus,
    Checkin,
    CheckinPlan,
    CheckinStatus,
    Course,
    DuesPayment,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    MeetingStatus,
    TrainingResult,
    VolunteerService,
)
from members.models import User
from tests.test_seed_demo import SMALL

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", people=SMALL, stdout=io.StringIO())


def counts() -> list[int]:
    models = (Meeting, Attendance, LeaveRequest, Course, TrainingResult, VolunteerService,
              DuesPayment, CheckinPlan, Checkin)  # fmt: skip
    return [model.objects.count() for model in models]


def test_the_demo_has_branch_life(demo):
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert held.values("kind").distinct().count() >= 5
    assert Attendance.objects.filter(status=AttendanceStatus.ABSENT).exists()
    assert Attendance.objects.filter(status=AttendanceStatus.ON_LEAVE, leave__isnull=False).exists()
    pending = LeaveRequest.objects.get(status=LeaveStatus.REQUESTED)
    assert pending.meeting.status == MeetingStatus.PLANNED
    assert pending.person.user.username == "demo_member"
    assert TrainingResult.objects.exists() and VolunteerService.objects.exists()
    assert DuesPayment.objects.exists()


def test_the_demo_graduate_has_checkins_of_every_state(demo):
    plan = CheckinPlan.objects.get(person__user__username="demo_graduate", status="open")
    statuses = set(plan.checkins.values_list("status", flat=True))
    assert statuses == {CheckinStatus.ACCEPTED, CheckinStatus.SUBMITTED, CheckinStatus.RETURNED}
    late = selectors.late_checkins_of(
        plan.person.__class__.objects.filter(pk=plan.person_id), timezone.localdate()
    )
    assert late.get(plan.person_id, 0) >= 1
    assert plan.person.retentions.exists()  # through transfers' approval


def test_a_second_run_adds_no_education_data(demo):
    before = counts()
    call_command("seed_demo", people=SMALL, stdout=io.StringIO())
    assert counts() == before


PAGES = {
    "demo_secretary": ["meeting_list", "leave_register", "compliance", "course_list",
                       "volunteer_list", "dues_index", "checkin_queue", "checkin_late"],
    "demo_office": ["compliance", "checkin_queue", "checkin_late"],
    "demo_member": ["my_meetings"],
    "demo_graduate": ["checkin_mine"],
}  # fmt: skip
MARKS = {
    "meeting_list": "/education/meetings/",
    "checkin_queue": "data-checkin-id=",
    "checkin_late": "data-person-id=",
    "compliance": 'data-unit-id="',
    "my_meetings": "data-meeting",
    "checkin_mine": 'data-state="late"',
}


@pytest.mark.parametrize("username", list(PAGES))
def test_every_education_page_is_populated_for_the_demo_logins(demo, client, username):
    client.force_login(User.objects.get(username=username))
    for name in PAGES[username]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        if name in MARKS:
            assert MARKS[name] in response.content.decode(), (username, name)
