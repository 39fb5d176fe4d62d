import os

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import audit_record
from core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    event = audit_record(actor=None, action=AuditEvent.Action.EXPORT, target_type="x", summary="s")
    event.summary = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "s"


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="the trigger exists on PostgreSQL only"
)
def test_postgres_refuses_raw_update_and_delete():
    event = audit_record(actor=None, action=AuditEvent.Action.EXPORT, target_type="x", summary="s")
    for sql in ("UPDATE core_auditevent SET summary = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).summary == "s"


def test_audit_records_the_client_address(client, school):
    from members.models import Role
    from tests.factories import make_user

    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    from core.middleware import current_ip

    token = current_ip.set("10.1.2.3")
    try:
        event = audit_record(actor=office, action=AuditEvent.Action.REVEAL, target=school.alice)
    finally:
        current_ip.reset(token)
    assert event.ip == "10.1.2.3"
    assert event.target_type == "members.person"
