"""One function writes the audit log, so every entry carries who, when, what and where."""

from typing import Any

from django.db import models

from core.middleware import current_ip
from core.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    summary: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if target is not None:
        target_type = target._meta.label_lower
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:255],
        detail=detail or {},
        ip=current_ip.get(),
    )
