"""Step records for demo people in the pipeline, so the due lists have something to find.

A pure function of the person (seed, index) like the rest of the demo: people in an active
stage (applicant … probationary) get the records their stage requires (development's
STAGE_REQUIRES), dated in order between their milestones and never after the reference day,
with what real branches leave undone: a few talks not yet held, half-yearly assessments
falling behind, conversions applied for in probation's last month. Full members have none:
their history predates the system (the roster loaded their stage). Cultivation contacts and
introducers get a step record but no assignment rows, and training no hours: the bench reads
step records, and such people stay at those steps in the pipeline.
"""

import datetime as dt
import random

from development.clock import add_months, add_years
from development.models import Decision, Step
from members.demo.people import PersonSpec
from members.models import Stage

ACTIVE = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)
TALK_HELD = 0.95  # share of applicants whose talk is on record (once it could be)
ASSESSMENT_BEHIND = 0.12  # share of people in cultivation whose last assessment is missing
CONVERSION_APPLIED = 0.9  # of those in probation's last month
EVIDENCE = "演示数据"
# Steps of a development candidate before the branch meeting, at these fractions of the time
# between candidacy and the meeting.
CANDIDATE_STEPS = (
    (Step.CANDIDATE_FILED, 0.05, Decision.DONE),
    (Step.INTRODUCERS_ASSIGNED, 0.15, Decision.DONE),
    (Step.POLITICAL_REVIEW, 0.3, Decision.AGREED),
    (Step.TRAINING, 0.45, Decision.DONE),
)
ROUND_STEPS = (
    (Step.BRANCH_REVIEW, 0.6, Decision.AGREED),
    (Step.PRE_REVIEW, 0.7, Decision.AGREED),
    (Step.APPLICATION_FORM, 0.78, Decision.DONE),
    (Step.ADMISSION_NOTICE, 0.85, Decision.DONE),
)

StepRow = tuple[str, dt.date, str]  # (step, on, decision)


def demo_steps(spec: PersonSpec, ref: dt.date, seed: int) -> list[StepRow]:
    """The person's step records, in date order (ties in pipeline order)."""
    if spec.stage not in ACTIVE or not spec.milestones:
        return []
    rng = random.Random(f"{seed}:{spec.index}:steps")
    dates = spec.milestones
    applied = dates[0]
    rows: list[StepRow] = [(Step.APPLICATION, applied, Decision.DONE)]

    def add(step: str, on: dt.date, decision: str = Decision.DONE) -> bool:
        if on > ref:
            return False
        rows.append((step, on, decision))
        return True

    def days(lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=rng.randint(lo, hi))

    if spec.stage == Stage.APPLICANT:
        talk = applied + days(3, 28)
        if rng.random() < TALK_HELD and add(Step.APPLICANT_TALK, talk) and rng.random() < 0.4:
            add(Step.RECOMMENDATION, min(talk + days(10, 120), ref))
        return rows

    activist = dates[1]
    span = (activist - applied).days
    talk = applied + dt.timedelta(days=min(rng.randint(3, 28), span))
    add(Step.APPLICANT_TALK, talk)
    add(Step.RECOMMENDATION, talk + dt.timedelta(days=rng.randint(0, (activist - talk).days)))
    add(Step.ACTIVIST_DETERMINED, activist, Decision.AGREED)
    add(Step.ACTIVIST_FILED, min(activist + days(2, 20), ref))
    add(Step.CONTACTS_ASSIGNED, min(activist + days(0, 15), ref))

    # Half-yearly assessments: up to candidacy, and on while still in cultivation.
    in_cultivation = spec.stage in (Stage.ACTIVIST, Stage.CANDIDATE)
    until = ref if in_cultivation else dates[2]
    assessments = []
    n = 1
    while (due := add_months(activist, 6 * n)) <= until:
        assessments.append(max(due - days(0, 20), activist))
        n += 1
    if in_cultivation and assessments and rng.random() < ASSESSMENT_BEHIND:
        last = assessments[-1]
        if len(dates) < 3 or last > dates[2]:  # those before candidacy were needed for it
            assessments.pop()
    for on in assessments:
        add(Step.ASSESSMENT, on)
    if spec.stage == Stage.ACTIVIST:
        return _sorted(rows)

    candidate = dates[2]
    add(Step.CANDIDATE_DETERMINED, candidate, Decision.AGREED)
    joined = dates[3] if len(dates) > 3 else None
    # A candidate still waiting is placed as if the meeting were a few months after today.
    meeting = joined or max(candidate + dt.timedelta(days=180), ref + dt.timedelta(days=60))
    span = (meeting - candidate).days
    for step, share, decision in CANDIDATE_STEPS + (ROUND_STEPS if joined else ()):
        add(step, candidate + dt.timedelta(days=round(span * share)), decision)
    if joined is None:
        return _sorted(rows)

    add(Step.ADMISSION_MEETING, joined, Decision.AGREED)
    approval = min(joined + days(20, 85), ref)
    talk = joined + dt.timedelta(days=rng.randint(0, (approval - joined).days))
    add(Step.HIGHER_TALK, talk)
    add(Step.ADMISSION_APPROVAL, approval, Decision.AGREED)
    add(Step.ADMISSION_FILED, min(approval + days(3, 15), ref))
    add(Step.PLACEMENT, min(approval + days(1, 10), ref))
    add(Step.OATH, min(approval + days(0, 30), ref))
    end = add_years(joined, 1)
    opens = add_months(end, -1)
    if ref >= opens and rng.random() < CONVERSION_APPLIED:
        add(Step.CONVERSION_APPLICATION, opens + days(0, max((min(end, ref) - opens).days, 0)))
    return _sorted(rows)


_ORDER = {step: n for n, step in enumerate(Step.values)}


def _sorted(rows: list[StepRow]) -> list[StepRow]:
    return sorted(rows, key=lambda r: (r[1], _ORDER[r[0]]))
