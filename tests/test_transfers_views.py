"""Transfer pages through the client: start, issue, print (PDF text read back with
pdftotext), register the receipt; refusals change nothing; list query counts are pinned."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from members.models import Stage
from tests.factories import make_id_number
from tests.transfer_helpers import make_member, office, secretary, start_out
from transfers.models import IntroductionLetter, LetterIssuer, LetterStatus, Transfer
from transfers.services import letters as L

pytestmark = pytest.mark.django_db
ID_NUMBER = make_id_number(dt.date(2002, 3, 4), serial=129)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages read in English
    client.force_login(user)
    return client


@pytest.fixture
def member(school):
    return make_member(
        school.branch_a1, "赵六", expected_graduation=dt.date(2026, 6, 30), id_number=ID_NUMBER,
        ethnicity="回族",
    )  # fmt: skip


def test_start_page_finds_the_member_and_starts(school, member):
    c = client_for(secretary(school))
    page = c.get(reverse("transfer_start"), {"q": "赵"})
    assert f'data-person-id="{member.pk}"' in page.content.decode()
    form = c.get(reverse("transfer_start"), {"person": member.pk})
    assert form.status_code == 200
    response = c.post(
        reverse("transfer_start") + f"?person={member.pk}",
        {
            "person": member.pk, "destination_kind": "employer", "reach": "out_of_province",
            "other_heading": "中共某某科技有限公司委员会", "other_branch": "研发部党支部",
        },
    )  # fmt: skip
    t = Transfer.objects.get(person=member)
    assert response.status_code == 302 and response["Location"] == reverse(
        "transfer_detail", args=[t.pk]
    )
    detail = c.get(response["Location"]).content.decode()
    assert 'id="letter-waiting"' in detail  # a secretary cannot issue it


def test_bad_start_changes_nothing(school, member):
    c = client_for(secretary(school))
    response = c.post(
        reverse("transfer_start") + f"?person={member.pk}",
        {"person": member.pk, "destination_kind": "employer", "reach": "out_of_province",
         "other_heading": ""},
    )  # fmt: skip
    assert response.status_code == 400 and not Transfer.objects.exists()


def test_people_outside_scope_are_not_found(school):
    outsider = make_member(school.branch_b1, "外院的")
    c = client_for(secretary(school))
    assert c.get(reverse("transfer_start"), {"person": outsider.pk}).status_code == 404
    t = start_out(outsider)
    assert c.get(reverse("transfer_detail", args=[t.pk])).status_code == 404


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_letter_pdf_has_three_parts_and_every_field(school, member, tmp_path):
    off = office(school)
    L.issuer_update(
        committee=school.college_a, actor=off, formal_name="中共某某大学信息工程学院委员会",
        serial_prefix="信", address="某某市某某路1号", phone="020-87818013", fax="020-87818014",
        postcode="510000",
    )  # fmt: skip
    t = start_out(member, contact="13900002222")
    c = client_for(off)
    response = c.post(
        reverse("letter_issue", args=[t.pk]),
        {"validity_days": 90, "dues_paid_through": "2026-06", "member_contact": "13900002222"},
    )
    assert response.status_code == 302
    letter = IntroductionLetter.objects.get(transfer=t)
    response = c.get(reverse("letter_pdf", args=[letter.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path).replace(" ", "").replace("\n", "")
    for part in ("中国共产党党员组织关系介绍信（存根）", "中国共产党党员组织关系介绍信回执"):
        assert part in text
    assert text.count(f"第{letter.serial}号") == 3 and letter.serial.startswith("信")
    for field in (
        "中共某某科技有限公司委员会", "赵六", "女", f"{letter.age}岁", "回族", "正式", ID_NUMBER,
        "中共某某大学信息工程学院委员会计算机本科生第一党支部",
        "中共某某科技有限公司委员会研发部党支部", "贰零贰陆年陆月", "玖拾天",
        "13900002222", "某某市某某路1号", "020-87818013", "020-87818014", "510000",
        "特此回复",
    ):  # fmt: skip
        assert field in text, field
    assert letter.age == dt.date.today().year - 2002 - (
        dt.date.today() < dt.date(dt.date.today().year, 3, 4)
    )


def test_receipt_page_closes_the_letter(school, member):
    sec = secretary(school)
    t = start_out(member, actor=sec)
    letter = L.letter_issue(transfer=t, actor=office(school))
    c = client_for(sec)
    assert c.get(reverse("letter_pdf", args=[letter.pk])).status_code == 404  # office only
    response = c.post(
        reverse("letter_receipt", args=[letter.pk]),
        {"received_on": dt.date.today().isoformat(), "receipt_from": "中共某某科技有限公司委员会"},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    member.refresh_from_db()
    assert letter.status == LetterStatus.CLOSED and member.stage == Stage.TRANSFERRED_OUT
    again = c.post(
        reverse("letter_receipt", args=[letter.pk]), {"received_on": dt.date.today().isoformat()}
    )
    assert again.status_code == 400 and "closed" in again.content.decode()


def test_refused_action_says_why(school, member):
    sec = secretary(school)
    t = start_out(member, actor=sec)
    response = c = client_for(sec)
    response = c.post(reverse("transfer_complete", args=[t.pk]), {"evidence": "x"}, follow=True)
    assert "registering the receipt" in response.content.decode()
    t.refresh_from_db()
    assert t.status == "requested"


def test_issuer_settings_refuse_too_long_validity(school):
    c = client_for(office(school))
    response = c.post(
        reverse("issuer_edit", args=[school.college_a.pk]),
        {"validity_days": 120, "graduate_validity_days": 90},
    )
    assert response.status_code == 400 and not LetterIssuer.objects.exists()


def populate(school, n: int) -> None:
    off = office(school)
    for i in range(n):
        person = make_member(school.branch_a1 if i % 2 else school.branch_a2, f"毕业生{i:02d}")
        t = start_out(person)
        if i % 3 == 0:
            L.letter_issue(transfer=t, actor=off)


# session + user (2), the manage_transfers scope (1), COUNT and rows with person and unit
# (2), the menu's view_people and import_people scopes and own record (3), session save (3).
TRANSFER_LIST_QUERIES = 10
# The same, plus the count of overdue letters shown above the table.
LETTER_LIST_QUERIES = 11


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_counts_are_fixed(school, django_assert_num_queries, n):
    populate(school, n)
    c = client_for(office(school))
    with django_assert_num_queries(TRANSFER_LIST_QUERIES):
        response = c.get(reverse("transfer_list"))
    assert len(response.context["page"].object_list) == n
    with django_assert_num_queries(LETTER_LIST_QUERIES):
        response = c.get(reverse("letter_list"))
    assert len(response.context["page"].object_list) == len(range(0, n, 3))


def test_incoming_page_registers_and_completion_makes_a_member(school):
    from tests.factories import make_person

    newcomer = make_person(school.branch_a1, "转入者")
    c = client_for(secretary(school))
    response = c.post(
        reverse("transfer_incoming") + f"?person={newcomer.pk}",
        {"person": newcomer.pk, "reach": "in_province", "other_heading": "中共某某区委组织部",
         "category": "full", "online_reference": "IN-7"},
    )  # fmt: skip
    t = Transfer.objects.get(person=newcomer)
    assert response.status_code == 302 and t.direction == "incoming"
    c.post(reverse("transfer_complete", args=[t.pk]), {})
    newcomer.refresh_from_db()
    assert newcomer.stage == Stage.FULL


def test_reissue_page_refuses_a_valid_letter_and_reissues_an_expired_one(school, member):
    from transfers import clock

    off = office(school)
    letter = L.letter_issue(transfer=start_out(member), validity_days=30, actor=off)
    c = client_for(off)
    response = c.post(reverse("letter_reissue", args=[letter.pk]), {}, follow=True)
    assert "only once it has expired" in response.content.decode()
    assert IntroductionLetter.objects.count() == 1
    issued = dt.date.today() - dt.timedelta(days=31)
    until = clock.letter_valid_until(issued, 30)
    IntroductionLetter.objects.filter(pk=letter.pk).update(
        issued_on=issued, valid_until=until, receipt_due=clock.receipt_due(until)
    )
    c.post(reverse("letter_reissue", args=[letter.pk]), {"validity_days": 60})
    new = IntroductionLetter.objects.get(reissue_of=letter)
    assert new.validity_days == 60 and new.status == LetterStatus.ISSUED
    page = c.get(reverse("letter_list"), {"show": "reissued"})
    assert [x.pk for x in page.context["page"].object_list] == [letter.pk]


def test_overdue_letters_are_counted_and_filtered(school, member):
    from transfers import clock

    letter = L.letter_issue(transfer=start_out(member), validity_days=30, actor=None)
    issued = dt.date.today() - dt.timedelta(days=70)
    until = clock.letter_valid_until(issued, 30)
    IntroductionLetter.objects.filter(pk=letter.pk).update(
        issued_on=issued, valid_until=until, receipt_due=clock.receipt_due(until)
    )
    L.letter_issue(transfer=start_out(make_member(school.branch_a1, "新")), actor=None)
    c = client_for(secretary(school))
    page = c.get(reverse("letter_list"))
    assert page.context["overdue"] == 1 and 'data-overdue="1"' in page.content.decode()
    only = c.get(reverse("letter_list"), {"show": "overdue"})
    assert [x.pk for x in only.context["page"].object_list] == [letter.pk]


# The person page's transfer actions ---------------------------------------------------------


def test_person_page_offers_a_transfer_and_the_mobile_ledger_to_who_manages_transfers(
    school, member
):
    from members.models import Role
    from tests.factories import make_user

    url = reverse("person_detail", args=[member.pk])
    start = f"{reverse('transfer_start')}?person={member.pk}"
    ledger = f"{reverse('mobile_create')}?person={member.pk}"
    page = client_for(secretary(school)).get(url).content.decode()
    assert start in page and ledger in page
    # The links lead to the pages with the member chosen.
    c = client_for(secretary(school))
    assert c.get(start).context["person"] == member
    assert c.get(ledger).context["person"] == member
    # A branch committee member sees the person but does not move them: no links.
    committee = make_user(role=Role.BRANCH_COMMITTEE, unit=school.branch_a1)
    page = client_for(committee).get(url).content.decode()
    assert 'id="person"' in page and start not in page and ledger not in page
    # Not a member (nothing to transfer): no links either.
    page = client_for(secretary(school)).get(reverse("person_detail", args=[school.alice.pk]))
    assert 'id="transfer-links"' not in page.content.decode()


@pytest.mark.parametrize("history", [0, 3])
def test_person_page_with_transfer_links_keeps_a_fixed_query_count(school, member, history):
    """The permission comes from the scope the page has already read, and the links read no
    transfer: the member's page costs the same however many transfers they have had."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from transfers.services import transfers as T

    sec = secretary(school)
    for _i in range(history):
        T.transfer_cancel(transfer=start_out(member, actor=sec), reason="改派", actor=sec)
    c = client_for(sec)
    url = reverse("person_detail", args=[member.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = c.get(url).content.decode()
    assert 'id="transfer-links"' in page
    assert len(queries) == MEMBER_DETAIL_QUERIES


# A member's page as their branch secretary sees it: tests/test_query_counts.py's
# PERSON_DETAIL_QUERIES (24, a non-member seen by the office) holds for it too.
MEMBER_DETAIL_QUERIES = 24
