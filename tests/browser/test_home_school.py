"""The committee office and the organization department log in and see their homes with the
counts of a known fixture (queues, compliance, retained graduates, lapse cases, silent
branches, the inspection page), the charts drawn; a screenshot of each page at desktop and
phone size (test-artifacts/, as tests/browser/test_home_pages.py stores them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from members.models.access import Role
from members.models.lapses import LapseCase, LapseStatus
from tests.browser.test_home_pages import no_sideways_scroll
from tests.browser.test_secretary_journey import log_in
from tests.factories import make_user
from tests.test_retention import Setup
from tests.transfer_helpers import make_member, start_out
from transfers import clock
from transfers.models import Retention
from transfers.services.campaign import campaign_create

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build(school) -> dict:
    """College A: one retention application waiting, two retained graduates (one expired,
    one ending later) in a retained-graduate branch, one transfer waiting for its letter, two
    open lapse cases (one a five-month warning); college B: one open lapse case. No branch
    has met: all silent."""
    today = timezone.localdate()
    setup = Setup(school)
    setup.submitted()
    retained = {}
    for category, ends_on in (("away", today + dt.timedelta(days=200)),
                              ("abroad", today - dt.timedelta(days=1))):  # fmt: skip
        person = make_member(school.branch_a1)
        retention = setup.approve(setup.submitted(person)).retention
        Retention.objects.filter(pk=retention.pk).update(
            category=category, ends_on=ends_on, transfer_apply_by=clock.transfer_apply_by(ends_on)
        )
        retained[category] = person
    start_out(make_member(school.branch_a2))
    for person, count, status in (
        (make_member(school.branch_a1), "dues", LapseStatus.WARNING),
        (make_member(school.branch_a2), "org_life", LapseStatus.LAPSED),
        (make_member(school.branch_b1), "dues", LapseStatus.LAPSED),
    ):
        LapseCase.objects.create(
            person=person, count=count, status=status, gap_since=today - dt.timedelta(days=160),
            lapses_on=today + dt.timedelta(days=20), opened_on=today,
        )  # fmt: skip
    return {"setup": setup, "retained": retained, "today": today}


def figure(page, selector: str) -> int:
    return int(page.locator(selector).first.get_attribute("data-count"))


def shoot(page, artifacts, name: str, size: str) -> None:
    if size == "phone":
        assert no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"{name}-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_office_home(request, size, live_server, school, artifacts):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    build(school)  # its Setup grants the college's office to "office"
    log_in(page, live_server.url, "office")
    assert page.url.endswith("/home/committee/")
    page.wait_for_selector('#compliance-chart[data-drawn="true"] svg')
    assert figure(page, '[data-queue="retention"] [data-count]') == 1
    assert figure(page, '[data-queue="letters-to-issue"] [data-count]') == 1
    assert figure(page, '[data-queue="letters-overdue"] [data-count]') == 0
    assert figure(page, '[data-queue="pre-review"] [data-count]') == 0
    # Its two branches and the retained-graduate branch: none has met.
    assert page.locator('#branch-compliance tr[data-silent="1"]').count() == 3
    assert page.locator("[data-figure=silent]").inner_text() == "3"
    shoot(page, artifacts, "home-office", size)
    # The retention number opens the office's queue with that one application.
    page.locator('[data-queue="retention"]').click()
    page.wait_for_load_state()
    assert "/transfers/retention/queue/" in page.url
    page.goto(f"{live_server.url}/home/inspection/")
    page.wait_for_selector('#inspection-chart[data-drawn="true"] svg')
    assert (
        page.locator("#inspection-period")
        .get_attribute("data-period")
        .endswith(f"Q{(timezone.localdate().month - 1) // 3 + 1}")
    )
    shoot(page, artifacts, "home-inspection-committee", size)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_org_department_home(request, size, live_server, school, artifacts):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    world = build(school)
    dept = make_user("dept", role=Role.SCHOOL_ADMIN, unit=school.school)
    campaign_create(unit=school.school, year=world["today"].year, actor=dept)
    log_in(page, live_server.url, "dept")
    assert page.url.endswith("/home/school/")
    for chart in ("retained-chart", "campaign-chart", "silent-chart", "funnel-chart"):
        page.wait_for_selector(f'#{chart}[data-drawn="true"] svg')
    # Retained: columns expired, within 1 month, within 3 months, later.
    away = page.locator('#retained-table tr[data-category="away"] [data-count]')
    abroad = page.locator('#retained-table tr[data-category="abroad"] [data-count]')
    assert [int(away.nth(i).get_attribute("data-count")) for i in range(4)] == [0, 0, 0, 1]
    assert [int(abroad.nth(i).get_attribute("data-count")) for i in range(4)] == [1, 0, 0, 0]
    assert figure(page, '[data-lapse="dues"] [data-count]') == 2
    assert figure(page, '[data-lapse="org_life"] [data-count]') == 1
    assert figure(page, '[data-lapse="warnings"] [data-count]') == 1
    silent = {
        school.college_a.pk: 3,  # with the retained-graduate branch
        school.college_b.pk: 1,
    }
    for college, n in silent.items():
        assert figure(page, f'#silent-table tr[data-college-id="{college}"] [data-count]') == n
    shoot(page, artifacts, "home-org-department", size)
    # The expired abroad graduate is the one person behind that number.
    abroad.nth(0).click()
    page.wait_for_selector("#figure-people")
    rows = page.locator("#figure-people tbody tr[data-person-id]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-person-id") == str(world["retained"]["abroad"].pk)
    page.goto(f"{live_server.url}/home/inspection/")
    page.wait_for_selector('#inspection-chart[data-drawn="true"] svg')
    assert "H" in page.locator("#inspection-period").get_attribute("data-period")
    assert page.locator("#inspection-table tr[data-unit-id]").count() == 2  # the colleges
    shoot(page, artifacts, "home-inspection-school", size)
