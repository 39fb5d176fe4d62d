"""Admission (细则 第五章): pre-review by the committee with approval power, the application
form, the talk by the higher committee, approval within 3 (or 6) months, filing."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from development import clock
from development.authority import (
    require_approval_authority,
    require_higher_committee,
)
from development.models import Approval, ApprovalStatus, Decision, Purpose, Step, StepRecord
from development.services._common import (
    change_person,
    file_of,
    guard,
    lock,
    record_branch_step,
    record_step,
    require_text,
)
from development.services.activist import filing_record
from members.models import Person, Stage


@transaction.atomic
def pre_review_decide(
    *, person: Person, on: dt.date, passed: bool, note: str = "", evidence: str = "", actor
) -> StepRecord:
    """Pre-review (预审) by the committee with approval power above the branch; nothing goes
    further without it. A general branch only reviews and forwards."""
    person = lock(person)
    require_approval_authority(actor, person.unit, str(Step.PRE_REVIEW.label))
    guard(file_of(person), Step.PRE_REVIEW, on, refusal=not passed)
    return record_step(
        person=person,
        step=Step.PRE_REVIEW,
        on=on,
        actor=actor,
        decision=Decision.AGREED if passed else Decision.REFUSED,
        note=note,
        evidence=evidence,
    )


@transaction.atomic
def application_form_issue(
    *, person: Person, on: dt.date, form_number: str = "", actor
) -> StepRecord:
    """The application form (入党志愿书) is issued after a passed pre-review."""
    return record_branch_step(
        person=person,
        step=Step.APPLICATION_FORM,
        on=on,
        actor=actor,
        evidence_ref=form_number,
        detail={"form_number": form_number},
    )


@transaction.atomic
def higher_talk_record(
    *, person: Person, on: dt.date, talked_by: str, note: str = "", actor
) -> StepRecord:
    """Before approval a committee member or organizer talks with the candidate."""
    talked_by = require_text(talked_by, _("Say who held the talk."))
    person = lock(person)
    require_higher_committee(actor, person.unit)
    guard(file_of(person), Step.HIGHER_TALK, on)
    return record_step(
        person=person,
        step=Step.HIGHER_TALK,
        on=on,
        actor=actor,
        note=note,
        detail={"talked_by": talked_by},
    )


@transaction.atomic
def approval_special_case_record(*, person: Person, reason: str, actor) -> Approval:
    """A special case (such as the committee's re-election) gives the open approval up to
    6 months from the branch meeting instead of 3."""
    reason = require_text(reason, _("Say what the special case is."))
    person = lock(person)
    require_approval_authority(actor, person.unit, str(Step.ADMISSION_APPROVAL.label))
    approval = Approval.objects.filter(person=person, status=ApprovalStatus.OPEN).first()
    if approval is None:
        raise ValidationError(
            _("Nothing about %(name)s is awaiting approval.") % {"name": person.name}
        )
    if approval.special_case:
        raise ValidationError(_("The special case is already on record."))
    approval.special_case = True
    approval.special_reason = reason[:255]
    approval.due_on = clock.approval_due(approval.opened_on, special=True)
    approval.save(update_fields=["special_case", "special_reason", "due_on"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=approval,
        summary=f"{person.name} special case",
        detail={"reason": reason, "due_on": approval.due_on.isoformat()},
    )
    return approval


def decide_approval(
    *,
    purpose: str,
    person: Person,
    on: dt.date,
    approve: bool,
    note: str,
    evidence: str,
    actor,
) -> StepRecord:
    """The committee decides an open admission or conversion. Approving is allowed within the
    approval period only; saying no (closing the matter) is allowed at any time after the
    meeting, and ends the round."""
    step = Step.ADMISSION_APPROVAL if purpose == Purpose.ADMISSION else Step.CONVERSION_APPROVAL
    person = lock(person)
    require_approval_authority(actor, person.unit, str(Step(step).label))
    f = file_of(person)
    guard(f, step, on, refusal=not approve)
    approval = f.open_approval(purpose)
    Approval.objects.filter(pk=approval.pk).update(
        status=ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED,
        decided_on=on,
        decided_by=actor if actor is not None and actor.is_authenticated else None,
        note=note,
    )
    record = record_step(
        person=person,
        step=step,
        on=on,
        actor=actor,
        decision=Decision.AGREED if approve else Decision.REFUSED,
        note=note,
        evidence=evidence,
        meeting=approval.meeting,
    )
    if approve and purpose == Purpose.ADMISSION:
        # Probation, and the dues, count from the branch meeting that admitted them.
        change_person(
            person=person,
            actor=actor,
            reason=str(Step(step).label),
            stage=Stage.PROBATIONARY,
            on=on,
            joined_on=approval.opened_on,
        )
    elif approve:
        # Party standing counts from the day probation ended (extension included).
        change_person(
            person=person,
            actor=actor,
            reason=str(Step(step).label),
            stage=Stage.FULL,
            on=on,
            full_member_on=f.probation_end,
        )
    return record


@transaction.atomic
def admission_approve(
    *,
    person: Person,
    on: dt.date,
    approve: bool = True,
    note: str = "",
    evidence: str = "",
    actor,
) -> StepRecord:
    return decide_approval(
        purpose=Purpose.ADMISSION,
        person=person,
        on=on,
        approve=approve,
        note=note,
        evidence=evidence,
        actor=actor,
    )


@transaction.atomic
def admission_file(
    *, person: Person, on: dt.date, filed_with: str = "", evidence: str = "", actor
) -> StepRecord:
    """The approved admission is filed with the organization department above."""
    return filing_record(
        person=person,
        step=Step.ADMISSION_FILED,
        on=on,
        filed_with=filed_with,
        evidence=evidence,
        actor=actor,
    )
