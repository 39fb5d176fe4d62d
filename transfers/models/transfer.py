"""Organization-relationship transfers (组织关系转接, seed 003), outgoing and incoming.

A transfer moves from requested to completed (or cancelled) only through the services in
transfers/services/transfers.py; every move leaves a TransferEvent (who, when, from, to,
why, on what evidence) and an audit entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("outgoing")
    INCOMING = "incoming", _("incoming")


class DestinationKind(models.TextChoices):
    """Where an outgoing relationship goes (seed 003, 二(一)1–2)."""

    EMPLOYER = "employer", _("employer's Party organization")
    TALENT_CENTRE = "talent_centre", _("talent-service centre")
    HOUSEHOLD = "household", _("street or township of household registration")
    FURTHER_STUDY = "further_study", _("further-study school")


class Reach(models.TextChoices):
    IN_PROVINCE = "in_province", _("within the province")
    OUT_OF_PROVINCE = "out_of_province", _("outside the province")


class Category(models.TextChoices):
    FULL = "full", _("full member")
    PROBATIONARY = "probationary", _("probationary member")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("requested, not yet sent")
    SENT = "sent", _("under way")
    COMPLETED = "completed", _("transfer completed")
    CANCELLED = "cancelled", _("transfer cancelled")


OPEN_STATUSES = (TransferStatus.REQUESTED, TransferStatus.SENT)


class TransferAction(models.TextChoices):
    STARTED = "started", _("transfer started")
    REGISTERED = "registered", _("incoming transfer registered")
    ONLINE_REFERENCE = "online_reference", _("online system reference recorded")
    LETTER_ISSUED = "letter_issued", _("introduction letter issued")
    LETTER_REISSUED = "letter_reissued", _("introduction letter re-issued")
    COMPLETED = "completed", _("transfer completed")
    CANCELLED = "cancelled", _("transfer cancelled")


class Transfer(models.Model):
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("person"),
    )
    # The unit whose scope the transfer belongs to: the person's unit when it was started.
    unit = models.ForeignKey(
        "members.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    destination_kind = models.CharField(
        _("transfer kind"), max_length=16, choices=DestinationKind.choices, blank=True
    )
    reach = models.CharField(
        _("within or outside the province"), max_length=16, choices=Reach.choices
    )
    # Outgoing: the receiving organization. Incoming: the sending one.
    other_committee = models.CharField(
        _("receiving grassroots Party committee"), max_length=160, blank=True
    )
    other_heading = models.CharField(_("letter heading"), max_length=160)
    other_branch = models.CharField(_("Party branch there"), max_length=160, blank=True)
    category = models.CharField(
        _("full or probationary"), max_length=16, choices=Category.choices, blank=True
    )
    online_reference = models.CharField(_("online system reference"), max_length=64, blank=True)
    incoming_letter_number = models.CharField(
        _("number of their letter"), max_length=64, blank=True
    )
    contact = models.CharField(_("member's contact details"), max_length=160, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransferStatus.choices,
        default=TransferStatus.REQUESTED,
        editable=False,
    )
    requested_on = models.DateField(_("requested on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    campaign_year = models.PositiveSmallIntegerField(
        _("graduation year"), null=True, blank=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["requested", "sent"]),
                name="one_open_transfer_per_person",
            )
        ]
        indexes = [models.Index(fields=["status", "direction"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_direction_display()} {self.other_heading}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def needs_letter(self) -> bool:
        return self.direction == Direction.OUTGOING and self.reach == Reach.OUT_OF_PROVINCE


class TransferEvent(models.Model):
    """One change of a transfer's status (append-only)."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    on = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("what"), max_length=32, choices=TransferAction.choices)
    status_before = models.CharField(max_length=12, blank=True, choices=TransferStatus.choices)
    status_after = models.CharField(max_length=12, choices=TransferStatus.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    evidence = models.CharField(_("evidence"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("transfer event")
        verbose_name_plural = _("transfer events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.action} {self.on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("transfer events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("transfer events are never deleted")
