"""What must be true before each step, as one function per step over a person's file.

The services call these before recording a step and refuse with the unmet reasons; the
selectors call the same functions to show every person's next step with what is met and what
is not. Nothing here touches the database: `PersonFile` is loaded by
`development.selectors.load_files` (a fixed number of queries for any number of people).
All date arithmetic comes from `development.clock`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from development import clock
from development.models import (
    ADMISSION_ROUND,
    CONVERSION_ROUND,
    Approval,
    ApprovalStatus,
    Assignment,
    AssignmentKind,
    Decision,
    Extension,
    LocalRules,
    NoticeObjection,
    ObjectionStatus,
    PublicNotice,
    Purpose,
    Step,
    StepRecord,
    Veto,
)
from members.models import Person, Stage

ACTIVE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)


@dataclass(frozen=True)
class TrainingTotal:
    days: Decimal = Decimal(0)
    hours: Decimal = Decimal(0)


@dataclass(frozen=True)
class Check:
    """One requirement: its name, whether it holds, and if not, why (with the numbers)."""

    label: str
    ok: bool
    reason: str = ""
    # A rule on the merits (time served, training, vetoes, deadlines...) keeps a step from
    # going forward but not from being refused; order rules (stage, previous steps, dates)
    # hold for refusals too.
    merit: bool = False


@dataclass
class Listing:
    """A person on a public notice, with the objections about them."""

    notice: PublicNotice
    objections: list[NoticeObjection] = field(default_factory=list)

    @property
    def unresolved(self) -> int:
        return sum(1 for o in self.objections if o.status == ObjectionStatus.OPEN)


@dataclass
class PersonFile:
    """Everything the rules read about one person (the record timeline is the file)."""

    person: Person
    records: list[StepRecord]  # in the order they were recorded
    assignments: list[Assignment]
    approvals: list[Approval]
    listings: dict[int, Listing]  # by notice id
    vetoes: list[Veto]  # standing vetoes of the kinds the school applies
    extension: Extension | None
    training: TrainingTotal
    volunteer_hours: Decimal
    experiences: set[str]
    rules: LocalRules
    # A probationary retained graduate in a two-way examination whose employer's assessment
    # report is not on file yet (transfers.selectors.awaiting_employer_report).
    awaiting_employer_report: bool = False

    # Records ----------------------------------------------------------------------------

    def accepted(self, step: str) -> list[StepRecord]:
        return [r for r in self.records if r.step == step and r.decision != Decision.REFUSED]

    def last(self, step: str) -> StepRecord | None:
        found = self.accepted(step)
        return max(found, key=lambda r: (r.on, r.pk or 0)) if found else None

    def round_records(self, purpose: str) -> list[StepRecord]:
        """The records of the current admission or conversion round: those after the last
        refusal within the round (and, for conversion, after an extension)."""
        steps = ADMISSION_ROUND if purpose == Purpose.ADMISSION else CONVERSION_ROUND
        start = 0
        for index, record in enumerate(self.records):
            ends_round = record.step in steps and record.decision == Decision.REFUSED
            if ends_round or (purpose == Purpose.CONVERSION and record.step == Step.EXTENSION):
                start = index + 1
        return [r for r in self.records[start:] if r.step in steps]

    def in_round(self, purpose: str, step: str) -> StepRecord | None:
        found = [r for r in self.round_records(purpose) if r.step == step]
        return found[-1] if found else None

    def open_approval(self, purpose: str | None = None) -> Approval | None:
        for approval in self.approvals:
            if approval.status == ApprovalStatus.OPEN and purpose in (None, approval.purpose):
                return approval
        return None

    def assigned(self, kind: str, on: dt.date) -> list[Assignment]:
        return [
            a
            for a in self.assignments
            if a.kind == kind and a.assigned_on <= on and (a.ended_on is None or a.ended_on > on)
        ]

    # Dates ------------------------------------------------------------------------------

    @property
    def applied_on(self) -> dt.date | None:
        record = self.last(Step.APPLICATION)
        return record.on if record else None

    @property
    def activist_on(self) -> dt.date | None:
        record = self.last(Step.ACTIVIST_DETERMINED)
        return record.on if record else None

    @property
    def probation_end(self) -> dt.date | None:
        joined = self.person.joined_on
        if joined is None:
            return None
        return clock.probation_end(joined, self.extension.months if self.extension else 0)

    def assessments_between(self, start: dt.date, end: dt.date) -> int:
        return sum(1 for r in self.accepted(Step.ASSESSMENT) if start <= r.on <= end)

    def training_ok(self) -> bool:
        return clock.training_sufficient(
            self.training.days,
            self.training.hours,
            self.rules.training_min_days,
            self.rules.training_min_hours,
        )

    def missing_experiences(self) -> list[str]:
        if not self.rules.experiences_required:
            return []
        return [e for e in self.rules.required_experiences if e not in self.experiences]


# Building blocks ----------------------------------------------------------------------------


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _n(value) -> str:
    """A quantity as people write it: 2, 23.5 (PostgreSQL sums come back as 2.0 or Decimal)."""
    return f"{float(value or 0):g}"


def _step_label(step: str) -> str:
    return str(Step(step).label)


def _stage(f: PersonFile, step: str, *stages: str) -> Check:
    ok = f.person.stage in stages
    reason = ""
    if not ok:
        reason = _("%(name)s is %(stage)s; “%(step)s” needs %(needed)s.") % {
            "name": f.person.name,
            "stage": str(Stage(f.person.stage).label),
            "step": _step_label(step),
            "needed": " / ".join(str(Stage(s).label) for s in stages),
        }
    return Check(_("In the right stage"), ok, reason)


def _on_record(record: StepRecord | None, step: str, on: dt.date) -> Check:
    """`step` is on record, on or before `on` (steps happen in order)."""
    label = _step_label(step)
    if record is None:
        return Check(label, False, _("“%(step)s” is not on record.") % {"step": label})
    if record.on > on:
        return Check(
            label,
            False,
            _("“%(step)s” on %(date)s comes after %(on)s; steps must be in order.")
            % {"step": label, "date": _d(record.on), "on": _d(on)},
        )
    return Check(label, True)


def _merit(check: Check) -> Check:
    """Make an order rule a rule on the merits (not needed to record a refusal)."""
    return replace(check, merit=True)


def _needs(f: PersonFile, step: str, on: dt.date) -> Check:
    return _on_record(f.last(step), step, on)


def _needs_in_round(f: PersonFile, purpose: str, step: str, on: dt.date) -> Check:
    return _on_record(f.in_round(purpose, step), step, on)


def _not_yet(record: StepRecord | None, step: str) -> Check:
    ok = record is None
    reason = ""
    if not ok:
        reason = _("“%(step)s” is already on record (%(date)s).") % {
            "step": _step_label(step),
            "date": _d(record.on),
        }
    return Check(_("Not on record yet"), ok, reason)


def _once(f: PersonFile, step: str) -> Check:
    return _not_yet(f.last(step), step)


def _once_in_round(f: PersonFile, purpose: str, step: str) -> Check:
    return _not_yet(f.in_round(purpose, step), step)


def _no_veto(f: PersonFile) -> Check:
    if not f.vetoes:
        return Check(_("No veto standing"), True, merit=True)
    veto = f.vetoes[0]
    return Check(
        _("No veto standing"),
        False,
        _("A %(kind)s raised on %(date)s by %(by)s stands: %(reason)s")
        % {
            "kind": veto.get_kind_display(),
            "date": _d(veto.raised_on),
            "by": veto.raised_by,
            "reason": veto.reason,
        },
        merit=True,
    )


def _not_before_stage(f: PersonFile, on: dt.date) -> Check:
    since = f.person.stage_since
    ok = since is None or on >= since
    reason = ""
    if not ok:
        reason = _("The date %(date)s is before the current stage began on %(since)s.") % {
            "date": _d(on),
            "since": _d(since),
        }
    return Check(_("After the current stage began"), ok, reason)


def _no_open_approval(f: PersonFile) -> Check:
    approval = f.open_approval()
    ok = approval is None
    reason = ""
    if not ok:
        reason = _("An approval of %(purpose)s is open since %(date)s; decide it first.") % {
            "purpose": approval.get_purpose_display(),
            "date": _d(approval.opened_on),
        }
    return Check(_("No approval open"), ok, reason)


def _notice_over(f: PersonFile, purpose: str, on: dt.date) -> list[Check]:
    """The round's public notice has run its course and no objection is left unresolved."""
    record = f.in_round(purpose, Step.ADMISSION_NOTICE if purpose == Purpose.ADMISSION else
                        Step.CONVERSION_NOTICE)  # fmt: skip
    listing = f.listings.get(record.notice_id) if record and record.notice_id else None
    if listing is None:
        return []  # the missing notice is reported by _needs_in_round
    earliest = clock.meeting_earliest(listing.notice.end)
    checks = [
        Check(
            _("Public notice over"),
            on >= earliest,
            _("The public notice runs until %(end)s; the meeting can be held from %(earliest)s.")
            % {"end": _d(listing.notice.end), "earliest": _d(earliest)},
        ),
        Check(
            _("Objections resolved"),
            listing.unresolved == 0,
            _("%(n)d objection(s) to the public notice are not resolved.")
            % {"n": listing.unresolved},
        ),
    ]
    return checks


def _approval_window(f: PersonFile, purpose: str, on: dt.date) -> list[Check]:
    approval = f.open_approval(purpose)
    if approval is None:
        return [
            Check(
                _("Awaiting approval"),
                False,
                _("No %(purpose)s is awaiting approval.")
                % {"purpose": str(Purpose(purpose).label)},
            )
        ]
    numbers = {
        "meeting": _d(approval.opened_on),
        "due": _d(approval.due_on),
        "days": clock.days_late(on, approval.due_on),
    }
    if approval.special_case:
        late = _(
            "Approval was due within 6 months of the branch meeting of %(meeting)s, by "
            "%(due)s: %(days)d days late."
        )
    else:
        late = _(
            "Approval is due within 3 months of the branch meeting of %(meeting)s, by %(due)s: "
            "%(days)d days late. A recorded special case (such as a committee re-election) "
            "allows up to 6 months."
        )
    return [
        Check(_("Awaiting approval"), True),
        Check(
            _("After the branch meeting"),
            on >= approval.opened_on,
            _("The decision cannot come before the branch meeting of %(meeting)s.") % numbers,
        ),
        Check(_("Within the approval period"), on <= approval.due_on, late % numbers, merit=True),
    ]


# One function per step ------------------------------------------------------------------

Checker = Callable[[PersonFile, dt.date], list[Check]]


def application(f: PersonFile, on: dt.date) -> list[Check]:
    checks = [_stage(f, Step.APPLICATION, Stage.APPLICANT), _once(f, Step.APPLICATION)]
    birth = f.person.birth_date
    if birth is None:
        checks.append(
            Check(
                _("At least 18"),
                False,
                _("The birth date is not known, so the age at application cannot be checked."),
            )
        )
    else:
        age = clock.age_on(birth, on)
        checks.append(
            Check(
                _("At least 18"),
                age >= clock.MIN_AGE,
                _(
                    "%(name)s is %(age)d on %(date)s; an applicant must be at least 18 "
                    "(from %(adult)s)."
                )
                % {
                    "name": f.person.name,
                    "age": age,
                    "date": _d(on),
                    "adult": _d(clock.adult_from(birth)),
                },
            )
        )
    return checks


def applicant_talk(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.APPLICANT_TALK, Stage.APPLICANT),
        _needs(f, Step.APPLICATION, on),
        _once(f, Step.APPLICANT_TALK),
    ]


def recommendation(f: PersonFile, on: dt.date) -> list[Check]:
    return [_stage(f, Step.RECOMMENDATION, Stage.APPLICANT), _needs(f, Step.APPLICATION, on)]


def activist_determined(f: PersonFile, on: dt.date) -> list[Check]:
    checks = [
        _stage(f, Step.ACTIVIST_DETERMINED, Stage.APPLICANT),
        _needs(f, Step.APPLICATION, on),
        _needs(f, Step.APPLICANT_TALK, on),
        _needs(f, Step.RECOMMENDATION, on),
        _not_before_stage(f, on),
        _no_veto(f),
    ]
    months = f.rules.min_wait_months
    if months and f.applied_on:
        earliest = clock.activist_earliest(f.applied_on, months)
        checks.append(
            Check(
                _("Minimum wait after the application"),
                on >= earliest,
                _(
                    "This school requires %(months)d months between application and activist: "
                    "%(days)d days short (from %(earliest)s)."
                )
                % {
                    "months": months,
                    "days": clock.days_short(on, earliest),
                    "earliest": _d(earliest),
                },
                merit=True,
            )
        )
    return checks


def activist_filed(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.ACTIVIST_FILED, Stage.ACTIVIST),
        _needs(f, Step.ACTIVIST_DETERMINED, on),
        _once(f, Step.ACTIVIST_FILED),
    ]


def contacts_assigned(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.CONTACTS_ASSIGNED, Stage.ACTIVIST, Stage.CANDIDATE),
        _needs(f, Step.ACTIVIST_DETERMINED, on),
    ]


def assessment(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.ASSESSMENT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY),
        _needs(f, Step.ACTIVIST_DETERMINED, on),
    ]


def thought_report(f: PersonFile, on: dt.date) -> list[Check]:
    return [_stage(f, Step.THOUGHT_REPORT, *ACTIVE_STAGES), _needs(f, Step.APPLICATION, on)]


def candidate_determined(f: PersonFile, on: dt.date) -> list[Check]:
    checks = [
        _stage(f, Step.CANDIDATE_DETERMINED, Stage.ACTIVIST),
        _needs(f, Step.ACTIVIST_FILED, on),
        _needs(f, Step.CONTACTS_ASSIGNED, on),
        _not_before_stage(f, on),
        _no_veto(f),
    ]
    contacts = len(f.assigned(AssignmentKind.CONTACT, on))
    checks.append(
        Check(
            _("Cultivation contact assigned"),
            contacts > 0,
            _("No cultivation contact is assigned on %(date)s.") % {"date": _d(on)},
            merit=True,
        )
    )
    activist_on = f.activist_on
    if activist_on is not None:
        earliest = clock.candidate_earliest(activist_on)
        checks.append(
            Check(
                _("More than one year as an activist"),
                on >= earliest,
                _("Activist cultivation has not lasted more than one year: %(days)d days short.")
                % {"days": clock.days_short(on, earliest)},
                merit=True,
            )
        )
        due = len(clock.assessments_due(activist_on, on))
        done = f.assessments_between(activist_on, on)
        checks.append(
            Check(
                _("Half-yearly assessments"),
                done >= due,
                _("Half-yearly assessments: %(done)d on record, %(due)d due by %(date)s.")
                % {"done": done, "due": due, "date": _d(on)},
                merit=True,
            )
        )
    return checks


def candidate_filed(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.CANDIDATE_FILED, Stage.CANDIDATE),
        _needs(f, Step.CANDIDATE_DETERMINED, on),
        _once(f, Step.CANDIDATE_FILED),
    ]


def introducers_assigned(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.INTRODUCERS_ASSIGNED, Stage.CANDIDATE),
        _needs(f, Step.CANDIDATE_DETERMINED, on),
    ]


def political_review(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.POLITICAL_REVIEW, Stage.CANDIDATE),
        _needs(f, Step.CANDIDATE_DETERMINED, on),
        _once(f, Step.POLITICAL_REVIEW),  # once, unless the earlier review failed
    ]


def training(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.TRAINING, Stage.CANDIDATE),
        _needs(f, Step.CANDIDATE_DETERMINED, on),
    ]


def branch_review(f: PersonFile, on: dt.date) -> list[Check]:
    introducers = len(f.assigned(AssignmentKind.INTRODUCER, on))
    missing = f.missing_experiences()
    return [
        _stage(f, Step.BRANCH_REVIEW, Stage.CANDIDATE),
        _needs(f, Step.CANDIDATE_FILED, on),
        _needs(f, Step.POLITICAL_REVIEW, on),
        _needs(f, Step.TRAINING, on),
        Check(
            _("Two introducers"),
            introducers == 2,
            _("Two introducers are needed; %(n)d assigned on %(date)s.")
            % {"n": introducers, "date": _d(on)},
            merit=True,
        ),
        Check(
            _("Concentrated training sufficient"),
            f.training_ok(),
            _(
                "Concentrated training: %(days)s days and %(hours)s class hours on record; at "
                "least %(min_days)s days or %(min_hours)s class hours are required."
            )
            % {
                "days": _n(f.training.days),
                "hours": _n(f.training.hours),
                "min_days": _n(f.rules.training_min_days),
                "min_hours": _n(f.rules.training_min_hours),
            },
            merit=True,
        ),
        Check(
            _("Required experiences"),
            not missing,
            _("Required experiences missing: %(missing)s.") % {"missing": "；".join(missing)},
            merit=True,
        ),
        _once_in_round(f, Purpose.ADMISSION, Step.BRANCH_REVIEW),
        _no_open_approval(f),
        _no_veto(f),
    ]


def pre_review(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.PRE_REVIEW, Stage.CANDIDATE),
        _needs_in_round(f, Purpose.ADMISSION, Step.BRANCH_REVIEW, on),
        _once_in_round(f, Purpose.ADMISSION, Step.PRE_REVIEW),
        _no_veto(f),
    ]


def application_form(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.APPLICATION_FORM, Stage.CANDIDATE),
        _needs_in_round(f, Purpose.ADMISSION, Step.PRE_REVIEW, on),
        _once_in_round(f, Purpose.ADMISSION, Step.APPLICATION_FORM),
    ]


def admission_notice(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.ADMISSION_NOTICE, Stage.CANDIDATE),
        _needs_in_round(f, Purpose.ADMISSION, Step.PRE_REVIEW, on),
        _once_in_round(f, Purpose.ADMISSION, Step.ADMISSION_NOTICE),
    ]


def admission_meeting(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.ADMISSION_MEETING, Stage.CANDIDATE),
        _needs_in_round(f, Purpose.ADMISSION, Step.APPLICATION_FORM, on),
        _needs_in_round(f, Purpose.ADMISSION, Step.ADMISSION_NOTICE, on),
        *_notice_over(f, Purpose.ADMISSION, on),
        _once_in_round(f, Purpose.ADMISSION, Step.ADMISSION_MEETING),
        _no_veto(f),
    ]


def higher_talk(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.HIGHER_TALK, Stage.CANDIDATE),
        _needs_in_round(f, Purpose.ADMISSION, Step.ADMISSION_MEETING, on),
        Check(
            _("Awaiting approval"),
            f.open_approval(Purpose.ADMISSION) is not None,
            _("No %(purpose)s is awaiting approval.") % {"purpose": str(Purpose.ADMISSION.label)},
        ),
        _once_in_round(f, Purpose.ADMISSION, Step.HIGHER_TALK),
    ]


def admission_approval(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.ADMISSION_APPROVAL, Stage.CANDIDATE),
        _merit(_needs_in_round(f, Purpose.ADMISSION, Step.HIGHER_TALK, on)),
        *_approval_window(f, Purpose.ADMISSION, on),
        _no_veto(f),
    ]


def _after_admission(step: str) -> Checker:
    def check(f: PersonFile, on: dt.date) -> list[Check]:
        return [
            _stage(f, step, Stage.PROBATIONARY),
            _needs(f, Step.ADMISSION_APPROVAL, on),
            _once(f, step),
        ]

    return check


def conversion_application(f: PersonFile, on: dt.date) -> list[Check]:
    checks = [
        _stage(f, Step.CONVERSION_APPLICATION, Stage.PROBATIONARY),
        _needs(f, Step.OATH, on),
        _once_in_round(f, Purpose.CONVERSION, Step.CONVERSION_APPLICATION),
        _no_open_approval(f),
    ]
    end = f.probation_end
    if end is not None:
        earliest = clock.conversion_apply_from(end)
        checks.append(
            Check(
                _("Probation ending"),
                on >= earliest,
                _(
                    "Probation ends on %(end)s; the written application for conversion is "
                    "accepted from %(earliest)s."
                )
                % {"end": _d(end), "earliest": _d(earliest)},
                merit=True,
            )
        )
    return checks


def conversion_pre_review(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.CONVERSION_PRE_REVIEW, Stage.PROBATIONARY),
        _needs_in_round(f, Purpose.CONVERSION, Step.CONVERSION_APPLICATION, on),
        _once_in_round(f, Purpose.CONVERSION, Step.CONVERSION_PRE_REVIEW),
    ]


def conversion_notice(f: PersonFile, on: dt.date) -> list[Check]:
    checks = [
        _stage(f, Step.CONVERSION_NOTICE, Stage.PROBATIONARY),
        _needs_in_round(f, Purpose.CONVERSION, Step.CONVERSION_APPLICATION, on),
        _once_in_round(f, Purpose.CONVERSION, Step.CONVERSION_NOTICE),
    ]
    if f.rules.conversion_pre_review:
        checks.append(_needs_in_round(f, Purpose.CONVERSION, Step.CONVERSION_PRE_REVIEW, on))
    return checks


def conversion_meeting(f: PersonFile, on: dt.date) -> list[Check]:
    checks = [
        _stage(f, Step.CONVERSION_MEETING, Stage.PROBATIONARY),
        _needs_in_round(f, Purpose.CONVERSION, Step.CONVERSION_NOTICE, on),
        *_notice_over(f, Purpose.CONVERSION, on),
        _once_in_round(f, Purpose.CONVERSION, Step.CONVERSION_MEETING),
        _no_veto(f),
        _employer_report(f),
    ]
    end = f.probation_end
    if end is not None:
        checks.append(
            Check(
                _("Probation over"),
                on >= end,
                _("Probation ends on %(end)s; the conversion meeting cannot be held before it.")
                % {"end": _d(end)},
            )
        )
    if f.rules.volunteer_hours_required:
        checks.append(
            Check(
                _("Volunteer hours"),
                f.volunteer_hours >= f.rules.volunteer_hours,
                _("Volunteer hours during probation: %(hours)s of the %(required)s required.")
                % {"hours": f.volunteer_hours, "required": f.rules.volunteer_hours},
                merit=True,
            )
        )
    return checks


def conversion_approval(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.CONVERSION_APPROVAL, Stage.PROBATIONARY),
        _merit(_needs_in_round(f, Purpose.CONVERSION, Step.CONVERSION_MEETING, on)),
        *_approval_window(f, Purpose.CONVERSION, on),
        _no_veto(f),
        _employer_report(f),
    ]


def _employer_report(f: PersonFile) -> Check:
    """Seed 000's two-way examination: the employer's assessment report is a required
    document for the conversion of a probationary retained graduate."""
    return Check(
        _("Employer's assessment report (two-way examination)"),
        not f.awaiting_employer_report,
        _(
            "Two-way examination: the employer's assessment report of %(name)s is not on "
            "file; it is required for conversion."
        )
        % {"name": f.person.name},
        merit=True,
    )


def extension(f: PersonFile, on: dt.date) -> list[Check]:
    done = f.extension
    return [
        _stage(f, Step.EXTENSION, Stage.PROBATIONARY),
        _needs(f, Step.ADMISSION_APPROVAL, on),
        Check(
            _("Not extended before"),
            done is None,
            _("Probation can be extended only once; it was extended on %(date)s.")
            % {"date": _d(done.decided_on) if done else ""},
        ),
        _no_open_approval(f),
    ]


def cancellation(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.CANCELLATION, Stage.PROBATIONARY),
        _needs(f, Step.ADMISSION_APPROVAL, on),
        _no_open_approval(f),
    ]


def withdrawal(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.WITHDRAWAL, Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE),
        _not_before_stage(f, on),
        _not_before_open_approval(f, on),
    ]


def _not_before_open_approval(f: PersonFile, on: dt.date) -> Check:
    """Withdrawing closes an open approval on that day, so it cannot precede the meeting
    that opened it (found by the property test)."""
    approval = f.open_approval()
    ok = approval is None or on >= approval.opened_on
    reason = ""
    if not ok:
        reason = _("The date %(date)s is before the branch meeting of %(since)s.") % {
            "date": _d(on),
            "since": _d(approval.opened_on),
        }
    return Check(_("After the branch meeting"), ok, reason)


def archive(f: PersonFile, on: dt.date) -> list[Check]:
    return [
        _stage(f, Step.ARCHIVE, Stage.FULL, Stage.PROBATION_CANCELLED),
        _not_before_stage(f, on),
        _once(f, Step.ARCHIVE),
    ]


CHECKERS: dict[str, Checker] = {
    Step.APPLICATION: application,
    Step.APPLICANT_TALK: applicant_talk,
    Step.RECOMMENDATION: recommendation,
    Step.ACTIVIST_DETERMINED: activist_determined,
    Step.ACTIVIST_FILED: activist_filed,
    Step.CONTACTS_ASSIGNED: contacts_assigned,
    Step.ASSESSMENT: assessment,
    Step.THOUGHT_REPORT: thought_report,
    Step.CANDIDATE_DETERMINED: candidate_determined,
    Step.CANDIDATE_FILED: candidate_filed,
    Step.INTRODUCERS_ASSIGNED: introducers_assigned,
    Step.POLITICAL_REVIEW: political_review,
    Step.TRAINING: training,
    Step.BRANCH_REVIEW: branch_review,
    Step.PRE_REVIEW: pre_review,
    Step.APPLICATION_FORM: application_form,
    Step.ADMISSION_NOTICE: admission_notice,
    Step.ADMISSION_MEETING: admission_meeting,
    Step.HIGHER_TALK: higher_talk,
    Step.ADMISSION_APPROVAL: admission_approval,
    Step.ADMISSION_FILED: _after_admission(Step.ADMISSION_FILED),
    Step.PLACEMENT: _after_admission(Step.PLACEMENT),
    Step.OATH: _after_admission(Step.OATH),
    Step.CONVERSION_APPLICATION: conversion_application,
    Step.CONVERSION_PRE_REVIEW: conversion_pre_review,
    Step.CONVERSION_NOTICE: conversion_notice,
    Step.CONVERSION_MEETING: conversion_meeting,
    Step.CONVERSION_APPROVAL: conversion_approval,
    Step.EXTENSION: extension,
    Step.CANCELLATION: cancellation,
    Step.WITHDRAWAL: withdrawal,
    Step.ARCHIVE: archive,
}


def check(f: PersonFile, step: str, on: dt.date, today: dt.date) -> list[Check]:
    """All requirements of `step` on date `on`, plus the two every step shares: the date is
    not in the future and not before the application."""
    checks = list(CHECKERS[step](f, on))
    checks.append(
        Check(
            _("Not in the future"),
            on <= today,
            _("The date %(date)s is in the future.") % {"date": _d(on)},
        )
    )
    applied = f.applied_on
    if step != Step.APPLICATION and applied is not None:
        checks.append(
            Check(
                _("After the application"),
                on >= applied,
                _("The date %(date)s is before the application of %(applied)s.")
                % {"date": _d(on), "applied": _d(applied)},
            )
        )
    return checks


def unmet(checks: list[Check]) -> list[str]:
    return [c.reason for c in checks if not c.ok]
