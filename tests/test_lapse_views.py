"""Lapse pages: the branch's list (fixed queries), a step posted with evidence, the
approval form, and the member's own case with the form to answer (nobody else's)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members.models import LapseCase, LapseStatus, LapseStep, Person, Role
from tests.factories import School, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_case(person, status=LapseStatus.LAPSED) -> LapseCase:
    return LapseCase.objects.create(
        person=person,
        count="org_life",
        gap_since=dt.date(2026, 1, 1),
        lapses_on=dt.date(2026, 7, 1),
        status=status,
        opened_on=dt.date(2026, 6, 1),
    )


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("notice.png", buffer.getvalue())


@pytest.fixture
def world():
    s = School()
    secretary = make_user("sec", role=Role.BRANCH_SECRETARY, unit=s.branch_a1)
    member_user = make_user("member")
    person = make_person(s.branch_a1, "党员己", stage="full")
    Person.objects.filter(pk=person.pk).update(user=member_user)
    return s, secretary, member_user, make_case(person)


def test_posting_a_written_notice_with_evidence(client, world):
    _, secretary, _, case = world
    client.force_login(secretary)
    response = client.post(
        reverse("lapse_case_act", args=[case.pk]),
        {"action": "notice", "on": "2026-07-02", "note": "书面通报告诫", "evidence": png()},
    )
    assert response.status_code == 302
    step = LapseStep.objects.get(case=case)
    assert step.kind == "notice" and step.evidence is not None
    page = client.get(reverse("lapse_case_detail", args=[case.pk])).content.decode()
    assert reverse("document_download", args=[step.evidence_id]) in page


def test_a_refused_step_says_why_and_changes_nothing(client, world):
    _, secretary, _, case = world
    client.force_login(secretary)
    response = client.post(
        reverse("lapse_case_act", args=[case.pk]),
        {"action": "suspend", "on": "2026-07-02", "note": "停止党籍"},
    )
    assert response.status_code == 400
    assert "书面通报告诫" in response.content.decode()
    case.refresh_from_db()
    assert case.status == LapseStatus.LAPSED and not case.steps.exists()


def test_the_member_sees_their_case_and_answers(client, world):
    s, _, member_user, case = world
    client.force_login(member_user)
    record = client.get(reverse("my_record")).content.decode()
    assert reverse("my_lapse_case", args=[case.pk]) in record
    page = client.get(reverse("my_lapse_case", args=[case.pk]))
    assert page.status_code == 200 and "答复支部" in page.content.decode()
    response = client.post(reverse("my_lapse_case", args=[case.pk]), {"text": "我会按时参加"})
    assert response.status_code == 302
    assert case.steps.get().kind == LapseStep.Kind.ANSWER


def test_nobody_else_reaches_a_members_case(client, world):
    s, secretary, _, case = world
    stranger = make_user("stranger")
    for user in (stranger, secretary):  # the secretary uses the branch's page, not this one
        client.force_login(user)
        assert client.get(reverse("my_lapse_case", args=[case.pk])).status_code == 404
        assert (
            client.post(reverse("my_lapse_case", args=[case.pk]), {"text": "x"}).status_code == 404
        )
    assert not case.steps.exists()


@pytest.mark.parametrize("n", [2, 30])
def test_list_query_count_is_fixed(client, world, django_assert_num_queries, n):
    s, secretary, _, _ = world
    for i in range(n):
        make_case(make_person(s.branch_a1, f"党员{i}", stage="full"))
    make_case(make_person(s.branch_b1, "外支部", stage="full"))  # outside the scope
    client.force_login(secretary)
    with django_assert_num_queries(LAPSE_LIST_QUERIES):
        response = client.get(reverse("lapse_list"))
    assert response.context["page"].paginator.count == n + 1
    assert "外支部" not in response.content.decode()


# session, user, the scope (handle_lapses), count, rows, tally, menu (view_people,
# import_people), own person, unread count, session save (3)
LAPSE_LIST_QUERIES = 11


def test_the_higher_organization_approves_on_the_case_page(client, world):
    s, secretary, _, case = world
    office = make_user("office", role=Role.COMMITTEE_OFFICE, unit=s.college_a)
    LapseCase.objects.filter(pk=case.pk).update(status=LapseStatus.REMOVAL_DECIDED)
    client.force_login(secretary)
    page = client.get(reverse("lapse_case_detail", args=[case.pk])).content.decode()
    assert 'id="lapse-approve"' not in page  # the branch cannot approve its own decision
    assert client.post(reverse("lapse_case_approve", args=[case.pk]), {}).status_code == 404
    client.force_login(office)
    page = client.get(reverse("lapse_case_detail", args=[case.pk])).content.decode()
    assert 'id="lapse-approve"' in page
    response = client.post(
        reverse("lapse_case_approve", args=[case.pk]),
        {"decision": "approve", "on": "2026-07-02", "note": "党委批复〔2026〕1号"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    case.person.refresh_from_db()
    assert case.status == LapseStatus.REMOVED and case.person.stage == "lapsed_removed"


def test_a_persons_page_lists_their_cases_for_those_who_handle_lapses(client, world):
    s, secretary, _, case = world
    committee = make_user("committee", role=Role.BRANCH_COMMITTEE, unit=s.branch_a1)
    client.force_login(secretary)
    page = client.get(reverse("person_detail", args=[case.person_id])).content.decode()
    assert reverse("lapse_case_detail", args=[case.pk]) in page
    client.force_login(committee)  # sees the person, does not handle lapses
    page = client.get(reverse("person_detail", args=[case.person_id])).content.decode()
    assert "person-lapse-cases" not in page
