"""Who may decide what above the branch.

Branch work needs `change_people` on the person's unit (members.scoping). Pre-review and
approvals belong to the committee with approval power above the branch (DESIGN §2: a general
branch reviews and forwards, it does not approve). Until the lead turns this into a guardian
permission of its own, approval authority is an active RoleGrant of COMMITTEE_OFFICE or
SCHOOL_ADMIN on that committee or above it: `holds_approval_authority` is the one place that
decides it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from members.models import OrgUnit, Role, RoleGrant
from members.scoping import has_unit_perm

APPROVAL_ROLES = (Role.COMMITTEE_OFFICE, Role.SCHOOL_ADMIN)
# A talk "by the higher committee" may be held by a committee member or an organizer.
HIGHER_TALK_ROLES = (Role.COMMITTEE_OFFICE, Role.SCHOOL_ADMIN, Role.ORGANIZER)
APPROVING_KINDS = (OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.SCHOOL)


def approving_committee(unit: OrgUnit) -> OrgUnit | None:
    """The nearest committee above `unit` (or `unit` itself) that has approval power."""
    return (
        OrgUnit.objects.filter(
            pk__in=unit.ancestor_ids, has_approval_power=True, kind__in=APPROVING_KINDS
        )
        .order_by("-depth")
        .first()
    )


def _holds_role_above(actor, unit: OrgUnit, roles, *, strictly: bool) -> bool:
    ids = unit.ancestor_ids[:-1] if strictly else unit.ancestor_ids
    return RoleGrant.objects.filter(
        user_id=actor.pk,
        role__in=roles,
        revoked_at__isnull=True,
        unit_id__in=ids,
        unit__is_active=True,
    ).exists()


def holds_approval_authority(actor, committee: OrgUnit) -> bool:
    """An active COMMITTEE_OFFICE or SCHOOL_ADMIN grant on `committee` or above it."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return _holds_role_above(actor, committee, APPROVAL_ROLES, strictly=False)


def require_branch_work(actor, unit: OrgUnit) -> None:
    """Branch work: `change_people` on the unit. `actor=None` is the system itself."""
    if actor is not None and not has_unit_perm(actor, "change_people", unit):
        raise PermissionDenied


def require_approval_authority(actor, unit: OrgUnit, step_label: str) -> OrgUnit:
    """The committee that decides for people of `unit`, if `actor` may decide for it."""
    require_branch_work(actor, unit)  # out of scope altogether: not found
    committee = approving_committee(unit)
    if committee is None:
        raise ValidationError(
            _("No committee with approval power is above %(unit)s; set one in the tree.")
            % {"unit": unit.name}
        )
    if actor is not None and not holds_approval_authority(actor, committee):
        raise ValidationError(
            _(
                "Only %(committee)s, the committee with approval power, can record “%(step)s”; "
                "a general branch or a branch reviews and forwards."
            )
            % {"committee": committee.name, "step": step_label}
        )
    return committee


def require_higher_committee(actor, unit: OrgUnit) -> None:
    """A committee member or organizer above the branch (not the branch itself)."""
    if actor is not None and not has_unit_perm(actor, "view_people", unit):
        raise PermissionDenied
    if actor is not None and not _holds_role_above(actor, unit, HIGHER_TALK_ROLES, strictly=True):
        raise ValidationError(
            _(
                "The talk before approval is held by a committee member or organizer above the "
                "branch."
            )
        )
