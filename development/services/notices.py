"""Public notices (公示) before admission and before conversion, and their objections."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from development import clock
from development.authority import require_branch_work
from development.models import (
    Decision,
    NoticeEntry,
    NoticeObjection,
    ObjectionStatus,
    PublicNotice,
    Purpose,
    Step,
)
from development.selectors import rules_for
from development.services._common import (
    file_of,
    guard,
    lock,
    lock_many,
    name_each,
    record_step,
    require_text,
    today,
)
from members.models import OrgUnit, Person, Stage

# The stage a person is in while a round is under way; an objection found true ends the
# round only while the person is still in it.
ROUND_STAGE = {Purpose.ADMISSION: Stage.CANDIDATE, Purpose.CONVERSION: Stage.PROBATIONARY}
NOTICE_STEP = {Purpose.ADMISSION: Step.ADMISSION_NOTICE, Purpose.CONVERSION: Step.CONVERSION_NOTICE}


@transaction.atomic
def notice_open(
    *,
    unit: OrgUnit,
    purpose: str,
    start: dt.date,
    people: Sequence[Person],
    places: Sequence[str],
    end: dt.date | None = None,
    note: str = "",
    actor,
) -> PublicNotice:
    """Post a notice listing `people` from `start`; it runs the school's number of working
    days (5 by default) and must be posted in every place the school requires."""
    purpose = Purpose(purpose)
    step = NOTICE_STEP[purpose]
    require_branch_work(actor, unit)
    rules = rules_for(unit)
    shortest = clock.working_days_end(start, rules.notice_working_days, rules.holiday_dates())
    end = end or shortest
    places = [p.strip() for p in places if p and p.strip()]
    problems = []
    if end < shortest:
        problems.append(
            _(
                "A public notice runs at least %(days)d working days: from %(start)s until "
                "%(end)s at the earliest."
            )
            % {
                "days": rules.notice_working_days,
                "start": start.isoformat(),
                "end": shortest.isoformat(),
            }
        )
    if not places:
        problems.append(_("Say where the notice is posted."))
    missing = [p for p in rules.notice_places if p not in places]
    if missing:
        problems.append(
            _("This school posts notices in %(places)s; missing: %(missing)s.")
            % {"places": "、".join(rules.notice_places), "missing": "、".join(missing)}
        )
    if not people:
        problems.append(_("List at least one person on the notice."))
    locked = lock_many(people)
    for person in locked:
        require_branch_work(actor, person.unit)
        if not person.unit.is_within(unit):
            problems.append(
                _("%(name)s is not in %(branch)s.") % {"name": person.name, "branch": unit.name}
            )
            continue
        try:
            guard(file_of(person), step, start)
        except ValidationError as error:
            problems.extend(name_each(person, error))
    if problems:
        raise ValidationError(problems)
    notice = PublicNotice.objects.create(
        unit=unit,
        purpose=purpose,
        start=start,
        end=end,
        places=places,
        note=note,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    NoticeEntry.objects.bulk_create(NoticeEntry(notice=notice, person=p) for p in locked)
    for person in locked:
        record_step(person=person, step=step, on=start, actor=actor, notice=notice)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=notice,
        summary=f"{unit.name} {purpose} {start.isoformat()}–{end.isoformat()}",
    )
    return notice


@transaction.atomic
def notice_objection_record(
    *, notice: PublicNotice, person: Person, received_on: dt.date, content: str, actor
) -> NoticeObjection:
    """An objection received about a person on the notice; it blocks the meeting until
    resolved."""
    content = require_text(content, _("Write down the objection."))
    person = lock(person)
    require_branch_work(actor, person.unit)
    if not NoticeEntry.objects.filter(notice=notice, person=person).exists():
        raise ValidationError(_("%(name)s is not on this notice.") % {"name": person.name})
    if received_on < notice.start or received_on > today():
        raise ValidationError(
            _("An objection is received between the start of the notice, %(start)s, and today.")
            % {"start": notice.start.isoformat()}
        )
    objection = NoticeObjection.objects.create(
        notice=notice,
        person=person,
        received_on=received_on,
        content=content,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=objection, summary=person.name
    )
    return objection


@transaction.atomic
def notice_objection_resolve(
    *, objection: NoticeObjection, on: dt.date, upheld: bool, resolution: str, actor
) -> NoticeObjection:
    """Resolve an objection after looking into it. Found true, it ends the person's current
    round: they are not admitted (or converted) on this notice."""
    resolution = require_text(resolution, _("Write down how the objection was resolved."))
    person = lock(objection.person_id)
    require_branch_work(actor, person.unit)
    objection = NoticeObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError(_("This objection is already resolved."))
    if on < objection.received_on or on > today():
        raise ValidationError(
            _("The resolution date must be between %(received)s and today.")
            % {"received": objection.received_on.isoformat()}
        )
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.resolved_on = on
    objection.resolution = resolution
    objection.resolved_by = actor if actor is not None and actor.is_authenticated else None
    objection.save(update_fields=["status", "resolved_on", "resolution", "resolved_by"])
    notice = objection.notice
    in_stage = ROUND_STAGE[Purpose(notice.purpose)] == person.stage
    if upheld and in_stage:
        f = file_of(person)
        current = f.in_round(notice.purpose, NOTICE_STEP[Purpose(notice.purpose)])
        if current is not None and current.notice_id == notice.pk:
            record_step(
                person=person,
                step=NOTICE_STEP[Purpose(notice.purpose)],
                on=max(on, current.on),
                actor=actor,
                decision=Decision.REFUSED,
                note=resolution,
                notice=notice,
            )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=objection,
        summary=f"{person.name} {objection.status}",
    )
    return objection
