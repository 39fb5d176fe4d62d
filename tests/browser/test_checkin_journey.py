"""A retained graduate's check-ins on a phone: upload a 学习强国 screenshot and a study report;
the secretary sends one back with a reason; the graduate resubmits it and it is accepted."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from education.models import Checkin, CheckinStatus
from education.services.checkins import checkin_plan_open
from members.models.access import Role
from members.services.people import person_link_account
from tests.browser.test_secretary_journey import log_in
from tests.factories import make_person, make_user

pytestmark = pytest.mark.browser


def screenshot_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (360, 640), (230, 40, 40)).save(out, "PNG")
    return out.getvalue()


def no_sideways_scroll(page) -> bool:
    return (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )


def test_graduate_checks_in_from_a_phone(phone_page, page, live_server, school, artifacts):
    graduate = make_person(school.branch_a1, "留校生", stage="full", whereabouts="away")
    person_link_account(person=graduate, user=make_user("graduate"), actor=None)
    make_user("secretary", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    today = timezone.localdate()
    checkin_plan_open(
        person=graduate,
        category="away",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=700),
        actor=None,
    )
    phone = phone_page
    log_in(phone, live_server.url, "graduate")
    phone.goto(f"{live_server.url}/education/checkins/me/")
    xuexi = phone.locator('form[data-slot="xuexi-0"]')
    assert xuexi.get_attribute("data-state") == "due"
    photo = xuexi.locator("input[type=file][capture]")
    assert photo.get_attribute("accept") == "image/*"
    photo.set_input_files(
        {"name": "xuexi.png", "mimeType": "image/png", "buffer": screenshot_png()}
    )
    xuexi.locator("textarea").fill("本期学习积分 320 分")
    with phone.expect_navigation():
        xuexi.locator("button[type=submit]").click()
    assert (
        phone.locator('li.slot[data-kind="xuexi"][data-period="0"]').get_attribute("data-state")
        == "submitted"
    )

    report = phone.locator('form[data-slot="study_report-0"]')
    report.locator("textarea").fill("学习党的二十大精神心得体会：坚定理想信念，发挥表率作用。")
    with phone.expect_navigation():
        report.locator("button[type=submit]").click()
    assert (
        phone.locator('li.slot[data-kind="study_report"][data-period="0"]').get_attribute(
            "data-state"
        )
        == "submitted"
    )
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "checkin-phone-sent.png"), full_page=True)

    # The secretary's queue: both, oldest first; the study report goes back with a reason.
    log_in(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/education/checkins/queue/")
    rows = page.locator("#checkin-queue tbody tr")
    assert rows.count() == 2
    page.locator('#checkin-queue tr[data-kind="study_report"] a.review-link').click()
    page.wait_for_selector("#review-form")
    page.fill("#id_reason", "请结合本人实习工作谈体会，不少于300字")
    with page.expect_navigation():
        page.click("#send-back")
    assert page.locator("#checkin-queue tbody tr").count() == 1
    report_checkin = Checkin.objects.get(kind="study_report")
    assert report_checkin.status == CheckinStatus.RETURNED

    # The graduate sees it sent back, with the reason, and sends it again.
    phone.goto(f"{live_server.url}/education/checkins/me/")
    again = phone.locator('form[data-slot="study_report-0"]')
    assert again.get_attribute("data-state") == "returned"
    assert "不少于300字" in again.locator(".returned-reason").inner_text()
    again.locator("textarea").fill("结合实习工作的心得体会（修改稿）" + "。" * 300)
    with phone.expect_navigation():
        again.locator("button[type=submit]").click()
    assert (
        phone.locator('li.slot[data-kind="study_report"][data-period="0"]').get_attribute(
            "data-state"
        )
        == "submitted"
    )

    # Accepted this time.
    page.goto(f"{live_server.url}/education/checkins/queue/")
    page.locator('#checkin-queue tr[data-kind="study_report"] a.review-link').click()
    page.wait_for_selector("#review-form")
    with page.expect_navigation():
        page.click("#accept")
    report_checkin.refresh_from_db()
    assert report_checkin.status == CheckinStatus.ACCEPTED
    assert report_checkin.submissions == 2
    assert list(report_checkin.events.values_list("action", flat=True)) == [
        "submitted", "returned", "resubmitted", "accepted",
    ]  # fmt: skip
    xuexi_checkin = Checkin.objects.get(kind="xuexi")
    assert xuexi_checkin.documents.get().file_type == "png"

    phone.goto(f"{live_server.url}/education/checkins/me/")
    assert (
        phone.locator('li.slot[data-kind="study_report"][data-period="0"]').get_attribute(
            "data-state"
        )
        == "accepted"
    )
    phone.screenshot(path=str(artifacts / "checkin-phone-accepted.png"), full_page=True)
