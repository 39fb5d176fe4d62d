"""Development candidates (细则 第四章): filing, introducers, political review, training,
branch committee review."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from development.authority import require_branch_work
from development.models import (
    AssignmentKind,
    Decision,
    Step,
    StepRecord,
    TrainingKind,
    TrainingRecord,
)
from development.services._common import (
    file_of,
    guard,
    lock,
    record_branch_step,
    record_step,
    require_text,
    today,
)
from development.services.activist import assign, filing_record
from education.services.training import result_from_development
from members.models import Person


@transaction.atomic
def candidate_file(
    *, person: Person, on: dt.date, filed_with: str = "", evidence: str = "", actor
) -> StepRecord:
    return filing_record(
        person=person,
        step=Step.CANDIDATE_FILED,
        on=on,
        filed_with=filed_with,
        evidence=evidence,
        actor=actor,
    )


@transaction.atomic
def introducers_assign(
    *, person: Person, introducers: Sequence[Person], on: dt.date, actor
) -> StepRecord:
    """Exactly two introducers (入党介绍人), full members on that date."""
    if len({i.pk for i in introducers}) != 2:
        raise ValidationError(
            _("A development candidate has exactly two introducers; %(n)d given.")
            % {"n": len({i.pk for i in introducers})}
        )
    return assign(
        person=person,
        kind=AssignmentKind.INTRODUCER,
        step=Step.INTRODUCERS_ASSIGNED,
        members=introducers,
        on=on,
        actor=actor,
    )


@transaction.atomic
def political_review_record(
    *,
    person: Person,
    on: dt.date,
    conclusion: str,
    passed: bool,
    evidence: str = "",
    actor,
) -> StepRecord:
    """Political review (政治审查) with its written conclusion; a failed review may be
    followed by a new one."""
    conclusion = require_text(conclusion, _("Write the conclusion of the political review."))
    return record_branch_step(
        person=person,
        step=Step.POLITICAL_REVIEW,
        on=on,
        actor=actor,
        decision=Decision.AGREED if passed else Decision.REFUSED,
        note=conclusion,
        evidence=evidence,
    )


@transaction.atomic
def training_record(
    *,
    person: Person,
    course: str,
    start: dt.date,
    end: dt.date,
    days: Decimal | float,
    hours: Decimal | float,
    passed: bool = True,
    kind: str = TrainingKind.CANDIDATE,
    evidence: str = "",
    actor,
) -> TrainingRecord:
    """A training course with its days and class hours. Concentrated training of a
    development candidate is also a step of the pipeline (dated by its last day)."""
    course = require_text(course, _("Name the course."))
    days, hours = Decimal(str(days)), Decimal(str(hours))
    person = lock(person)
    require_branch_work(actor, person.unit)
    length = (end - start).days + 1
    problems = []
    if end < start:
        problems.append(_("A course cannot end before it starts."))
    if end > today():
        problems.append(_("The date %(date)s is in the future.") % {"date": end.isoformat()})
    if days < 0 or hours < 0 or days > length:
        problems.append(
            _("A course of %(length)d calendar days cannot count %(days)s days.")
            % {"length": max(length, 0), "days": days}
        )
    if problems:
        raise ValidationError(problems)
    if kind == TrainingKind.CANDIDATE:
        guard(file_of(person), Step.TRAINING, start)
    row = TrainingRecord.objects.create(
        person=person,
        kind=kind,
        course=course,
        start=start,
        end=end,
        days=days,
        hours=hours,
        passed=passed,
        evidence=evidence,
        actor=actor,
    )
    # education/'s Party-school results are the one source of hours the rules read.
    result_from_development(row)
    if kind == TrainingKind.CANDIDATE:
        record_step(
            person=person,
            step=Step.TRAINING,
            on=end,
            actor=actor,
            decision=Decision.DONE if passed else Decision.REFUSED,
            evidence=evidence,
            detail={"course": course, "days": str(days), "hours": str(hours), "id": row.pk},
        )
    return row


@transaction.atomic
def branch_review_record(
    *, person: Person, on: dt.date, agreed: bool, note: str = "", evidence: str = "", actor
) -> StepRecord:
    """The branch committee reviews the candidate and, if it agrees, reports for pre-review.
    Starts an admission round."""
    person = lock(person)
    require_branch_work(actor, person.unit)
    guard(file_of(person), Step.BRANCH_REVIEW, on, refusal=not agreed)
    return record_step(
        person=person,
        step=Step.BRANCH_REVIEW,
        on=on,
        actor=actor,
        decision=Decision.AGREED if agreed else Decision.REFUSED,
        note=note,
        evidence=evidence,
    )
