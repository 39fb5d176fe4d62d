"""The rules a ledger row's dates must keep: the pipeline's order, a later step only with the
earlier ones it needs, and the legal intervals, all from development.clock.

Pure functions over one row's dates, so the preview and the confirm step judge a row the same
way and tests can call them directly. Every error names the column (key) it is about.

A ledger has no column for some steps (filings, the branch committee review, the application
form, the notices). A step's requirement on such a step passes to what that step itself needs:
the pre-review needs the branch committee review, which needs the political review and the
training, so a dated 党委预审 needs 政审 and 党校结业 when the sheet has those columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from development import clock
from development.ledger.columns import LEDGER_STEPS, STEP_HEADER, step_key
from development.models import STAGE_STEPS, Step
from members.models import Stage

# What each ledger step needs before it (from development/requirements.py's `_needs`, with
# the steps a ledger does not carry replaced by what they need).
PREREQUISITES: dict[str, tuple[str, ...]] = {
    Step.APPLICANT_TALK: (Step.APPLICATION,),
    Step.RECOMMENDATION: (Step.APPLICATION,),
    Step.ACTIVIST_DETERMINED: (Step.APPLICATION, Step.APPLICANT_TALK, Step.RECOMMENDATION),
    Step.CANDIDATE_DETERMINED: (Step.ACTIVIST_DETERMINED,),
    Step.POLITICAL_REVIEW: (Step.CANDIDATE_DETERMINED,),
    Step.TRAINING: (Step.CANDIDATE_DETERMINED,),
    Step.PRE_REVIEW: (Step.POLITICAL_REVIEW, Step.TRAINING),  # through the branch review
    Step.ADMISSION_MEETING: (Step.PRE_REVIEW,),  # through the application form and notice
    Step.HIGHER_TALK: (Step.ADMISSION_MEETING,),
    Step.ADMISSION_APPROVAL: (Step.ADMISSION_MEETING, Step.HIGHER_TALK),
    Step.OATH: (Step.ADMISSION_APPROVAL,),
    Step.CONVERSION_APPLICATION: (Step.OATH,),
    Step.CONVERSION_APPROVAL: (Step.CONVERSION_APPLICATION,),  # through notice and meeting
}
# Needed before what follows them even when the sheet has no column for them: the stages'
# own steps, and the branch meeting that starts probation.
MILESTONES = frozenset(
    {
        Step.APPLICATION,
        Step.ACTIVIST_DETERMINED,
        Step.CANDIDATE_DETERMINED,
        Step.ADMISSION_MEETING,
        Step.ADMISSION_APPROVAL,
    }
)
SPECIAL_CASE_WORDS = ("特殊情况", "换届")  # a 备注 naming why approval took up to 6 months


@dataclass
class RowDates:
    """One row's dated steps, as the rules read them."""

    steps: dict[str, dt.date]  # step → date
    reports: dict[str, dt.date] = field(default_factory=dict)  # report key → date
    columns: frozenset[str] = frozenset()  # the steps the sheet has a column for
    birth: dt.date | None = None
    min_wait_months: int | None = None
    remarks: str = ""


@dataclass(frozen=True)
class Finding:
    key: str  # column key
    code: str
    message: str


def _h(step: str) -> str:
    return STEP_HEADER[step]


def _d(day: dt.date) -> str:
    return day.isoformat()


def requirements_of(step: str, columns: frozenset[str]) -> list[str]:
    """The steps `step` needs that this sheet can show: direct ones it has a column for (or
    milestones), and for the others what they need in turn."""
    found: list[str] = []
    for needed in PREREQUISITES.get(step, ()):
        if needed in columns or needed in MILESTONES:
            found.append(needed)
        else:
            found.extend(s for s in requirements_of(needed, columns) if s not in found)
    return found


def stage_of(steps: dict[str, dt.date]) -> tuple[str | None, dt.date | None]:
    """The stage the furthest stage-moving step gives (STAGE_STEPS), and since when; an
    applicant since the application; (None, None) without any step."""
    for step in reversed(LEDGER_STEPS):
        if step in steps and step in STAGE_STEPS:
            return STAGE_STEPS[step], steps[step]
    if Step.APPLICATION in steps:
        return Stage.APPLICANT, steps[Step.APPLICATION]
    return None, None


def special_case(remarks: str) -> bool:
    return any(word in (remarks or "") for word in SPECIAL_CASE_WORDS)


def check(row: RowDates, today: dt.date) -> tuple[list[Finding], list[Finding]]:
    """(errors, notes) for one row."""
    errors: list[Finding] = []
    notes: list[Finding] = []
    steps = row.steps

    def err(step_or_key: str, code: str, message: str) -> None:
        key = step_key(step_or_key) if step_or_key in STEP_HEADER else step_or_key
        errors.append(Finding(key, code, message))

    for key, day in [*((step_key(s), d) for s, d in steps.items()), *row.reports.items()]:
        if day > today:
            errors.append(
                Finding(key, "future_date", _("%(date)s is in the future.") % {"date": _d(day)})
            )

    # Order, and a later step only with the earlier ones it needs.
    reported_missing: set[str] = set()
    for step in LEDGER_STEPS:
        if step not in steps:
            continue
        for needed in requirements_of(step, row.columns):
            if needed not in steps:
                if needed in reported_missing:
                    continue
                reported_missing.add(needed)
                if needed in row.columns:
                    message = _(
                        "%(step)s is dated but %(needed)s, which comes before it, is empty."
                    )
                else:
                    message = _(
                        "%(step)s is dated but %(needed)s, which comes before it, is not in "
                        "this sheet; add that column."
                    )
                err(step, "missing_step", message % {"step": _h(step), "needed": _h(needed)})
            elif steps[needed] > steps[step]:
                err(
                    step,
                    "date_order",
                    _(
                        "%(step)s (%(date)s) is before %(needed)s (%(needed_date)s), which comes "
                        "first."
                    )
                    % {
                        "step": _h(step),
                        "date": _d(steps[step]),
                        "needed": _h(needed),
                        "needed_date": _d(steps[needed]),
                    },
                )
    applied = steps.get(Step.APPLICATION)
    full = steps.get(Step.CONVERSION_APPROVAL)
    for key, day in row.reports.items():
        if applied and day < applied:
            errors.append(
                Finding(
                    key,
                    "date_order",
                    _(
                        "A thought report (%(date)s) cannot come before the application "
                        "(%(applied)s)."
                    )
                    % {"date": _d(day), "applied": _d(applied)},
                )
            )
        elif full and day > full:
            errors.append(
                Finding(
                    key,
                    "report_after_full",
                    _(
                        "A thought report (%(date)s) after becoming a full member (%(full)s) is "
                        "not part of the pipeline."
                    )
                    % {"date": _d(day), "full": _d(full)},
                )
            )
    if row.reports and not applied:
        first = sorted(row.reports)[0]
        errors.append(
            Finding(first, "missing_step", _("Thought reports are dated but 申请书 is empty."))
        )

    errors += _intervals(row, today)
    notes += _late_talk(row)
    # An admission the committee has not yet approved cannot be loaded: there is no meeting
    # record with its vote for the approval to wait on.
    if Step.ADMISSION_MEETING in steps and Step.ADMISSION_APPROVAL not in steps:
        later = [
            s
            for s in (Step.OATH, Step.CONVERSION_APPLICATION, Step.CONVERSION_APPROVAL)
            if s in steps
        ]
        if not later:  # with later steps the missing approval is reported above
            err(
                Step.ADMISSION_MEETING,
                "awaiting_approval",
                _(
                    "预备(支部大会) is dated but 党委审批 is empty: an admission still "
                    "awaiting the committee's approval cannot be loaded from a ledger. Record "
                    "the branch meeting in PartyAdmin, or add the approval date."
                ),
            )
    return errors, notes


def _intervals(row: RowDates, today: dt.date) -> list[Finding]:
    """The legal intervals of DESIGN §3, through development.clock."""
    steps = row.steps
    found: list[Finding] = []

    def add(step: str, code: str, message: str) -> None:
        found.append(Finding(step_key(step), code, message))

    applied = steps.get(Step.APPLICATION)
    if applied:
        if row.birth is None:
            add(
                Step.APPLICATION,
                "birth_unknown",
                _(
                    "The birth date is not known (no 出生 or 身份证), so the age at "
                    "application cannot be checked."
                ),
            )
        elif clock.age_on(row.birth, applied) < clock.MIN_AGE:
            add(
                Step.APPLICATION,
                "under_age",
                _(
                    "On %(date)s the applicant was %(age)d; one applies at 18 or older (from "
                    "%(adult)s)."
                )
                % {
                    "date": _d(applied),
                    "age": clock.age_on(row.birth, applied),
                    "adult": _d(clock.adult_from(row.birth)),
                },
            )
    activist = steps.get(Step.ACTIVIST_DETERMINED)
    if activist and applied and row.min_wait_months:
        earliest = clock.activist_earliest(applied, row.min_wait_months)
        if activist < earliest:
            add(
                Step.ACTIVIST_DETERMINED,
                "activist_too_early",
                _(
                    "This school requires %(months)d months between application and activist: the "
                    "earliest is %(earliest)s."
                )
                % {"months": row.min_wait_months, "earliest": _d(earliest)},
            )
    candidate = steps.get(Step.CANDIDATE_DETERMINED)
    if candidate and activist:
        earliest = clock.candidate_earliest(activist)
        if candidate < earliest:
            add(
                Step.CANDIDATE_DETERMINED,
                "candidate_too_early",
                _(
                    "Activist cultivation must last more than one year: from %(activist)s the "
                    "earliest is %(earliest)s (%(days)d days short)."
                )
                % {
                    "activist": _d(activist),
                    "earliest": _d(earliest),
                    "days": clock.days_short(candidate, earliest),
                },
            )
    meeting = steps.get(Step.ADMISSION_MEETING)
    approval = steps.get(Step.ADMISSION_APPROVAL)
    if meeting and approval and approval >= meeting:
        special = special_case(row.remarks)
        due = clock.approval_due(meeting, special=special)
        if approval > due:
            if special:
                message = _(
                    "Approval is due within 6 months of the branch meeting of %(meeting)s "
                    "(special case), by %(due)s: %(days)d days late."
                )
            else:
                message = _(
                    "Approval is due within 3 months of the branch meeting of %(meeting)s, by "
                    "%(due)s: %(days)d days late. For a special case (such as a committee "
                    "re-election, up to 6 months) write 特殊情况 or 换届 in 备注."
                )
            add(
                Step.ADMISSION_APPROVAL,
                "approval_late",
                message
                % {"meeting": _d(meeting), "due": _d(due), "days": clock.days_late(approval, due)},
            )
    if meeting:
        end = clock.probation_end(meeting)
        applied_conversion = steps.get(Step.CONVERSION_APPLICATION)
        if applied_conversion and applied_conversion < clock.conversion_apply_from(end):
            add(
                Step.CONVERSION_APPLICATION,
                "conversion_too_early",
                _(
                    "Probation ends on %(end)s; the written application for conversion is "
                    "accepted from %(earliest)s."
                )
                % {"end": _d(end), "earliest": _d(clock.conversion_apply_from(end))},
            )
        full = steps.get(Step.CONVERSION_APPROVAL)
        if full and full < end:
            add(
                Step.CONVERSION_APPROVAL,
                "probation_short",
                _(
                    "Probation lasts one year from the branch meeting of %(meeting)s: full "
                    "membership on %(full)s is before %(end)s."
                )
                % {"meeting": _d(meeting), "full": _d(full), "end": _d(end)},
            )
    return found


def _late_talk(row: RowDates) -> list[Finding]:
    applied = row.steps.get(Step.APPLICATION)
    talk = row.steps.get(Step.APPLICANT_TALK)
    if not (applied and talk):
        return []
    due = clock.talk_due(applied)
    if talk <= due:
        return []
    return [
        Finding(
            step_key(Step.APPLICANT_TALK),
            "talk_late",
            _(
                "The talk was due within one month of the application, by %(due)s: %(days)d days "
                "late. It is recorded as late."
            )
            % {"due": _d(due), "days": clock.days_late(talk, due)},
        )
    ]
