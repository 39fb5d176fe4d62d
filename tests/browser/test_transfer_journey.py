"""A secretary issues an out-of-province letter and registers its receipt, in a real
browser: the secretary starts the transfer, the committee office issues the letter (the
secretary does not hold issue_letters), the secretary registers the returned receipt, and
the letter shows closed while the member shows transferred out."""

from __future__ import annotations

import datetime as dt

import pytest

from members.models import Person, Stage
from members.models.access import Role
from tests.factories import make_user
from tests.transfer_helpers import make_member
from transfers.models import IntroductionLetter, LetterStatus, Transfer, TransferStatus

pytestmark = pytest.mark.browser

PASSWORD = "Secret-pass-123"


def log_in(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_out_of_province_letter_and_its_receipt(page, live_server, school, artifacts):
    make_user("secretary", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    member = make_member(
        school.branch_a1, "赵六", expected_graduation=dt.date(dt.date.today().year, 6, 30)
    )
    base = live_server.url

    # The secretary finds the graduate and starts the transfer.
    log_in(page, base, "secretary")
    page.goto(f"{base}/transfers/")
    page.click("#transfer-start")
    page.fill("#id_q", "赵")
    page.click("#person-search button[type=submit]")
    page.click(f'#person-results li[data-person-id="{member.pk}"] a')
    page.select_option("#id_destination_kind", "employer")
    page.check('input[name=reach][value="out_of_province"]')
    page.fill("#id_other_heading", "中共某某科技有限公司委员会")
    page.fill("#id_other_branch", "研发部党支部")
    page.click("#transfer-save")
    page.wait_for_selector("#transfer[data-status=requested]")
    assert page.locator("#letter-waiting").count() == 1
    assert page.locator("#letter-issue").count() == 0
    transfer = Transfer.objects.get(person=member)

    # The committee office issues the letter.
    log_in(page, base, "office")
    page.goto(f"{base}/transfers/{transfer.pk}/")
    page.click("#letter-issue")
    assert page.input_value("#id_validity_days") == "90"  # a graduate of this year
    page.click("#letter-save")
    page.wait_for_selector("#transfer[data-status=sent]")
    letter = IntroductionLetter.objects.get(transfer=transfer)
    row = page.locator(f'#letter-table tr[data-letter-id="{letter.pk}"]')
    assert row.get_attribute("data-status") == LetterStatus.ISSUED
    with page.expect_response(lambda r: "/pdf/" in r.url) as pdf:
        page.evaluate(f"fetch('/transfers/letters/{letter.pk}/pdf/')")
    assert pdf.value.headers["content-type"] == "application/pdf"

    # The receipt comes back; the secretary registers it.
    log_in(page, base, "secretary")
    page.goto(f"{base}/transfers/letters/")
    page.click(f'#letters-table tr[data-letter-id="{letter.pk}"] a')
    page.click(f'#letter-table tr[data-letter-id="{letter.pk}"] [data-action=receipt]')
    page.fill("#id_receipt_from", "中共某某科技有限公司委员会")
    page.click("#receipt-save")
    page.wait_for_selector("#transfer[data-status=completed]")
    row = page.locator(f'#letter-table tr[data-letter-id="{letter.pk}"]')
    assert row.get_attribute("data-status") == LetterStatus.CLOSED
    page.screenshot(path=str(artifacts / "transfer-journey.png"), full_page=True)

    letter.refresh_from_db()
    assert letter.status == LetterStatus.CLOSED and letter.receipt_by.username == "secretary"
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.COMPLETED
    assert Person.objects.get(pk=member.pk).stage == Stage.TRANSFERRED_OUT
