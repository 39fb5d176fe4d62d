"""Introduction letters (党员组织关系介绍信): the issuing committee's particulars, the serial
counter per committee and year, and each letter as it was issued (a snapshot of the
fields printed on it, except the ID number, which is decrypted only when printed)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from transfers.clock import DEFAULT_VALIDITY_DAYS, GRADUATE_VALIDITY_DAYS
from transfers.models.transfer import Category, Transfer


class LetterIssuer(models.Model):
    """What a committee prints on its letters: its seal name, address and telephone."""

    committee = models.OneToOneField(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="letter_issuer",
        verbose_name=_("committee"),
    )
    formal_name = models.CharField(_("formal name"), max_length=160, blank=True)
    serial_prefix = models.CharField(_("serial number prefix"), max_length=16, blank=True)
    address = models.CharField(_("postal address"), max_length=255, blank=True)
    phone = models.CharField(_("telephone"), max_length=32, blank=True)
    fax = models.CharField(_("fax"), max_length=32, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    validity_days = models.PositiveSmallIntegerField(
        _("validity in days"), default=DEFAULT_VALIDITY_DAYS
    )
    graduate_validity_days = models.PositiveSmallIntegerField(
        _("validity in days for graduates"), default=GRADUATE_VALIDITY_DAYS
    )

    class Meta:
        verbose_name = _("letter issuer")
        verbose_name_plural = _("letter issuers")

    def __str__(self) -> str:
        return self.formal_name or str(self.committee)


class LetterCounter(models.Model):
    """The last serial number a committee gave in a year; locked while a letter is issued."""

    committee = models.ForeignKey("members.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="one_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.committee_id} {self.year} {self.last_number}"


class LetterStatus(models.TextChoices):
    ISSUED = "issued", _("issued, awaiting receipt")
    CLOSED = "closed", _("closed, receipt registered")
    REISSUED = "reissued", _("expired and re-issued")
    VOIDED = "voided", _("void")


class IntroductionLetter(models.Model):
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="letters", verbose_name=_("transfer")
    )
    committee = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing committee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    serial = models.CharField(_("letter number"), max_length=40)
    reissue_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissued_as",
        verbose_name=_("re-issue of"),
    )
    # What is printed, as it was on the day of issue.
    heading = models.CharField(_("letter heading"), max_length=160)
    person_name = models.CharField(_("full name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=8, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=32, blank=True)
    category = models.CharField(_("full or probationary"), max_length=16, choices=Category.choices)
    from_org = models.CharField(_("transferred from"), max_length=200)
    to_org = models.CharField(_("transferred to"), max_length=330)
    dues_paid_through = models.DateField(_("dues paid up to"))
    validity_days = models.PositiveSmallIntegerField(_("validity in days"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    # transfers.clock.receipt_due(valid_until), stored so "overdue" is one indexed filter.
    receipt_due = models.DateField(_("receipt expected by"))
    member_contact = models.CharField(_("member's contact details"), max_length=160, blank=True)
    issuer_address = models.CharField(_("postal address"), max_length=255, blank=True)
    issuer_phone = models.CharField(_("telephone"), max_length=32, blank=True)
    issuer_fax = models.CharField(_("fax"), max_length=32, blank=True)
    issuer_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=LetterStatus.choices,
        default=LetterStatus.ISSUED,
        editable=False,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    receipt_on = models.DateField(_("receipt registered on"), null=True, blank=True)
    receipt_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receipt registered by"),
    )
    receipt_from = models.CharField(_("receipt sent by"), max_length=160, blank=True)
    receipt_document = models.ForeignKey(
        "core.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scan of the receipt"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("introduction letter")
        verbose_name_plural = _("introduction letters")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "number"], name="letter_number_unique_per_year"
            )
        ]
        indexes = [models.Index(fields=["status", "receipt_due"])]

    def __str__(self) -> str:
        return self.serial
