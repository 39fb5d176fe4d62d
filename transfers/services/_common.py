"""What the transfer services share: scope checks, dates, and recording a status change."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from members.models import OrgUnit
from members.scoping import has_unit_perm
from transfers.models import Transfer, TransferEvent, TransferStatus


def today() -> dt.date:
    return timezone.localdate()


def require_perm(actor, perm: str, unit: OrgUnit) -> None:
    """Outside the actor's scope for `perm`: not found (views answer 404). None: the system."""
    if actor is not None and not has_unit_perm(actor, perm, unit):
        raise PermissionDenied


def check_day(on: dt.date | None, *, not_before: dt.date | None = None, what: str = "") -> dt.date:
    """`on` (default today), refused when in the future or before `not_before`."""
    day = on or today()
    if day > today():
        raise ValidationError(_("The date cannot be in the future."))
    if not_before is not None and day < not_before:
        raise ValidationError(
            _("The date cannot be before %(what)s (%(day)s).")
            % {"what": what, "day": not_before.isoformat()}
        )
    return day


def text(value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError(message)
    return value.strip()


def lock_transfer(transfer: Transfer | int) -> Transfer:
    pk = transfer if isinstance(transfer, int) else transfer.pk
    return Transfer.objects.select_for_update().select_related("person", "unit").get(pk=pk)


def require_status(transfer: Transfer, allowed: tuple[str, ...], message: str) -> None:
    """Refuse with `message` (which may name the current %(status)s) unless allowed."""
    if transfer.status not in allowed:
        raise ValidationError(message % {"status": transfer.get_status_display()})


def record(
    *,
    transfer: Transfer,
    action: str,
    on: dt.date,
    actor,
    status: str | None = None,
    note: str = "",
    evidence: str = "",
) -> TransferEvent:
    """Move `transfer` to `status` (or keep it) and record who, when, why, on what evidence."""
    before = transfer.status
    fields: dict = {}
    if status is not None and status != before:
        fields["status"] = status
        if status == TransferStatus.COMPLETED:
            fields["completed_on"] = on
        Transfer.objects.filter(pk=transfer.pk).update(**fields)
        for name, value in fields.items():
            setattr(transfer, name, value)
    event = TransferEvent.objects.create(
        transfer=transfer,
        on=on,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        status_before=before,
        status_after=transfer.status,
        note=note[:255],
        evidence=evidence[:255],
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if fields else AuditEvent.Action.CREATE,
        target=transfer,
        summary=f"{transfer.person.name} {str(action)} {before}→{transfer.status}",
        detail={"event": event.pk, "on": on.isoformat(), "note": note, "evidence": evidence},
    )
    return event
