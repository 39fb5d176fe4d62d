"""Mobile members (流动党员, seed 001): a ledger entry per period away, each verification of
contact details, and the help pairing (1+1 / 1+n: one helper for one or several)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MobileMember(models.Model):
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="mobile_periods",
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        "members.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    destination = models.CharField(_("where they are"), max_length=128)
    abroad = models.BooleanField(_("abroad"), default=False)
    host_organization = models.CharField(_("Party organization there"), max_length=160, blank=True)
    card_number = models.CharField(
        _("mobile Party member activity card number"), max_length=32, blank=True
    )
    contact = models.CharField(_("contact details"), max_length=160)
    reason = models.CharField(_("reason for leaving"), max_length=255, blank=True)
    started_on = models.DateField(_("away since"))
    last_verified_on = models.DateField(_("contact details last verified"))
    # transfers.clock.mobile_verification_due(last_verified_on, abroad), kept by the services
    # so "late" is one indexed filter; a changed cadence applies from the next verification.
    verification_due = models.DateField(_("next verification due"), db_index=True)
    ended_on = models.DateField(_("back or transferred on"), null=True, blank=True, editable=False)
    helper = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="helped_mobile_members",
        verbose_name=_("helper (1+1 / 1+n)"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mobile member")
        verbose_name_plural = _("mobile members")
        ordering = ["unit__path", "last_verified_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_mobile_period_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.destination}"


class MobileVerification(models.Model):
    """One check that a mobile member's contact details still reach them (append-only)."""

    mobile = models.ForeignKey(MobileMember, on_delete=models.PROTECT, related_name="verifications")
    on = models.DateField(_("verified on"))
    how = models.CharField(_("how"), max_length=120)
    contact = models.CharField(_("contact details"), max_length=160)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.mobile_id} {self.on}"
