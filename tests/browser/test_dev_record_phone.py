"""A member reads their own full-process record on a phone; the office works its queue."""

import pytest

from development.models import Step
from members.models import User
from tests.browser.test_secretary_journey import log_in
from tests.factories import make_user
from tests.test_dev_helpers import Pipeline

pytestmark = pytest.mark.browser


def test_member_reads_own_record_on_a_phone(phone_page, live_server, school, artifacts):
    pipe = Pipeline(school)
    walk = pipe.walk(pipe.applicant(name="陈晓明")).until(Step.CONVERSION_APPLICATION)
    member = make_user("chenxm")
    walk.person.user = member
    walk.person.save(update_fields=["user"])
    log_in(phone_page, live_server.url, "chenxm")
    phone_page.goto(f"{live_server.url}/pipeline/people/{walk.person.pk}/record/")
    assert phone_page.locator("#dev-record").get_attribute("data-person-id") == str(walk.person.pk)
    assert phone_page.locator('[data-step="oath"]').count() == 1
    # The page itself does not scroll sideways; wide tables scroll inside their frame.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    phone_page.screenshot(path=str(artifacts / "dev-record-phone.png"), full_page=True)
    assert isinstance(member, User)


def test_office_sees_the_overdue_approval_first(page, live_server, school, artifacts):
    pipe = Pipeline(school)
    pipe.walk(pipe.applicant(name="刘洋")).until(Step.ADMISSION_APPROVAL)
    office = make_user("office_a", role="committee_office", unit=school.college_a)
    log_in(page, live_server.url, office.username)
    page.goto(f"{live_server.url}/pipeline/office/approval/")
    first = page.locator("#queue-table tbody tr").first
    assert "刘洋" in first.inner_text()
    assert first.get_attribute("class") == "overdue"
    page.screenshot(path=str(artifacts / "dev-queue.png"), full_page=True)
