"""Each role logs in and sees its home with the counts of a known fixture, charts drawn by
ECharts from static files; a screenshot of every home at desktop and phone size."""

from __future__ import annotations

import pytest

from members.models import Stage
from members.models.access import Role
from members.services.people import person_link_account
from tests.browser.test_secretary_journey import log_in
from tests.factories import make_person, make_user

pytestmark = pytest.mark.browser

FIXTURE = {  # branch attribute → stage → how many
    "branch_a1": {Stage.ACTIVIST: 3, Stage.CANDIDATE: 1},
    "branch_a2": {Stage.PROBATIONARY: 2, Stage.FULL: 4},
    "branch_b1": {Stage.ACTIVIST: 1, Stage.FULL: 2},
}


def build(school) -> None:
    for branch_attr, stages in FIXTURE.items():
        for stage, n in stages.items():
            for _ in range(n):
                make_person(getattr(school, branch_attr), stage=stage)


def cell(page, unit_id: int, column: int) -> int:
    row = page.locator(f'#funnel-table tr[data-unit-id="{unit_id}"] [data-count]')
    return int(row.nth(column).get_attribute("data-count"))


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_school_home(request, size, live_server, school, artifacts):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    build(school)
    make_user("dept", role=Role.SCHOOL_ADMIN, unit=school.school)
    log_in(page, live_server.url, "dept")
    assert page.url.endswith("/home/school/")
    page.wait_for_selector('#funnel-chart[data-drawn="true"] svg')
    # columns: applicant, activist, candidate, probationary, full
    assert [cell(page, school.college_a.pk, i) for i in range(5)] == [2, 3, 1, 2, 4]
    assert [cell(page, school.college_b.pk, i) for i in range(5)] == [1, 1, 0, 0, 2]
    if size == "phone":
        assert no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"home-school-{size}.png"), full_page=True)
    # Every number opens the people behind it, scoped to the viewer.
    page.locator(f'#funnel-table tr[data-unit-id="{school.college_a.pk}"] a').nth(1).click()
    page.wait_for_selector("#people-table")
    assert page.locator("#people-table tbody tr[data-person-id]").count() == 3


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_committee_home(request, size, live_server, school, artifacts):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    build(school)
    make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    log_in(page, live_server.url, "office")
    assert page.url.endswith("/home/committee/")
    page.wait_for_selector('#funnel-chart[data-drawn="true"] svg')
    # Below the college: the general branch (with branch_a1) and branch_a2.
    assert [cell(page, school.general_a.pk, i) for i in range(5)] == [1, 3, 1, 0, 0]
    assert [cell(page, school.branch_a2.pk, i) for i in range(5)] == [1, 0, 0, 2, 4]
    assert page.locator(f'#funnel-table tr[data-unit-id="{school.college_b.pk}"]').count() == 0
    if size == "phone":
        assert no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"home-committee-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_branch_home(request, size, live_server, school, artifacts):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    build(school)
    make_user("secretary", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    log_in(page, live_server.url, "secretary")
    assert page.url.endswith("/home/branch/")
    figures = page.locator("#stage-figures [data-count]")
    assert [int(figures.nth(i).get_attribute("data-count")) for i in range(5)] == [1, 3, 1, 0, 0]
    if size == "phone":
        assert no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"home-branch-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_member_home(request, size, live_server, school, artifacts):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    member = make_user("member")
    person_link_account(person=school.alice, user=member, actor=None)
    log_in(page, live_server.url, "member")
    assert page.url.endswith("/me/")
    assert page.locator("#my-stage").get_attribute("data-stage") == "applicant"
    if size == "phone":
        assert no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"home-member-{size}.png"), full_page=True)
