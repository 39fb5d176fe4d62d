"""The annual democratic appraisal of members (民主评议党员) and the outstanding-graduate
selection (seed 003: "在党旗下成长" 优秀毕业生党员评选)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")
    QUALIFIED = "qualified", _("qualified")
    BASICALLY_QUALIFIED = "basic", _("basically qualified")
    UNQUALIFIED = "unqualified", _("unqualified")


class AppraisalStatus(models.TextChoices):
    OPEN = "open", _("in progress")
    CLOSED = "closed", _("concluded")


class Appraisal(models.Model):
    branch = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="education_appraisals",
        verbose_name=_("branch"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppraisalStatus.choices,
        default=AppraisalStatus.OPEN,
        editable=False,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("democratic appraisal")
        verbose_name_plural = _("democratic appraisals")
        ordering = ["-year", "branch"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="education_appraisal_once")
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.year}"


class AppraisalEntry(models.Model):
    """One member taking part. Probationary members take part but are not rated."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.PROTECT, related_name="entries")
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="appraisal_entries",
        verbose_name=_("member"),
    )
    probationary = models.BooleanField(_("probationary member"), default=False, editable=False)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("appraisal entry")
        verbose_name_plural = _("appraisal entries")
        ordering = ["appraisal", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "person"], name="education_rated_once"),
            models.CheckConstraint(
                condition=models.Q(probationary=False) | models.Q(rating=""),
                name="education_probationary_not_rated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appraisal_id} {self.person_id} {self.rating}"


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("nominated")
    SELECTED = "selected", _("selected")
    NOT_SELECTED = "not_selected", _("not selected")


class GraduateNomination(models.Model):
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="graduate_nominations",
        verbose_name=_("graduate"),
    )
    year = models.PositiveSmallIntegerField(_("graduation year"))
    citation = models.TextField(_("deeds"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
        editable=False,
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    nominated_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outstanding-graduate nomination")
        verbose_name_plural = _("outstanding-graduate nominations")
        ordering = ["-year", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="education_nominated_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.status}"
