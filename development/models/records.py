"""The record of each step: what happened, when, decided how, by whom, on what evidence."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from development.models.choices import (
    ONCE_STEPS,
    AssignmentKind,
    Decision,
    OpinionSource,
    Step,
)


class AppendOnly(models.Model):
    """Records are history: once written they are never changed or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("allow_update", False):
            raise RuntimeError(f"{type(self).__name__} records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} records are never deleted")


class StepRecord(AppendOnly):
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="step_records",
        verbose_name=_("person"),
    )
    step = models.CharField(_("step"), max_length=32, choices=Step.choices)
    on = models.DateField(_("date"))
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.DONE
    )
    note = models.TextField(_("note"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_ref = models.CharField(_("evidence reference"), max_length=255, blank=True)
    # Facts particular to a step (recommendation kind, who talked, review conclusion, the
    # months of an extension, whether a talk was late...), as plain JSON values.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    meeting = models.ForeignKey(
        "development.BranchMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="step_records",
        verbose_name=_("branch meeting"),
    )
    notice = models.ForeignKey(
        "development.PublicNotice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="step_records",
        verbose_name=_("public notice"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Scans or files the step rests on (an application, a thought report...), kept privately
    # by core.uploads and attached by development.services.evidence.
    documents = models.ManyToManyField(
        "core.Document", blank=True, related_name="step_records", verbose_name=_("documents")
    )

    class Meta:
        verbose_name = _("step record")
        verbose_name_plural = _("step records")
        ordering = ["person", "on", "id"]
        indexes = [models.Index(fields=["person", "step"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "step"],
                condition=models.Q(step__in=sorted(ONCE_STEPS)),
                name="development_once_steps_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.step} {self.on}"

    @property
    def accepted(self) -> bool:
        return self.decision != Decision.REFUSED


class Opinion(AppendOnly):
    """An opinion gathered before a development candidate is determined (细则 第十三条)."""

    record = models.ForeignKey(
        StepRecord, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("step")
    )
    source = models.CharField(_("from"), max_length=16, choices=OpinionSource.choices)
    summary = models.TextField(_("opinion"))

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        constraints = [
            models.UniqueConstraint(fields=["record", "source"], name="one_opinion_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.source}"


class Assignment(models.Model):
    """A cultivation contact or an introducer of a person, from one date to another."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development_assignments",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AssignmentKind.choices)
    member = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="assigned_to_cultivate",
        verbose_name=_("Party member"),
    )
    assigned_on = models.DateField(_("assigned on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    record = models.ForeignKey(
        StepRecord, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("step")
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["person", "kind", "assigned_on", "id"]
        indexes = [models.Index(fields=["member", "kind"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.member_id}"
