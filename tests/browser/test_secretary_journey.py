"""A branch secretary's day, in a real browser: log in, find a person by search, edit them,
see the change in the history timeline. And a member's own record on a phone."""

from __future__ import annotations

import pytest

from members.models import Person, PersonChange
from members.models.access import Role
from members.services.people import person_link_account
from tests.factories import make_person, make_user

pytestmark = pytest.mark.browser

PASSWORD = "Secret-pass-123"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_secretary_finds_edits_and_sees_history(page, live_server, school, artifacts):
    make_user("secretary", role=Role.BRANCH_SECRETARY, unit=school.branch_a1, first_name="书记")
    for i in range(5):
        make_person(school.branch_a1, f"同学{i}")
    alice = school.alice

    log_in(page, live_server.url, "secretary")
    # Staff start on their home page; the people list of their scope is one click away.
    assert page.url.endswith("/home/branch/")
    page.click('.mainnav a[href="/people/"]')
    page.wait_for_selector("#people-table")
    assert page.locator("#people-table tbody tr[data-person-id]").count() == 6
    assert page.locator(f'tr[data-person-id="{school.bob.pk}"]').count() == 0

    # Find her by student number prefix.
    page.fill("#id_q", "202100")
    page.click("#people-filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("#people-table tbody tr[data-person-id]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-person-id") == str(alice.pk)
    rows.first.locator("a").first.click()
    page.wait_for_selector(f'#person[data-person-id="{alice.pk}"]')

    # Edit: a new mobile number, with a reason.
    page.click("#person-edit")
    page.wait_for_selector("#person-form")
    page.fill("#id_mobile", "13987654321")
    page.fill("#id_reason", "本人来电更正")
    page.click("#person-save")
    page.wait_for_selector("#history")

    latest = page.locator("#history .timeline > li").first
    assert latest.get_attribute("data-kind") == PersonChange.Kind.UPDATED
    assert latest.locator(".after").inner_text() == "13987654321"
    assert "本人来电更正" in latest.locator(".reason").inner_text()
    assert page.locator('[data-field="mobile"]').inner_text() == "13987654321"
    page.screenshot(path=str(artifacts / "secretary-journey.png"), full_page=True)

    # And it is really stored, with the secretary as the author.
    change = alice.changes.first()
    assert change.changes == {"mobile": ["", "13987654321"]}
    assert change.actor.username == "secretary"
    assert Person.objects.get(pk=alice.pk).mobile == "13987654321"


def test_member_record_fits_a_phone(phone_page, live_server, school, artifacts):
    member = make_user("member")
    person_link_account(person=school.alice, user=member, actor=None)
    log_in(phone_page, live_server.url, "member")
    assert phone_page.url.endswith("/me/")
    assert phone_page.locator("#my-stage").get_attribute("data-stage") == "applicant"
    # Nothing wider than the screen: no sideways scrolling on a 390px phone.
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    phone_page.screenshot(path=str(artifacts / "member-record-390.png"), full_page=True)
