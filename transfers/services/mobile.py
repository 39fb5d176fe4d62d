"""The mobile-member ledger (seed 001). Every change goes through here, and keeps the
person's national data items (is_mobile_member, mobile_destination) in step."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from development.services._common import lock
from members.models import Person, PersonChange
from members.models.people import MEMBER_STAGES
from transfers import clock
from transfers.models import MobileMember, MobileVerification
from transfers.services._common import check_day, require_perm, text, today

PERM = "manage_transfers"


def _sync_person(person: Person, *, mobile: bool, destination: str, actor, reason: str) -> None:
    """is_mobile_member and mobile_destination follow the ledger, with a history entry."""
    before = {
        "is_mobile_member": person.is_mobile_member,
        "mobile_destination": person.mobile_destination,
    }
    after = {"is_mobile_member": mobile, "mobile_destination": destination[:128]}
    changes = {k: [str(before[k]), str(after[k])] for k in after if before[k] != after[k]}
    if not changes:
        return
    Person.objects.filter(pk=person.pk).update(**after)
    for name, value in after.items():
        setattr(person, name, value)
    PersonChange.objects.create(
        person=person,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=PersonChange.Kind.UPDATED,
        changes=changes,
        reason=reason[:255],
    )


def _check_helper(helper: Person | None, person: Person, actor) -> None:
    if helper is None:
        return
    if helper.pk == person.pk:
        raise ValidationError(_("A member cannot be their own helper."))
    if helper.stage not in MEMBER_STAGES or helper.removed_at is not None:
        raise ValidationError(_("The helper must be a Party member."))
    require_perm(actor, PERM, helper.unit)
    if MobileMember.objects.filter(person=helper, ended_on__isnull=True).exists():
        raise ValidationError(
            _("%(name)s is away as a mobile member too and cannot be the helper.")
            % {"name": helper.name}
        )


@transaction.atomic
def mobile_register(
    *,
    person: Person,
    destination: str,
    contact: str,
    started_on: dt.date,
    abroad: bool = False,
    host_organization: str = "",
    card_number: str = "",
    reason: str = "",
    helper: Person | None = None,
    actor,
) -> MobileMember:
    person = lock(person)
    require_perm(actor, PERM, person.unit)
    if person.stage not in MEMBER_STAGES or person.removed_at is not None:
        raise ValidationError(
            _("Only Party members are kept in the mobile-member ledger; %(name)s is %(stage)s.")
            % {"name": person.name, "stage": person.get_stage_display()}
        )
    if MobileMember.objects.filter(person=person, ended_on__isnull=True).exists():
        raise ValidationError(
            _("%(name)s is already in the ledger as away.") % {"name": person.name}
        )
    destination = text(destination, _("Say where the member is."))
    contact = text(contact, _("Give contact details that reach the member."))
    started_on = check_day(started_on)
    _check_helper(helper, person, actor)
    entry = MobileMember.objects.create(
        person=person,
        unit=person.unit,
        destination=destination,
        abroad=abroad,
        host_organization=host_organization.strip(),
        card_number=card_number.strip(),
        contact=contact,
        reason=reason.strip(),
        started_on=started_on,
        last_verified_on=started_on,
        verification_due=clock.mobile_verification_due(started_on, abroad),
        helper=helper,
    )
    MobileVerification.objects.create(
        mobile=entry, on=started_on, how=_("registered"), contact=contact,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    _sync_person(
        person, mobile=True, destination=destination, actor=actor, reason=_("Mobile member")
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=entry, summary=str(entry))
    return entry


def _lock_entry(entry: MobileMember) -> MobileMember:
    return (
        MobileMember.objects.select_for_update().select_related("person", "unit").get(pk=entry.pk)
    )


@transaction.atomic
def mobile_verify(
    *, entry: MobileMember, on: dt.date | None = None, how: str, contact: str = "", actor
) -> MobileMember:
    """Contact details checked and still good (or corrected): the cadence starts again."""
    entry = _lock_entry(entry)
    require_perm(actor, PERM, entry.unit)
    if entry.ended_on is not None:
        raise ValidationError(_("This member is no longer away."))
    day = check_day(on, not_before=entry.last_verified_on, what=_("the last verification"))
    how = text(how, _("Say how the contact details were verified."))
    contact = (contact or entry.contact).strip()
    MobileVerification.objects.create(
        mobile=entry, on=day, how=how, contact=contact,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    due = clock.mobile_verification_due(day, entry.abroad)
    MobileMember.objects.filter(pk=entry.pk).update(
        last_verified_on=day, contact=contact, verification_due=due
    )
    entry.last_verified_on, entry.contact, entry.verification_due = day, contact, due
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=entry,
        summary=f"{entry.person.name} verified {day.isoformat()}",
    )  # fmt: skip
    return entry


@transaction.atomic
def mobile_pair(*, entry: MobileMember, helper: Person | None, actor) -> MobileMember:
    """1+1 / 1+n: a member at school helps one or several who are away."""
    entry = _lock_entry(entry)
    require_perm(actor, PERM, entry.unit)
    _check_helper(helper, entry.person, actor)
    MobileMember.objects.filter(pk=entry.pk).update(helper=helper)
    entry.helper = helper
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=entry,
        summary=f"{entry.person.name} helper {helper.name if helper else '-'}",
    )  # fmt: skip
    return entry


@transaction.atomic
def mobile_end(
    *, entry: MobileMember, on: dt.date | None = None, reason: str, actor
) -> MobileMember:
    entry = _lock_entry(entry)
    require_perm(actor, PERM, entry.unit)
    if entry.ended_on is not None:
        raise ValidationError(_("This member is no longer away."))
    reason = text(reason, _("Say why the member is no longer away."))
    day = check_day(on, not_before=entry.started_on, what=_("the start"))
    _close(entry, day, actor, reason)
    return entry


def _close(entry: MobileMember, day: dt.date, actor, reason: str) -> None:
    MobileMember.objects.filter(pk=entry.pk).update(ended_on=day)
    entry.ended_on = day
    _sync_person(entry.person, mobile=False, destination="", actor=actor, reason=reason)
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=entry,
        summary=f"{entry.person.name} ended {day.isoformat()}: {reason}",
    )  # fmt: skip


def end_open_period(*, person: Person, on: dt.date, actor, why: str) -> None:
    """A member who transfers out leaves the ledger (called inside a transfer's completion)."""
    entry = (
        MobileMember.objects.select_for_update()
        .filter(person=person, ended_on__isnull=True)
        .first()
    )
    if entry is not None:
        entry.person = person
        _close(entry, on, actor, why)


def verification_late(entry: MobileMember, on: dt.date | None = None) -> bool:
    """Late from the day after the due day, while the member is still away."""
    return entry.ended_on is None and clock.deadline_passed(entry.verification_due, on or today())
