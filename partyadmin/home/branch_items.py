"""What a branch must act on, for the branch home, and what a member must do, for theirs.

Each family of items is one query whatever the branch's size: the rows the page lists (at
most ITEM_LIMIT) carry the family's total as a window count, so the figure and the list come
from the same statement. Every query is scoped twice: to the viewer's grants for the
permission the action needs (the app's own scoping selector where one exists), and to the
branch's subtree. A viewer without the permission on the branch gets no family at all.

Some of these belong in their apps and are here only because those apps were being edited
at the same time; each says so ("owner:") so they can be moved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse

from education import clock as education_clock
from education.models import (
    TARGETS,
    Checkin,
    CheckinPlan,
    LeaveRequest,
    LeaveStatus,
    MeetingKind,
    MeetingStatus,
    PlanStatus,
)
from education.selectors import checkins as checkin_selectors
from education.selectors import life as life_selectors
from members.models import LapseCase, LapseStatus, OrgUnit, Person
from members.scoping import has_unit_perm
from transfers import clock as transfer_clock
from transfers import selectors as transfer_selectors
from transfers.models import LetterStatus, Retention, RetentionApplication
from transfers.models.retention import EDITABLE_STATUSES

ITEM_LIMIT = 20  # rows listed per family; the figure is always the full count
NOTIFICATIONS_SHOWN = 5


@dataclass
class Family:
    """A figure of the branch home and the items behind it, each with its action."""

    total: int = 0
    items: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


def _family(queryset: QuerySet, limit: int = ITEM_LIMIT) -> Family:
    """The first `limit` rows and the total, in one query (a window count over the rows)."""
    rows = list(queryset.annotate(family_total=Window(Count("id")))[:limit])
    return Family(total=rows[0].family_total if rows else 0, items=rows)


def in_branch(unit: OrgUnit, field_name: str) -> dict:
    return {f"{field_name}__startswith": unit.path}


# ---- check-ins -----------------------------------------------------------------------------


def checkins_to_review(user, unit: OrgUnit) -> Family | None:
    """Submitted check-ins of the branch's graduates waiting for review, the oldest first
    (education's own review queue, narrowed to the branch)."""
    if not has_unit_perm(user, checkin_selectors.REVIEW_PERM, unit):
        return None
    queue = checkin_selectors.review_queue(user).filter(
        **in_branch(unit, "plan__person__unit__path")
    )
    family = _family(queue)
    for checkin in family.items:
        checkin.action_url = reverse("checkin_review", kwargs={"pk": checkin.pk})
    return family


def checkins_late(user, unit: OrgUnit, today: dt.date) -> Family | None:
    """The branch's retained graduates with check-ins past their due date (education's own
    late count, done by the database), the most behind first; each opens their plan."""
    if not has_unit_perm(user, checkin_selectors.REVIEW_PERM, unit):
        return None
    plans = (
        checkin_selectors.with_late(checkin_selectors.open_plans(user), today)
        .filter(r_late__gt=0, **in_branch(unit, "person__unit__path"))
        .order_by("-r_late", "person__name", "pk")
    )
    family = _family(plans)
    for plan in family.items:
        plan.late_kinds = checkin_selectors.late_kinds(plan)
        plan.action_url = reverse("checkin_plan_detail", kwargs={"pk": plan.pk})
    return family


# ---- leave ---------------------------------------------------------------------------------

RECORD_PERM = "record_meetings"


def leave_awaiting_decision(user, unit: OrgUnit) -> Family | None:
    """Leave asked for planned meetings of the branch (or its Party groups), not yet decided;
    the nearest meeting first. Owner: education.selectors.life (a `leave_pending` beside
    `leave_register`)."""
    if not has_unit_perm(user, RECORD_PERM, unit):
        return None
    meetings = life_selectors.meetings_for(user, RECORD_PERM).filter(
        **in_branch(unit, "unit__path"), status=MeetingStatus.PLANNED
    )
    leaves = (
        LeaveRequest.objects.filter(
            meeting__in=meetings.values("pk"),
            status=LeaveStatus.REQUESTED,
            person__removed_at__isnull=True,
        )
        .select_related("meeting", "person")
        .order_by("meeting__held_on", "meeting__start_time", "requested_at", "id")
    )
    family = _family(leaves)
    for leave in family.items:
        leave.action_url = reverse("meeting_detail", kwargs={"pk": leave.meeting_id}) + "#leaves"
    return family


# ---- lapses --------------------------------------------------------------------------------

LAPSE_PERM = "handle_lapses"


@dataclass
class Lapses:
    warnings: Family
    cases: Family


def lapses(user, unit: OrgUnit) -> Lapses | None:
    """Open lapse cases of the branch's members, in one query: five-month warnings (the
    branch can still act first) apart from cases past six months or already escalated, each
    ordered by the day its six months come. Only the first ITEM_LIMIT of each come back,
    with each family's total beside them (window functions), whatever the branch's size."""
    if not has_unit_perm(user, LAPSE_PERM, unit):
        return None
    warning = Case(
        When(status=LapseStatus.WARNING, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = (
        LapseCase.objects.restrict(user, LAPSE_PERM)
        .open()
        .filter(**in_branch(unit, "person__unit__path"), person__removed_at__isnull=True)
        .annotate(
            is_warning=warning,
            family_total=Window(Count("id"), partition_by=[warning]),
            place=Window(RowNumber(), partition_by=[warning], order_by=["lapses_on", "id"]),
        )
        .filter(place__lte=ITEM_LIMIT)
        .select_related("person")
        .order_by("lapses_on", "id")
    )
    warnings, cases = Family(), Family()
    for case in rows:
        case.action_url = reverse("lapse_case_detail", kwargs={"pk": case.pk})
        family = warnings if case.is_warning else cases
        family.total = case.family_total
        family.items.append(case)
    return Lapses(warnings=warnings, cases=cases)


# ---- letters -------------------------------------------------------------------------------

TRANSFER_PERM = "manage_transfers"


@dataclass
class Letters:
    waiting: Family  # issued, the receipt not yet registered
    overdue: Family  # of those, past the month the receiving committee has


def letters(user, unit: OrgUnit, today: dt.date) -> Letters | None:
    """Introduction letters of the branch's transfers waiting for their receipt, the
    receipt due soonest first, in one query of at most ITEM_LIMIT rows: both totals come
    as window counts, and since overdue means a receipt_due already past, the overdue
    letters are the first rows (transfers.selectors.overdue_q is the rule)."""
    if not has_unit_perm(user, TRANSFER_PERM, unit):
        return None
    overdue = Case(
        When(transfer_selectors.overdue_q(today), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = list(
        transfer_selectors.letters_for(user, TRANSFER_PERM)
        .filter(**in_branch(unit, "transfer__unit__path"), status=LetterStatus.ISSUED)
        .annotate(
            is_overdue=overdue,
            family_total=Window(Count("id")),
            overdue_total=Window(Sum(overdue)),
        )
        .select_related("transfer")
        .order_by("receipt_due", "id")[:ITEM_LIMIT]
    )
    result = Letters(waiting=Family(), overdue=Family())
    for letter in rows:
        letter.action_url = reverse("letter_receipt", kwargs={"pk": letter.pk})
        letter.overdue = bool(letter.is_overdue)
        result.waiting.total, result.overdue.total = letter.family_total, letter.overdue_total
        result.waiting.items.append(letter)
        if letter.overdue:
            result.overdue.items.append(letter)
    return result


# ---- meetings against the frequency targets -----------------------------------------------


@dataclass
class MissingMeeting:
    kind: str
    label: str
    missed: list[str]  # the calendar units that ended without the meeting
    pending: int  # units of the period not over yet and not yet held
    met: int = 0  # units in which it was held


@dataclass
class Compliance:
    start: dt.date
    end: dt.date
    kinds: list[MissingMeeting]
    silent: bool
    last_activity: dt.date | None

    @property
    def missed(self) -> int:
        return sum(len(k.missed) for k in self.kinds)

    @property
    def owed(self) -> list[MissingMeeting]:
        """The kinds with a meeting missed or still to hold, the most missed first."""
        owed = [k for k in self.kinds if k.missed or k.pending]
        return sorted(owed, key=lambda k: (-len(k.missed), list(TARGETS).index(k.kind)))


def compliance(unit: OrgUnit, today: dt.date) -> Compliance | None:
    """The branch against the frequency targets this year (education's compliance, four
    queries): the meetings it missed and those still to hold. Only a branch has targets."""
    if unit.kind != OrgUnit.Kind.BRANCH:
        return None
    start, end = education_clock.compliance_period(today)
    row = life_selectors.compliance(OrgUnit.objects.filter(pk=unit.pk), start, end, today)[0]
    kinds = [
        MissingMeeting(
            kind=k.kind,
            label=str(MeetingKind(k.kind).label),
            missed=list(k.missed_labels),
            pending=k.pending,
            met=k.met,
        )
        for k in row.kinds
        if k.applies
    ]
    return Compliance(start, end, kinds, row.silent, row.last_activity)


# ---- the member's own home ----------------------------------------------------------------


@dataclass
class CheckinTodo:
    kind: str
    kind_label: str
    state: str
    state_label: str
    due_on: dt.date
    return_reason: str
    url: str


def my_checkins(person: Person, today: dt.date) -> list[CheckinTodo]:
    """What the graduate must upload now, from their open plan: sent-back and late ones
    first, then what is due, each with its due date and the upload form (two queries).
    Owner: education.selectors.checkins (a `todo_for(person, day)` beside `plan_board`)."""
    plan = CheckinPlan.objects.filter(person=person, status=PlanStatus.OPEN).first()
    if plan is None:
        return []
    checkins = list(
        Checkin.objects.filter(plan=plan).only(
            "plan_id", "kind", "period_index", "status", "return_reason"
        )
    )
    order = {
        checkin_selectors.State.RETURNED: 0,
        checkin_selectors.State.LATE: 1,
        checkin_selectors.State.DUE: 2,
    }
    todo = []
    for board in checkin_selectors.plan_board(plan, checkins, today):
        for slot in board.open_slots:
            todo.append(
                CheckinTodo(
                    kind=board.kind,
                    kind_label=board.label,
                    state=slot.state,
                    state_label=slot.label,
                    due_on=slot.period.due,
                    return_reason=slot.checkin.return_reason if slot.checkin else "",
                    url=reverse("checkin_mine") + f"#board-{board.kind}",
                )
            )
    return sorted(todo, key=lambda t: (order[t.state], t.due_on))


def my_open_applications(person: Person) -> list[RetentionApplication]:
    """The graduate's retention applications they must finish: drafts and returned ones
    (one query). Owner: transfers.selectors.retention."""
    applications = list(
        RetentionApplication.objects.filter(person=person, status__in=EDITABLE_STATUSES).order_by(
            "-id"
        )
    )
    for application in applications:
        application.action_url = reverse("retention_edit", kwargs={"pk": application.pk})
    return applications


def my_retention(person: Person, today: dt.date) -> Retention | None:
    """The graduate's active retention with its deadline state from transfers' clock
    (running / apply to transfer out now / expired), one query. Owner: transfers.selectors."""
    retention = Retention.objects.filter(person=person, status=Retention.Status.ACTIVE).first()
    if retention is not None:
        retention.state = transfer_clock.deadline_state(retention.ends_on, today)
    return retention


def my_notifications(user) -> list:
    """The latest notifications, each worded in the reader's language (one query; the unread
    count is the header's). Owner: core.notifications."""
    from core.models import Notification
    from core.notifications.registry import kind_of

    latest = list(
        Notification.objects.filter(user_id=user.pk).order_by("-created_at", "-id")[
            :NOTIFICATIONS_SHOWN
        ]
    )
    for n in latest:
        n.text = kind_of(n.kind).render(n.subject, n.due_on)
    return latest


def member_home(user, person: Person, today: dt.date) -> dict:
    """What the member's own page adds for their home: check-ins to upload, applications
    to finish, the retention deadline and the latest notifications (five queries; none for
    a removed record)."""
    if person.removed_at is not None:
        return {
            "checkins_todo": [],
            "applications_todo": [],
            "retention": None,
            "latest_notifications": [],
        }
    return {
        "checkins_todo": my_checkins(person, today),
        "applications_todo": my_open_applications(person),
        "retention": my_retention(person, today),
        "latest_notifications": my_notifications(user),
    }
