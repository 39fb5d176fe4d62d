"""The graduation campaign of one year (seed 003): deadlines, and the delayed-graduation and
incomplete-study list. Graduates are the members whose expected graduation is in the year."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GraduationCampaign(models.Model):
    unit = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organized by"),
    )
    year = models.PositiveSmallIntegerField(_("graduation year"))
    roster_due = models.DateField(_("graduate Party member roster due"))
    destinations_due = models.DateField(_("destinations and transfer registration due"))
    summaries_due = models.DateField(_("general-branch summaries due"))
    archive_due = models.DateField(_("materials archived by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("graduation campaign")
        verbose_name_plural = _("graduation campaigns")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_campaign_per_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit}"


class GraduateException(models.Model):
    """A graduate who does not graduate this year: delayed graduation or incomplete study."""

    class Kind(models.TextChoices):
        DELAYED = "delayed", _("delayed graduation")
        INCOMPLETE = "incomplete", _("incomplete study (肄业)")

    campaign = models.ForeignKey(
        GraduationCampaign, on_delete=models.PROTECT, related_name="exceptions"
    )
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=255)
    new_graduation = models.DateField(_("new expected graduation"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delayed graduation or incomplete study")
        verbose_name_plural = _("delayed graduations and incomplete studies")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], name="one_exception_per_campaign_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"
