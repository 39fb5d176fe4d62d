"""A graduate on a phone submits a retention application with a photo of the handwritten
application; the committee office returns it; the graduate fixes it and resubmits; the
office approves, and the graduate sees their retained-graduate branch and deadlines."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from members.models import BranchPost, OrgUnit, Person
from members.models.access import Role
from members.services.org import branch_post_assign
from members.services.people import person_link_account
from tests.factories import make_person, make_unit, make_user
from transfers.models import ApplicationStatus, Retention, RetentionApplication

pytestmark = pytest.mark.browser

PASSWORD = "Secret-pass-123"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def no_sideways_scroll(page) -> bool:
    return (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )


def office_decides(page, base_url: str, application_pk: int, decision: str, **fields) -> None:
    page.goto(f"{base_url}/transfers/retention/queue/")
    row = page.locator(f'#retention-queue tr[data-application-id="{application_pk}"]')
    row.locator("a").first.click()
    page.wait_for_selector("#decision-form")
    page.check(f'input[name=decision][value="{decision}"]')
    if "note" in fields:
        page.fill("#id_note", fields["note"])
    if "branch" in fields:
        page.select_option("#id_branch", str(fields["branch"]))
        page.select_option("#id_contact_person", str(fields["contact"]))
    page.click("#decision-save")
    page.wait_for_selector("#retention-queue")


def test_graduate_applies_on_a_phone_office_returns_then_approves(
    phone_page, page, live_server, school, artifacts, tmp_path
):
    retained = make_unit(
        "信息工程学院留校党员党支部",
        OrgUnit.Kind.BRANCH,
        school.college_a,
        branch_kind=OrgUnit.BranchKind.RETAINED,
    )
    contact = make_person(retained, "联系人老师", stage="full")
    branch_post_assign(
        unit=retained, person=contact, post=BranchPost.Post.SECRETARY,
        term_start=school.college_a.created_at.date(), actor=None,
    )  # fmt: skip
    graduate = make_person(school.branch_a1, "毕业生甲", stage="full")
    person_link_account(person=graduate, user=make_user("graduate"), actor=None)
    make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    picture = tmp_path / "handwritten.jpg"
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (250, 250, 245)).save(out, "JPEG")
    picture.write_bytes(out.getvalue())

    # The graduate, on a 390px phone, starts and fills in the application.
    phone = phone_page
    log_in(phone, live_server.url, "graduate")
    phone.goto(f"{live_server.url}/transfers/retention/mine/")
    phone.click("#retention-start-button")
    phone.wait_for_selector("#retention-form")
    phone.select_option("#id_reason", "employer")
    phone.select_option("#id_category", "away")
    phone.fill("#id_whereabouts_detail", "成都某公司")
    phone.fill("#id_mobile", "13912345678")
    phone.fill("#id_emergency_contact", "毕业生之母")
    phone.fill("#id_emergency_phone", "13700000000")
    phone.fill("#id_starts_on", "2026-07-01")
    phone.fill("#id_ends_on", "2028-07-01")
    for box in phone.locator("input[name=commitments]").all():
        box.check()
    phone.set_input_files("#id_evidence", str(picture))
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "retention-form-390.png"), full_page=True)
    phone.click("#retention-submit")
    phone.wait_for_selector("#application-status[data-status=submitted]")
    application = RetentionApplication.objects.get(person=graduate)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.documents.get().is_image
    assert no_sideways_scroll(phone)

    # The office returns it with a comment.
    log_in(page, live_server.url, "office")
    office_decides(page, live_server.url, application.pk, "return", note="请补充单位证明")

    # The graduate sees the comment, fixes and resubmits.
    phone.goto(f"{live_server.url}/transfers/retention/mine/")
    card = phone.locator(f'.retention-application[data-application-id="{application.pk}"]')
    assert card.get_attribute("data-status") == "returned"
    assert "请补充单位证明" in card.locator(".decision-note").inner_text()
    card.locator("#retention-continue").click()
    phone.wait_for_selector("#returned-note")
    phone.fill("#id_statement", "已补充单位不接收的证明。")
    phone.set_input_files("#id_evidence", str(picture))
    phone.click("#retention-submit")
    phone.wait_for_selector("#application-status[data-status=submitted]")

    # The office approves it into the retained-graduate branch.
    office_decides(
        page, live_server.url, application.pk, "approve", branch=retained.pk, contact=contact.pk
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert Retention.objects.get(person=graduate).branch == retained
    assert Person.objects.get(pk=graduate.pk).unit == retained

    # And the graduate sees where they are and by when to apply to transfer out.
    phone.goto(f"{live_server.url}/transfers/retention/mine/")
    phone.wait_for_selector("#retention")
    assert phone.locator('#retention [data-field="branch"]').inner_text() == retained.name
    assert (
        phone.locator('#retention [data-field="apply-by"]').get_attribute("data-date")
        == "2028-06-01"
    )
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "retention-approved-390.png"), full_page=True)
