"""Notifying, reading and marking read. Every function is one or two queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from core.models import Notification


def notify(
    *,
    user_ids: Iterable[int | None],
    key: str,
    kind: str,
    object_id: int | None = None,
    subject: str = "",
    due_on: dt.date | None = None,
) -> int:
    """One notification of event `key` for each user, skipping users who already have it.
    Returns how many were new."""
    now = timezone.now()
    wanted = sorted({u for u in user_ids if u is not None})
    rows = [
        Notification(
            user_id=u,
            key=key[:120],
            kind=kind,
            object_id=object_id,
            subject=subject[:128],
            due_on=due_on,
            created_at=now,
        )
        for u in wanted
    ]
    if not rows:
        return 0
    before = Notification.objects.filter(user_id__in=wanted, key=key[:120]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows) - before


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at=None).count()


def notification_mark_read(*, user, pk: int) -> None:
    """Mark one of the user's own notifications read (a conditional UPDATE: marking twice
    keeps the first time). Someone else's notification changes nothing."""
    Notification.objects.filter(user_id=user.pk, pk=pk, read_at=None).update(read_at=timezone.now())


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at=None).update(read_at=timezone.now())
