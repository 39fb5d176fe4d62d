"""From application to activist (细则 第二章), and withdrawing an application."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from development import clock
from development.authority import require_branch_work
from development.models import (
    Approval,
    ApprovalStatus,
    Decision,
    RecommendationKind,
    Step,
    StepRecord,
)
from development.services._common import (
    change_person,
    file_of,
    guard,
    lock,
    record_branch_step,
    record_step,
    require_text,
)
from members.models import Person, Stage


@transaction.atomic
def person_apply(
    *, person: Person, applied_on: dt.date, evidence: str = "", evidence_ref: str = "", actor
) -> StepRecord:
    """The written application is received: the person enters the pipeline (at least 18)."""
    person = lock(person)
    require_branch_work(actor, person.unit)
    guard(file_of(person), Step.APPLICATION, applied_on)
    record = record_step(
        person=person,
        step=Step.APPLICATION,
        on=applied_on,
        actor=actor,
        evidence=evidence,
        evidence_ref=evidence_ref,
    )
    # The stage stays "applicant" (the default of a new record); its start is now on record.
    change_person(
        person=person,
        actor=actor,
        reason=str(Step.APPLICATION.label),
        stage=Stage.APPLICANT,
        on=applied_on,
        applied_on=applied_on,
    )
    return record


@transaction.atomic
def applicant_talk_record(
    *, person: Person, on: dt.date, talked_by: str, note: str = "", evidence: str = "", actor
) -> StepRecord:
    """The talk with the applicant; due within one month of the application, flagged if late
    (a late talk is still recorded: the system tracks the deadline, it does not hide facts)."""
    talked_by = require_text(talked_by, _("Say who talked with the applicant."))
    person = lock(person)
    require_branch_work(actor, person.unit)
    f = file_of(person)
    guard(f, Step.APPLICANT_TALK, on)
    due = clock.talk_due(f.applied_on)
    return record_step(
        person=person,
        step=Step.APPLICANT_TALK,
        on=on,
        actor=actor,
        note=note,
        evidence=evidence,
        detail={
            "talked_by": talked_by,
            "due": due.isoformat(),
            "days_late": clock.days_late(on, due),
        },
    )


@transaction.atomic
def recommendation_record(
    *,
    person: Person,
    on: dt.date,
    kind: str,
    recommenders: str = "",
    evidence: str = "",
    actor,
) -> StepRecord:
    """Recommended by Party members (党员推荐) or by the Youth League (团组织推优)."""
    kind = RecommendationKind(kind)
    return record_branch_step(
        person=person,
        step=Step.RECOMMENDATION,
        on=on,
        actor=actor,
        evidence=evidence,
        detail={"kind": kind.value, "recommenders": recommenders},
    )


@transaction.atomic
def activist_determine(
    *, person: Person, on: dt.date, note: str = "", evidence: str = "", actor
) -> StepRecord:
    """The branch committee determines the applicant an activist."""
    person = lock(person)
    require_branch_work(actor, person.unit)
    guard(file_of(person), Step.ACTIVIST_DETERMINED, on)
    record = record_step(
        person=person,
        step=Step.ACTIVIST_DETERMINED,
        on=on,
        actor=actor,
        decision=Decision.AGREED,
        note=note,
        evidence=evidence,
    )
    change_person(
        person=person,
        actor=actor,
        reason=str(Step.ACTIVIST_DETERMINED.label),
        stage=Stage.ACTIVIST,
        on=on,
    )
    return record


@transaction.atomic
def thought_report_record(
    *,
    person: Person,
    on: dt.date,
    title: str = "",
    evidence: str = "",
    evidence_ref: str = "",
    actor,
) -> StepRecord:
    return record_branch_step(
        person=person,
        step=Step.THOUGHT_REPORT,
        on=on,
        actor=actor,
        evidence=evidence,
        evidence_ref=evidence_ref,
        detail={"title": title},
    )


@transaction.atomic
def application_withdraw(*, person: Person, on: dt.date, reason: str, actor) -> StepRecord:
    """The person withdraws their application; an approval still open is closed with it."""
    reason = require_text(reason, _("Say why the application is withdrawn."))
    person = lock(person)
    require_branch_work(actor, person.unit)
    guard(file_of(person), Step.WITHDRAWAL, on)
    Approval.objects.filter(person=person, status=ApprovalStatus.OPEN).update(
        status=ApprovalStatus.WITHDRAWN, decided_on=on
    )
    record = record_step(person=person, step=Step.WITHDRAWAL, on=on, actor=actor, note=reason)
    change_person(person=person, actor=actor, reason=reason, stage=Stage.WITHDRAWN, on=on)
    return record
