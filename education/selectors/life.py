"""Read side of branch life: who is expected at a meeting, the compliance of branches with
the frequency targets, the leave register, hours per person, the "five ones".

Every list here runs a fixed number of queries whatever the number of branches, meetings or
people: rows are aggregated in the database and joined in Python, never one query per row.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth
from django.utils import timezone

from education import clock
from education.models import (
    ORG_LIFE_KINDS,
    TARGETS,
    Attendance,
    AttendanceStatus,
    Checkin,
    CheckinStatus,
    DuesPayment,
    FiveOne,
    FiveOnesRecord,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    TrainingResult,
    VolunteerService,
)
from members.models import BranchPost, OrgUnit, Person
from members.models.people import MEMBER_STAGES
from members.scoping import scope_q


def members_of(unit: OrgUnit) -> QuerySet[Person]:
    """Probationary and full members of `unit`'s subtree (a branch and its Party groups)."""
    return Person.objects.filter(
        unit__path__startswith=unit.path, stage__in=MEMBER_STAGES, removed_at__isnull=True
    )


def expected_attendees(meeting: Meeting) -> QuerySet[Person]:
    """Who should attend: the branch committee for a committee meeting (every member while
    the branch has no committee on record), otherwise every member of the unit."""
    people = members_of(meeting.unit)
    if meeting.kind == MeetingKind.COMMITTEE:
        seats = BranchPost.objects.filter(
            Q(term_end__isnull=True) | Q(term_end__gte=meeting.held_on),
            unit_id=meeting.branch_id,
            term_start__lte=meeting.held_on,
        ).values("person_id")
        if seats.exists():
            people = people.filter(pk__in=seats)
    return people.order_by("name", "pk")


def meetings_for(user, perm: str = "view_people") -> QuerySet[Meeting]:
    return Meeting.objects.filter(scope_q(user, perm, field="unit__path"))


def upcoming_for_member(person: Person, today: dt.date) -> QuerySet[Meeting]:
    """Planned meetings of the member's branch (and group) from today on."""
    ancestor_ids = person.unit.ancestor_ids
    current = BranchPost.objects.filter(
        Q(term_end__isnull=True) | Q(term_end__gte=today), term_start__lte=today
    )
    # A committee meeting is the committee's (as in expected_attendees): shown to members
    # who hold a seat, or to everyone while the branch has no committee on record.
    not_theirs = (
        Q(kind=MeetingKind.COMMITTEE)
        & Q(branch_id__in=current.values("unit_id"))
        & ~Q(branch_id__in=current.filter(person_id=person.pk).values("unit_id"))
    )
    return (
        Meeting.objects.filter(
            unit_id__in=ancestor_ids, status=MeetingStatus.PLANNED, held_on__gte=today
        )
        .exclude(not_theirs)
        .order_by("held_on", "start_time")
    )


# Compliance --------------------------------------------------------------------------------


@dataclass
class KindCompliance:
    kind: str
    unit_kind: str
    met: int = 0
    missed: int = 0
    pending: int = 0
    held: int = 0
    applies: bool = True
    missed_labels: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.missed == 0

    @property
    def due(self) -> int:
        return self.met + self.missed


@dataclass
class BranchCompliance:
    branch: OrgUnit
    kinds: list[KindCompliance]
    last_activity: dt.date | None
    silent: bool

    @property
    def ok(self) -> bool:
        return all(k.ok for k in self.kinds if k.applies)

    @property
    def missed(self) -> int:
        return sum(k.missed for k in self.kinds if k.applies)


def kind_compliance(
    kind: str, months_held: set[dt.date], start: dt.date, end: dt.date, today: dt.date
) -> KindCompliance:
    """One kind's target over [start, end]: `months_held` are the first days of the months
    in which it was held inside the period."""
    unit_kind = TARGETS[kind]
    result = KindCompliance(kind=kind, unit_kind=unit_kind)
    for unit in clock.units_overlapping(unit_kind, start, end):
        if any(unit.start <= month <= unit.end for month in months_held):
            result.met += 1
        elif clock.is_due(unit, start, end, today):
            result.missed += 1
            result.missed_labels.append(unit.label)
        else:
            result.pending += 1
    return result


# What counts as activity for the silent-branch mark (DESIGN §6: "a branch with no activity
# for a month deserves a warning of its own"). DESIGN §5 names three things a branch's life is
# made of, and each leaves a dated record:
# - a meeting held (三会一课, theme days and the rest), on the day it was held;
# - a graduate's check-in that stands sent or accepted, on the day it was (last) sent: for
#   retained and away graduates this *is* their organizational life (seed 000). A check-in
#   sent back does not count: the branch found it was not what was asked, and it counts
#   again from the day it is sent anew;
# - a dues payment of one of the branch's members, on the day it was paid: collecting dues
#   month by month is the branch's work (DESIGN §5, 2008 rules).
# Planned or cancelled meetings, leave requests and records dated after today are not
# activity. People count for the branch they are in now (their unit, or a Party group of it).
ACTIVE_CHECKINS = (CheckinStatus.SUBMITTED, CheckinStatus.ACCEPTED)


def _meetings_of_branch(today: dt.date) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        branch_id=OuterRef("pk"), status=MeetingStatus.HELD, held_on__lte=today
    )


def _checkins_of_branch(today: dt.date) -> QuerySet[Checkin]:
    return Checkin.objects.filter(
        plan__person__unit__path__startswith=OuterRef("path"),
        status__in=ACTIVE_CHECKINS,
        submitted_at__lt=clock.day_starts(today + dt.timedelta(days=1)),
    )


def _dues_of_branch(today: dt.date) -> QuerySet[DuesPayment]:
    return DuesPayment.objects.filter(
        person__unit__path__startswith=OuterRef("path"), paid_on__lte=today
    )


def with_last_activity(branches: QuerySet[OrgUnit], today: dt.date) -> QuerySet[OrgUnit]:
    """`branches` annotated with the last day of each kind of activity (no extra query:
    three correlated subqueries in the branches' own query); read with `last_activity`."""

    def latest(qs: QuerySet, field: str) -> Subquery:
        return Subquery(qs.order_by(f"-{field}").values(field)[:1])

    return branches.annotate(
        last_meeting=latest(_meetings_of_branch(today), "held_on"),
        last_checkin_at=latest(_checkins_of_branch(today), "submitted_at"),
        last_dues=latest(_dues_of_branch(today), "paid_on"),
    )


def last_activity(branch: OrgUnit) -> dt.date | None:
    """The latest of a `with_last_activity` branch's three days (a check-in by local date)."""
    checkin_at = branch.last_checkin_at
    days = [
        branch.last_meeting,
        timezone.localdate(checkin_at) if checkin_at else None,
        branch.last_dues,
    ]
    return max((d for d in days if d is not None), default=None)


def silent_units(units: QuerySet[OrgUnit], today: dt.date) -> QuerySet[OrgUnit]:
    """The branches among `units` silent on `today` (clock.is_silent: no activity, as
    counted above, since clock.silent_since(today)), as a queryset for further joins."""
    since = clock.silent_since(today)
    return (
        units.filter(kind=OrgUnit.Kind.BRANCH)
        .exclude(Exists(_meetings_of_branch(today).filter(held_on__gte=since)))
        .exclude(
            Exists(_checkins_of_branch(today).filter(submitted_at__gte=clock.day_starts(since)))
        )
        .exclude(Exists(_dues_of_branch(today).filter(paid_on__gte=since)))
    )


def silent_branches(units: QuerySet[OrgUnit], today: dt.date) -> set[int]:
    """Ids of the branches among `units` that are silent on `today`. One query."""
    return set(silent_units(units, today).values_list("pk", flat=True).order_by())


NO_DATE = dt.date(1900, 1, 1)  # "never" where SQL's GREATEST would see a NULL


def last_activity_sql(today: dt.date) -> Greatest:
    """A branch's last day of activity as one SQL expression (NO_DATE when there is none):
    what `last_activity` reads from `with_last_activity`, for a set-based job."""

    def latest(qs: QuerySet, field: str) -> Coalesce:
        day = Subquery(qs.order_by(f"-{field}").values(field)[:1], output_field=DateField())
        return Coalesce(day, Value(NO_DATE), output_field=DateField())

    checkins = _checkins_of_branch(today).annotate(day=TruncDate("submitted_at"))
    return Greatest(
        latest(_meetings_of_branch(today), "held_on"),
        Coalesce(
            Subquery(
                checkins.order_by("-submitted_at").values("day")[:1], output_field=DateField()
            ),
            Value(NO_DATE),
            output_field=DateField(),
        ),
        latest(_dues_of_branch(today), "paid_on"),
        output_field=DateField(),
    )


def compliance(
    branches: QuerySet[OrgUnit], start: dt.date, end: dt.date, today: dt.date
) -> list[BranchCompliance]:
    """Each branch against the frequency targets over [start, end], in three queries
    whatever the number of branches: the branches with their last activity, meetings held
    per month and kind, and which branches have Party groups."""
    branch_list = list(
        with_last_activity(branches.filter(kind=OrgUnit.Kind.BRANCH), today).order_by("path")
    )
    ids = [b.pk for b in branch_list]
    held = Meeting.objects.filter(branch_id__in=ids, status=MeetingStatus.HELD)
    months: dict[tuple[int, str], set[dt.date]] = defaultdict(set)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    rows = (
        held.filter(held_on__gte=start, held_on__lte=end)
        .annotate(month=TruncMonth("held_on"))
        .values("branch_id", "kind", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        months[(row["branch_id"], row["kind"])].add(month)
        counts[(row["branch_id"], row["kind"])] += row["n"]
    with_groups = set(
        OrgUnit.objects.filter(parent_id__in=ids, kind=OrgUnit.Kind.GROUP, is_active=True)
        .values_list("parent_id", flat=True)
        .distinct()
    )
    result = []
    for branch in branch_list:
        kinds = []
        for kind in TARGETS:
            item = kind_compliance(kind, months[(branch.pk, kind)], start, end, today)
            item.held = counts[(branch.pk, kind)]
            # Party group meetings are owed only by a branch that has Party groups.
            item.applies = kind != MeetingKind.GROUP or branch.pk in with_groups
            kinds.append(item)
        last = last_activity(branch)
        result.append(
            BranchCompliance(
                branch=branch,
                kinds=kinds,
                last_activity=last,
                silent=clock.is_silent(last, today),
            )
        )
    return result


@dataclass
class CollegeCompliance:
    college: OrgUnit
    branches: int = 0
    compliant: int = 0
    silent: int = 0
    missed: int = 0


def by_college(rows: list[BranchCompliance]) -> list[CollegeCompliance]:
    """Roll branches up to their committee (the tree's second level), in one query."""
    college_ids = {r.branch.ancestor_ids[1] for r in rows if len(r.branch.ancestor_ids) > 1}
    colleges = {u.pk: u for u in OrgUnit.objects.filter(pk__in=college_ids)}
    totals: dict[int, CollegeCompliance] = {}
    for row in rows:
        if len(row.branch.ancestor_ids) < 2:
            continue
        college = colleges[row.branch.ancestor_ids[1]]
        entry = totals.setdefault(college.pk, CollegeCompliance(college=college))
        entry.branches += 1
        entry.compliant += row.ok
        entry.silent += row.silent
        entry.missed += row.missed
    return sorted(totals.values(), key=lambda c: c.college.path)


# Leave and attendance per person ---------------------------------------------------------


def leave_register(user, perm: str, year: int) -> QuerySet[LeaveRequest]:
    """The discipline committee member's register of leave requests for a year."""
    return (
        LeaveRequest.objects.filter(
            scope_q(user, perm, field="meeting__unit__path"), meeting__held_on__year=year
        )
        .select_related("meeting", "meeting__unit", "person", "decided_by")
        .order_by("-meeting__held_on", "person__name", "-id")
    )


@dataclass
class AttendanceSummary:
    present: int = 0
    on_leave: int = 0
    absent: int = 0
    leaves_refused: int = 0


def attendance_summaries(person_ids: list[int], year: int) -> dict[int, AttendanceSummary]:
    """For the appraisal: each person's attendance and leave of a year, in two queries."""
    result: dict[int, AttendanceSummary] = defaultdict(AttendanceSummary)
    rows = (
        Attendance.objects.filter(
            person_id__in=person_ids,
            meeting__held_on__year=year,
            meeting__status=MeetingStatus.HELD,
        )
        .values("person_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        setattr(result[row["person_id"]], row["status"], row["n"])
    refused = (
        LeaveRequest.objects.filter(
            person_id__in=person_ids, meeting__held_on__year=year, status=LeaveStatus.REFUSED
        )
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
        .order_by()
    )
    for person_id, n in refused:
        result[person_id].leaves_refused = n
    return result


# Hours -------------------------------------------------------------------------------------


def training_rows(person_filter: Q, kind: str) -> list[dict]:
    """Completed training per person: days and class hours (the pipeline's one source)."""
    return list(
        TrainingResult.objects.filter(person_filter, kind=kind, passed=True)
        .values("person_id")
        .annotate(days=Sum("days"), hours=Sum("hours"))
        .order_by()
    )


def volunteer_rows(person_filter: Q, since_joined: bool) -> list[dict]:
    """Volunteer hours per person; `since_joined` counts only from the day the branch
    meeting admitted them (seed 004: hours during probation)."""
    qs = VolunteerService.objects.filter(person_filter)
    if since_joined:
        qs = qs.filter(on__gte=F("person__joined_on"))
    return list(qs.values("person_id").annotate(hours=Sum("hours")).order_by())


def volunteer_hours_of(people: QuerySet[Person]) -> dict[int, Decimal]:
    rows = volunteer_rows(Q(person_id__in=people.order_by().values("pk")), since_joined=False)
    return {r["person_id"]: r["hours"] for r in rows}


# The graduates' "five ones" ----------------------------------------------------------------


def five_ones(people: list[Person]) -> dict[int, dict[str, dt.date | None]]:
    """For each graduating member, the date each of the five was done in their last
    academic year (None when not yet), in three queries whatever the number of people."""
    windows = {
        p.pk: clock.graduation_window(p.expected_graduation)
        for p in people
        if p.expected_graduation
    }
    result: dict[int, dict[str, dt.date | None]] = {
        p.pk: dict.fromkeys(FiveOne.values) for p in people
    }
    if not windows:
        return result
    earliest = min(w[0] for w in windows.values())
    ids = list(windows)

    def note(person_id: int, item: str, on: dt.date) -> None:
        start, end = windows[person_id]
        if start <= on <= end and (result[person_id][item] is None or on < result[person_id][item]):
            result[person_id][item] = on

    attended = Attendance.objects.filter(
        person_id__in=ids,
        status=AttendanceStatus.PRESENT,
        meeting__status=MeetingStatus.HELD,
        meeting__held_on__gte=earliest,
    ).values_list("person_id", "meeting__kind", "meeting__held_on")
    for person_id, kind, on in attended:
        if kind == MeetingKind.LECTURE:
            note(person_id, FiveOne.LECTURE, on)
        if kind in ORG_LIFE_KINDS:
            note(person_id, FiveOne.ORG_LIFE, on)
    for person_id, on in VolunteerService.objects.filter(
        person_id__in=ids, on__gte=earliest
    ).values_list("person_id", "on"):
        note(person_id, FiveOne.VOLUNTEER, on)
    for person_id, item, on in FiveOnesRecord.objects.filter(
        person_id__in=ids, on__gte=earliest
    ).values_list("person_id", "item", "on"):
        note(person_id, item, on)
    return result
