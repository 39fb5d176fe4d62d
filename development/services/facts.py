"""Facts the local rules read (vetoes, experiences, volunteer hours) and the rules
themselves, changed by the school's organization department without code."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from development.authority import require_branch_work
from development.models import Experience, LocalRules, Veto, VetoKind, VolunteerRecord
from development.selectors import rules_for
from development.services._common import lock, require_text, today
from education.services.service import volunteer_from_development
from members.models import OrgUnit, Person
from members.scoping import has_unit_perm


def _date_not_future(on: dt.date) -> None:
    if on > today():
        raise ValidationError(_("The date %(date)s is in the future.") % {"date": on.isoformat()})


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


@transaction.atomic
def veto_raise(
    *, person: Person, kind: str, on: dt.date, raised_by: str, reason: str, actor
) -> Veto:
    """Record a veto (college, teachers, dormitory civility, graduate housing office); while it
    stands, no step forward is taken."""
    kind = VetoKind(kind)
    reason = require_text(reason, _("Say why the veto is raised."))
    raised_by = require_text(raised_by, _("Say who raised the veto."))
    person = lock(person)
    require_branch_work(actor, person.unit)
    _date_not_future(on)
    if not rules_for(person.unit).veto_applies(kind):
        raise ValidationError(_("This school does not apply the %(kind)s.") % {"kind": kind.label})
    veto = Veto.objects.create(
        person=person,
        kind=kind,
        raised_on=on,
        raised_by=raised_by,
        reason=reason,
        recorded_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=veto,
        summary=f"{person.name} {kind.value}",
    )
    return veto


@transaction.atomic
def veto_lift(*, veto: Veto, on: dt.date, reason: str, actor) -> Veto:
    reason = require_text(reason, _("Say why the veto is lifted."))
    person = lock(veto.person_id)
    require_branch_work(actor, person.unit)
    veto = Veto.objects.select_for_update().get(pk=veto.pk)
    _date_not_future(on)
    if veto.lifted_on is not None:
        raise ValidationError(_("This veto is already lifted."))
    if on < veto.raised_on:
        raise ValidationError(
            _("A veto cannot be lifted before it was raised (%(date)s).")
            % {"date": veto.raised_on.isoformat()}
        )
    veto.lifted_on, veto.lift_reason, veto.lifted_by = on, reason, _actor(actor)
    veto.save(update_fields=["lifted_on", "lift_reason", "lifted_by"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=veto, summary=f"{person.name} lifted"
    )
    return veto


@transaction.atomic
def experience_record(
    *, person: Person, label: str, on: dt.date, evidence: str = "", actor
) -> Experience:
    label = require_text(label, _("Name the experience."))
    person = lock(person)
    require_branch_work(actor, person.unit)
    _date_not_future(on)
    row = Experience.objects.create(
        person=person, label=label, on=on, evidence=evidence, actor=_actor(actor)
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=row, summary=label)
    return row


@transaction.atomic
def volunteer_record(
    *,
    person: Person,
    on: dt.date,
    hours: Decimal | float,
    activity: str,
    evidence: str = "",
    actor,
) -> VolunteerRecord:
    activity = require_text(activity, _("Name the volunteer activity."))
    hours = Decimal(str(hours))
    person = lock(person)
    require_branch_work(actor, person.unit)
    _date_not_future(on)
    if hours <= 0:
        raise ValidationError(_("Volunteer hours must be more than zero."))
    row = VolunteerRecord.objects.create(
        person=person, on=on, hours=hours, activity=activity, evidence=evidence, actor=_actor(actor)
    )
    # education/'s volunteer service is the one source of hours the rules read.
    volunteer_from_development(row)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=row, summary=activity)
    return row


RULE_FIELDS = (
    "min_wait_months",
    "experiences_required",
    "required_experiences",
    "volunteer_hours_required",
    "volunteer_hours",
    "veto_college",
    "veto_teachers",
    "veto_dormitory",
    "veto_graduate_housing",
    "training_min_days",
    "training_min_hours",
    "notice_working_days",
    "notice_places",
    "holidays",
    "conversion_pre_review",
)


@transaction.atomic
def local_rules_update(*, school: OrgUnit, actor, **changes: Any) -> LocalRules:
    """Set a school's rules (organization department: `manage_tree` on the school)."""
    if school.kind != OrgUnit.Kind.SCHOOL:
        raise ValidationError(_("Local rules belong to a school (the root of the tree)."))
    if actor is not None and not has_unit_perm(actor, "manage_tree", school):
        raise PermissionDenied
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not a rule: {sorted(unknown)}")
    rules, _created = LocalRules.objects.select_for_update().get_or_create(school=school)
    before = {name: getattr(rules, name) for name in changes}
    for name, value in changes.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.updated_by = _actor(actor)
    rules.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=rules,
        summary=school.name,
        detail={n: [str(before[n]), str(changes[n])] for n in changes if before[n] != changes[n]},
    )
    return rules
