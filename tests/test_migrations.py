"""Data migrations do what they say on a database that already has rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    """Going back unapplies other apps' later migrations too: reapply every leaf after."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def test_grants_made_before_0004_get_their_roles_new_permissions():
    apps = migrate([("members", "0003_person_name_id_index")])
    User = apps.get_model("members", "User")
    OrgUnit = apps.get_model("members", "OrgUnit")
    RoleGrant = apps.get_model("members", "RoleGrant")
    unit = OrgUnit.objects.create(name="支部", kind="branch", path="00000001.", depth=1)
    secretary = User.objects.create(username="old_secretary")
    RoleGrant.objects.create(user=secretary, unit=unit, role="branch_secretary")
    revoked = User.objects.create(username="old_revoked")
    RoleGrant.objects.create(
        user=revoked, unit=unit, role="committee_office", revoked_at="2026-01-01T00:00Z"
    )

    apps = migrate([("members", "0005_grant_new_permissions")])
    Row = apps.get_model("members", "OrgUnitUserObjectPermission")
    held = set(
        Row.objects.filter(user_id=secretary.pk, content_object_id=unit.pk).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"record_meetings", "review_checkins", "manage_dues", "manage_transfers"} <= held
    assert "decide_retention" not in held
    assert not Row.objects.filter(user_id=revoked.pk).exists()
