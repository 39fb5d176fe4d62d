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
