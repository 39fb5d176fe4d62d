"""Activist cultivation (细则 第三章): filing, contacts, assessments, candidacy."""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from development.authority import require_branch_work
from development.models import (
    Assignment,
    AssignmentKind,
    Decision,
    Opinion,
    OpinionSource,
    Step,
    StepRecord,
)
from development.requirements import Check
from development.selectors import school_id
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


def filing_record(
    *, person: Person, step: str, on: dt.date, filed_with: str, evidence: str, actor
) -> StepRecord:
    """Filing (备案) with the higher committee; shared by the three filing steps."""
    person = lock(person)
    require_branch_work(actor, person.unit)
    guard(file_of(person), step, on)
    return record_step(
        person=person,
        step=step,
        on=on,
        actor=actor,
        evidence=evidence,
        detail={"filed_with": filed_with},
    )


@transaction.atomic
def activist_file(
    *, person: Person, on: dt.date, filed_with: str = "", evidence: str = "", actor
) -> StepRecord:
    return filing_record(
        person=person,
        step=Step.ACTIVIST_FILED,
        on=on,
        filed_with=filed_with,
        evidence=evidence,
        actor=actor,
    )


def full_member_checks(
    person: Person, members: Sequence[Person], on: dt.date, kind: str
) -> list[Check]:
    """Contacts and introducers are full members on the day they are assigned, of the same
    school, and not the person themselves."""
    checks = []
    label = str(AssignmentKind(kind).label)
    for member in members:
        full = (
            member.stage == Stage.FULL
            and member.removed_at is None
            and member.full_member_on is not None
            and member.full_member_on <= on
        )
        checks.append(
            Check(
                label,
                full,
                _("%(member)s is not a full member on %(date)s and cannot be %(role)s.")
                % {"member": member.name, "date": on.isoformat(), "role": label},
            )
        )
        checks.append(
            Check(
                label,
                member.pk != person.pk and school_id(member.unit) == school_id(person.unit),
                _("%(member)s cannot be %(role)s of %(name)s.")
                % {"member": member.name, "role": label, "name": person.name},
            )
        )
    return checks


def assign(
    *, person: Person, kind: str, step: str, members: Sequence[Person], on: dt.date, actor
) -> StepRecord:
    """Assign contacts or introducers from `on`; those assigned before end that day."""
    person = lock(person)
    require_branch_work(actor, person.unit)
    members = list(Person.objects.select_related("unit").filter(pk__in=[m.pk for m in members]))
    guard(file_of(person), step, on, full_member_checks(person, members, on, kind))
    record = record_step(
        person=person,
        step=step,
        on=on,
        actor=actor,
        detail={"members": [m.pk for m in members], "names": [m.name for m in members]},
    )
    Assignment.objects.filter(person=person, kind=kind, ended_on__isnull=True).update(ended_on=on)
    Assignment.objects.bulk_create(
        Assignment(person=person, kind=kind, member=m, assigned_on=on, record=record)
        for m in members
    )
    return record


@transaction.atomic
def contacts_assign(
    *, person: Person, contacts: Sequence[Person], on: dt.date, actor
) -> StepRecord:
    """One or two full members as cultivation contacts (培养联系人)."""
    if not 1 <= len({c.pk for c in contacts}) <= 2:
        raise ValidationError(
            _("An activist has one or two cultivation contacts; %(n)d given.")
            % {"n": len({c.pk for c in contacts})}
        )
    return assign(
        person=person,
        kind=AssignmentKind.CONTACT,
        step=Step.CONTACTS_ASSIGNED,
        members=contacts,
        on=on,
        actor=actor,
    )


@transaction.atomic
def assessment_record(
    *, person: Person, on: dt.date, assessor: str, conclusion: str, evidence: str = "", actor
) -> StepRecord:
    """The branch's half-yearly assessment of an activist (or candidate, or probationer)."""
    conclusion = require_text(conclusion, _("Write the conclusion of the assessment."))
    return record_branch_step(
        person=person,
        step=Step.ASSESSMENT,
        on=on,
        actor=actor,
        note=conclusion,
        evidence=evidence,
        detail={"assessor": assessor},
    )


@transaction.atomic
def candidate_determine(
    *,
    person: Person,
    on: dt.date,
    opinions: Mapping[str, str],
    note: str = "",
    evidence: str = "",
    actor,
) -> StepRecord:
    """The branch committee determines the activist a development candidate, after more than
    a year of cultivation and with the opinions of the Party group, the contacts, members and
    people outside the Party."""
    person = lock(person)
    require_branch_work(actor, person.unit)
    missing = [
        str(source.label)
        for source in OpinionSource
        if not (opinions.get(source.value) or "").strip()
    ]
    extra = [
        Check(
            _("Opinions gathered"),
            not missing,
            _("Opinions not yet gathered: %(missing)s.") % {"missing": "、".join(missing)},
        )
    ]
    guard(file_of(person), Step.CANDIDATE_DETERMINED, on, extra)
    record = record_step(
        person=person,
        step=Step.CANDIDATE_DETERMINED,
        on=on,
        actor=actor,
        decision=Decision.AGREED,
        note=note,
        evidence=evidence,
    )
    Opinion.objects.bulk_create(
        Opinion(record=record, source=source, summary=opinions[source].strip())
        for source in OpinionSource.values
    )
    change_person(
        person=person,
        actor=actor,
        reason=str(Step.CANDIDATE_DETERMINED.label),
        stage=Stage.CANDIDATE,
        on=on,
    )
    return record
