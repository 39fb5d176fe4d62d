"""Branch-life pages through the client: a member's own meetings and leave, the secretary's
decision and record, the lists in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from education.models import Attendance, LeaveRequest, LeaveStatus, Meeting, MeetingKind
from education.services import meetings as m
from members.models.access import Role
from members.services.people import person_link_account
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English msgids."""
    with translation.override("en"):
        yield


TODAY = timezone.localdate()


@pytest.fixture
def setup(school):
    ann = make_person(school.branch_a1, "安", stage="full")
    other = make_person(school.branch_b1, "别", stage="full")
    ann_user, other_user = make_user("ann"), make_user("other")
    person_link_account(person=ann, user=ann_user, actor=None)
    person_link_account(person=other, user=other_user, actor=None)
    secretary = make_user("sec", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    meeting = m.meeting_plan(
        unit=school.branch_a1,
        kind=MeetingKind.LECTURE,
        held_on=TODAY + dt.timedelta(days=2),
        start_time=dt.time(19),
        topic="专题党课",
        place="党员之家",
        actor=None,
    )
    return {
        "ann": ann,
        "ann_user": ann_user,
        "other_user": other_user,
        "secretary": secretary,
        "meeting": meeting,
        "school": school,
    }


def test_member_pages_show_only_own_meetings(client, setup):
    meeting = setup["meeting"]
    client.force_login(setup["other_user"])
    assert meeting.topic not in client.get(reverse("my_meetings")).content.decode()
    url = reverse("leave_request", kwargs={"pk": meeting.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    # A staff account without a person record has no such page either.
    client.force_login(setup["secretary"])
    assert client.get(url).status_code == 404

    client.force_login(setup["ann_user"])
    assert meeting.topic in client.get(reverse("my_meetings")).content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and not LeaveRequest.objects.exists()
    response = client.post(url, {"reason": "参加比赛"})
    assert response.status_code == 302
    leave = LeaveRequest.objects.get()
    assert leave.person == setup["ann"] and leave.status == LeaveStatus.REQUESTED
    # Someone else cannot withdraw it; she can.
    client.force_login(setup["other_user"])
    withdraw = reverse("leave_withdraw", kwargs={"pk": leave.pk})
    assert client.post(withdraw).status_code == 404
    client.force_login(setup["ann_user"])
    client.post(withdraw)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.WITHDRAWN
    assert client.get(reverse("my_meetings")).status_code == 200


def test_secretary_decides_and_records_through_the_pages(client, setup):
    meeting, ann = setup["meeting"], setup["ann"]
    leave = LeaveRequest.objects.create(meeting=meeting, person=ann, reason="实习")
    client.force_login(setup["secretary"])
    decide = reverse("leave_decide", kwargs={"pk": leave.pk})
    client.post(decide, {"decision": "refuse", "note": ""})
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.REQUESTED  # refused without a reason: nothing changed
    client.post(decide, {"decision": "approve", "note": ""})
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    record = reverse("meeting_record", kwargs={"pk": meeting.pk})
    response = client.post(record, {"minutes": "x", f"p{ann.pk}": "on_leave"})
    assert "会议尚未开始" in response.content.decode()  # the page speaks Chinese
    Meeting.objects.filter(pk=meeting.pk).update(held_on=TODAY - dt.timedelta(days=1))
    form = client.get(record).content.decode()
    assert f'name="p{ann.pk}" value="on_leave"' in form
    response = client.post(record, {"minutes": "学习了", f"p{ann.pk}": "on_leave"})
    assert response.status_code == 302
    assert Attendance.objects.get(meeting=meeting, person=ann).status == "on_leave"
    detail = client.get(reverse("meeting_detail", kwargs={"pk": meeting.pk})).content.decode()
    assert 'data-status="on_leave"' in detail


def test_meeting_list_and_register_in_fixed_queries(client, setup, django_assert_num_queries):
    school = setup["school"]
    client.force_login(setup["secretary"])
    LeaveRequest.objects.create(meeting=setup["meeting"], person=setup["ann"], reason="r")
    for name in ("meeting_list", "leave_register"):
        client.get(reverse(name))
    counts = {}
    for name in ("meeting_list", "leave_register"):
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse(name))
        counts[name] = len(ctx.captured_queries)
    for i in range(8):
        meeting = m.meeting_plan(
            unit=school.branch_a1,
            kind=MeetingKind.THEME_DAY,
            held_on=TODAY + dt.timedelta(days=3 + i),
            start_time=dt.time(19),
            topic=f"t{i}",
            place="p",
            actor=None,
        )
        LeaveRequest.objects.create(meeting=meeting, person=setup["ann"], reason="r")
    for name, count in counts.items():
        with django_assert_num_queries(count):
            response = client.get(reverse(name))
        assert response.status_code == 200


def test_minutes_attachments_are_checked_and_served_by_scope(client, setup, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from education.models import MeetingAttachment
    from tests.test_uploads import image_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    meeting, ann = setup["meeting"], setup["ann"]
    Meeting.objects.filter(pk=meeting.pk).update(held_on=TODAY - dt.timedelta(days=1))
    client.force_login(setup["secretary"])
    record = reverse("meeting_record", kwargs={"pk": meeting.pk})
    fake = SimpleUploadedFile("minutes.jpg", b"MZ\x90\x00 not a picture")
    response = client.post(record, {"minutes": "m", f"p{ann.pk}": "present", "files": [fake]})
    assert response.status_code == 200 and not Attendance.objects.exists()  # nothing half-done
    photo = SimpleUploadedFile("签到表.png", image_bytes("PNG"))
    response = client.post(record, {"minutes": "m", f"p{ann.pk}": "present", "files": [photo]})
    assert response.status_code == 302
    attachment = MeetingAttachment.objects.get(meeting=meeting)
    assert attachment.document.unit_id == meeting.unit_id
    download = reverse("document_download", kwargs={"pk": attachment.document_id})
    assert client.get(download).status_code == 200
    client.force_login(setup["other_user"])
    assert client.get(download).status_code == 404


LISTS = [
    "meeting_list",
    "leave_register",
    "course_list",
    "volunteer_list",
    "work_list",
    "appraisal_list",
    "nomination_list",
    "five_ones",
    "my_meetings",
]


def _grow(setup, n: int) -> None:
    """n more rows on every list: meetings with leave and attendance, courses, service,
    work, appraisals, graduates with nominations."""
    from education.services import appraisal as ap
    from education.services import service as sv
    from education.services import training as tr
    from members.models import OrgUnit
    from tests.factories import make_unit

    school = setup["school"]
    for i in range(n):
        branch = make_unit(
            f"支部{i}-{Meeting.objects.count()}", OrgUnit.Kind.BRANCH, school.general_a
        )
        person = make_person(
            branch, f"人{i}", stage="full", expected_graduation=dt.date(TODAY.year, 6, 30)
        )
        held = m.meeting_plan(
            unit=branch,
            kind=MeetingKind.LECTURE,
            held_on=TODAY,
            start_time=dt.time(0),
            topic="t",
            place="p",
            actor=None,
        )
        m.meeting_record(meeting=held, minutes="m", attendance={person.pk: "present"}, actor=None)
        upcoming = m.meeting_plan(
            unit=school.branch_a1,
            kind=MeetingKind.THEME_DAY,
            held_on=TODAY + dt.timedelta(days=5 + i),
            start_time=dt.time(19),
            topic="u",
            place="p",
            actor=None,
        )
        LeaveRequest.objects.create(meeting=upcoming, person=setup["ann"], reason="r")
        course = tr.course_create(
            unit=branch,
            school="online",
            audience="activist",
            name="c",
            start=TODAY,
            end=TODAY,
            actor=None,
        )
        tr.training_result_record(course=course, person=person, days=1, hours=4, actor=None)
        sv.volunteer_service_record(person=person, on=TODAY, hours=2, activity="a", actor=None)
        sv.five_ones_record(person=person, item="book", on=TODAY, actor=None)
        sv.work_assign(person=person, title="w", assigned_on=TODAY, actor=None)
        ap.appraisal_open(branch=branch, year=TODAY.year, actor=None)
        ap.nomination_create(person=person, year=TODAY.year, citation="c", actor=None)


@pytest.mark.parametrize("name", LISTS)
def test_lists_run_a_fixed_number_of_queries(client, setup, name, django_assert_num_queries):
    from members.services.access import role_grant

    user = setup["ann_user"]  # a member who is also on the general branch's committee
    role_grant(user=user, unit=setup["school"].general_a, role=Role.BRANCH_COMMITTEE, actor=None)
    client.force_login(user)
    _grow(setup, 1)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name)).status_code == 200
    _grow(setup, 4)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse(name))
    assert response.status_code == 200
