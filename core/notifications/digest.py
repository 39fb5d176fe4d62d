"""The daily e-mail digest: per user, in Chinese, every notification at most once.

A run claims a batch of users' unsent notifications with one conditional UPDATE
(`emailed_at IS NULL` → now, with the run's token), commits the claim, then sends one e-mail
per user and records `email_sent_at`. A notification claimed by one run is never claimed by
another, so two digests at once, a retried task, or a run after a killed worker cannot send
anything twice. A worker killed between claim and send leaves claimed, unsent rows: they are
not sent again (at most once) and stay in the notification centre; the next run logs them.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import Notification
from core.notifications.registry import kind_of
from members.models import User

log = logging.getLogger(__name__)
BATCH_USERS = 200
_HOUR = dt.timedelta(hours=1)


def _address(user: User) -> str:
    person = getattr(user, "person", None)
    return user.email or (person.email if person is not None else "")


def _absolute(link: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{link}" if link and settings.SITE_URL else link


def claim(user_ids: list[int], token: str) -> int:
    """Claim every unsent notification of these users for run `token` (one UPDATE)."""
    return Notification.objects.filter(user_id__in=user_ids, emailed_at=None).update(
        emailed_at=timezone.now(), email_claim=token
    )


def _send_batch(user_ids: list[int], token: str, connection) -> int:
    claim(user_ids, token)
    return _send_claimed(token, connection)


def _send_claimed(token: str, connection) -> int:
    """One e-mail per user for the notifications run `token` claimed."""
    rows = defaultdict(list)
    for n in Notification.objects.filter(email_claim=token).order_by("user_id", "-created_at"):
        rows[n.user_id].append(n)
    users = User.objects.filter(pk__in=list(rows)).select_related("person")
    sent_to = []
    with translation.override(settings.LANGUAGE_CODE):  # the digest is in Chinese
        for user in users:
            items = [
                {
                    "text": kind_of(n.kind).render(n.subject, n.due_on),
                    "link": _absolute(kind_of(n.kind).link(n.object_id)),
                    "due_on": n.due_on,
                }
                for n in rows[user.pk]
            ]
            body = render_to_string("core/notifications/digest.txt", {"user": user, "items": items})
            subject = _("PartyAdmin: %(count)s new reminders") % {"count": len(items)}
            message = EmailMessage(subject, body, to=[_address(user)], connection=connection)
            message.send()
            sent_to.append(user.pk)
    Notification.objects.filter(email_claim=token, user_id__in=sent_to).update(
        email_sent_at=timezone.now()
    )
    return len(sent_to)


def digest_send(limit_users: int | None = None) -> dict[str, int]:
    """Send every user with an address their unsent notifications, once."""
    stale = Notification.objects.filter(
        ~Q(email_claim=""), email_sent_at=None, emailed_at__lt=timezone.now() - _HOUR
    ).count()
    if stale:
        log.warning("%s notifications were claimed by a digest that never sent them", stale)
    pending = (
        Notification.objects.filter(emailed_at=None)
        .filter(Q(user__email__gt="") | Q(user__person__email__gt=""), user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    user_ids = list(pending[:limit_users] if limit_users else pending)
    sent = 0
    connection = get_connection()
    for start in range(0, len(user_ids), BATCH_USERS):
        sent += _send_batch(user_ids[start : start + BATCH_USERS], secrets.token_hex(8), connection)
    return {"users": sent, "stale_claims": stale}


def email_one(user_id: int, key: str) -> int:
    """Send one notification now, if nobody has claimed it yet (1 sent, 0 not)."""
    token = secrets.token_hex(8)
    claimed = Notification.objects.filter(user_id=user_id, key=key, emailed_at=None).update(
        emailed_at=timezone.now(), email_claim=token
    )
    if not claimed:
        return 0
    user = User.objects.select_related("person").get(pk=user_id)
    if not _address(user):
        return 0
    return _send_claimed(token, get_connection())
