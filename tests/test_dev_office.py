"""The committee office's queues: who is in them, in what order, with which deadline, and
who may see them at all."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from development import clock
from development import services as s
from development.models import LocalRules, Step
from development.queues import QueueKind, office_queue
from members.models import Role
from members.services.access import role_revoke
from tests.factories import make_user
from tests.test_dev_helpers import Pipeline

pytestmark = pytest.mark.django_db
ONE = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pipe(school) -> Pipeline:
    return Pipeline(school)


def other_college(school) -> Pipeline:
    """A branch of the other college, with that college's own office deciding for it."""
    other = Pipeline(school, branch=school.branch_b1, voters=3)
    other.office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_b)
    return other


def ids(rows) -> list[int]:
    return [row.person.pk for row in rows]


# Deadlines at the boundary ------------------------------------------------------------------


def test_approval_deadline_is_three_months_after_the_meeting(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    meeting = walk.on[Step.ADMISSION_MEETING]
    due = clock.approval_due(meeting)
    assert due == clock.add_months(meeting, 3)

    before = office_queue(pipe.office, QueueKind.APPROVAL, due - ONE)
    on = office_queue(pipe.office, QueueKind.APPROVAL, due)
    after = office_queue(pipe.office, QueueKind.APPROVAL, due + ONE)
    for rows in (before, on, after):
        assert ids(rows) == [walk.person.pk]
        assert (rows[0].since, rows[0].due) == (meeting, due)
    assert (before[0].days_left, before[0].overdue, before[0].days_late) == (1, False, 0)
    assert (on[0].days_left, on[0].overdue, on[0].days_late) == (0, False, 0)
    assert (after[0].days_left, after[0].overdue, after[0].days_late) == (-1, True, 1)
    # The talk by the higher committee is done: the decision itself is awaited.
    assert on[0].awaited == Step.ADMISSION_APPROVAL


def test_special_case_gives_six_months(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    meeting = walk.on[Step.ADMISSION_MEETING]
    s.approval_special_case_record(person=walk.person, reason="党委换届", actor=pipe.office)
    due = clock.approval_due(meeting, special=True)
    assert due == clock.add_months(meeting, 6)
    three_months = clock.approval_due(meeting)

    row = office_queue(pipe.office, QueueKind.APPROVAL, three_months + ONE)[0]
    assert (row.due, row.overdue, row.special_case) == (due, False, True)
    assert row.special_reason == "党委换届"
    assert office_queue(pipe.office, QueueKind.APPROVAL, due)[0].overdue is False
    assert office_queue(pipe.office, QueueKind.APPROVAL, due + ONE)[0].days_late == 1


# Membership and order -----------------------------------------------------------------------


def test_each_queue_holds_the_people_waiting_for_it(school, pipe):
    LocalRules.objects.create(school=school.school, conversion_pre_review=True)
    pre = pipe.walk(pipe.applicant()).until(Step.PRE_REVIEW)
    talk = pipe.walk(pipe.applicant()).until(Step.HIGHER_TALK)
    conversion_pre = pipe.walk(pipe.applicant()).until(Step.CONVERSION_NOTICE)
    conversion = pipe.walk(pipe.applicant())
    conversion.until(Step.CONVERSION_APPLICATION)
    conversion.do(Step.CONVERSION_APPLICATION)
    s.conversion_pre_review_decide(
        person=conversion.person,
        on=conversion.on[Step.CONVERSION_APPLICATION] + ONE,
        passed=True,
        actor=pipe.office,
    )
    conversion.until(Step.CONVERSION_APPROVAL)
    decided = pipe.walk(pipe.applicant()).until(Step.ADMISSION_FILED)  # approved already
    today = dt.date(2026, 1, 1)

    def queue(kind):
        return office_queue(pipe.office, kind, today)

    pre_rows = queue(QueueKind.PRE_REVIEW)
    assert ids(pre_rows) == [pre.person.pk]
    assert pre_rows[0].since == pre.on[Step.BRANCH_REVIEW]
    assert (pre_rows[0].due, pre_rows[0].awaited) == (None, Step.PRE_REVIEW)

    approval_rows = queue(QueueKind.APPROVAL)
    assert ids(approval_rows) == [talk.person.pk]
    assert approval_rows[0].awaited == Step.HIGHER_TALK  # the talk comes first

    assert ids(queue(QueueKind.CONVERSION_PRE_REVIEW)) == [conversion_pre.person.pk]
    conversion_rows = queue(QueueKind.CONVERSION_APPROVAL)
    assert ids(conversion_rows) == [conversion.person.pk]
    assert conversion_rows[0].due == clock.approval_due(conversion.on[Step.CONVERSION_MEETING])
    every = {pk for kind in QueueKind for pk in ids(queue(kind))}
    assert decided.person.pk not in every


def test_most_urgent_first(pipe):
    early = pipe.walk(pipe.applicant(), start=dt.date(2021, 3, 1)).until(Step.ADMISSION_APPROVAL)
    late = pipe.walk(pipe.applicant(), start=dt.date(2021, 5, 1)).until(Step.ADMISSION_APPROVAL)
    special = pipe.walk(pipe.applicant(), start=dt.date(2021, 3, 15)).until(Step.ADMISSION_APPROVAL)
    s.approval_special_case_record(person=special.person, reason="换届", actor=pipe.office)
    rows = office_queue(pipe.office, QueueKind.APPROVAL, dt.date(2022, 6, 1))
    # Deadlines: early (3 months), late (3 months, two months later), special (6 months).
    assert [r.due for r in rows] == sorted(r.due for r in rows)
    assert ids(rows) == [early.person.pk, late.person.pk, special.person.pk]


def test_a_refused_pre_review_leaves_the_queue_until_the_next_review(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.PRE_REVIEW)
    walk.do(Step.PRE_REVIEW, passed=False)
    today = dt.date(2026, 1, 1)
    assert office_queue(pipe.office, QueueKind.PRE_REVIEW, today) == []
    walk.do(Step.BRANCH_REVIEW, on=walk.on[Step.PRE_REVIEW] + ONE)
    assert ids(office_queue(pipe.office, QueueKind.PRE_REVIEW, today)) == [walk.person.pk]


def test_a_standing_veto_shows_why_the_pre_review_cannot_pass(school, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.PRE_REVIEW)
    s.veto_raise(
        person=walk.person,
        kind="dormitory",
        on=walk.on[Step.BRANCH_REVIEW],
        raised_by="学区寝室文明检查",
        reason="“脏乱差”寝室尚未完成整治",
        actor=None,
    )
    row = office_queue(pipe.office, QueueKind.PRE_REVIEW, dt.date(2026, 1, 1))[0]
    assert any("“脏乱差”寝室尚未完成整治" in reason for reason in row.blocked)


# Who sees which queue -----------------------------------------------------------------------


def test_offices_see_their_own_committee_and_the_school_sees_all(school, pipe):
    ours = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    other = other_college(school)
    theirs = other.walk(other.applicant()).until(Step.ADMISSION_APPROVAL)
    today = dt.date(2026, 1, 1)
    assert ids(office_queue(pipe.office, QueueKind.APPROVAL, today)) == [ours.person.pk]
    assert ids(office_queue(other.office, QueueKind.APPROVAL, today)) == [theirs.person.pk]
    admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    assert set(ids(office_queue(admin, QueueKind.APPROVAL, today))) == {
        ours.person.pk,
        theirs.person.pk,
    }


@pytest.mark.parametrize(
    "role, unit_attr",
    [
        (Role.BRANCH_SECRETARY, "branch_a1"),
        (Role.BRANCH_COMMITTEE, "branch_a1"),
        (Role.ORGANIZER, "college_a"),
        # A committee office on a general branch forwards; it does not decide.
        (Role.COMMITTEE_OFFICE, "general_a"),
    ],
)
def test_users_without_approval_authority_get_404(client, school, pipe, role, unit_attr):
    pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    client.force_login(make_user(role=role, unit=getattr(school, unit_attr)))
    for kind in QueueKind:
        assert client.get(reverse("dev_queue", args=[kind])).status_code == 404


def test_a_committee_without_approval_power_has_no_queue(client, school):
    school.college_b.has_approval_power = False
    school.college_b.save(update_fields=["has_approval_power"])
    client.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_b))
    assert client.get(reverse("dev_queue", args=["approval"])).status_code == 404


def test_a_revoked_grant_loses_the_queue(client, school, pipe):
    grant = pipe.office.role_grants.get()
    client.force_login(pipe.office)
    assert client.get(reverse("dev_queue", args=["approval"])).status_code == 200
    role_revoke(grant=grant, actor=None)
    assert client.get(reverse("dev_queue", args=["approval"])).status_code == 404


def test_unknown_kind_is_404(client, pipe):
    client.force_login(pipe.office)
    assert client.get(reverse("dev_queue", args=["everything"])).status_code == 404


# The page -----------------------------------------------------------------------------------


def test_page_shows_branch_deadline_and_overdue_mark(client, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    due = clock.approval_due(walk.on[Step.ADMISSION_MEETING])
    client.force_login(pipe.office)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("dev_queue", args=["approval"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert walk.person.name in html and pipe.branch.name in html
    assert due.isoformat() in html
    days = (timezone.localdate() - due).days
    assert f"{days} days overdue" in html
    assert 'data-overdue="1"' in html
    assert reverse("dev_record", args=[walk.person.pk]) in html


def test_the_act_link_appears_only_once_the_step_form_exists(client, pipe, settings):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    client.force_login(pipe.office)
    from django.urls import NoReverseMatch
    from django.urls import reverse as rev

    try:
        expected = rev("dev_step", args=[walk.person.pk, Step.ADMISSION_APPROVAL])
    except NoReverseMatch:
        expected = None
    html = client.get(reverse("dev_queue", args=["approval"])).content.decode()
    if expected is None:
        assert "button small primary" not in html  # no broken link while a1's form is missing
    else:
        assert expected in html


# A fixed number of queries ------------------------------------------------------------------

# session + user (2); approval grants and authorised committees (2); the view_people scope
# (1, cached for the menu too); the waiting people and their files (12, load_files); the
# menu's import_people scope and the user's own person (2); the session save (3).
QUEUE_QUERIES = 23


@pytest.mark.parametrize("kind", [QueueKind.APPROVAL, QueueKind.PRE_REVIEW])
def test_queue_query_count_is_fixed(pipe, django_assert_num_queries, kind):
    stop = Step.ADMISSION_APPROVAL if kind == QueueKind.APPROVAL else Step.PRE_REVIEW
    client = Client()
    client.force_login(pipe.office)
    counts = []
    for _size in (1, 4):
        while len(office_queue(pipe.office, kind, dt.date(2026, 1, 1))) < _size:
            pipe.walk(pipe.applicant()).until(stop)
        with django_assert_num_queries(QUEUE_QUERIES) as captured:
            response = client.get(reverse("dev_queue", args=[kind]))
        assert response.status_code == 200
        assert response.content.decode().count("data-person-id=") == _size
        counts.append(len(captured))
    assert counts[0] == counts[1]
