"""What every transition shares: locking the person, loading their file, refusing with the
unmet rules, writing the step record, moving the stage with its history and audit entry."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from development import requirements, selectors
from development.authority import require_branch_work
from development.models import Decision, Step, StepRecord
from development.requirements import Check, PersonFile
from members.models import Person, PersonChange, Stage


def today() -> dt.date:
    return timezone.localdate()


def lock(person: Person | int) -> Person:
    """The person, locked for the rest of the transaction (SELECT ... FOR UPDATE)."""
    pk = person if isinstance(person, int) else person.pk
    return Person.objects.select_for_update().select_related("unit").get(pk=pk)


def lock_many(people) -> list[Person]:
    """Several people locked in id order, so two meetings never wait on each other."""
    pks = sorted({p if isinstance(p, int) else p.pk for p in people})
    return list(
        Person.objects.select_for_update().select_related("unit").filter(pk__in=pks).order_by("pk")
    )


def file_of(person: Person) -> PersonFile:
    return selectors.load_files([person])[person.pk]


def guard(
    f: PersonFile,
    step: str,
    on: dt.date,
    extra: list[Check] | tuple[Check, ...] = (),
    *,
    refusal: bool = False,
) -> None:
    """Refuse with every unmet requirement of `step` on `on`, each naming its rule. Recording
    a refusal (a review or an approval that says no) needs only the order rules."""
    checks = requirements.check(f, step, on, today()) + list(extra)
    if refusal:
        checks = [c for c in checks if not c.merit]
    reasons = requirements.unmet(checks)
    if reasons:
        raise ValidationError(reasons)


def require_text(value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError(message)
    return value.strip()


def record_step(
    *,
    person: Person,
    step: str,
    on: dt.date,
    actor,
    decision: str = Decision.DONE,
    note: str = "",
    evidence: str = "",
    evidence_ref: str = "",
    detail: dict[str, Any] | None = None,
    meeting=None,
    notice=None,
) -> StepRecord:
    record = StepRecord.objects.create(
        person=person,
        step=step,
        on=on,
        decision=decision,
        note=note,
        evidence=evidence,
        evidence_ref=evidence_ref[:255],
        detail=detail or {},
        meeting=meeting,
        notice=notice,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=record,
        summary=f"{person.name} {Step(step).label} {on.isoformat()} {decision}",
        detail={"person": person.pk, "step": step, "on": on.isoformat(), "decision": decision},
    )
    return record


def _shown(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def change_person(
    *,
    person: Person,
    actor,
    reason: str,
    stage: str | None = None,
    on: dt.date | None = None,
    noted: dict[str, list[str | None]] | None = None,
    **dates: dt.date | None,
) -> Person:
    """Move `person` to `stage` since `on` and/or set their pipeline dates, with a
    PersonChange(kind=STAGE) holding before and after (plus `noted` changes of derived dates,
    such as the end of probation), and an audit entry."""
    fields: dict[str, Any] = dict(dates)
    if stage is not None:
        fields.update(stage=stage, stage_since=on)
    changes: dict[str, list[str | None]] = dict(noted or {})
    for name, value in fields.items():
        before = getattr(person, name)
        if name == "stage":
            changes[name] = [str(Stage(before).label), str(Stage(value).label)]
        elif before != value:
            changes[name] = [_shown(before), _shown(value)]
    Person.objects.filter(pk=person.pk).update(updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(person, name, value)
    PersonChange.objects.create(
        person=person,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=PersonChange.Kind.STAGE,
        changes=changes,
        reason=reason[:255],
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=person,
        summary=f"{person.name} {reason}",
        detail={"changes": changes},
    )
    return person


def name_each(person: Person, error: ValidationError) -> list[str]:
    """Prefix each reason with the person's name, for services acting on many people."""
    return [_("%(name)s: %(reason)s") % {"name": person.name, "reason": m} for m in error.messages]


def record_branch_step(
    *, person: Person, step: str, on: dt.date, actor, **fields: Any
) -> StepRecord:
    """The whole of a step that is branch work and has no side effects beyond its record:
    lock the person, check the actor's scope and every requirement, record it."""
    person = lock(person)
    require_branch_work(actor, person.unit)
    guard(file_of(person), step, on)
    return record_step(person=person, step=step, on=on, actor=actor, **fields)
