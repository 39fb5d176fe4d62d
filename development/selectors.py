"""Read side of the pipeline: people's files in bulk, hours, next steps and due dates.

`load_files` reads everything the rules need for any number of people in a fixed number of
queries (one per table, never one per person); `next_steps` and `due_and_overdue` build on
it. Training and volunteer hours are read only through `training_totals` and
`volunteer_totals`, whose source is education/ (Party-school results, volunteer service).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from development import clock, requirements
from development.models import (
    ADMISSION_ROUND,
    CONVERSION_ROUND,
    Approval,
    ApprovalStatus,
    Assignment,
    AssignmentKind,
    Decision,
    Experience,
    Extension,
    LocalRules,
    NoticeEntry,
    NoticeObjection,
    Purpose,
    Step,
    StepRecord,
    TrainingKind,
    Veto,
)
from development.requirements import Listing, PersonFile, TrainingTotal
from education import selectors as education_selectors
from members.models import OrgUnit, Person, Stage

# A person list given as a queryset is used as a subquery (one query whatever its size);
# a list of loaded people as their ids.
People = QuerySet[Person] | Iterable[Person]
# Beyond this many ids, PostgreSQL gets them as one array parameter (an IN list of tens of
# thousands of parameters is slow to plan, and psycopg allows at most 65,535).
ARRAY_FROM = 1000


def _person_filter(people: People, field_name: str = "person_id") -> Q:
    if isinstance(people, QuerySet):
        return Q(**{f"{field_name}__in": people.order_by().values("pk")})
    ids = [p.pk for p in people] or [0]  # no id is 0: nobody, still in one query
    if len(ids) > ARRAY_FROM and connection.vendor == "postgresql":
        return Q(**{f"{field_name}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
    return Q(**{f"{field_name}__in": ids})


# Hours: the one place the rules read them from --------------------------------------------


def training_totals(people: People) -> dict[int, TrainingTotal]:
    """Completed concentrated training of development candidates, per person, from the
    Party-school records of education/ (development.services.training_record writes through
    to them)."""
    rows = education_selectors.training_rows(_person_filter(people), TrainingKind.CANDIDATE)
    return {r["person_id"]: TrainingTotal(r["days"], r["hours"]) for r in rows}


def volunteer_totals(people: People) -> dict[int, Decimal]:
    """Volunteer hours during probation (from the day the branch meeting admitted them),
    from education/'s volunteer service records."""
    rows = education_selectors.volunteer_rows(_person_filter(people), since_joined=True)
    return {r["person_id"]: r["hours"] for r in rows}


def training_hours(person: Person) -> TrainingTotal:
    return training_totals([person]).get(person.pk, TrainingTotal())


def volunteer_hours(person: Person) -> Decimal:
    return volunteer_totals([person]).get(person.pk, Decimal(0))


# Local rules ------------------------------------------------------------------------------


def school_id(unit: OrgUnit) -> int:
    return unit.ancestor_ids[0]


def rules_for(unit: OrgUnit) -> LocalRules:
    """The rules of the school `unit` belongs to; national defaults when it has none."""
    return LocalRules.objects.filter(school_id=school_id(unit)).first() or LocalRules()


# Files ------------------------------------------------------------------------------------


def load_files(people: People, *, always: bool = False) -> dict[int, PersonFile]:
    """Every person's file, in 13 queries whatever the number of people. A queryset is read
    with its units; a list must come with `unit` already loaded. Nobody costs no query,
    unless `always`: then a page runs the same queries whether or not anyone is listed."""
    is_qs = isinstance(people, QuerySet)
    persons = list(people.select_related("unit")) if is_qs else list(people)
    if not persons and not always:
        return {}
    # A queryset is re-used as a subquery; a page of one (sliced) or a list by its ids.
    subquery = is_qs and not people.query.is_sliced
    source: People = people if subquery else persons
    where = _person_filter(source)

    records: dict[int, list[StepRecord]] = defaultdict(list)
    for record in StepRecord.objects.filter(where).order_by("id"):
        records[record.person_id].append(record)
    assignments: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in Assignment.objects.filter(where).order_by("id"):
        assignments[assignment.person_id].append(assignment)
    approvals: dict[int, list[Approval]] = defaultdict(list)
    for approval in Approval.objects.filter(where).order_by("id"):
        approvals[approval.person_id].append(approval)
    listings: dict[int, dict[int, Listing]] = defaultdict(dict)
    for entry in NoticeEntry.objects.filter(where).select_related("notice"):
        listings[entry.person_id][entry.notice_id] = Listing(entry.notice)
    for objection in NoticeObjection.objects.filter(where).order_by("id"):
        listing = listings[objection.person_id].get(objection.notice_id)
        if listing is not None:
            listing.objections.append(objection)
    vetoes: dict[int, list[Veto]] = defaultdict(list)
    for veto in Veto.objects.filter(where, lifted_on__isnull=True).order_by("raised_on", "id"):
        vetoes[veto.person_id].append(veto)
    extensions = {e.person_id: e for e in Extension.objects.filter(where)}
    training = training_totals(source)
    volunteering = volunteer_totals(source)
    experiences: dict[int, set[str]] = defaultdict(set)
    for person_id, label in Experience.objects.filter(where).values_list("person_id", "label"):
        experiences[person_id].add(label)
    from transfers.selectors import awaiting_employer_report  # transfers builds on this app

    awaiting_report = awaiting_employer_report(where)
    schools = {school_id(p.unit) for p in persons}
    rules = {r.school_id: r for r in LocalRules.objects.filter(school_id__in=schools or [0])}

    files = {}
    for person in persons:
        school_rules = rules.get(school_id(person.unit)) or LocalRules()
        files[person.pk] = PersonFile(
            person=person,
            records=records[person.pk],
            assignments=assignments[person.pk],
            approvals=approvals[person.pk],
            listings=listings[person.pk],
            vetoes=[v for v in vetoes[person.pk] if school_rules.veto_applies(v.kind)],
            extension=extensions.get(person.pk),
            training=training.get(person.pk, TrainingTotal()),
            volunteer_hours=volunteering.get(person.pk, Decimal(0)),
            experiences=experiences[person.pk],
            rules=school_rules,
            awaiting_employer_report=person.pk in awaiting_report,
        )
    return files


# Next steps -------------------------------------------------------------------------------

# The steps each stage goes through, in order; the first one not done is the next step.
PATHS: dict[str, tuple[str, ...]] = {
    Stage.APPLICANT: (
        Step.APPLICATION,
        Step.APPLICANT_TALK,
        Step.RECOMMENDATION,
        Step.ACTIVIST_DETERMINED,
    ),
    Stage.ACTIVIST: (Step.ACTIVIST_FILED, Step.CONTACTS_ASSIGNED, Step.CANDIDATE_DETERMINED),
    Stage.CANDIDATE: (
        Step.CANDIDATE_FILED,
        Step.INTRODUCERS_ASSIGNED,
        Step.POLITICAL_REVIEW,
        Step.TRAINING,
        *ADMISSION_ROUND,
    ),
    Stage.PROBATIONARY: (
        Step.ADMISSION_FILED,
        Step.PLACEMENT,
        Step.OATH,
        *CONVERSION_ROUND,
    ),
    Stage.FULL: (Step.ARCHIVE,),
    Stage.PROBATION_CANCELLED: (Step.ARCHIVE,),
}
CULTIVATION_STAGES = (Stage.ACTIVIST, Stage.CANDIDATE)  # half-yearly assessments are due
ACTIVE_STAGES_FOR_DUE = requirements.ACTIVE_STAGES  # who the due lists consider


@dataclass(frozen=True)
class NextStep:
    """For one person: where they stand, what comes next, what it needs, when it is due."""

    person_id: int
    stage: str
    since: dt.date | None
    step: str | None
    met: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    earliest: dt.date | None = None  # the step cannot happen before this day
    due: dt.date | None = None  # the step is due by this day
    assessment_due: dt.date | None = None  # the next half-yearly assessment
    today: dt.date | None = None

    @property
    def due_on(self) -> dt.date | None:
        dues = [d for d in (self.due, self.assessment_due) if d is not None]
        return min(dues) if dues else None

    @property
    def late(self) -> bool:
        return self.due_on is not None and self.today is not None and self.today > self.due_on

    @property
    def days_late(self) -> int:
        return clock.days_late(self.today, self.due_on) if self.late else 0


def _done(f: PersonFile, step: str, today: dt.date) -> bool:
    if step in ADMISSION_ROUND:
        return f.in_round(Purpose.ADMISSION, step) is not None
    if step in CONVERSION_ROUND:
        if step == Step.CONVERSION_PRE_REVIEW and not f.rules.conversion_pre_review:
            return True
        return f.in_round(Purpose.CONVERSION, step) is not None
    if step == Step.TRAINING:
        return f.training_ok()
    if step == Step.CONTACTS_ASSIGNED:
        return bool(f.assigned(AssignmentKind.CONTACT, today))
    if step == Step.INTRODUCERS_ASSIGNED:
        return len(f.assigned(AssignmentKind.INTRODUCER, today)) == 2
    return f.last(step) is not None


def timing(f: PersonFile, step: str) -> tuple[dt.date | None, dt.date | None]:
    """(earliest, due) of `step` for this person."""
    earliest = due = None
    if step == Step.APPLICATION and f.person.birth_date:
        earliest = clock.adult_from(f.person.birth_date)
    elif step == Step.APPLICANT_TALK and f.applied_on:
        due = clock.talk_due(f.applied_on)
    elif step == Step.ACTIVIST_DETERMINED and f.applied_on and f.rules.min_wait_months:
        earliest = clock.activist_earliest(f.applied_on, f.rules.min_wait_months)
    elif step == Step.CANDIDATE_DETERMINED and f.activist_on:
        earliest = clock.candidate_earliest(f.activist_on)
    elif step in (Step.HIGHER_TALK, Step.ADMISSION_APPROVAL, Step.CONVERSION_APPROVAL):
        approval = f.open_approval()
        due = approval.due_on if approval else None
    elif step in CONVERSION_ROUND and f.probation_end:
        due = f.probation_end
        if step == Step.CONVERSION_APPLICATION:
            earliest = clock.conversion_apply_from(f.probation_end)
        elif step == Step.CONVERSION_MEETING:
            earliest = f.probation_end
    if step in (Step.ADMISSION_MEETING, Step.CONVERSION_MEETING):
        purpose = Purpose.ADMISSION if step == Step.ADMISSION_MEETING else Purpose.CONVERSION
        notice_step = (
            Step.ADMISSION_NOTICE if purpose == Purpose.ADMISSION else Step.CONVERSION_NOTICE
        )
        record = f.in_round(purpose, notice_step)
        listing = f.listings.get(record.notice_id) if record and record.notice_id else None
        if listing is not None:
            after_notice = clock.meeting_earliest(listing.notice.end)
            earliest = max(after_notice, earliest) if earliest else after_notice
    return earliest, due


def next_step(f: PersonFile, today: dt.date) -> NextStep:
    person = f.person
    path = PATHS.get(person.stage, ())
    step = next((s for s in path if not _done(f, s, today)), None)
    assessment_due = None
    if person.stage in CULTIVATION_STAGES and f.activist_on:
        done = f.assessments_between(f.activist_on, today)
        assessment_due = clock.assessment_next_due(f.activist_on, done)
    if step is None:
        return NextStep(person.pk, person.stage, person.stage_since, None, today=today,
                        assessment_due=assessment_due)  # fmt: skip
    checks = requirements.check(f, step, today, today)
    earliest, due = timing(f, step)
    return NextStep(
        person_id=person.pk,
        stage=person.stage,
        since=person.stage_since,
        step=step,
        met=[c.label for c in checks if c.ok],
        unmet=[c.reason for c in checks if not c.ok],
        earliest=earliest,
        due=due,
        assessment_due=assessment_due,
        today=today,
    )


def next_steps(people: People, today: dt.date) -> dict[int, NextStep]:
    """Every person's next step, in the fixed number of queries of `load_files`."""
    return {pk: next_step(f, today) for pk, f in load_files(people).items()}


def due_and_overdue(
    queryset: QuerySet[Person], today: dt.date, *, horizon_days: int = 30
) -> list[NextStep]:
    """People in the pipeline whose next step or assessment is due within `horizon_days`
    (or already late), most urgent first.

    Only the people who can be due are loaded (`may_be_due`, in the query that lists them):
    the rest of a college or a school has nothing due, and building every file of hundreds
    of thousands of people is what made the list slow. The due days themselves are still
    computed by `next_step`, the one place that knows them."""
    active = queryset.filter(stage__in=ACTIVE_STAGES_FOR_DUE, removed_at__isnull=True)
    horizon = today + dt.timedelta(days=horizon_days)
    candidates = list(active.filter(may_be_due(today, horizon)).select_related("unit"))
    files = load_files(candidates, always=True)  # 12 queries, whoever is due
    found = [next_step(f, today) for f in files.values()]
    found = [n for n in found if n.due_on and n.due_on <= horizon]
    return sorted(found, key=lambda n: (n.due_on, n.person_id))


# The 6-month marks the assessment condition counts (10 years of cultivation); an activist
# of longer standing is always loaded and next_step decides. A short CASE keeps the query
# small: with 80 branches PostgreSQL spent most of its time compiling it (JIT).
MAX_ASSESSMENT_MARKS = 20


def _latest_start(months: int, horizon: dt.date) -> dt.date:
    """The latest day from which `months` later (clock.add_months) is still by `horizon`."""
    day = clock.add_months(horizon, -months)
    while clock.add_months(day + dt.timedelta(days=1), months) <= horizon:
        day += dt.timedelta(days=1)
    return day


def may_be_due(today: dt.date, horizon: dt.date) -> Q:
    """Everyone `next_step` can give a due day by `horizon` (and possibly a few more), as a
    condition SQL evaluates on the people list:
      - an applicant whose application is on record, by a month before `horizon`, and whose
        talk is not (the talk is due a month after the application; a month ≥ 28 days);
      - an open approval due by `horizon` (candidates and conversions);
      - a probationary member admitted at least a year before `horizon` (probation lasts a
        year from the branch meeting, more when extended);
      - an activist or candidate whose next half-yearly assessment falls due by `horizon`:
        fewer assessments since the activist's determination than 6-month marks up to
        `horizon` (exact: the marks are counted with clock.add_months)."""
    accepted = ~Q(decision=Decision.REFUSED)
    records = StepRecord.objects.filter(accepted, person=OuterRef("pk"))
    talk_pending = (
        Q(stage=Stage.APPLICANT)
        & Exists(records.filter(step=Step.APPLICATION, on__lte=horizon - dt.timedelta(days=28)))
        & ~Exists(records.filter(step=Step.APPLICANT_TALK))
    )
    approval = Exists(
        Approval.objects.filter(
            person=OuterRef("pk"), status=ApprovalStatus.OPEN, due_on__lte=horizon
        )
    )
    probation = Q(stage=Stage.PROBATIONARY, joined_on__lte=horizon - dt.timedelta(days=365))
    # marks(on) = how many 6-month marks after `on` fall by `horizon`.
    latest = [_latest_start(clock.ASSESSMENT_EVERY_MONTHS * m, horizon)
              for m in range(1, MAX_ASSESSMENT_MARKS + 1)]  # fmt: skip
    marks = Case(
        *(When(on__gt=day, then=Value(m)) for m, day in enumerate(latest)),
        default=Value(10**6),  # beyond the table: keep them, next_step decides
        output_field=IntegerField(),
    )
    done = (
        StepRecord.objects.filter(
            accepted,
            person=OuterRef("person_id"),
            step=Step.ASSESSMENT,
            on__gte=OuterRef("on"),
            on__lte=today,
        )
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    behind = Exists(
        records.filter(step=Step.ACTIVIST_DETERMINED)
        .annotate(marks=marks, done=Coalesce(Subquery(done), 0))
        .filter(done__lt=F("marks"))
    )
    assessment = Q(stage__in=CULTIVATION_STAGES) & behind
    return talk_pending | approval | probation | assessment
