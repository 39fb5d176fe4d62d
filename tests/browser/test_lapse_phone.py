"""A member with a lapse case, on a 390px phone: the record links to the case, the case page
fits the screen, and the answer goes to the branch."""

from __future__ import annotations

import datetime as dt

import pytest

from members.models import LapseCase, LapseStep, Person
from members.services.people import person_link_account
from tests.browser.test_secretary_journey import log_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_member_answers_their_case_on_a_phone(phone_page, live_server, school, artifacts):
    member = make_user("member")
    person_link_account(person=school.alice, user=member, actor=None)
    Person.objects.filter(pk=school.alice.pk).update(stage="full")
    case = LapseCase.objects.create(
        person=school.alice,
        count="org_life",
        gap_since=dt.date(2026, 5, 1),
        lapses_on=dt.date(2026, 11, 1),
        status="lapsed",
        opened_on=dt.date(2026, 10, 1),
    )
    log_in(phone_page, live_server.url, "member")
    phone_page.click(f"#my-lapse-cases a[href='/me/lapses/{case.pk}/']")
    phone_page.wait_for_load_state()
    assert phone_page.locator("#my-lapse-case").get_attribute("data-status") == "lapsed"
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    phone_page.fill("textarea[name=text]", "我在外地实习，下周回校参加组织生活")
    phone_page.click("#lapse-answer-submit")
    phone_page.wait_for_load_state()
    phone_page.screenshot(path=str(artifacts / "member-lapse-case-390.png"), full_page=True)
    assert LapseStep.objects.get(case=case).kind == LapseStep.Kind.ANSWER
