"""One person from application to full member through the pipeline's screens, in a real
browser: the branch secretary records the branch's steps, notices and meetings; the
committee office (a second browser) pre-reviews, talks and approves. Each step is reached
through the "next action" link of the person's page. A too-early step shows the service's
refusal ("还差 N 天") and changes nothing. The board and the member's phone page are saved
as screenshots."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from development.models import Step, StepRecord
from members.models import Person, Role, Stage
from members.services.people import person_link_account
from tests.browser.test_secretary_journey import log_in
from tests.factories import make_person, make_user
from tests.test_dev_helpers import Pipeline

pytestmark = pytest.mark.browser

D = dt.date


def scan(name: str) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (250, 250, 240)).save(out, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": out.getvalue()}


def open_next_action(page, base: str, person: Person, step: str) -> None:
    """From the person's page, the one click to the form of their next step."""
    page.goto(f"{base}/people/{person.pk}/")
    panel = page.locator("#development")
    assert panel.get_attribute("data-next-step") == step, panel.inner_text()
    page.click("#dev-next-action")
    page.wait_for_load_state()


def fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.fill(f"[name='{name}']", value)


def record_step(page, base: str, person: Person, step: str, values: dict[str, str], **checks):
    open_next_action(page, base, person, step)
    assert page.locator("#step-form").get_attribute("data-step") == step
    fill(page, values)
    for name, value in checks.items():
        for one in value if isinstance(value, list) else [value]:
            page.check(f"input[name='{name}'][value='{one}']")
    page.click("#step-submit")
    page.wait_for_selector(f'#person[data-person-id="{person.pk}"]')
    assert StepRecord.objects.filter(person=person, step=step).exists(), page.content()[-2000:]


def record_direct(page, base: str, person: Person, step: str, values: dict[str, str]) -> None:
    """A step that is not the next one (the half-yearly assessments)."""
    page.goto(f"{base}/pipeline/people/{person.pk}/step/{step}/")
    fill(page, values)
    page.click("#step-submit")
    page.wait_for_selector(f'#person[data-person-id="{person.pk}"]')


def post_notice(page, base: str, person: Person, step: str, start: str) -> None:
    open_next_action(page, base, person, step)
    assert page.locator(f"input[name=people][value='{person.pk}']").is_checked()
    fill(page, {"start": start, "places": "学区\n学院楼栋"})
    page.click("#notice-submit")
    page.wait_for_selector("#notice")
    assert page.locator(f'#notice-people [data-person-id="{person.pk}"]').count() == 1


def hold_meeting(page, base: str, person: Person, step: str, held_on: str, votes: int) -> None:
    open_next_action(page, base, person, step)
    assert page.locator(f"input[name=vote_{person.pk}]").is_checked()
    fill(page, {"held_on": held_on, f"for_{person.pk}": str(votes)})
    page.click("#meeting-submit")
    page.wait_for_selector("#meeting")
    row = page.locator(f'#votes tr[data-person-id="{person.pk}"]')
    assert row.get_attribute("data-passed") == "yes", row.inner_text()


def test_application_to_full_member_through_the_ui(
    page, chromium, phone_page, live_server, school, artifacts
):
    base = live_server.url
    branch = school.branch_a1
    make_user("secretary", role=Role.BRANCH_SECRETARY, unit=branch, first_name="书记")
    make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a, first_name="办公室")
    pipe = Pipeline(school, branch, voters=5)  # five full members with voting rights
    members = pipe.members
    person = make_person(branch, "赵六", birth_date=D(2001, 9, 1))
    # Another on the board: one whose talk is overdue.
    late = make_person(branch, "钱七", birth_date=D(2002, 1, 1))
    pipe.walk(late, D(2026, 1, 5)).until(Step.APPLICANT_TALK)

    office_context = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    office_context.set_default_timeout(15_000)
    office = office_context.new_page()
    log_in(page, base, "secretary")
    log_in(office, base, "office")
    contacts = [str(m.pk) for m in members[:2]]
    try:
        # Applicant → activist.
        # The handwritten application, photographed, is kept with the step.
        open_next_action(page, base, person, Step.APPLICATION)
        fill(page, {"on": "2023-03-01", "evidence": "入党申请书（手写）"})
        page.set_input_files("input[name=documents]", files=[scan("申请书.png")])
        page.click("#step-submit")
        page.wait_for_selector(f'#person[data-person-id="{person.pk}"]')
        application = StepRecord.objects.get(person=person, step=Step.APPLICATION)
        assert [d.original_name for d in application.documents.all()] == ["申请书.png"]
        record_step(page, base, person, Step.APPLICANT_TALK,
                    {"on": "2023-03-10", "talked_by": "组织委员"})  # fmt: skip
        record_step(page, base, person, Step.RECOMMENDATION, {"on": "2023-03-20"})
        record_step(page, base, person, Step.ACTIVIST_DETERMINED, {"on": "2023-04-01"})
        # Activist → development candidate, after more than a year and two assessments.
        record_step(page, base, person, Step.ACTIVIST_FILED, {"on": "2023-04-06"})
        record_step(page, base, person, Step.CONTACTS_ASSIGNED, {"on": "2023-04-06"},
                    members=contacts)  # fmt: skip
        for day in ("2023-10-01", "2024-04-01"):
            record_direct(page, base, person, Step.ASSESSMENT,
                          {"on": day, "assessor": "支部", "conclusion": "合格"})  # fmt: skip

        # Too early: the service's refusal names the rule and the days; nothing changes.
        opinions = {f"opinion_{k}": "同意" for k in
                    ("party_group", "contacts", "members", "non_members")}  # fmt: skip
        open_next_action(page, base, person, Step.CANDIDATE_DETERMINED)
        fill(page, {"on": "2024-03-20", **opinions})
        page.click("#step-submit")
        page.wait_for_selector("#step-form .errors")
        refusal = page.locator("#step-form .errors").inner_text()
        assert "积极分子培养考察未满一年，还差 13 天。" in refusal
        page.screenshot(path=str(artifacts / "pipeline-refusal.png"), full_page=True)
        person.refresh_from_db()
        assert person.stage == Stage.ACTIVIST
        assert not StepRecord.objects.filter(person=person, step=Step.CANDIDATE_DETERMINED)

        record_step(page, base, person, Step.CANDIDATE_DETERMINED, {"on": "2024-04-02", **opinions})
        page.goto(f"{base}/people/{person.pk}/")
        page.screenshot(path=str(artifacts / "pipeline-person.png"), full_page=True)
        record_step(page, base, person, Step.CANDIDATE_FILED, {"on": "2024-04-07"})
        record_step(page, base, person, Step.INTRODUCERS_ASSIGNED, {"on": "2024-04-12"},
                    members=contacts)  # fmt: skip
        record_step(page, base, person, Step.POLITICAL_REVIEW,
                    {"on": "2024-04-22", "conclusion": "政治合格"})  # fmt: skip
        record_step(page, base, person, Step.TRAINING,
                    {"course": "发展对象培训班", "start": "2024-05-02", "end": "2024-05-04",
                     "days": "3", "hours": "24"})  # fmt: skip
        record_step(page, base, person, Step.BRANCH_REVIEW, {"on": "2024-05-12"})

        # The committee office pre-reviews, in its own browser.
        record_step(office, base, person, Step.PRE_REVIEW, {"on": "2024-05-22"})
        record_step(page, base, person, Step.APPLICATION_FORM,
                    {"on": "2024-05-27", "form_number": "No.2024-01"})  # fmt: skip
        post_notice(page, base, person, Step.ADMISSION_NOTICE, "2024-05-28")
        hold_meeting(page, base, person, Step.ADMISSION_MEETING, "2024-06-05", votes=5)
        assert "通过：赞成票 5 票" in page.locator("#votes .explain").inner_text()
        page.screenshot(path=str(artifacts / "pipeline-meeting.png"), full_page=True)
        record_step(office, base, person, Step.HIGHER_TALK,
                    {"on": "2024-06-12", "talked_by": "组织员"})  # fmt: skip
        record_step(office, base, person, Step.ADMISSION_APPROVAL, {"on": "2024-07-05"})
        person.refresh_from_db()
        assert (person.stage, person.joined_on) == (Stage.PROBATIONARY, D(2024, 6, 5))

        # Probation → full member.
        record_step(page, base, person, Step.ADMISSION_FILED, {"on": "2024-07-10"})
        record_step(page, base, person, Step.PLACEMENT, {"on": "2024-07-10"})
        record_step(page, base, person, Step.OATH, {"on": "2024-07-15"})
        record_step(page, base, person, Step.CONVERSION_APPLICATION, {"on": "2025-05-20"})
        post_notice(page, base, person, Step.CONVERSION_NOTICE, "2025-05-22")
        hold_meeting(page, base, person, Step.CONVERSION_MEETING, "2025-06-06", votes=4)
        record_step(office, base, person, Step.CONVERSION_APPROVAL, {"on": "2025-06-20"})
        person.refresh_from_db()
        assert person.stage == Stage.FULL
        assert person.full_member_on == D(2025, 6, 5)  # standing counts from probation's end
        panel = office.locator("#development")
        assert panel.get_attribute("data-stage") == Stage.FULL
        assert panel.get_attribute("data-next-step") == Step.ARCHIVE

        # The board: more people in every stage; the overdue talk is marked and one click
        # from its form.
        soon = make_person(branch, "孙八", birth_date=D(2003, 3, 3))
        pipe.walk(soon, dt.date.today() - dt.timedelta(days=20)).until(Step.APPLICANT_TALK)
        for name, start, until in (
            ("周九", D(2025, 6, 1), Step.CANDIDATE_DETERMINED),
            ("吴十", D(2024, 9, 1), Step.BRANCH_REVIEW),
            ("郑一", D(2024, 1, 1), Step.CONVERSION_APPLICATION),
        ):
            pipe.walk(make_person(branch, name, birth_date=D(2002, 2, 2)), start).until(until)
        page.goto(f"{base}/pipeline/")
        due_soon = page.locator(f'.board-card[data-person-id="{soon.pk}"] [data-mark="due-soon"]')
        assert due_soon.count() == 1
        card = page.locator(f'.board-card[data-person-id="{late.pk}"]')
        assert card.locator('[data-mark="late"]').count() == 1
        assert (
            card.locator("a.next-action")
            .get_attribute("href")
            .endswith(f"/pipeline/people/{late.pk}/step/applicant_talk/")
        )
        page.screenshot(path=str(artifacts / "pipeline-board.png"), full_page=True)
    finally:
        office_context.close()

    # The latecomer's own page on a phone: where they stand and what comes next.
    member = make_user("member")
    person_link_account(person=late, user=member, actor=None)
    log_in(phone_page, base, "member")
    assert phone_page.url.endswith("/me/")
    panel = phone_page.locator("#development")
    assert panel.get_attribute("data-next-step") == Step.APPLICANT_TALK
    assert panel.locator('[data-mark="late"]').count() == 1
    assert phone_page.locator("#dev-next-action").count() == 0
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    phone_page.screenshot(path=str(artifacts / "pipeline-phone.png"), full_page=True)
