"""Creating, changing, removing and restoring people. Each call checks scope, records the
history entry (who, when, before, after) and the audit event, in one transaction."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import crypto
from core.audit import audit_record
from core.idnumber import birth_date, mask_id_number, normalize_id_number, sex_from_id
from core.models import AuditEvent
from core.uploads import documents_follow
from members.models import OrgUnit, Person, PersonChange
from members.scoping import has_unit_perm

ID_INDEX_PURPOSE = "person.id_number"
# Fields a form or an import may set. The stage and its dates are absent on purpose: only
# development/'s transitions change them.
EDITABLE_FIELDS = (
    "name", "sex", "ethnicity", "birth_date", "native_place", "education", "unit",
    "applied_on", "joined_on", "full_member_on", "post", "lost_contact", "lost_contact_since",
    "is_mobile_member", "mobile_destination", "mobile", "landline", "email", "home_address",
    "emergency_contact", "emergency_phone", "student_number", "college", "major", "class_name",
    "grade", "degree_level", "dormitory", "household_registration", "expected_graduation",
    "whereabouts", "whereabouts_detail", "remarks",
)  # fmt: skip


def id_number_index(raw: str) -> str:
    return crypto.blind_index(normalize_id_number(raw), ID_INDEX_PURPOSE)


def _set_id_number(person: Person, raw: str | None) -> None:
    if not raw:
        person.id_number_encrypted = None
        person.id_number_index = None
        person.id_number_masked = ""
        return
    value = normalize_id_number(raw)
    index = crypto.blind_index(value, ID_INDEX_PURPOSE)
    clash = Person.objects.filter(id_number_index=index).exclude(pk=person.pk)
    if clash.exists():
        raise ValidationError({"id_number": _("Another person already has this ID number.")})
    person.id_number_encrypted = crypto.encrypt(value)
    person.id_number_index = index
    person.id_number_masked = mask_id_number(value)
    # The birth date and sex are inside the number: fill them when missing.
    person.birth_date = person.birth_date or birth_date(value)
    person.sex = person.sex or sex_from_id(value)


def _require(actor, perm: str, unit: OrgUnit | None) -> None:
    if actor is not None and not has_unit_perm(actor, perm, unit):
        raise PermissionDenied


def _display(person: Person, field: str) -> str:
    value = getattr(person, field)
    if field == "unit":
        return value.name if value else ""
    if hasattr(person, f"get_{field}_display") and value:
        return str(getattr(person, f"get_{field}_display")())
    return "" if value is None else str(value)


@transaction.atomic
def person_create(
    *,
    actor,
    unit: OrgUnit,
    id_number: str | None = None,
    kind: str = PersonChange.Kind.CREATED,
    **fields: Any,
) -> Person:
    _require(actor, "change_people", unit)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    person = Person(unit=unit, **fields)
    person.stage_since = person.applied_on or timezone.localdate()
    _set_id_number(person, id_number)
    person.full_clean(exclude=["user"])
    person.save()
    PersonChange.objects.create(
        person=person,
        actor=actor,
        kind=kind,
        changes={f: [None, _display(person, f)] for f in ("name", "unit", "id_number_masked")},
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=person, summary=person.name)
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    actor,
    data: dict[str, Any],
    id_number: str | None = None,
    reason: str = "",
    kind: str = PersonChange.Kind.UPDATED,
) -> Person:
    """Apply `data` (only EDITABLE_FIELDS). Refused if the person or the new unit is outside
    the actor's scope. `id_number=None` leaves it as it is; "" clears it."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require(actor, "change_people", person.unit)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    new_unit = data.get("unit", person.unit)
    if (
        new_unit != person.unit
        and actor is not None
        and not has_unit_perm(actor, "change_people", new_unit)
    ):
        raise ValidationError({"unit": _("You cannot move a person outside your own scope.")})
    before = {f: _display(person, f) for f in data}
    before_id = person.id_number_masked
    old_unit = person.unit
    for field, value in data.items():
        setattr(person, field, value)
    if id_number is not None:
        _set_id_number(person, id_number)
    person.full_clean(exclude=["user"])
    changes = {
        f: [before[f], _display(person, f)] for f in data if before[f] != _display(person, f)
    }
    if id_number is not None and (before_id != person.id_number_masked or id_number):
        # The masked form may not change when the number does; say it changed all the same.
        changes["id_number_masked"] = [before_id, person.id_number_masked]
    if not changes:
        return person
    person.save()
    PersonChange.objects.create(
        person=person, actor=actor, kind=kind, changes=changes, reason=reason[:255]
    )
    if person.unit != old_unit:  # the new branch keeps their file from now on
        documents_follow(
            person=person, from_unit=old_unit, to_unit=person.unit, actor=actor, target=person
        )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=person,
        summary=person.name,
        detail={"fields": sorted(changes)},
    )
    return person


@transaction.atomic
def person_remove(*, person: Person, actor, reason: str) -> Person:
    """Soft removal: the record, its history and its links stay; lists stop showing it."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this person is removed.")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require(actor, "change_people", person.unit)
    if person.removed_at is not None:
        return person
    person.removed_at = timezone.now()
    person.removed_reason = reason[:255]
    person.save(update_fields=["removed_at", "removed_reason", "updated_at"])
    PersonChange.objects.create(
        person=person, actor=actor, kind=PersonChange.Kind.REMOVED, reason=reason[:255]
    )
    audit_record(actor=actor, action=AuditEvent.Action.REMOVE, target=person, summary=person.name)
    return person


@transaction.atomic
def person_restore(*, person: Person, actor, reason: str = "") -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require(actor, "change_people", person.unit)
    if person.removed_at is None:
        return person
    person.removed_at = None
    person.removed_reason = ""
    person.save(update_fields=["removed_at", "removed_reason", "updated_at"])
    PersonChange.objects.create(
        person=person, actor=actor, kind=PersonChange.Kind.RESTORED, reason=reason[:255]
    )
    audit_record(actor=actor, action=AuditEvent.Action.RESTORE, target=person, summary=person.name)
    return person


def person_reveal_id_number(*, person: Person, actor) -> str:
    """The clear ID number, for roles granted to see it; every reveal is recorded."""
    _require(actor, "view_id_number", person.unit)
    if actor is None:
        raise PermissionDenied
    if not person.id_number_encrypted:
        return ""
    value = crypto.decrypt(person.id_number_encrypted)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.REVEAL,
        target=person,
        summary=f"{person.name} id_number",
    )
    return value


@transaction.atomic
def person_link_account(*, person: Person, user, actor) -> Person:
    _require(actor, "change_people", person.unit)
    Person.objects.filter(pk=person.pk).update(user=user)
    person.user = user
    PersonChange.objects.create(
        person=person, actor=actor, kind=PersonChange.Kind.UPDATED,
        changes={"user": ["", user.username]},
    )  # fmt: skip
    return person
