"""Property: whatever sequence of services is called, with whatever dates and arguments, the
record is never inconsistent.

A hypothesis state machine drives one person: it lets time pass, performs the person's next
step as the selectors name it (so runs get far), and calls any service at random dates with
random arguments (votes, decisions, training hours, extensions, objections, vetoes,
withdrawal, cancellation). Refusals are expected; after every call the invariants below must
hold for what is on record."""

import contextlib
import datetime as dt
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from development import clock
from development import services as s
from development.models import (
    ONCE_STEPS,
    STAGE_REQUIRES,
    STAGE_STEPS,
    Approval,
    ApprovalStatus,
    Decision,
    Extension,
    Purpose,
    Step,
    StepRecord,
    Veto,
    VetoKind,
)
from development.selectors import PATHS, load_files, next_steps, timing
from members.models import Person, PersonChange, Stage
from tests.test_dev_helpers import ORDER, D, Pipeline, Walk

pytestmark = pytest.mark.django_db
ONE = dt.timedelta(days=1)
REFUSALS = (ValidationError, PermissionDenied)

# Each accepted record needs an accepted record of each of these, dated on or before it.
BEFORE: dict[str, tuple[str, ...]] = {
    Step.APPLICANT_TALK: (Step.APPLICATION,),
    Step.RECOMMENDATION: (Step.APPLICATION,),
    Step.THOUGHT_REPORT: (Step.APPLICATION,),
    Step.ACTIVIST_DETERMINED: (Step.APPLICANT_TALK, Step.RECOMMENDATION),
    Step.ACTIVIST_FILED: (Step.ACTIVIST_DETERMINED,),
    Step.CONTACTS_ASSIGNED: (Step.ACTIVIST_DETERMINED,),
    Step.ASSESSMENT: (Step.ACTIVIST_DETERMINED,),
    Step.CANDIDATE_DETERMINED: (Step.ACTIVIST_FILED, Step.CONTACTS_ASSIGNED, Step.ASSESSMENT),
    Step.CANDIDATE_FILED: (Step.CANDIDATE_DETERMINED,),
    Step.INTRODUCERS_ASSIGNED: (Step.CANDIDATE_DETERMINED,),
    Step.POLITICAL_REVIEW: (Step.CANDIDATE_DETERMINED,),
    Step.TRAINING: (Step.CANDIDATE_DETERMINED,),
    Step.BRANCH_REVIEW: (
        Step.CANDIDATE_FILED,
        Step.INTRODUCERS_ASSIGNED,
        Step.POLITICAL_REVIEW,
        Step.TRAINING,
    ),
    Step.PRE_REVIEW: (Step.BRANCH_REVIEW,),
    Step.APPLICATION_FORM: (Step.PRE_REVIEW,),
    Step.ADMISSION_NOTICE: (Step.PRE_REVIEW,),
    Step.ADMISSION_MEETING: (Step.APPLICATION_FORM, Step.ADMISSION_NOTICE),
    Step.HIGHER_TALK: (Step.ADMISSION_MEETING,),
    Step.ADMISSION_APPROVAL: (Step.HIGHER_TALK,),
    Step.ADMISSION_FILED: (Step.ADMISSION_APPROVAL,),
    Step.PLACEMENT: (Step.ADMISSION_APPROVAL,),
    Step.OATH: (Step.ADMISSION_APPROVAL,),
    Step.CONVERSION_APPLICATION: (Step.OATH,),
    Step.CONVERSION_NOTICE: (Step.CONVERSION_APPLICATION,),
    Step.CONVERSION_MEETING: (Step.CONVERSION_NOTICE,),
    Step.CONVERSION_APPROVAL: (Step.CONVERSION_MEETING,),
    Step.EXTENSION: (Step.ADMISSION_APPROVAL,),
    Step.CANCELLATION: (Step.ADMISSION_APPROVAL,),
}
# Steps the random rule may call (endings and extensions have rules of their own).
RANDOM_STEPS = tuple(
    step
    for step in Step
    if step not in (Step.WITHDRAWAL, Step.CANCELLATION, Step.EXTENSION, Step.ARCHIVE)
    and step != Step.CONVERSION_PRE_REVIEW
)


# Where a run may start: nothing done yet, or every step before one of these done.
STARTS = (
    Step.APPLICATION,
    Step.APPLICATION,
    Step.APPLICATION,
    Step.ACTIVIST_DETERMINED,
    Step.CANDIDATE_DETERMINED,
    Step.BRANCH_REVIEW,
    Step.APPLICATION_FORM,
    Step.ADMISSION_NOTICE,
    Step.ADMISSION_MEETING,
    Step.HIGHER_TALK,
    Step.ADMISSION_APPROVAL,
    Step.CONVERSION_APPLICATION,
    Step.CONVERSION_NOTICE,
    Step.CONVERSION_MEETING,
    Step.CONVERSION_APPROVAL,
)


# Steps `drive` never leaves out (without them nothing can follow anyway).
ALWAYS = (Step.APPLICATION, Step.ASSESSMENT, Step.ARCHIVE, Step.CONVERSION_PRE_REVIEW)


class PipelineMachine(RuleBasedStateMachine):
    pipe: Pipeline  # set by the test: a branch, its voters, a secretary, the college office

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # every example is rolled back in teardown
        self.today = timezone.localdate()
        self.cursor = D(2019, 8, 1)
        person = self.pipe.applicant(born=D(2001, 9, 1))
        self.walk = Walk(self.pipe, person, D(2019, 9, 2))
        self.skip: set[str] = set()

    @initialize(stop=st.sampled_from(STARTS), offsets=st.sets(st.integers(0, 5), max_size=2))
    def start_somewhere(self, stop: str, offsets: set[int]) -> None:
        """Many runs start from a person already some way down the path (walked there with
        valid dates), so the late steps get as much random traffic as the early ones. The
        steps `offsets` after `stop` are left out by `drive`, to try what follows without
        them."""
        index = ORDER.index(stop)
        self.skip = {ORDER[index + o] for o in offsets if 0 < index + o < len(ORDER)} - set(ALWAYS)
        if stop != Step.APPLICATION:
            self.walk.until(stop)
            self.cursor = max(self.walk.on.values())

    def teardown(self) -> None:
        event(f"final stage: {self.person.stage}")
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @property
    def person(self) -> Person:
        self.walk.person.refresh_from_db()  # services change it behind the walk's back
        return self.walk.person

    def attempt(self, step: str, on: dt.date, **kwargs) -> None:
        try:
            with transaction.atomic():
                self.walk.do(step, on, **kwargs)
        except REFUSALS:
            pass
        except (KeyError, TypeError, AttributeError):
            pass  # the helper lacks what it needs (no notice yet...): nothing was called
        self.person.refresh_from_db()

    # Time ----------------------------------------------------------------------------------

    @rule(days=st.integers(0, 400))
    def advance(self, days: int) -> None:
        self.cursor = min(self.cursor + days * ONE, self.today)

    # Forward: the next step the selectors name, with valid arguments ---------------------

    @rule(
        times=st.integers(1, 12),
        jump=st.booleans(),
        pause=st.integers(0, 20),
        ahead=st.sampled_from([0, 0, 0, 1, 2]),
    )
    def drive(self, times: int, jump: bool, pause: int, ahead: int) -> None:
        """Take up to `times` next steps, `pause` days apart (jumping to the earliest day a
        step is allowed when `jump`). With `ahead` 1 or 2 it tries a step further down the
        path instead, leaving out the ones not done before it."""
        for _ in range(times):
            nxt = next_steps([self.person], self.cursor)[self.person.pk]
            if nxt.assessment_due and nxt.assessment_due <= self.cursor and not ahead:
                self.attempt(Step.ASSESSMENT, self.cursor)
                continue
            if nxt.step is None:
                return
            path = PATHS[self.person.stage]
            not_done = [
                p for p in path[path.index(nxt.step) :] if not self.done(p) and p not in self.skip
            ]
            step = not_done[min(ahead, len(not_done) - 1)] if not_done else nxt.step
            if step in (Step.ARCHIVE, Step.CONVERSION_PRE_REVIEW):
                return
            earliest, _due = timing(load_files([self.person])[self.person.pk], step)
            if jump and earliest and earliest > self.cursor:
                self.cursor = min(earliest, self.today)
            self.attempt(step, self.cursor)
            self.cursor = min(self.cursor + pause * ONE, self.today)

    def done(self, step: str) -> bool:
        return StepRecord.objects.filter(
            person=self.person, step=step, decision__in=(Decision.DONE, Decision.AGREED)
        ).exists()

    # Anything, at random dates, with random arguments -----------------------------------

    @rule(
        step=st.sampled_from(RANDOM_STEPS),
        back=st.integers(0, 120),
        variant=st.integers(0, 3),
    )
    def act(self, step: str, back: int, variant: int) -> None:
        on = self.cursor - back * ONE
        kwargs: dict = {}
        if step in (Step.ADMISSION_MEETING, Step.CONVERSION_MEETING):
            kwargs["votes_for"] = 2 + variant
        elif step in (Step.ADMISSION_APPROVAL, Step.CONVERSION_APPROVAL):
            kwargs["approve"] = variant != 0
        elif step in (Step.POLITICAL_REVIEW, Step.PRE_REVIEW):
            kwargs["passed"] = variant != 0
        elif step == Step.BRANCH_REVIEW:
            kwargs["agreed"] = variant != 0
        elif step == Step.TRAINING:
            kwargs.update(days=variant, hours=8 * variant)
        self.attempt(step, on, **kwargs)

    @rule(months=st.integers(4, 14), back=st.integers(0, 60))
    def extend(self, months: int, back: int) -> None:
        with contextlib.suppress(REFUSALS):
            s.probation_extend(
                person=self.person,
                months=months,
                on=self.cursor - back * ONE,
                reason="延长考察",
                actor=self.pipe.office,
            )

    @rule(
        coin=st.integers(0, 12),
        which=st.sampled_from(["withdraw", "cancel"]),
        back=st.integers(0, 60),
    )
    def end(self, coin: int, which: str, back: int) -> None:
        if coin:
            return  # endings are rare, so most runs get far
        call = s.application_withdraw if which == "withdraw" else s.probation_cancel
        actor = self.pipe.secretary if which == "withdraw" else self.pipe.office
        with contextlib.suppress(REFUSALS):
            call(person=self.person, on=self.cursor - back * ONE, reason="理由", actor=actor)

    @precondition(lambda self: bool(self.walk.notices))
    @rule(upheld=st.sampled_from([None, False, True]), back=st.integers(0, 10))
    def object(self, upheld: bool | None, back: int) -> None:
        notice = list(self.walk.notices.values())[-1]
        try:
            objection = s.notice_objection_record(
                notice=notice,
                person=self.person,
                received_on=self.cursor - back * ONE,
                content="反映问题",
                actor=self.pipe.secretary,
            )
            if upheld is not None:
                s.notice_objection_resolve(
                    objection=objection,
                    on=self.cursor,
                    upheld=upheld,
                    resolution="已核实",
                    actor=self.pipe.secretary,
                )
        except REFUSALS:
            pass

    @rule(lift=st.booleans())
    def veto(self, lift: bool) -> None:
        standing = Veto.objects.filter(person=self.person, lifted_on__isnull=True).first()
        try:
            if standing is None:
                s.veto_raise(
                    person=self.person,
                    kind=VetoKind.DORMITORY,
                    on=self.cursor,
                    raised_by="宿管",
                    reason="寝室不文明",
                    actor=self.pipe.secretary,
                )
            elif lift:
                s.veto_lift(veto=standing, on=self.cursor, reason="已整改", actor=None)
        except REFUSALS:
            pass

    @rule()
    def special_case(self) -> None:
        with contextlib.suppress(REFUSALS):
            s.approval_special_case_record(
                person=self.person, reason="党委换届", actor=self.pipe.office
            )

    # Invariants ----------------------------------------------------------------------------

    def records(self) -> list[StepRecord]:
        return list(StepRecord.objects.filter(person=self.person).order_by("id"))

    @invariant()
    def stage_has_its_required_steps(self) -> None:
        person = self.person
        kept = {r.step for r in self.records() if r.decision != Decision.REFUSED}
        missing = set(STAGE_REQUIRES.get(person.stage, ())) - kept
        assert not missing, (person.stage, missing)

    @invariant()
    def dates_in_order_and_not_in_the_future(self) -> None:
        records = self.records()
        accepted = [r for r in records if r.decision != Decision.REFUSED]
        applied = [r.on for r in accepted if r.step == Step.APPLICATION]
        for record in records:
            assert record.on <= self.today
            if applied:
                assert record.on >= applied[0], (record.step, record.on, applied)
        for record in accepted:
            for before in BEFORE.get(record.step, ()):
                assert any(r.step == before and r.on <= record.on for r in accepted), (
                    record.step,
                    record.on,
                    before,
                )
        milestones = [r.on for r in accepted if r.step in STAGE_STEPS]
        assert milestones == sorted(milestones)
        for step in ONCE_STEPS:
            assert sum(1 for r in records if r.step == step) <= 1

    @invariant()
    def stage_since_matches_the_last_transition(self) -> None:
        person = self.person
        accepted = [r for r in self.records() if r.decision != Decision.REFUSED]
        moves = [r for r in accepted if r.step in STAGE_STEPS]
        if moves:
            last = moves[-1]
            assert STAGE_STEPS[last.step] == person.stage
            assert person.stage_since == last.on
        elif any(r.step == Step.APPLICATION for r in accepted):
            assert person.stage == Stage.APPLICANT
            assert person.stage_since == person.applied_on
        else:
            assert person.stage == Stage.APPLICANT
        changes = PersonChange.objects.filter(person=person, kind=PersonChange.Kind.STAGE)
        last_change = changes.filter(changes__has_key="stage").order_by("-id").first()
        if last_change is not None:
            assert last_change.changes["stage"][1] == str(Stage(person.stage).label)

    @invariant()
    def approvals_consistent(self) -> None:
        person = self.person
        approvals = list(Approval.objects.filter(person=person))
        open_ = [a for a in approvals if a.status == ApprovalStatus.OPEN]
        assert len(open_) <= 1
        for approval in open_:
            expected = (
                Stage.CANDIDATE if approval.purpose == Purpose.ADMISSION else Stage.PROBATIONARY
            )
            assert person.stage == expected
        for approval in approvals:
            if approval.decided_on:
                assert approval.decided_on >= approval.opened_on
            if approval.status == ApprovalStatus.APPROVED:
                assert approval.decided_on <= approval.due_on
        admitted = [
            a for a in approvals if a.purpose == Purpose.ADMISSION and a.status == "approved"
        ]
        if person.stage in (Stage.PROBATIONARY, Stage.FULL, Stage.PROBATION_CANCELLED):
            assert len(admitted) == 1 and person.joined_on == admitted[0].opened_on
        if person.stage == Stage.FULL:
            extension = Extension.objects.filter(person=person).first()
            months = extension.months if extension else 0
            assert person.full_member_on == clock.probation_end(person.joined_on, months)
            assert person.full_member_on <= person.stage_since


def test_no_sequence_of_services_makes_an_inconsistent_record(school):
    PipelineMachine.pipe = Pipeline(school)
    run_state_machine_as_test(
        PipelineMachine,
        settings=settings(
            # DEV_PROPERTY_EXAMPLES=500 for a longer search (nightly); 30 keeps CI quick.
            max_examples=int(os.environ.get("DEV_PROPERTY_EXAMPLES", "30")),
            stateful_step_count=50,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
