"""The committee office's and the organization department's homes beyond the pipeline:
queues with their clocks, branch compliance, retained graduates by category and deadline,
the graduation campaign, lapse cases, silent branches, and the inspection page (seed 002,
检查指导制度). Known fixtures, the deadline boundaries, scope, and fixed query counts."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from development.models import Step
from development.queues import office_queue
from members.models import Role, Stage
from members.models.lapses import LapseCase, LapseStatus
from partyadmin.home import school_figures as figures
from tests.factories import make_person, make_unit, make_user
from tests.test_dev_helpers import Pipeline
from tests.test_retention import Setup
from tests.transfer_helpers import make_member, start_out
from transfers.models import Retention
from transfers.services.campaign import campaign_create

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0), tick=False):
        yield


def queues_of(response) -> dict[str, int]:
    return {key: n for key, _label, n, _link, _note in response.context["queues"]}


# Committee office ----------------------------------------------------------------------


def test_committee_queues_match_the_lists_behind_them(client, school, frozen):
    pipe = Pipeline(school)
    waiting_pre_review = pipe.applicant()
    pipe.walk(waiting_pre_review, start=dt.date(2024, 3, 1)).until(Step.PRE_REVIEW)
    waiting_approval = pipe.applicant()
    pipe.walk(waiting_approval, start=dt.date(2024, 3, 1)).until(Step.HIGHER_TALK)
    retention = Setup(school)
    retention.submitted()
    start_out(make_member(school.branch_a2))  # requested, no letter yet
    start_out(make_member(school.branch_b1))  # another college: not this office's
    client.force_login(pipe.office)
    response = client.get(reverse("home_committee"))
    queues = queues_of(response)
    assert queues["pre-review"] == 1
    assert queues["pre-review"] == len(office_queue(pipe.office, "pre_review", TODAY))
    assert queues["admission-approval"] == 1
    assert queues["admission-approval"] == len(office_queue(pipe.office, "approval", TODAY))
    assert queues["conversion-approval"] == 0
    assert queues["retention"] == 1
    assert queues["letters-to-issue"] == 1 and queues["letters-overdue"] == 0
    html = response.content.decode()
    assert reverse("dev_queue", kwargs={"kind": "pre_review"}) in html
    assert f"{reverse('transfer_list')}?status=requested&amp;direction=outgoing" in html
    assert 'data-chart="compliance-chart-data"' in html


def test_a_pre_review_done_leaves_the_queue(client, school, frozen):
    pipe = Pipeline(school)
    walk = pipe.walk(pipe.applicant(), start=dt.date(2024, 3, 1)).until(Step.PRE_REVIEW)
    client.force_login(pipe.office)
    assert queues_of(client.get(reverse("home_committee")))["pre-review"] == 1
    walk.do(Step.PRE_REVIEW)
    assert queues_of(client.get(reverse("home_committee")))["pre-review"] == 0
    assert len(office_queue(pipe.office, "pre_review", TODAY)) == 0


def test_an_organizer_sees_the_numbers_without_links_they_cannot_open(client, school):
    client.force_login(make_user(role=Role.ORGANIZER, unit=school.college_a))
    response = client.get(reverse("home_committee"))
    links = {key: link for key, _l, _n, link, _note in response.context["queues"]}
    assert links["retention"] == "" and links["letters-to-issue"] == ""


def test_committee_home_lists_its_branches_compliance(client, school, frozen):
    client.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a))
    response = client.get(reverse("home_committee"))
    branches = {row.branch for row in response.context["compliance_rows"]}
    assert branches == {school.branch_a1, school.branch_a2}  # not college B's
    assert response.context["silent"] == 2  # no meeting held at all this year


# Organization department ---------------------------------------------------------------


def _retained(setup: Setup, category: str, ends_on: dt.date) -> Retention:
    person = make_member(setup.s.branch_a1)
    application = setup.submitted(person)
    retention = setup.approve(application).retention
    from transfers import clock

    Retention.objects.filter(pk=retention.pk).update(
        category=category, ends_on=ends_on, transfer_apply_by=clock.transfer_apply_by(ends_on)
    )
    return retention


@pytest.mark.parametrize(
    "ends_on, bucket",
    [
        (dt.date(2026, 12, 1), figures.EXPIRED),  # the day before today: expired
        (dt.date(2026, 12, 2), figures.APPLY_NOW),  # ends today: not yet expired
        (dt.date(2027, 1, 2), figures.APPLY_NOW),  # apply-by day is today
        (dt.date(2027, 1, 3), figures.WITHIN_3),  # apply-by day is tomorrow
        (dt.date(2027, 3, 2), figures.WITHIN_3),  # exactly three months on
        (dt.date(2027, 3, 3), figures.LATER),
    ],
)
def test_retained_graduates_fall_in_their_deadline_bucket(school, frozen, ends_on, bucket):
    from members.models import Person

    setup = Setup(school)
    _retained(setup, "abroad", ends_on)
    people = Person.objects.restrict(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    assert figures.retained_grid(people, TODAY) == {("abroad", bucket): 1}


def test_school_home_retained_grid_links_to_the_people(client, school, frozen):
    setup = Setup(school)
    away = _retained(setup, "away", dt.date(2027, 6, 1))
    _retained(setup, "on_campus", dt.date(2026, 11, 1))
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    response = client.get(reverse("home_school"))
    rows = {code: cells for code, _l, cells, _t in response.context["retained_rows"]}
    # columns: expired, within 1 month, within 3 months, later
    assert [n for n, _link in rows["away"]] == [0, 0, 0, 1]
    assert [n for n, _link in rows["on_campus"]] == [1, 0, 0, 0]
    assert response.context["retained_total"] == 2
    link = rows["away"][3][1]
    people = client.get(link).context["people"]
    assert [p.pk for p in people] == [away.person_id]


def test_retained_people_are_scoped_to_the_viewer(client, school, frozen):
    setup = Setup(school)
    _retained(setup, "away", dt.date(2027, 6, 1))
    client.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_b))
    response = client.get(reverse("home_retained"), {"category": "away"})
    assert response.context["people"] == []
    other = {"unit": school.college_a.pk, "home": "committee"}
    assert client.get(reverse("home_retained"), other).status_code == 404


def test_lapse_figures_count_open_cases_by_kind_and_warnings(client, school, frozen):
    def case(person, count, status, closed=False):
        LapseCase.objects.create(
            person=person, count=count, status=status, gap_since=dt.date(2026, 6, 1),
            lapses_on=dt.date(2026, 12, 1), opened_on=dt.date(2026, 11, 1),
            closed_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC) if closed else None,
        )  # fmt: skip

    a, b = make_member(school.branch_a1), make_member(school.branch_b1)
    case(a, "dues", LapseStatus.WARNING)
    case(a, "org_life", LapseStatus.LAPSED)
    case(b, "dues", LapseStatus.WARNING)
    case(b, "work", LapseStatus.CLOSED, closed=True)
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    lapses = client.get(reverse("home_school")).context["lapses"]
    assert lapses.by_count == {"org_life": 1, "dues": 2, "work": 0, "lost_contact": 0}
    assert lapses.warnings == 2 and lapses.total == 3


def test_campaign_progress_per_college(client, school, frozen):
    admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    campaign_create(unit=school.school, year=2026, actor=admin)
    graduate = make_member(school.branch_a1, expected_graduation=dt.date(2026, 6, 30))
    make_member(school.branch_b1, expected_graduation=dt.date(2026, 6, 30))
    start_out(graduate)
    client.force_login(admin)
    response = client.get(reverse("home_school"))
    rows = {p.unit: p for p in response.context["campaign_rows"]}
    assert set(rows) == {school.college_a, school.college_b}
    assert (rows[school.college_a].graduates, rows[school.college_a].started) == (1, 1)
    assert (rows[school.college_b].graduates, rows[school.college_b].unreported) == (1, 1)


def test_silent_branches_per_college(client, school, frozen):
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    response = client.get(reverse("home_school"))
    silent = {c.college: c.silent for c in response.context["colleges"]}
    assert silent == {school.college_a: 2, school.college_b: 1}
    assert response.context["silent_total"] == 3


# Inspection ----------------------------------------------------------------------------


def test_periods_parse_and_step_across_the_year():
    half = figures.parse_period("2026H2", TODAY, half=True)
    assert (half.start, half.end, half.code) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
        "2026H2",
    )
    quarter = figures.parse_period("2026Q1", TODAY, half=False)
    assert (quarter.start, quarter.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert quarter.shifted(-1).code == "2025Q4" and half.shifted(1).code == "2027H1"
    assert figures.parse_period("rubbish", TODAY, half=False).code == "2026Q4"
    assert figures.parse_period("", TODAY, half=True).code == "2026H2"


def test_period_bounds_on_the_boundary_days():
    assert figures.period_containing(dt.date(2026, 6, 30), half=True).code == "2026H1"
    assert figures.period_containing(dt.date(2026, 7, 1), half=True).code == "2026H2"
    assert figures.period_containing(dt.date(2026, 9, 30), half=False).code == "2026Q3"
    assert figures.period_containing(dt.date(2026, 10, 1), half=False).code == "2026Q4"


def test_inspection_counts_each_measure_in_its_period_and_lists_the_people(client, school):
    pipe = Pipeline(school)
    person = pipe.applicant()
    walk = pipe.walk(person, start=dt.date(2024, 3, 1)).until(None)
    admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    client.force_login(admin)
    for step, measure in ((Step.APPLICATION, "applications"), (Step.ADMISSION_APPROVAL,
                          "admissions"), (Step.CONVERSION_APPROVAL, "conversions")):  # fmt: skip
        period = figures.period_containing(walk.on[step], half=True)
        response = client.get(reverse("home_inspection"), {"period": period.code})
        assert response.context["period"] == period
        row = next(r for r, _cells in response.context["table"] if r.unit == school.college_a)
        assert row.counts[measure] == 1
        other = next(r for r, _c in response.context["table"] if r.unit == school.college_b)
        assert other.counts[measure] == 0
        cell = f"{school.college_a.pk}:{measure}"
        listed = client.get(reverse("home_inspection"), {"period": period.code, "cell": cell})
        assert [p.pk for p in listed.context["cell_people"]] == [person.pk]
        before = period.shifted(-1)
        if walk.on[step] > before.end:
            response = client.get(reverse("home_inspection"), {"period": before.code})
            row = next(r for r, _c in response.context["table"] if r.unit == school.college_a)
            assert row.counts[measure] == 0  # the period before holds none of it


def test_inspection_counts_late_approvals(client, school, frozen):
    pipe = Pipeline(school)
    person = pipe.applicant()
    pipe.walk(person, start=dt.date(2024, 3, 1)).until(Step.ADMISSION_APPROVAL)
    approval = person.development_approvals.get()  # opened in 2025, three months' clock long past
    client.force_login(pipe.office)
    period = figures.period_containing(approval.due_on, half=False)
    response = client.get(reverse("home_inspection"), {"period": period.code})
    assert response.context["home_kind"] == "committee" and not period.half
    counts = {r.unit: r.counts["late"] for r, _c in response.context["table"]}
    assert counts[school.general_a] == 1 and counts[school.branch_a2] == 0


def test_inspection_is_scoped(client, school):
    client.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a))
    url = reverse("home_inspection")
    assert client.get(url, {"unit": school.college_b.pk}).status_code == 404
    assert client.get(url, {"cell": f"{school.branch_b1.pk}:applications"}).status_code == 404
    assert client.get(url, {"home": "school"}).status_code == 404
    client.force_login(make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1))
    assert client.get(url).status_code == 404


# Fixed queries -------------------------------------------------------------------------


def _grow(school, n: int) -> None:
    """n more of everything the figures read, in each college."""
    setup_branch = {school.branch_a1: None, school.branch_b1: None}
    for _ in range(n):
        for branch in setup_branch:
            person = make_member(branch, expected_graduation=dt.date(2026, 6, 30))
            start_out(person)
            LapseCase.objects.create(
                person=person, count="dues", status=LapseStatus.WARNING,
                gap_since=dt.date(2026, 6, 1), lapses_on=dt.date(2026, 12, 1),
                opened_on=dt.date(2026, 11, 1),
            )  # fmt: skip
            make_person(branch, stage=Stage.ACTIVIST)
        make_unit(f"新支部{LapseCase.objects.count()}", school.branch_a1.kind, school.college_b)


@pytest.mark.parametrize(
    "view, params",
    [("home_school", {}), ("home_committee", {}), ("home_inspection", {}),
     ("home_inspection", {"cell": "college:applications"}), ("home_retained", {})],
)  # fmt: skip
def test_pages_run_a_fixed_number_of_queries(client, school, frozen, view, params):
    admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    campaign_create(unit=school.school, year=2026, actor=admin)
    if params.get("cell"):
        params = {"cell": f"{school.college_a.pk}:applications"}
    client.force_login(admin)
    url = reverse(view)
    client.get(url, params)  # warm the session
    _grow(school, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    _grow(school, 6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, params).status_code == 200
    assert len(small) == len(large) == QUERIES[(view, bool(params))]


# The frame: session, user, scope, the grants' unit kinds, the units of the page's kind; then
# school: funnel, quarters, approvals, lost contact (the pinned 15 of tests/test_home.py),
# retained grid 1, campaign 1 + its progress 4, lapses 1, compliance 3 + colleges 1 = 26;
# committee: funnel 2 (units, counts), approvals 1, the menu, the queues in one statement,
# compliance 3 = 17. Inspection: the frame with the menu and unread count, the units below,
# two GROUP BYs = 14 (+ the people of a chosen number); the retained list: 12.
QUERIES = {
    ("home_school", False): 26,
    ("home_committee", False): 17,
    ("home_inspection", False): 14,
    ("home_inspection", True): 15,
    ("home_retained", False): 12,
}


def test_a_school_admin_opens_a_colleges_quarterly_inspection_from_its_home(client, school):
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    home = client.get(reverse("home_committee"), {"unit": school.college_b.pk})
    response = client.get(home.context["inspection_link"])
    assert response.status_code == 200 and response.context["unit"] == school.college_b
    assert not response.context["period"].half  # a committee inspects quarterly
    assert "home=committee" in response.context["next_link"]


def test_the_lost_contact_count_opens_exactly_those_people(client, school):
    lost = make_person(school.branch_a1, "失联甲", stage="full", lost_contact=True)
    make_person(school.branch_a1, "在联乙", stage="full")
    make_person(school.branch_b1, "失联丙", stage="full", lost_contact=True)
    client.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a))
    people = client.get(reverse("people_list"), {"unit": school.college_a.pk, "lost_contact": "on"})
    assert [p.pk for p in people.context["page"].object_list] == [lost.pk]
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    html = client.get(reverse("home_school")).content.decode()
    assert f"?unit={school.school.pk}&amp;lost_contact=on" in html
    assert re.search(r'data-figure="lost-contact" [^>]*>2</a>', html)


def test_a_colleges_silent_count_opens_exactly_its_silent_branches(client, school, frozen):
    from education.models import MeetingKind
    from tests.test_home_branch import hold

    hold(school.branch_a1, MeetingKind.THEME_DAY, dt.date(2026, 11, 20))  # active this month
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    colleges = client.get(reverse("home_school")).context["colleges"]
    college_a = next(c for c in colleges if c.college == school.college_a)
    assert college_a.silent == 1
    page = client.get(college_a.silent_link)
    assert page.status_code == 200
    assert [row.branch for row in page.context["rows"]] == [school.branch_a2]
    everything = client.get(college_a.silent_link.replace("&silent=on", ""))
    assert {row.branch for row in everything.context["rows"]} == {
        school.branch_a1,
        school.branch_a2,
    }
