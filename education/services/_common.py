"""What the services of branch life share: who may act, the actor as stored, the audit."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from members.models import OrgUnit
from members.scoping import has_unit_perm

RECORD = "record_meetings"


def today() -> dt.date:
    return timezone.localdate()


def stored(actor):
    """The user to store as the author; None for the system."""
    return actor if actor is not None and actor.is_authenticated else None


def require_unit_perm(actor, unit: OrgUnit, perm: str = RECORD) -> None:
    """`actor=None` is the system itself; anyone else needs `perm` on `unit` (views turn the
    PermissionDenied into 404)."""
    if actor is not None and not has_unit_perm(actor, perm, unit):
        raise PermissionDenied


def require_text(value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError(message)
    return value.strip()


def not_future(on: dt.date) -> None:
    if on > today():
        raise ValidationError(_("The date %(date)s is in the future.") % {"date": on.isoformat()})


def audit(actor, action: str, target: models.Model, summary: str, **detail: Any) -> None:
    audit_record(actor=actor, action=action, target=target, summary=summary, detail=detail)


CREATE, UPDATE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE
