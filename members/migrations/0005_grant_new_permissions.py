"""Active role grants made before 0004 receive the permissions their role gained there.

The mapping is frozen here (not imported from members.models.access) so this migration
means the same thing whatever the code says later."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "school_admin": (
        "record_meetings", "review_checkins", "manage_dues", "manage_transfers",
        "decide_retention", "issue_letters", "handle_lapses", "approve_removal", "view_reports",
    ),
    "committee_office": (
        "record_meetings", "review_checkins", "manage_dues", "manage_transfers",
        "decide_retention", "issue_letters", "handle_lapses", "approve_removal", "view_reports",
    ),
    "organizer": ("view_reports",),
    "branch_secretary": (
        "record_meetings", "review_checkins", "manage_dues", "manage_transfers", "handle_lapses",
    ),
    "branch_committee": ("record_meetings", "review_checkins", "manage_dues"),
}  # fmt: skip


def forwards(apps, schema_editor):
    config = apps.get_app_config("members")
    config.models_module = True  # create_permissions skips apps without a models module
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    RoleGrant = apps.get_model("members", "RoleGrant")
    Row = apps.get_model("members", "OrgUnitUserObjectPermission")
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="members", content_type__model="orgunit")
    }  # fmt: skip
    for grant in RoleGrant.objects.filter(revoked_at__isnull=True):
        for codename in ADDED.get(grant.role, ()):
            Row.objects.get_or_create(
                user_id=grant.user_id,
                permission=permissions[codename],
                content_object_id=grant.unit_id,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_activity_and_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
