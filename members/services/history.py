"""Loading a stage that was reached before PartyAdmin existed (a roster or a ledger row).

This is not a transition: it records a past fact with its evidence (the file and row it
came from) and is refused for anyone already in the system, so it can never be used to
skip a step of the pipeline. development/'s transitions are the only way forward after that.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from members.models import Person, PersonChange, Stage
from members.scoping import has_unit_perm

LOADABLE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL)


def historical_stage_errors(
    *, stage: str, since: dt.date | None, joined_on: dt.date | None, full_member_on: dt.date | None
) -> list[str]:
    """Why these dates cannot describe a person in `stage`; empty when they can."""
    errors = []
    if stage not in LOADABLE_STAGES:
        errors.append(_("Only pipeline stages can be loaded from a roster."))
    if stage in (Stage.PROBATIONARY, Stage.FULL) and joined_on is None:
        errors.append(_("A probationary or full member needs the date they joined the Party."))
    if stage == Stage.FULL and full_member_on is None:
        errors.append(_("A full member needs the date they became a full member."))
    if stage == Stage.PROBATIONARY and full_member_on is not None:
        errors.append(_("A probationary member has no date of becoming a full member yet."))
    if joined_on and full_member_on and full_member_on < _one_year_after(joined_on):
        errors.append(
            _("Probation lasts one year: full membership on %(full)s is before %(due)s.")
            % {"full": full_member_on.isoformat(), "due": _one_year_after(joined_on).isoformat()}
        )
    if since and since > dt.date.today():
        errors.append(_("A date in the future cannot be history."))
    return errors


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def person_load_historical_stage(
    *, person: Person, stage: str, since: dt.date | None, evidence: str, actor
) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if actor is not None and not has_unit_perm(actor, "import_people", person.unit):
        raise ValidationError(_("You cannot import people into this unit."))
    if person.stage == stage:
        return person
    if PersonChange.objects.filter(person=person, changes__has_key="stage").exists():
        raise ValidationError(
            _("%(name)s already has a recorded stage history; use the pipeline's steps.")
            % {"name": person.name}
        )
    errors = historical_stage_errors(
        stage=stage, since=since, joined_on=person.joined_on, full_member_on=person.full_member_on
    )
    if errors:
        raise ValidationError(errors)
    before = person.get_stage_display()
    Person.objects.filter(pk=person.pk).update(stage=stage, stage_since=since)
    person.refresh_from_db()
    PersonChange.objects.create(
        person=person,
        actor=actor,
        kind=PersonChange.Kind.IMPORTED,
        changes={"stage": [str(before), str(person.get_stage_display())]},
        reason=evidence[:255],
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        target=person,
        summary=f"{person.name} {stage}",
        detail={"evidence": evidence},
    )
    return person
