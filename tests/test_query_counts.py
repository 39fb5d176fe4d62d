"""Query counts of the list views are pinned: they do not grow with the page size, the page
number, the filters or the number of people and units.

The people list costs, per request:
    session + user (2)
    the scope, one query per permission the page asks about, cached on the user:
        view_people, change_people, export_people, and import_people, review_checkins and
        manage_dues for the menu (6)
    the units offered by the unit filter (1)
    COUNT for the pager (1) and the page's rows with their unit (1)
    the menu's "my record" link, i.e. the user's own person (1)
    saving the session, which renews the idle timeout (savepoint, update, release: 3)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from core import crypto
from members.models.access import Role
from members.services.org import branch_post_assign
from members.services.people import person_update
from tests.factories import School, make_person, make_unit, make_user

# The user's whole scope is one query (members.scoping), however many permissions the page
# and its menu ask about.
PEOPLE_LIST_QUERIES = 11
ORG_TREE_QUERIES = 11
PERSON_DETAIL_QUERIES = 24  # 12, plus the development panel (11) and lapse cases (1)


def populate(school: School, n: int) -> None:
    """`n` more people spread over both colleges, with grades and graduation dates, and
    more units so the unit filter and the tree grow too."""
    branches = [school.branch_a1, school.branch_a2, school.branch_b1]
    for i in range(n // 10):
        branches.append(make_unit(f"党支部{i}", parent=school.college_b))
    for i in range(n):
        make_person(
            branches[i % len(branches)],
            f"学生{i:03d}",
            student_number=f"2023{i:04d}",
            grade=2020 + i % 4,
            expected_graduation=dt.date(2024 + i % 4, 6, 30),
        )


def login(role: str, unit) -> Client:
    client = Client()
    client.force_login(make_user(role=role, unit=unit))
    return client


SCOPES = {
    "college": lambda s: (Role.COMMITTEE_OFFICE, s.college_a),
    "school": lambda s: (Role.SCHOOL_ADMIN, s.school),
}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("n_people", [5, 60])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"per_page": 20},
        {"per_page": 200},
        {"per_page": 20, "page": 3},
        {"q": "学生", "sort": "-grade", "graduation_year": 2025, "stage": "applicant"},
    ],
    ids=["default", "per20", "per200", "deep", "filtered"],
)
def test_people_list_query_count_is_fixed(
    school, django_assert_num_queries, scope, n_people, params
):
    populate(school, n_people)
    client = login(*SCOPES[scope](school))
    with django_assert_num_queries(PEOPLE_LIST_QUERIES):
        response = client.get(reverse("people_list"), params)
    assert response.status_code == 200
    # Not vacuous: the page really shows rows (the deep page exists with 60 people).
    rows = len(response.context["page"].object_list)
    total = response.context["page"].paginator.count
    assert rows == min(total, response.context["cleaned"]["per_page"]) or params.get("page")
    if n_people == 60 and not params.get("q"):
        assert rows >= 10


def test_people_list_query_count_with_a_unit_filter_and_id_search(
    school, django_assert_num_queries
):
    populate(school, 60)
    client = login(Role.SCHOOL_ADMIN, school.school)
    with django_assert_num_queries(PEOPLE_LIST_QUERIES):
        client.get(reverse("people_list"), {"unit": school.college_b.pk, "per_page": 100})
    number = crypto.decrypt(school.alice.id_number_encrypted)
    with django_assert_num_queries(PEOPLE_LIST_QUERIES):
        response = client.get(reverse("people_list"), {"q": number})
    assert [p.pk for p in response.context["page"].object_list] == [school.alice.pk]
    # An empty result skips the rows query: never more, only fewer.
    with django_assert_num_queries(PEOPLE_LIST_QUERIES - 1):
        client.get(reverse("people_list"), {"q": "nobody-by-this-name"})


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("n_people", [5, 60])
def test_org_tree_query_count_is_fixed(school, django_assert_num_queries, scope, n_people):
    """Units (1), people per unit (1 aggregate), committee posts for the warnings (1), the
    scope for view_people, manage_tree and import_people (3), session, user, the menu's own
    record and the session save (6)."""
    populate(school, n_people)
    for branch in (school.branch_a1, school.branch_a2, school.branch_b1):
        person = make_person(branch)
        branch_post_assign(
            unit=branch, person=person, post="secretary", term_start=dt.date(2024, 3, 1),
            actor=None,
        )  # fmt: skip
    client = login(*SCOPES[scope](school))
    with django_assert_num_queries(ORG_TREE_QUERIES):
        response = client.get(reverse("org_tree"))
    assert len(response.context["nodes"]) >= 4
    assert response.context["warning_count"] >= 3


@pytest.mark.parametrize("n_changes", [1, 30])
def test_person_detail_query_count_does_not_grow_with_history(
    school, django_assert_num_queries, n_changes
):
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    for i in range(n_changes):
        person_update(person=school.alice, actor=office, data={"mobile": f"1380000{i:04d}"})
    client = Client()
    client.force_login(office)
    with django_assert_num_queries(PERSON_DETAIL_QUERIES):
        response = client.get(reverse("person_detail", args=[school.alice.pk]))
    assert len(response.context["history"]) == n_changes + 1
