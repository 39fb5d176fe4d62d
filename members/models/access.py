"""Accounts, roles granted on org units, and guardian's direct object-permission tables."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from members.models.org import OrgUnit


class User(AbstractUser):
    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", _("organization department")
    COMMITTEE_OFFICE = "committee_office", _("committee office")
    ORGANIZER = "organizer", _("organizer")
    BRANCH_SECRETARY = "branch_secretary", _("branch secretary")
    BRANCH_COMMITTEE = "branch_committee", _("branch committee member")


# What each role may do on the unit it is granted on and every unit below it.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.SCHOOL_ADMIN: (
        "view_people",
        "change_people",
        "view_id_number",
        "import_people",
        "export_people",
        "manage_tree",
        "manage_roles",
        "record_meetings",
        "review_checkins",
        "manage_dues",
        "manage_transfers",
        "decide_retention",
        "issue_letters",
        "handle_lapses",
        "approve_removal",
        "view_reports",
    ),
    Role.COMMITTEE_OFFICE: (
        "view_people",
        "change_people",
        "view_id_number",
        "import_people",
        "export_people",
        "manage_roles",
        "record_meetings",
        "review_checkins",
        "manage_dues",
        "manage_transfers",
        "decide_retention",
        "issue_letters",
        "handle_lapses",
        "approve_removal",
        "view_reports",
    ),
    Role.ORGANIZER: ("view_people", "export_people", "view_reports"),
    Role.BRANCH_SECRETARY: (
        "view_people",
        "change_people",
        "import_people",
        "export_people",
        "record_meetings",
        "review_checkins",
        "manage_dues",
        "manage_transfers",
        "handle_lapses",
    ),
    # Branch committee members (organization, propaganda, discipline inspection) keep the
    # branch's meetings, check-ins and dues; moving people and starting transfers stays the
    # secretary's.
    Role.BRANCH_COMMITTEE: ("view_people", "record_meetings", "review_checkins", "manage_dues"),
}


class RoleGrant(models.Model):
    """The record of a role given to an account on a unit; guardian rows follow from it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("account"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_grant_per_role_and_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.unit}"


class OrgUnitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission"])]


class OrgUnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)
