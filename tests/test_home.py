"""Home pages: who lands where, correct counts for a known fixture, scope, fixed queries."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from development.models import Step
from members.models import Role, Stage
from partyadmin.home.selectors import Quarter, last_quarters
from tests.factories import make_person, make_user
from tests.test_dev_helpers import Pipeline

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0), tick=False):
        yield


def counts(html: str, unit_id: int) -> list[int]:
    row = re.search(rf'<tr data-unit-id="{unit_id}">(.*?)</tr>', html, re.S).group(1)
    return [int(n) for n in re.findall(r'data-count="(\d+)"', row)]


@pytest.mark.parametrize(
    "role, unit_attr, expected",
    [
        (Role.SCHOOL_ADMIN, "school", "home_school"),
        (Role.COMMITTEE_OFFICE, "college_a", "home_committee"),
        (Role.ORGANIZER, "college_a", "home_committee"),
        (Role.BRANCH_SECRETARY, "branch_a1", "home_branch"),
        (Role.BRANCH_COMMITTEE, "branch_a1", "home_branch"),
    ],
)
def test_each_role_lands_on_its_home(client, school, role, unit_attr, expected):
    client.force_login(make_user(role=role, unit=getattr(school, unit_attr)))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse(expected)
    assert client.get(response["Location"]).status_code == 200


def test_a_member_lands_on_their_record(client, school):
    user = make_user()
    school.alice.user = user
    school.alice.save(update_fields=["user"])
    client.force_login(user)
    assert client.get(reverse("home"))["Location"] == reverse("my_record")


def test_homes_above_the_grant_are_404(client, school):
    client.force_login(make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1))
    assert client.get(reverse("home_school")).status_code == 404
    assert client.get(reverse("home_committee")).status_code == 404


def test_another_unit_outside_scope_is_404(client, school):
    client.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a))
    url = reverse("home_committee")
    assert client.get(url, {"unit": school.college_b.pk}).status_code == 404
    assert client.get(url, {"unit": school.general_a.pk}).status_code == 200


def test_school_funnel_counts_each_college_and_links_to_its_people(client, school):
    for stage, n in ((Stage.ACTIVIST, 2), (Stage.PROBATIONARY, 1)):
        for _ in range(n):
            make_person(school.branch_a2, stage=stage)
    make_person(school.branch_b1, stage=Stage.FULL)
    make_person(school.branch_b1, stage=Stage.TRANSFERRED_OUT)  # not in the pipeline
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    html = client.get(reverse("home_school")).content.decode()
    # applicant, activist, candidate, probationary, full (the fixture's three are applicants)
    assert counts(html, school.college_a.pk) == [2, 2, 0, 1, 0]
    assert counts(html, school.college_b.pk) == [1, 0, 0, 0, 1]
    link = f"{reverse('people_list')}?unit={school.college_a.pk}&amp;stage=activist"
    assert link in html
    assert 'data-chart="funnel-chart-data"' in html and "echarts.common.min.js" in html


def test_admissions_and_conversions_per_quarter(client, school, frozen):
    pipe = Pipeline(school)
    walk = pipe.walk(pipe.applicant(), start=dt.date(2023, 9, 1)).until(None)
    admitted, converted = walk.on[Step.ADMISSION_APPROVAL], walk.on[Step.CONVERSION_APPROVAL]
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    response = client.get(reverse("home_school"))
    rows = {q.label: (a, c) for q, a, c in response.context["quarters"]}
    for day, column in ((admitted, 0), (converted, 1)):
        label = Quarter(day.year, (day.month - 1) // 3 + 1).label
        if label in rows:
            assert rows[label][column] == 1
    assert sum(a for a, _c in rows.values()) + sum(c for _a, c in rows.values()) >= 1


def test_last_quarters_cross_the_year():
    quarters = last_quarters(dt.date(2026, 2, 1), 3)
    assert [q.label for q in quarters] == ["2025 Q3", "2025 Q4", "2026 Q1"]
    assert quarters[0].start == dt.date(2025, 7, 1) and quarters[0].end == dt.date(2025, 9, 30)
    assert quarters[1].end == dt.date(2025, 12, 31)


def test_branch_home_lists_what_is_late_and_due(client, school, frozen):
    pipe = Pipeline(school)
    late = pipe.applicant()
    pipe.walk(late, start=TODAY - dt.timedelta(days=40)).do(Step.APPLICATION)
    soon = pipe.applicant()
    # The talk falls due a month after the application: in five days.
    pipe.walk(soon, start=dt.date(2026, 11, 7)).do(Step.APPLICATION)
    client.force_login(pipe.secretary)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home_branch"))
    html = response.content.decode()
    late_ids = [n.person_id for n, _name, _what in response.context["late"]]
    soon_ids = [n.person_id for n, _name, _what in response.context["due_soon"]]
    assert late_ids == [late.pk] and soon_ids == [soon.pk]
    assert "Talk with the applicant" in html and "9 days late" in html


@pytest.mark.parametrize("view", ["home_school", "home_committee", "home_branch"])
def test_home_pages_run_a_fixed_number_of_queries(client, school, view, frozen):
    def grow(n: int) -> None:
        for _ in range(n):
            for branch in (school.branch_a1, school.branch_a2, school.branch_b1):
                make_person(branch, stage=Stage.ACTIVIST)

    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    url = reverse(view)
    client.get(url)  # warm the session
    grow(1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large) == HOME_QUERIES[view]


# Session, user, the whole scope (one query), the grants' unit kinds, the units of the
# page's kind, then the page's own figures; the branch home adds the pipeline's 13 queries
# for everyone's next step (load_files, the 13th is transfers' two-way examinations), and
# its queues 8 more (tests/test_home_branch.py: BRANCH_HOME_QUERIES). The school and
# committee figures beyond the pipeline are itemised in tests/test_home_school.py (there
# with a graduation campaign, whose progress adds 4 to the school's 22).
HOME_QUERIES = {"home_school": 22, "home_committee": 17, "home_branch": 32}
