"""Notification kinds and deadline reminder sources of transfers/, registered with
core.notifications.registry (it imports every app's `reminders` module).

Each source is one set-based query (one INSERT … SELECT when the reminders run) whose dates
are transfers.clock's, read from the columns the services store from it:

- `retention_transfer_due`: an active retention whose apply-to-transfer-out day (one month
  before the deadline, clock.transfer_apply_by) is within clock.TRANSFER_REMINDER_DAYS, the
  deadline not passed and no transfer out under way; to `manage_transfers` holders of the
  graduate's branch, and (`retention_transfer_due_graduate`, a second statement because the
  recipients come from another table) to the graduate;
- `retention_expired`: the retention deadline has passed (clock.retention_expired) and no
  transfer out is under way; to `manage_transfers` holders;
- `receipt_overdue`: a letter issued with no receipt registered after its validity plus
  one month (selectors.overdue_letters, clock.receipt_due); to `issue_letters` holders of
  the issuing committee;
- `mobile_verification_overdue`: a mobile member not re-verified by the due day of their
  cadence (selectors.late_mobile, clock.mobile_verification_due); to `manage_transfers`
  holders of their branch.

Every key names the object and its due date: a moved deadline is a new event, the same one
found again tomorrow inserts nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from core.notifications.registry import (
    event_key,
    handlers,
    register_kind,
    register_source,
    reminder_rows,
)
from transfers import clock
from transfers.models import (
    OPEN_STATUSES,
    Direction,
    IntroductionLetter,
    MobileMember,
    Retention,
    Transfer,
)
from transfers.selectors import late_mobile, overdue_letters

RETENTION = "retention_detail"

register_kind(
    "retention_decided",
    _("Your retention application has been decided: %(subject)s"),
    RETENTION,
)
register_kind(
    "retention_transfer_due", _("%(subject)s: apply to transfer out by %(due)s"), RETENTION
)
register_kind(
    "retention_transfer_due_graduate",
    _("Your retention ends soon: apply to transfer your organization relationship out by %(due)s"),
    RETENTION,
)
register_kind(
    "retention_expired",
    _("%(subject)s: retention ended on %(due)s and no transfer out has been started"),
    RETENTION,
)
register_kind(
    "receipt_overdue",
    _("%(subject)s: the receipt of the introduction letter was due back by %(due)s"),
    "transfer_detail",
)
register_kind(
    "mobile_verification_overdue",
    _("%(subject)s: the mobile member's contact details were due to be verified by %(due)s"),
    "mobile_detail",
)


def _no_transfer_out():
    """No transfer out is under way for the retention's person."""
    return ~Exists(
        Transfer.objects.filter(
            person=OuterRef("person_id"), direction=Direction.OUTGOING, status__in=OPEN_STATUSES
        )
    )


def _transfer_due(today: dt.date):
    return Retention.objects.filter(
        _no_transfer_out(),
        status=Retention.Status.ACTIVE,
        transfer_apply_by__lte=clock.transfer_reminder_horizon(today),
        ends_on__gte=today,
        person__removed_at__isnull=True,
    )


def _retention_rows(retentions, *, user, kind: str, due: str):
    return reminder_rows(
        retentions,
        user=user,
        key=event_key(kind, "pk", due),
        object_id="application_id",
        subject="person__name",
        due=due,
    )


def retention_transfer_due(today: dt.date):
    q, user = handlers("manage_transfers", "person__unit")
    return _retention_rows(
        _transfer_due(today).filter(q),
        user=user,
        kind="retention_transfer",
        due="transfer_apply_by",
    )


def retention_transfer_due_graduate(today: dt.date):
    return _retention_rows(
        _transfer_due(today).filter(person__user__isnull=False, person__user__is_active=True),
        user="person__user_id",
        kind="retention_transfer",
        due="transfer_apply_by",
    )


def retention_expired(today: dt.date):
    """Past the deadline (clock.retention_expired: from the day after it), still retained."""
    q, user = handlers("manage_transfers", "person__unit")
    retentions = Retention.objects.filter(
        q,
        _no_transfer_out(),
        status=Retention.Status.ACTIVE,
        ends_on__lt=today,
        person__removed_at__isnull=True,
    )
    return _retention_rows(retentions, user=user, kind="retention_expired", due="ends_on")


def receipt_overdue(today: dt.date):
    q, user = handlers("issue_letters", "committee")
    letters = overdue_letters(IntroductionLetter.objects.filter(q), today)
    return reminder_rows(
        letters,
        user=user,
        key=event_key("receipt_overdue", "pk", "receipt_due"),
        object_id="transfer_id",
        subject=Concat(F("serial"), Value(" "), F("person_name")),
        due="receipt_due",
    )


def mobile_verification_overdue(today: dt.date):
    q, user = handlers("manage_transfers")
    entries = late_mobile(MobileMember.objects.filter(q, person__removed_at__isnull=True), today)
    return reminder_rows(
        entries,
        user=user,
        key=event_key("mobile_verification", "pk", "verification_due"),
        object_id="pk",
        subject="person__name",
        due="verification_due",
    )


register_source("retention_transfer_due", kind="retention_transfer_due",
                rows=retention_transfer_due)  # fmt: skip
register_source("retention_transfer_due_graduate", kind="retention_transfer_due_graduate",
                rows=retention_transfer_due_graduate)  # fmt: skip
register_source("retention_expired", kind="retention_expired", rows=retention_expired)
register_source("receipt_overdue", kind="receipt_overdue", rows=receipt_overdue)
register_source("mobile_verification_overdue", kind="mobile_verification_overdue",
                rows=mobile_verification_overdue)  # fmt: skip
