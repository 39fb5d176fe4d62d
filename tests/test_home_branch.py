"""The branch home's queues (check-ins, leave, lapses, letters, meetings owed) and the member
home: counts for a known fixture, scope (another branch's items never counted, ?unit=
outside scope is 404), every item one click from its action, fixed queries at two sizes."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.notifications.services import notify
from education.models import (
    Checkin,
    CheckinStatus,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from education.services import checkins as checkin_services
from education.services import meetings as meeting_services
from members import lapse_clock
from members.models import LapseCase, LapseCount, LapseStatus, Role
from members.services.people import person_link_account
from partyadmin.home import branch_items
from tests.factories import make_person, make_user
from tests.transfer_helpers import make_member, start_out
from transfers import clock as transfer_clock
from transfers.models import IntroductionLetter, Retention, RetentionApplication
from transfers.services import letters as letter_services

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 2)
NOW = dt.datetime(2026, 12, 2, 10, 0)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# ---- the fixture -------------------------------------------------------------------------


def add_checkins(branch, n: int) -> list[Checkin]:
    """`n` graduates with a submitted check-in each, plus one already accepted (not counted)."""
    submitted = []
    for i in range(n + 1):
        person = make_person(branch, stage="full", whereabouts="away")
        plan = checkin_services.checkin_plan_open(
            person=person,
            category="away",
            starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2027, 6, 30),
            actor=None,
        )
        status = CheckinStatus.SUBMITTED if i < n else CheckinStatus.ACCEPTED
        submitted.append(
            Checkin.objects.create(
                plan=plan,
                kind="xuexi",
                period_index=0,
                period_start=dt.date(2026, 7, 1),
                due_on=dt.date(2026, 7, 14),
                status=status,
                submitted_at=timezone.now(),
                first_submitted_on=dt.date(2026, 7, 10),
            )
        )
    return submitted[:n]


def add_leaves(branch, n: int) -> list[LeaveRequest]:
    """`n` requests for a planned meeting, one approved and one for a cancelled meeting
    (neither counted)."""
    meeting = meeting_services.meeting_plan(
        unit=branch,
        kind=MeetingKind.THEME_DAY,
        held_on=TODAY + dt.timedelta(days=5),
        start_time=dt.time(19),
        topic="主题党日",
        place="党员之家",
        actor=None,
    )
    cancelled = Meeting.objects.create(
        unit=branch,
        branch=branch,
        kind=MeetingKind.LECTURE,
        held_on=TODAY + dt.timedelta(days=3),
        start_time=dt.time(19),
        topic="党课",
        place="教室",
        status=MeetingStatus.CANCELLED,
    )
    leaves = [
        LeaveRequest.objects.create(meeting=meeting, person=make_person(branch), reason="实习")
        for _ in range(n)
    ]
    LeaveRequest.objects.create(
        meeting=meeting, person=make_person(branch), reason="病假", status=LeaveStatus.APPROVED
    )
    LeaveRequest.objects.create(meeting=cancelled, person=make_person(branch), reason="出差")
    return leaves


def add_lapses(branch, n: int) -> tuple[list[LapseCase], list[LapseCase]]:
    """`n` five-month warnings, `n` cases past six months (lapsed, or a step taken), and one
    closed case (not counted)."""

    def case(status, gap_months: int, closed: bool = False) -> LapseCase:
        gap = dt.date(2026, 12 - gap_months, 1)
        return LapseCase.objects.create(
            person=make_person(branch, stage="full"),
            count=LapseCount.DUES,
            gap_since=gap,
            lapses_on=lapse_clock.reaches(gap, lapse_clock.LAPSE_MONTHS),
            status=status,
            opened_on=TODAY - dt.timedelta(days=10),
            closed_at=timezone.now() if closed else None,
        )

    warnings = [case(LapseStatus.WARNING, 5) for _ in range(n)]
    cases = [case(LapseStatus.LAPSED if i % 2 == 0 else LapseStatus.NOTICE, 7) for i in range(n)]
    case(LapseStatus.CLOSED, 7, closed=True)
    return warnings, cases


def age(letter: IntroductionLetter, days_ago: int) -> None:
    """Move a letter back in time (a fixture only), its dates from transfers' clock."""
    issued = TODAY - dt.timedelta(days=days_ago)
    until = transfer_clock.letter_valid_until(issued, letter.validity_days)
    IntroductionLetter.objects.filter(pk=letter.pk).update(
        issued_on=issued, valid_until=until, receipt_due=transfer_clock.receipt_due(until)
    )


def add_letters(branch, n: int) -> tuple[list, list]:
    """`n` letters still within their month for the receipt and `n` overdue ones."""
    fresh, overdue = [], []
    for i in range(2 * n):
        transfer = start_out(make_member(branch, f"转出{branch.pk}-{i}"))
        letter = letter_services.letter_issue(transfer=transfer, validity_days=30, actor=None)
        if i % 2:
            age(letter, 30 + 40)  # valid 30 days, then a month for the receipt: overdue
            overdue.append(letter)
        else:
            fresh.append(letter)
    return fresh, overdue


def hold(branch, kind: str, on: dt.date) -> Meeting:
    return Meeting.objects.create(
        unit=branch,
        branch=branch,
        kind=kind,
        held_on=on,
        start_time=dt.time(19),
        topic="已召开",
        place="党员之家",
        status=MeetingStatus.HELD,
    )


class Work:
    """Every family of the branch home in one branch, `n` counted items each."""

    def __init__(self, branch, n: int = 1) -> None:
        self.checkins = add_checkins(branch, n)
        self.leaves = add_leaves(branch, n)
        self.warnings, self.cases = add_lapses(branch, n)
        self.fresh_letters, self.overdue_letters = add_letters(branch, n)


# On 2 December 2026 with nothing held: monthly targets (committee, theme day) missed
# January–November, quarterly ones (general meeting, lecture) Q1–Q3; the yearly ones and
# December and Q4 still pending. A theme day held in March takes one month off.
MISSED_WITH_ONE_THEME_DAY = 11 + 10 + 3 + 3


def figure(html: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}">(\d+)<', html).group(1))


def secretary_of(branch):
    return make_user(role=Role.BRANCH_SECRETARY, unit=branch)


# ---- the figures -------------------------------------------------------------------------


def test_branch_home_counts_each_family_for_its_branch_only(client, school):
    mine = Work(school.branch_a1, n=2)
    Work(school.branch_b1, n=1)  # another college's branch: never counted
    Work(school.branch_a2, n=1)  # a sibling branch under the same college: not counted either
    hold(school.branch_a1, MeetingKind.THEME_DAY, dt.date(2026, 3, 10))
    client.force_login(secretary_of(school.branch_a1))
    response = client.get(reverse("home_branch"))
    html = response.content.decode()
    assert figure(html, "checkins") == 2
    # the three graduates' plans started in July with one check-in each: all are late
    assert figure(html, "checkins-late") == 3
    assert figure(html, "leaves") == 2
    assert figure(html, "lapse-warnings") == 2
    assert figure(html, "lapse-cases") == 2
    assert figure(html, "letters-waiting") == 4
    assert figure(html, "letters-overdue") == 2
    assert figure(html, "meetings-missed") == MISSED_WITH_ONE_THEME_DAY
    listed = {int(i) for i in re.findall(r'data-checkin-id="(\d+)"', html)}
    assert listed == {c.pk for c in mine.checkins}
    overdue = set(map(int, re.findall(r'data-letter-id="(\d+)"[^>]*data-overdue="true"', html)))
    assert overdue == {letter.pk for letter in mine.overdue_letters}


def test_late_check_ins_count_graduates_behind_and_open_their_plan(client, school):
    behind = add_checkins(school.branch_a1, 1)[0].plan
    on_time = checkin_services.checkin_plan_open(  # nothing of theirs has fallen due yet
        person=make_person(school.branch_a1, stage="full", whereabouts="away"),
        category="away",
        starts_on=TODAY,
        ends_on=dt.date(2027, 11, 30),
        actor=None,
    )
    client.force_login(secretary_of(school.branch_a1))
    html = client.get(reverse("home_branch")).content.decode()
    listed = {int(i) for i in re.findall(r'data-plan-id="(\d+)"', html)}
    assert behind.pk in listed and on_time.pk not in listed
    assert figure(html, "checkins-late") == len(listed) == 2  # the accepted one's plan too
    assert reverse("checkin_plan_detail", kwargs={"pk": behind.pk}) in html


def test_every_item_is_one_click_from_its_action(client, school):
    work = Work(school.branch_a1)
    client.force_login(secretary_of(school.branch_a1))
    html = client.get(reverse("home_branch")).content.decode()
    assert reverse("checkin_review", args=[work.checkins[0].pk]) in html
    assert reverse("meeting_detail", args=[work.leaves[0].meeting_id]) + "#leaves" in html
    assert reverse("lapse_case_detail", args=[work.warnings[0].pk]) in html
    assert reverse("lapse_case_detail", args=[work.cases[0].pk]) in html
    assert reverse("letter_receipt", args=[work.overdue_letters[0].pk]) in html
    assert reverse("meeting_create") in html
    # Each figure opens the list of its items on the page.
    for anchor in (
        "checkins",
        "leaves",
        "lapse-warnings",
        "lapse-cases",
        "letters",
        "meetings-owed",
    ):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    # …and the action pages open for the secretary.
    for url in (
        reverse("checkin_review", args=[work.checkins[0].pk]),
        reverse("meeting_detail", args=[work.leaves[0].meeting_id]),
        reverse("lapse_case_detail", args=[work.cases[0].pk]),
        reverse("letter_receipt", args=[work.overdue_letters[0].pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_out_of_scope_unit_is_404_and_an_office_sees_each_branch(client, school):
    Work(school.branch_a2, n=1)
    client.force_login(secretary_of(school.branch_a1))
    assert client.get(reverse("home_branch"), {"unit": school.branch_a2.pk}).status_code == 404
    assert client.get(reverse("home_branch"), {"unit": school.branch_b1.pk}).status_code == 404
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    client.force_login(office)
    html = client.get(reverse("home_branch"), {"unit": school.branch_a2.pk}).content.decode()
    assert figure(html, "checkins") == 1 and figure(html, "letters-overdue") == 1
    html = client.get(reverse("home_branch"), {"unit": school.branch_a1.pk}).content.decode()
    assert figure(html, "checkins") == 0 and figure(html, "lapse-warnings") == 0


def test_a_branch_committee_member_sees_only_the_queues_they_keep(client, school):
    Work(school.branch_a1)
    client.force_login(make_user(role=Role.BRANCH_COMMITTEE, unit=school.branch_a1))
    html = client.get(reverse("home_branch")).content.decode()
    assert figure(html, "checkins") == 1 and figure(html, "leaves") == 1
    assert 'data-figure="lapse-warnings"' not in html  # handle_lapses is the secretary's
    assert 'data-figure="letters-waiting"' not in html  # so are transfers


def test_the_list_is_capped_but_the_figure_is_the_full_count(school):
    add_checkins(school.branch_a1, 3)
    family = branch_items._family(
        Checkin.objects.filter(status=CheckinStatus.SUBMITTED).order_by("id"), limit=2
    )
    assert family.total == 3 and len(family.items) == 2 and family.more == 1
    family = branch_items.checkins_to_review(secretary_of(school.branch_a1), school.branch_a1)
    assert family.total == 3 and len(family.items) == 3 and family.more == 0


def test_meetings_owed_follow_the_calendar_boundaries(school):
    """A month is missed from the day after it ends, not on its last day."""
    branch = school.branch_a1
    on_last_day = branch_items.compliance(branch, dt.date(2026, 1, 31))
    assert on_last_day.missed == 0
    day_after = branch_items.compliance(branch, dt.date(2026, 2, 1))
    assert {k.kind: k.missed for k in day_after.kinds if k.missed} == {
        MeetingKind.COMMITTEE: ["2026-01"],
        MeetingKind.THEME_DAY: ["2026-01"],
    }
    hold(branch, MeetingKind.THEME_DAY, dt.date(2026, 1, 31))
    assert branch_items.compliance(branch, dt.date(2026, 2, 1)).missed == 1


def test_the_compliance_chart_holds_the_same_numbers(client, school):
    hold(school.branch_a1, MeetingKind.THEME_DAY, dt.date(2026, 3, 10))
    client.force_login(secretary_of(school.branch_a1))
    response = client.get(reverse("home_branch"))
    html = response.content.decode()
    assert 'data-chart="compliance-chart-data"' in html and "echarts.common.min.js" in html
    chart = json.loads(re.search(r'id="compliance-chart-data">(.*?)</script>', html, re.S).group(1))
    held, missed, pending = (s["data"] for s in chart["option"]["series"])
    kinds = [k.kind for k in response.context["compliance"].kinds]
    theme_day = kinds.index(MeetingKind.THEME_DAY)
    assert held[theme_day] == 1 and missed[theme_day] == 10 and pending[theme_day] == 1
    assert sum(missed) == MISSED_WITH_ONE_THEME_DAY
    # Party group meetings are owed only by a branch with Party groups: not charted here.
    assert MeetingKind.GROUP not in kinds
    assert chart["links"][1][0] == reverse("meeting_create") and chart["links"][0] == []


def test_lapse_warnings_and_cases_split_by_status(school):
    warnings, cases = add_lapses(school.branch_a1, 2)
    found = branch_items.lapses(secretary_of(school.branch_a1), school.branch_a1)
    assert [c.pk for c in found.warnings.items] == [c.pk for c in warnings]
    assert {c.pk for c in found.cases.items} == {c.pk for c in cases}


def test_lapse_lists_are_capped_per_family_but_count_everything(school, monkeypatch):
    monkeypatch.setattr(branch_items, "ITEM_LIMIT", 2)
    warnings, cases = add_lapses(school.branch_a1, 3)
    found = branch_items.lapses(secretary_of(school.branch_a1), school.branch_a1)
    assert (found.warnings.total, len(found.warnings.items)) == (3, 2)
    assert found.cases.total == len(cases) and len(found.cases.items) == 2
    soonest = sorted(warnings, key=lambda c: (c.lapses_on, c.pk))[:2]
    assert [c.pk for c in found.warnings.items] == [c.pk for c in soonest]


def test_letter_lists_are_capped_but_count_everything(school, monkeypatch):
    monkeypatch.setattr(branch_items, "ITEM_LIMIT", 3)
    fresh, overdue = add_letters(school.branch_a1, 2)
    found = branch_items.letters(secretary_of(school.branch_a1), school.branch_a1, TODAY)
    assert (found.waiting.total, found.overdue.total) == (4, 2)
    assert len(found.waiting.items) == 3  # the two overdue ones first: their receipt is due
    assert {x.pk for x in found.overdue.items} == {x.pk for x in overdue}
    assert {x.pk for x in found.waiting.items} > {x.pk for x in overdue}


def test_letter_overdue_on_the_day_after_the_receipt_month(school):
    fresh, _overdue = add_letters(school.branch_a1, 1)
    letter = fresh[0]
    user = secretary_of(school.branch_a1)
    age(letter, 0)
    letter.refresh_from_db()
    due = letter.receipt_due
    day_after = due + dt.timedelta(days=1)
    assert branch_items.letters(user, school.branch_a1, due).overdue.total == 1  # the other
    assert branch_items.letters(user, school.branch_a1, day_after).overdue.total == 2


# ---- fixed queries -----------------------------------------------------------------------


def test_branch_home_runs_a_fixed_number_of_queries(client, school):
    secretary = secretary_of(school.branch_a1)
    client.force_login(secretary)
    url = reverse("home_branch")
    client.get(url)  # warm the session
    Work(school.branch_a1, n=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    Work(school.branch_a1, n=4)
    hold(school.branch_a1, MeetingKind.LECTURE, dt.date(2026, 5, 5))
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert figure(html, "checkins") == 5
    assert len(small) == len(large) == BRANCH_HOME_QUERIES


# The 24 of tests/test_home.py (session, user, scope, homes, units, the pipeline's due list
# and stage counts), then one query per family: check-ins, late check-ins, leave, lapse
# cases, letters; and
# education's compliance for the branch (three: the branches with their last activity,
# meetings per month and kind, Party groups).
BRANCH_HOME_QUERIES = 24 + 5 + 3


# ---- the member's home -------------------------------------------------------------------


@pytest.fixture
def graduate(school):
    person = make_person(school.branch_a1, "毕业生甲", stage="full", whereabouts="away")
    user = make_user("grad")
    person_link_account(person=person, user=user, actor=None)
    person.refresh_from_db()
    return person


def open_plan(person):
    return checkin_services.checkin_plan_open(
        person=person,
        category="away",
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2027, 9, 30),
        actor=None,
    )


def returned_study_report(plan) -> Checkin:
    """December's study report, sent back with a reason (due at the end of the month)."""
    return Checkin.objects.create(
        plan=plan,
        kind="study_report",
        period_index=2,
        period_start=dt.date(2026, 12, 1),
        due_on=dt.date(2026, 12, 31),
        status=CheckinStatus.RETURNED,
        return_reason="截图不清楚",
        submitted_at=timezone.now(),
        first_submitted_on=dt.date(2026, 12, 1),
    )


def test_member_home_lists_what_to_upload_and_by_when(client, school, graduate):
    plan = open_plan(graduate)
    returned_study_report(plan)
    client.force_login(graduate.user)
    response = client.get(reverse("my_record"))
    html = response.content.decode()
    todo = response.context["checkins_todo"]
    # Sent back first, then late, then due.
    assert todo[0].state == "returned" and todo[0].return_reason == "截图不清楚"
    assert todo[0].due_on == dt.date(2026, 12, 31)
    states = [t.state for t in todo]
    assert states == sorted(states, key=["returned", "late", "due"].index)
    # xuexi every two weeks from 1 Oct: four periods ended by 2 Dec, the fifth due 9 Dec.
    xuexi = [t for t in todo if t.kind == "xuexi"]
    assert [t.state for t in xuexi] == ["late"] * 4 + ["due"]
    assert xuexi[-1].due_on == dt.date(2026, 12, 9)
    assert f'href="{reverse("checkin_mine")}#board-xuexi"' in html
    assert 'id="my-checkins"' in html and "截图不清楚" in html


def test_member_home_shows_a_returned_retention_application_and_notifications(
    client, school, graduate
):
    application = RetentionApplication.objects.create(
        person=graduate, unit=school.branch_a1, status="returned"
    )
    RetentionApplication.objects.create(person=graduate, unit=school.branch_a1, status="rejected")
    for i in range(7):
        notify(
            user_ids=[graduate.user_id],
            key=f"test-{i}",
            kind="probation_ending",
            subject="x",
            due_on=TODAY,
        )
    client.force_login(graduate.user)
    response = client.get(reverse("my_record"))
    html = response.content.decode()
    assert [a.pk for a in response.context["applications_todo"]] == [application.pk]
    assert reverse("retention_edit", args=[application.pk]) in html
    assert len(response.context["latest_notifications"]) == 5
    client.cookies["django_language"] = "en"
    html = client.get(reverse("my_record")).content.decode()
    assert "x: probation ends on 2026-12-02" in html  # worded by its kind, in English here
    assert html.count('class="notification-item') == 5
    assert reverse("notification_list") in html


@pytest.mark.parametrize(
    "ends_on, state",
    [
        (dt.date(2027, 1, 3), "running"),  # apply-by is 3 December: tomorrow
        (dt.date(2027, 1, 2), "apply_now"),  # apply-by is today
        (dt.date(2026, 12, 2), "apply_now"),  # the deadline itself
        (dt.date(2026, 12, 1), "expired"),  # the day after the deadline
    ],
)
def test_member_home_shows_the_retention_deadline(client, school, graduate, ends_on, state):
    application = RetentionApplication.objects.create(
        person=graduate, unit=school.branch_a1, status="approved"
    )
    Retention.objects.create(
        person=graduate,
        application=application,
        branch=school.branch_a1,
        contact_person=make_person(school.branch_a1, stage="full"),
        category="away",
        starts_on=dt.date(2025, 7, 1),
        ends_on=ends_on,
        transfer_apply_by=transfer_clock.transfer_apply_by(ends_on),
    )
    client.force_login(graduate.user)
    response = client.get(reverse("my_record"))
    assert response.context["retention"].state == state
    assert f'id="my-retention" data-state="{state}"' in response.content.decode()
    assert response.context["applications_todo"] == []  # an approved one is not to finish


def test_member_home_someone_elses_items_never_show(client, school, graduate):
    other = make_person(school.branch_a1, stage="full", whereabouts="away")
    open_plan(other)
    RetentionApplication.objects.create(person=other, unit=school.branch_a1, status="draft")
    notify(
        user_ids=[make_user().pk], key="other", kind="probation_ending", subject="x", due_on=TODAY
    )
    client.force_login(graduate.user)
    response = client.get(reverse("my_record"))
    assert response.context["checkins_todo"] == []
    assert response.context["applications_todo"] == []
    assert response.context["retention"] is None
    assert response.context["latest_notifications"] == []


def test_member_home_runs_a_fixed_number_of_queries(client, school, graduate):
    client.force_login(graduate.user)
    url = reverse("my_record")
    client.get(url)
    plan = open_plan(graduate)

    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            Checkin.objects.create(
                plan=plan,
                kind="xuexi",
                period_index=i,
                period_start=plan.starts_on + dt.timedelta(days=14 * i),
                due_on=plan.starts_on + dt.timedelta(days=14 * i + 13),
                status=CheckinStatus.SUBMITTED,
                submitted_at=timezone.now(),
                first_submitted_on=TODAY,
            )
            notify(
                user_ids=[graduate.user_id],
                key=f"grow-{i}",
                kind="probation_ending",
                subject="x",
                due_on=TODAY,
            )
            RetentionApplication.objects.create(
                person=graduate, unit=school.branch_a1, status="rejected"
            )

    grow(1, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(3, 1)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large) == MEMBER_HOME_QUERIES


# The record page as it was (24: session, user, scope, the header's unread count, the
# record, its development panel, lapse cases, facts, posts, history), plus four: the open
# plan, its check-ins, the applications to finish, the retention, the latest notifications.
MEMBER_HOME_QUERIES = 24 + 5
