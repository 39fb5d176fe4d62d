"""Changes to the organization tree. Paths are kept consistent by these functions only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from members.models import BranchPost, OrgUnit, Person
from members.models.org import path_step
from members.scoping import has_unit_perm


def _require_manage_tree(actor, unit: OrgUnit | None) -> None:
    if actor is None:
        return  # the system itself (seeding, migrations)
    if unit is None or not has_unit_perm(actor, "manage_tree", unit):
        raise PermissionDenied


def _check_parent(kind: str, parent: OrgUnit | None) -> None:
    allowed = OrgUnit.ALLOWED_PARENTS[OrgUnit.Kind(kind)]
    if parent is None and allowed:
        raise ValidationError(
            _("A %(kind)s needs a parent unit.") % {"kind": OrgUnit.Kind(kind).label}
        )
    if parent is not None and parent.kind not in allowed:
        raise ValidationError(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": OrgUnit.Kind(kind).label, "parent": parent.get_kind_display()}
        )


@transaction.atomic
def org_unit_create(*, name: str, kind: str, parent: OrgUnit | None, actor, **fields) -> OrgUnit:
    _require_manage_tree(actor, parent)
    _check_parent(kind, parent)
    if kind != OrgUnit.Kind.BRANCH:
        fields["branch_kind"] = ""
    unit = OrgUnit(name=name, kind=kind, parent=parent, **fields)
    unit.path = f"tmp-{id(unit)}"  # the real path needs the id
    unit.depth = parent.depth + 1 if parent else 0
    unit.save()
    unit.path = (parent.path if parent else "") + path_step(unit.pk)
    unit.save(update_fields=["path"])
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=unit, summary=name)
    return unit


EDITABLE_UNIT_FIELDS = (
    "name",
    "branch_kind",
    "has_approval_power",
    "code",
    "founded_on",
    "is_active",
)


@transaction.atomic
def org_unit_update(*, unit: OrgUnit, actor, **changes) -> OrgUnit:
    _require_manage_tree(actor, unit)
    before = {f: getattr(unit, f) for f in changes}
    for field, value in changes.items():
        if field not in EDITABLE_UNIT_FIELDS:
            raise ValueError(f"{field} is not editable here")
        setattr(unit, field, value)
    unit.full_clean()
    unit.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=unit,
        summary=unit.name,
        detail={f: [str(before[f]), str(changes[f])] for f in changes if before[f] != changes[f]},
    )
    return unit


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit, actor) -> OrgUnit:
    """Move a whole subtree under a new parent: one UPDATE rewrites every descendant path."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _require_manage_tree(actor, unit)
    _require_manage_tree(actor, new_parent)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("A unit cannot be moved under itself or its own subtree."))
    _check_parent(unit.kind, new_parent)
    old_path, new_path = unit.path, new_parent.path + path_step(unit.pk)
    depth_shift = new_parent.depth + 1 - unit.depth
    OrgUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_shift,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.MOVE,
        target=unit,
        summary=f"{unit.name} → {new_parent.name}",
        detail={"from": old_path, "to": new_path},
    )
    return unit


@transaction.atomic
def branch_post_assign(
    *, unit: OrgUnit, person: Person, post: str, term_start, term_end=None, actor
) -> BranchPost:
    _require_manage_tree(actor, unit)
    if unit.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError(_("Committee posts belong to Party branches."))
    if not person.unit.is_within(unit):
        raise ValidationError(_("%(name)s is not in this branch.") % {"name": person.name})
    if term_end is not None and term_end < term_start:
        raise ValidationError(_("A term cannot end before it starts."))
    seat = BranchPost.objects.create(
        unit=unit, person=person, post=post, term_start=term_start, term_end=term_end
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=seat,
        summary=f"{unit.name} {seat.get_post_display()} {person.name}",
    )
    return seat


@transaction.atomic
def branch_post_end(*, seat: BranchPost, on, actor) -> BranchPost:
    _require_manage_tree(actor, seat.unit)
    if on < seat.term_start:
        raise ValidationError(_("A term cannot end before it starts."))
    seat.term_end = on
    seat.save(update_fields=["term_end"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=seat, summary=str(seat))
    return seat
