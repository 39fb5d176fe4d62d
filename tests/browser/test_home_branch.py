"""A secretary logs in and sees the branch's queues with the counts of a known fixture, each
item one click from its action; a graduate logs in on a phone and sees what to upload, what
to finish and what they were told. A screenshot of each at desktop and phone size."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from core.notifications.services import notify
from members.models.access import Role
from members.services.people import person_link_account
from tests.browser.test_home_pages import no_sideways_scroll
from tests.browser.test_secretary_journey import log_in
from tests.factories import make_person, make_user
from tests.test_home_branch import (
    MISSED_WITH_ONE_THEME_DAY,
    NOW,
    Work,
    hold,
    open_plan,
    returned_study_report,
)
from transfers.models import RetentionApplication

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def on_the_fixture_day():
    # Ticking: the browser and the live server still see time pass.
    with time_machine.travel(NOW, tick=True):
        yield


def figure(page, name: str) -> int:
    return int(page.locator(f'[data-figure="{name}"]').inner_text())


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_secretary_sees_the_branch_queues(request, size, live_server, school, artifacts):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    work = Work(school.branch_a1, n=2)
    Work(school.branch_b1, n=1)  # another college: never counted
    hold(school.branch_a1, "theme_day", dt.date(2026, 3, 10))
    make_user("secretary", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    log_in(page, live_server.url, "secretary")
    assert page.url.endswith("/home/branch/")
    assert figure(page, "checkins") == 2
    assert figure(page, "leaves") == 2
    assert figure(page, "lapse-warnings") == 2
    assert figure(page, "lapse-cases") == 2
    assert figure(page, "letters-waiting") == 4
    assert figure(page, "letters-overdue") == 2
    assert figure(page, "meetings-missed") == MISSED_WITH_ONE_THEME_DAY
    assert page.locator('#letter-list [data-overdue="true"]').count() == 2
    page.wait_for_selector('#compliance-chart[data-drawn="true"] svg')
    if size == "phone":
        assert no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"home-branch-work-{size}.png"), full_page=True)
    # A figure opens its list; an item opens its action.
    page.locator('a.figure[href="#checkins"]').click()
    assert page.url.endswith("#checkins")
    first = work.checkins[0]
    page.locator(f'#checkin-list [data-checkin-id="{first.pk}"] a').click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/education/checkins/{first.pk}/")


def graduate_with_work(school):
    person = make_person(school.branch_a1, "毕业生甲", stage="full", whereabouts="away")
    user = make_user("graduate")
    person_link_account(person=person, user=user, actor=None)
    plan = open_plan(person)
    returned_study_report(plan)
    RetentionApplication.objects.create(person=person, unit=school.branch_a1, status="returned")
    for i in range(3):
        notify(
            user_ids=[user.pk],
            key=f"b-{i}",
            kind="probation_ending",
            subject=person.name,
            due_on=dt.date(2027, 6, 1),
        )
    return person


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_graduate_sees_their_home(request, size, live_server, school, artifacts):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    graduate_with_work(school)
    log_in(page, live_server.url, "graduate")
    assert page.url.endswith("/me/")
    assert page.locator("#my-stage").get_attribute("data-stage") == "full"
    todo = page.locator("#my-checkins li[data-state]")
    assert todo.first.get_attribute("data-state") == "returned"
    # Late: xuexi's four fortnights, and October and November of the two monthly kinds.
    assert page.locator('#my-checkins li[data-state="late"]').count() == 4 + 2 + 2
    assert page.locator("#my-applications li[data-status=returned]").count() == 1
    assert page.locator("#my-notifications .notification-item").count() == 3
    if size == "phone":
        assert no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"home-member-work-{size}.png"), full_page=True)
    page.locator("#my-checkins a.button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/education/checkins/me/")
