"""Probation and conversion (细则 第六章): placement, oath, the written application,
conversion meeting and approval, extension once, cancellation, archive."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from development import clock
from development.authority import require_approval_authority, require_branch_work
from development.models import Cancellation, Decision, Extension, Purpose, Step, StepRecord
from development.requirements import Check
from development.services._common import (
    change_person,
    file_of,
    guard,
    lock,
    record_branch_step,
    record_step,
    require_text,
)
from development.services.admission import decide_approval
from members.models import OrgUnit, Person, Stage


@transaction.atomic
def placement_record(
    *, person: Person, on: dt.date, group: OrgUnit | None = None, actor
) -> StepRecord:
    """The new probationary member is placed in the branch and, if it has them, a Party
    group of the branch."""
    person = lock(person)
    require_branch_work(actor, person.unit)
    extra = []
    if group is not None:
        extra.append(
            Check(
                _("Party group of the branch"),
                group.kind == OrgUnit.Kind.GROUP and group.parent_id == person.unit_id,
                _("%(group)s is not a Party group of %(branch)s.")
                % {"group": group.name, "branch": person.unit.name},
            )
        )
    guard(file_of(person), Step.PLACEMENT, on, extra)
    return record_step(
        person=person,
        step=Step.PLACEMENT,
        on=on,
        actor=actor,
        detail={"group": group.pk if group else None, "group_name": group.name if group else ""},
    )


@transaction.atomic
def oath_record(*, person: Person, on: dt.date, note: str = "", actor) -> StepRecord:
    person = lock(person)
    require_branch_work(actor, person.unit)
    guard(file_of(person), Step.OATH, on)
    return record_step(person=person, step=Step.OATH, on=on, actor=actor, note=note)


@transaction.atomic
def conversion_apply(
    *, person: Person, on: dt.date, evidence: str = "", evidence_ref: str = "", actor
) -> StepRecord:
    """The probationary member's written application for conversion, as probation ends."""
    return record_branch_step(
        person=person,
        step=Step.CONVERSION_APPLICATION,
        on=on,
        actor=actor,
        evidence=evidence,
        evidence_ref=evidence_ref,
    )


@transaction.atomic
def conversion_pre_review_decide(
    *, person: Person, on: dt.date, passed: bool, note: str = "", actor
) -> StepRecord:
    """Seed 002's pre-review of conversions, where the school's rules ask for it."""
    person = lock(person)
    require_approval_authority(actor, person.unit, str(Step.CONVERSION_PRE_REVIEW.label))
    guard(file_of(person), Step.CONVERSION_PRE_REVIEW, on, refusal=not passed)
    return record_step(
        person=person,
        step=Step.CONVERSION_PRE_REVIEW,
        on=on,
        actor=actor,
        decision=Decision.AGREED if passed else Decision.REFUSED,
        note=note,
    )


@transaction.atomic
def conversion_approve(
    *,
    person: Person,
    on: dt.date,
    approve: bool = True,
    note: str = "",
    evidence: str = "",
    actor,
) -> StepRecord:
    """The committee approves the conversion: the member is a full member, with Party
    standing from the day probation ended."""
    return decide_approval(
        purpose=Purpose.CONVERSION,
        person=person,
        on=on,
        approve=approve,
        note=note,
        evidence=evidence,
        actor=actor,
    )


@transaction.atomic
def probation_extend(*, person: Person, months: int, on: dt.date, reason: str, actor) -> Extension:
    """Extend probation once, by 6 to 12 months; the end date and every date depending on it
    are recomputed, and a conversion started before has to start again."""
    reason = require_text(reason, _("Say why probation is extended."))
    person = lock(person)
    require_approval_authority(actor, person.unit, str(Step.EXTENSION.label))
    f = file_of(person)
    extra = [
        Check(
            _("6 to 12 months"),
            clock.extension_allowed(months),
            _(
                "Probation is extended by at least %(min)d and at most %(max)d months; "
                "%(months)d given."
            )
            % {
                "min": clock.EXTENSION_MIN_MONTHS,
                "max": clock.EXTENSION_MAX_MONTHS,
                "months": months,
            },
            merit=True,
        )
    ]
    guard(f, Step.EXTENSION, on, extra)
    previous_end = f.probation_end
    new_end = clock.probation_end(person.joined_on, months)
    extension = Extension.objects.create(
        person=person,
        months=months,
        decided_on=on,
        reason=reason,
        previous_end=previous_end,
        new_end=new_end,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    record_step(
        person=person,
        step=Step.EXTENSION,
        on=on,
        actor=actor,
        decision=Decision.AGREED,
        note=reason,
        detail={
            "months": months,
            "previous_end": previous_end.isoformat(),
            "new_end": new_end.isoformat(),
        },
    )
    change_person(
        person=person,
        actor=actor,
        reason=str(Step.EXTENSION.label),
        noted={"probation_end": [previous_end.isoformat(), new_end.isoformat()]},
    )
    return extension


@transaction.atomic
def probation_cancel(*, person: Person, on: dt.date, reason: str, actor) -> Cancellation:
    """Cancel the probationary membership (取消预备党员资格)."""
    reason = require_text(reason, _("Say why the probationary membership is cancelled."))
    person = lock(person)
    require_approval_authority(actor, person.unit, str(Step.CANCELLATION.label))
    guard(file_of(person), Step.CANCELLATION, on)
    cancellation = Cancellation.objects.create(
        person=person,
        decided_on=on,
        reason=reason,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    record_step(
        person=person,
        step=Step.CANCELLATION,
        on=on,
        actor=actor,
        decision=Decision.AGREED,
        note=reason,
    )
    change_person(person=person, actor=actor, reason=reason, stage=Stage.PROBATION_CANCELLED, on=on)
    return cancellation


@transaction.atomic
def archive_record(*, person: Person, on: dt.date, location: str = "", actor) -> StepRecord:
    """All materials are in the member's file (the timeline is the file; this records where
    the paper is kept)."""
    return record_branch_step(
        person=person, step=Step.ARCHIVE, on=on, actor=actor, detail={"location": location}
    )
