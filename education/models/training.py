"""Party-school training (seed 002: 网上党校, 分党校; seed 004: 学区分党校): courses with their
sessions, and each person's days and class hours. The development pipeline's training rule
reads its hours from `TrainingResult` (development.selectors.training_totals)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from development.models import TrainingKind


class PartySchool(models.TextChoices):
    ONLINE = "online", _("online Party school")
    COLLEGE = "college", _("college branch Party school")
    DISTRICT = "district", _("district branch Party school")
    SCHOOL = "school", _("school Party school")


class Course(models.Model):
    unit = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="education_courses",
        verbose_name=_("run by"),
    )
    school = models.CharField(_("Party school"), max_length=16, choices=PartySchool.choices)
    audience = models.CharField(_("training for"), max_length=16, choices=TrainingKind.choices)
    name = models.CharField(_("course"), max_length=128)
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Party-school course")
        verbose_name_plural = _("Party-school courses")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return self.name


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("class hours"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.course_id} {self.held_on} {self.topic}"


class TrainingResult(models.Model):
    """One person's completed (or failed) training: days and class hours. Rows written
    through from development.services.training_record keep a link to that record."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="training_results",
        verbose_name=_("person"),
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("course"),
    )
    course_name = models.CharField(_("course"), max_length=128)
    kind = models.CharField(_("training for"), max_length=16, choices=TrainingKind.choices)
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"))
    days = models.DecimalField(_("days"), max_digits=4, decimal_places=1)
    hours = models.DecimalField(_("class hours"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("completed"), default=True)
    evidence = models.TextField(_("evidence"), blank=True)
    development_record = models.OneToOneField(
        "development.TrainingRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="education_result",
        editable=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training result")
        verbose_name_plural = _("training results")
        ordering = ["person", "start", "id"]
        indexes = [models.Index(fields=["person", "kind", "passed"])]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "person"],
                condition=models.Q(course__isnull=False),
                name="education_one_result_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.course_name}"
