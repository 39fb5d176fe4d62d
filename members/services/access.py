"""Granting and revoking roles. Guardian rows are derived from active grants only."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from core.audit import audit_record
from core.models import AuditEvent
from members.models import OrgUnit, RoleGrant
from members.models.access import ROLE_PERMISSIONS
from members.scoping import forget_scope, has_unit_perm


def _require_manage_roles(actor, unit: OrgUnit) -> None:
    if actor is not None and not has_unit_perm(actor, "manage_roles", unit):
        raise PermissionDenied


def _require_no_escalation(actor, unit: OrgUnit, role: str) -> None:
    """Nobody grants more than they hold there: a committee office cannot make anyone the
    organization department."""
    if actor is not None and not all(
        has_unit_perm(actor, perm, unit) for perm in ROLE_PERMISSIONS[role]
    ):
        raise PermissionDenied


@transaction.atomic
def role_grant(*, user, unit: OrgUnit, role: str, actor) -> RoleGrant:
    """Give `user` the role on `unit` (and so on its subtree). `actor=None` is the system."""
    _require_manage_roles(actor, unit)
    _require_no_escalation(actor, unit, role)
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        unit=unit,
        role=role,
        revoked_at=None,
        defaults={"granted_by": actor if actor is not None else None},
    )
    if created:
        for perm in ROLE_PERMISSIONS[role]:
            assign_perm(f"members.{perm}", user, unit)
        forget_scope(user)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.GRANT,
            target=grant,
            summary=f"{user.username} {role} @ {unit.name}",
        )
    return grant


@transaction.atomic
def role_revoke(*, grant: RoleGrant, actor) -> None:
    _require_manage_roles(actor, grant.unit)
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    still_held = set()
    for other in RoleGrant.objects.filter(user=grant.user, unit=grant.unit, revoked_at=None):
        still_held.update(ROLE_PERMISSIONS[other.role])
    for perm in set(ROLE_PERMISSIONS[grant.role]) - still_held:
        remove_perm(f"members.{perm}", grant.user, grant.unit)
    forget_scope(grant.user)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.REVOKE,
        target=grant,
        summary=f"{grant.user.username} {grant.role} @ {grant.unit.name}",
    )
