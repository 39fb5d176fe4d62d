"""Volunteer service, the graduates' "five ones" and work the Party assigns.

Marking assigned work done moves the member's `last_work_done_on` in the same transaction
(the third count of the six-month lapse rule); undoing it recomputes the date from the
records.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from development.models import VolunteerRecord
from education.models import FiveOne, FiveOnesRecord, VolunteerService, WorkAssignment, WorkStatus
from education.services._common import (
    CREATE,
    UPDATE,
    audit,
    not_future,
    require_text,
    require_unit_perm,
    stored,
)
from education.services.lapse import work_done_raise, work_done_recompute
from members.models import Person


def _lock_person(person: Person) -> Person:
    return Person.objects.select_for_update().select_related("unit").get(pk=person.pk)


@transaction.atomic
def volunteer_service_record(
    *, person: Person, on: dt.date, hours, activity: str, evidence: str = "", actor
) -> VolunteerService:
    person = _lock_person(person)
    require_unit_perm(actor, person.unit)
    activity = require_text(activity, _("Name the volunteer activity."))
    not_future(on)
    try:
        hours = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Volunteer hours must be more than zero.")) from None
    if hours <= 0:
        raise ValidationError(_("Volunteer hours must be more than zero."))
    row = VolunteerService.objects.create(
        person=person, on=on, hours=hours, activity=activity, evidence=evidence, actor=stored(actor)
    )
    audit(actor, CREATE, row, f"{person.name} {activity} {hours}")
    return row


def volunteer_from_development(row: VolunteerRecord) -> VolunteerService:
    """Write a pipeline volunteer record through (its service checked scope already)."""
    return VolunteerService.objects.create(
        person_id=row.person_id,
        on=row.on,
        hours=row.hours,
        activity=row.activity,
        evidence=row.evidence,
        development_record=row,
        actor=row.actor,
    )


@transaction.atomic
def five_ones_record(
    *, person: Person, item: str, on: dt.date, note: str = "", actor
) -> FiveOnesRecord:
    person = _lock_person(person)
    require_unit_perm(actor, person.unit)
    item = FiveOne(item)
    not_future(on)
    row = FiveOnesRecord.objects.create(
        person=person, item=item, on=on, note=note.strip()[:255], actor=stored(actor)
    )
    audit(actor, CREATE, row, f"{person.name} {item.label}")
    return row


@transaction.atomic
def work_assign(
    *,
    person: Person,
    title: str,
    assigned_on: dt.date,
    due_on: dt.date | None = None,
    detail: str = "",
    actor,
) -> WorkAssignment:
    person = _lock_person(person)
    require_unit_perm(actor, person.unit)
    title = require_text(title, _("Say what work is assigned."))
    if not person.is_member:
        raise ValidationError(
            _("Work is assigned to Party members; %(name)s is not one.") % {"name": person.name}
        )
    if due_on is not None and due_on < assigned_on:
        raise ValidationError(_("Work cannot be due before it is assigned."))
    work = WorkAssignment.objects.create(
        person=person,
        title=title,
        detail=detail,
        assigned_on=assigned_on,
        due_on=due_on,
        assigned_by=stored(actor),
    )
    audit(actor, CREATE, work, f"{person.name} {title}")
    return work


def _lock_work(work: WorkAssignment) -> WorkAssignment:
    return WorkAssignment.objects.select_for_update().select_related("person__unit").get(pk=work.pk)


@transaction.atomic
def work_mark_done(*, work: WorkAssignment, on: dt.date, note: str = "", actor) -> WorkAssignment:
    work = _lock_work(work)
    require_unit_perm(actor, work.person.unit)
    if work.status != WorkStatus.ASSIGNED:
        raise ValidationError(
            _("This work is already %(status)s.") % {"status": work.get_status_display()}
        )
    not_future(on)
    if on < work.assigned_on:
        raise ValidationError(
            _("Work cannot be done before it was assigned (%(date)s).")
            % {"date": work.assigned_on.isoformat()}
        )
    WorkAssignment.objects.filter(pk=work.pk).update(
        status=WorkStatus.DONE, done_on=on, done_note=note.strip()[:255], marked_by=stored(actor)
    )
    work_done_raise([work.person_id], on)
    work.refresh_from_db()
    audit(actor, UPDATE, work, f"{work.person.name} {work.title} done {on.isoformat()}")
    return work


@transaction.atomic
def work_reopen(*, work: WorkAssignment, reason: str, actor) -> WorkAssignment:
    """Undo "done" (recorded by mistake): the member's last work date is recomputed."""
    work = _lock_work(work)
    require_unit_perm(actor, work.person.unit)
    reason = require_text(reason, _("Say why the work is not done after all."))
    if work.status != WorkStatus.DONE:
        raise ValidationError(_("Only work marked done can be reopened."))
    WorkAssignment.objects.filter(pk=work.pk).update(
        status=WorkStatus.ASSIGNED, done_on=None, done_note="", marked_by=stored(actor)
    )
    work_done_recompute([work.person_id])
    work.refresh_from_db()
    audit(actor, UPDATE, work, f"{work.person.name} {work.title} reopened", reason=reason)
    return work
