"""A secretary records a meeting with attendance and a leave, in a real browser: the
secretary plans it, a member asks for leave from a phone, the secretary approves it and,
once the meeting has been held, records it with everyone's attendance; the leave shows as
approved leave on both sides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from education.models import Attendance, LeaveRequest, Meeting
from members.models.access import Role
from members.services.people import person_link_account
from tests.browser.test_secretary_journey import log_in
from tests.factories import make_person, make_user

pytestmark = pytest.mark.browser


def test_secretary_records_a_meeting_with_attendance_and_a_leave(
    page, phone_page, live_server, school, artifacts
):
    branch = school.branch_a1
    make_user("secretary", role=Role.BRANCH_SECRETARY, unit=branch, first_name="书记")
    ann = make_person(branch, "安然", stage="full")
    ben = make_person(branch, "卞宁", stage="probationary")
    cai = make_person(branch, "蔡明", stage="full")
    member = make_user("ann")
    person_link_account(person=ann, user=member, actor=None)
    day = timezone.localdate() + dt.timedelta(days=3)

    # The secretary plans a theme Party day.
    log_in(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/education/meetings/new/")
    page.select_option("#id_unit", str(branch.pk))
    page.select_option("#id_kind", "theme_day")
    page.fill("#id_held_on", day.isoformat())
    page.fill("#id_start_time", "19:00")
    page.fill("#id_topic", "重温入党誓词")
    page.fill("#id_place", "党员之家")
    page.click("#meeting-save")
    page.wait_for_selector("#meeting[data-status=planned]")
    meeting = Meeting.objects.get()

    # The member asks for leave from her phone.
    log_in(phone_page, live_server.url, "ann")
    phone_page.goto(f"{live_server.url}/education/me/")
    card = phone_page.locator(f'li[data-meeting-id="{meeting.pk}"]')
    card.locator("a.ask-leave").click()
    phone_page.fill("#id_reason", "在外地实习，无法到场")
    phone_page.click("#leave-send")
    phone_page.wait_for_selector(".my-leave[data-status=requested]")
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    phone_page.screenshot(path=str(artifacts / "meeting-leave-phone.png"), full_page=True)

    # The secretary approves it on the meeting's page.
    page.goto(f"{live_server.url}/education/meetings/{meeting.pk}/")
    leave_row = page.locator(f'#leaves li[data-person-id="{ann.pk}"]')
    assert leave_row.get_attribute("data-status") == "requested"
    leave_row.locator("button.leave-approve").click()
    page.wait_for_selector(f'#leaves li[data-person-id="{ann.pk}"][data-status=approved]')

    # The evening comes and the meeting is held (the clock moves the meeting into the past).
    Meeting.objects.filter(pk=meeting.pk).update(held_on=timezone.localdate() - dt.timedelta(1))

    # The secretary records it: approved leave is already chosen for her; one is absent.
    page.click("#meeting-record")
    page.wait_for_selector("#record-form")
    assert page.is_checked(f'input[name="p{ann.pk}"][value=on_leave]')
    assert page.is_checked(f'input[name="p{ben.pk}"][value=present]')
    page.check(f'input[name="p{cai.pk}"][value=absent]')
    page.fill("#id_minutes", "全体党员重温入党誓词，书记讲话。")
    page.click("#record-save")
    page.wait_for_selector("#meeting[data-status=held]")
    statuses = {
        row.get_attribute("data-person-id"): row.get_attribute("data-status")
        for row in page.locator("#attendance li[data-person-id]").all()
    }
    assert statuses == {str(ann.pk): "on_leave", str(ben.pk): "present", str(cai.pk): "absent"}
    page.screenshot(path=str(artifacts / "meeting-recorded.png"), full_page=True)

    # It is stored so, and the member sees her approved leave.
    row = Attendance.objects.get(meeting=meeting, person=ann)
    assert row.status == "on_leave" and row.leave == LeaveRequest.objects.get(status="approved")
    phone_page.goto(f"{live_server.url}/education/me/")
    assert phone_page.locator("#recent li").first.get_attribute("data-status") == "on_leave"
    ben.refresh_from_db()
    cai.refresh_from_db()
    assert ben.last_org_life_on == timezone.localdate() - dt.timedelta(1)
    assert cai.last_org_life_on is None
