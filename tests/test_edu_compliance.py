"""The frequency targets of 支部工作条例 counted per calendar unit, at the edges of months,
quarters and years; the silent-branch mark; the compliance page in a fixed number of
queries whatever the number of branches."""

import datetime as dt

import pytest
from django.urls import reverse

from education import clock, selectors
from education.models import MeetingKind
from education.services import meetings as m
from members.models import OrgUnit
from members.models.access import Role
from members.services.access import role_grant
from tests.factories import make_unit, make_user

D = dt.date


def months(*days: dt.date) -> set[dt.date]:
    return {d.replace(day=1) for d in days}


def check(kind, held, start, end, today):
    k = selectors.kind_compliance(kind, months(*held), start, end, today)
    return k.met, k.missed, k.pending


# Calendar units ----------------------------------------------------------------------------


def test_units_at_their_edges():
    assert clock.unit_containing(clock.QUARTER, D(2025, 3, 31)) == clock.Unit(
        clock.QUARTER, D(2025, 1, 1), D(2025, 3, 31)
    )
    assert clock.unit_containing(clock.QUARTER, D(2025, 4, 1)).start == D(2025, 4, 1)
    assert clock.unit_containing(clock.MONTH, D(2024, 2, 29)).end == D(2024, 2, 29)
    assert clock.unit_containing(clock.YEAR, D(2025, 12, 31)).end == D(2025, 12, 31)
    spans = clock.units_overlapping(clock.QUARTER, D(2025, 3, 31), D(2025, 4, 1))
    assert [u.label for u in spans] == ["2025Q1", "2025Q2"]


# The arithmetic ---------------------------------------------------------------------------

Q1 = (D(2025, 1, 1), D(2025, 3, 31))


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2025, 3, 31), (0, 0, 1)),  # the quarter's last day: not over, pending
        (D(2025, 4, 1), (0, 1, 0)),  # the day after: missed
    ],
)
def test_a_quarter_is_owed_once_it_has_ended(today, expected):
    assert check(MeetingKind.GENERAL, [], *Q1, today) == expected


@pytest.mark.parametrize(
    "held_on, expected",
    [
        (D(2024, 12, 31), (0, 1, 0)),  # the day before the quarter
        (D(2025, 1, 1), (1, 0, 0)),  # its first day
        (D(2025, 3, 31), (1, 0, 0)),  # its last day
    ],
)
def test_a_general_meeting_at_the_quarters_edges(held_on, expected):
    inside = [held_on] if Q1[0] <= held_on <= Q1[1] else []  # the selector reads the period
    assert check(MeetingKind.GENERAL, inside, *Q1, D(2025, 4, 1)) == expected


def test_monthly_targets_count_each_month_once():
    # Theme days on 31 January and 1 March: February is missed, whatever January held.
    held = [D(2025, 1, 31), D(2025, 1, 15), D(2025, 3, 1)]
    k = selectors.kind_compliance(MeetingKind.THEME_DAY, months(*held), *Q1, D(2025, 4, 1))
    assert (k.met, k.missed, k.pending) == (2, 1, 0)
    assert k.missed_labels == ["2025-02"]
    # Mid-March, March is still pending.
    assert check(MeetingKind.THEME_DAY, held[:2], *Q1, D(2025, 3, 15)) == (1, 1, 1)


def test_a_partial_quarter_is_pending_unless_met():
    start, end = D(2025, 2, 1), D(2025, 6, 30)
    assert check(MeetingKind.LECTURE, [], start, end, D(2025, 7, 1)) == (0, 1, 1)
    assert check(MeetingKind.LECTURE, [D(2025, 2, 10)], start, end, D(2025, 7, 1)) == (1, 1, 0)


@pytest.mark.parametrize(
    "today, expected", [(D(2025, 12, 31), (0, 0, 1)), (D(2026, 1, 1), (0, 1, 0))]
)
def test_yearly_targets_at_the_years_edge(today, expected):
    year = (D(2025, 1, 1), D(2025, 12, 31))
    assert check(MeetingKind.ORG_LIFE, [], *year, today) == expected
    assert check(MeetingKind.APPRAISAL, [D(2025, 12, 31)], *year, today) == (1, 0, 0)


@pytest.mark.parametrize(
    "last, silent",
    [(None, True), (D(2025, 4, 14), True), (D(2025, 4, 15), False), (D(2025, 5, 15), False)],
)
def test_a_branch_is_silent_after_a_month_without_activity(last, silent):
    assert clock.is_silent(last, D(2025, 5, 15)) is silent


# Through the database and the page --------------------------------------------------------


def _meeting(unit, kind, day):
    meeting = m.meeting_plan(
        unit=unit, kind=kind, held_on=day, start_time=dt.time(0), topic="t", place="p", actor=None
    )
    return m.meeting_record(meeting=meeting, minutes="m", attendance={}, actor=None)


@pytest.mark.django_db
def test_compliance_from_records(school):
    branch = school.branch_a1
    group = make_unit("党小组", OrgUnit.Kind.GROUP, branch)
    year_ago = D(2025, 1, 1)
    for month in range(1, 13):
        _meeting(branch, MeetingKind.THEME_DAY, D(2025, month, 28))
    _meeting(group, MeetingKind.GROUP, D(2025, 2, 3))
    _meeting(branch, MeetingKind.GENERAL, D(2025, 3, 31))
    _meeting(branch, MeetingKind.GENERAL, D(2025, 4, 1))  # Q2: one in Q2, none in Q3 or Q4
    rows = selectors.compliance(
        OrgUnit.objects.filter(pk__in=[branch.pk, school.branch_b1.pk]),
        year_ago,
        D(2025, 12, 31),
        D(2026, 1, 10),
    )
    a1, b1 = rows
    kinds = {k.kind: k for k in a1.kinds}
    assert (kinds[MeetingKind.THEME_DAY].met, kinds[MeetingKind.THEME_DAY].missed) == (12, 0)
    assert (kinds[MeetingKind.GENERAL].met, kinds[MeetingKind.GENERAL].missed) == (2, 2)
    assert kinds[MeetingKind.GENERAL].held == 2
    assert kinds[MeetingKind.GROUP].applies and kinds[MeetingKind.GROUP].met == 1
    assert not a1.ok and not a1.silent and a1.last_activity == D(2025, 12, 28)
    # A branch without Party groups owes no Party group meetings; with nothing held it is silent.
    assert not {k.kind: k for k in b1.kinds}[MeetingKind.GROUP].applies
    assert b1.silent and b1.last_activity is None
    colleges = selectors.by_college(rows)
    assert [(c.college, c.branches, c.silent) for c in colleges] == [
        (school.college_a, 1, 0),
        (school.college_b, 1, 1),
    ]


@pytest.mark.django_db
def test_compliance_page_runs_the_same_queries_for_2_and_12_branches(
    school, client, django_assert_num_queries
):
    user = make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    client.force_login(user)
    url = reverse("compliance") + "?start=2025-01-01&end=2025-12-31"
    _meeting(school.branch_a1, MeetingKind.LECTURE, D(2025, 5, 5))
    client.get(url)  # warm the session and the scope
    with django_assert_num_queries(12) as small:
        response = client.get(url)
    assert response.status_code == 200
    for i in range(10):
        branch = make_unit(f"新支部{i}", OrgUnit.Kind.BRANCH, school.college_a)
        make_unit(f"小组{i}", OrgUnit.Kind.GROUP, branch)
        _meeting(branch, MeetingKind.THEME_DAY, D(2025, 6, 6))
        _meeting(branch, MeetingKind.GENERAL, D(2025, 7, 7))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    body = response.content.decode()
    assert body.count('data-unit-id="') == 12 + 1  # 12 branches, 1 college
    assert school.branch_b1.name not in body  # outside the committee's scope


def _page(client, name="compliance", unit=None):
    kwargs = {"pk": unit.pk} if unit is not None else None
    return client.get(reverse(name, kwargs=kwargs) + "?start=2025-01-01&end=2025-12-31")


def _branch_ids(response) -> list[int]:
    return [row.branch.pk for row in response.context["rows"]]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE])
def test_a_secretary_sees_the_compliance_of_their_own_branch(school, client, role):
    client.force_login(make_user("sec", role=role, unit=school.branch_a1))
    response = _page(client)
    assert response.status_code == 200
    assert _branch_ids(response) == [school.branch_a1.pk]
    body = response.content.decode()
    # The per-college overview is a report: not for record_meetings alone.
    assert 'id="college-compliance"' not in body and school.branch_b1.name not in body
    assert _branch_ids(_page(client, "compliance_unit", school.branch_a1)) == [school.branch_a1.pk]
    for outside in (school.branch_b1, school.college_a, school.school):
        assert _page(client, "compliance_unit", outside).status_code == 404


@pytest.mark.django_db
def test_report_readers_keep_the_college_overview(school, client):
    client.force_login(make_user("org", role=Role.ORGANIZER, unit=school.college_a))
    response = _page(client)
    assert 'id="college-compliance"' in response.content.decode()
    assert [c.college for c in response.context["colleges"]] == [school.college_a]
    response = _page(client, "compliance_unit", school.branch_a1)
    assert _branch_ids(response) == [school.branch_a1.pk]
    assert _page(client, "compliance_unit", school.branch_b1).status_code == 404


@pytest.mark.django_db
def test_the_overview_counts_only_branches_held_as_reports(school, client):
    """Meetings kept on one college, reports read on another: both colleges' branches are
    listed, only the reported one is rolled up."""
    user = make_user("mixed", role=Role.ORGANIZER, unit=school.college_b)
    role_grant(user=user, role=Role.BRANCH_SECRETARY, unit=school.branch_a1, actor=None)
    client.force_login(user)
    response = _page(client)
    assert set(_branch_ids(response)) == {school.branch_a1.pk, school.branch_b1.pk}
    assert [c.college for c in response.context["colleges"]] == [school.college_b]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["compliance", "compliance_unit"])
def test_compliance_is_not_for_members(school, client, name):
    client.force_login(make_user("member"))
    unit = school.branch_a1 if name == "compliance_unit" else None
    assert _page(client, name, unit).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["compliance", "compliance_unit"])
def test_the_secretarys_page_runs_the_same_queries_at_two_sizes(
    school, client, django_assert_num_queries, name
):
    client.force_login(make_user("sec", role=Role.BRANCH_SECRETARY, unit=school.branch_a1))
    unit = school.branch_a1 if name == "compliance_unit" else None
    _meeting(school.branch_a1, MeetingKind.LECTURE, D(2025, 5, 5))
    _page(client, name, unit)  # warm the session and the scope
    with django_assert_num_queries(SECRETARY_QUERIES[name]):
        assert _page(client, name, unit).status_code == 200
    for i in range(8):
        group = make_unit(f"小组{i}", OrgUnit.Kind.GROUP, school.branch_a1)
        _meeting(group, MeetingKind.GROUP, D(2025, 6, i + 1))
        _meeting(school.branch_a1, MeetingKind.THEME_DAY, D(2025, i + 1, 9))
        outside = make_unit(f"外支部{i}", OrgUnit.Kind.BRANCH, school.college_b)
        _meeting(outside, MeetingKind.GENERAL, D(2025, 7, 7))
    with django_assert_num_queries(SECRETARY_QUERIES[name]):
        response = _page(client, name, unit)
    assert _branch_ids(response) == [school.branch_a1.pk]


# The whole page (session, scope, menu and the compliance queries): one fewer than the
# committee's 12, as there is no college overview to read; the unit's page reads the unit.
SECRETARY_QUERIES = {"compliance": 11, "compliance_unit": 12}


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (dt.date(2026, 12, 31), (dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
        (dt.date(2027, 1, 1), (dt.date(2027, 1, 1), dt.date(2027, 12, 31))),
    ],
)
def test_compliance_is_read_over_the_calendar_year_by_default(today, period):
    assert clock.compliance_period(today) == period
