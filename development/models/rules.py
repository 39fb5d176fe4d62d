"""Per-school rules (seeds 002 and 004) and the facts they read: vetoes, experiences,
training and volunteer hours; extensions and cancellations of probation."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from development import clock
from development.models.choices import TrainingKind, VetoKind


def seed_004_experiences() -> list[str]:
    """Seed 004's three experiences required before admission."""
    return [
        "担任校内外志愿者",
        "正式加入团队参与暑期社会实践",
        "带动班级学风建设、帮助困难同学",
    ]


class LocalRules(models.Model):
    """A school's own rules, set by its organization department without code. One row per
    school (the root of the tree); a school without a row follows the national rules only."""

    school = models.OneToOneField(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="development_rules",
        limit_choices_to={"kind": "school"},
        verbose_name=_("school"),
    )
    min_wait_months = models.PositiveSmallIntegerField(
        _("minimum months from application to activist"),
        null=True,
        blank=True,
        help_text=_("Empty: no minimum (the national rules set none)."),
    )
    experiences_required = models.BooleanField(
        _("experiences required before admission"), default=False
    )
    required_experiences = models.JSONField(
        _("required experiences"), default=seed_004_experiences, blank=True
    )
    volunteer_hours_required = models.BooleanField(
        _("volunteer hours required before conversion"), default=False
    )
    volunteer_hours = models.DecimalField(
        _("volunteer hours during probation"),
        max_digits=6,
        decimal_places=1,
        default=Decimal(50),
        validators=[MinValueValidator(Decimal(0))],
    )
    veto_college = models.BooleanField(_("college veto applies"), default=True)
    veto_teachers = models.BooleanField(_("teachers' veto applies"), default=True)
    veto_dormitory = models.BooleanField(_("dormitory civility veto applies"), default=True)
    veto_graduate_housing = models.BooleanField(
        _("graduate housing office veto applies"), default=True
    )
    training_min_days = models.DecimalField(
        _("concentrated training: minimum days"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(clock.TRAINING_MIN_DAYS),
    )
    training_min_hours = models.DecimalField(
        _("concentrated training: minimum class hours"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(clock.TRAINING_MIN_HOURS),
    )
    notice_working_days = models.PositiveSmallIntegerField(
        _("public notice: working days"), default=clock.NOTICE_WORKING_DAYS
    )
    notice_places = models.JSONField(
        _("public notice: places it must be posted in"), default=list, blank=True
    )
    holidays = models.JSONField(
        _("public holidays (not working days), as YYYY-MM-DD"), default=list, blank=True
    )
    conversion_pre_review = models.BooleanField(
        _("conversion is pre-reviewed by the committee"), default=False
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("local development rules")
        verbose_name_plural = _("local development rules")

    def __str__(self) -> str:
        return str(self.school)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        # A school may ask for more training than the national rule, never less.
        if self.training_min_days < clock.TRAINING_MIN_DAYS:
            errors["training_min_days"] = gettext(
                "Concentrated training cannot be shorter than %(days)d days."
            ) % {"days": clock.TRAINING_MIN_DAYS}
        if self.training_min_hours < clock.TRAINING_MIN_HOURS:
            errors["training_min_hours"] = gettext(
                "Concentrated training cannot be shorter than %(hours)d class hours."
            ) % {"hours": clock.TRAINING_MIN_HOURS}
        if self.notice_working_days < 1:
            errors["notice_working_days"] = gettext("A public notice runs at least one day.")
        for field in ("required_experiences", "notice_places", "holidays"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                errors[field] = gettext("Give a list of texts.")
        if "holidays" not in errors:
            try:
                self.holiday_dates()
            except ValueError:
                errors["holidays"] = gettext("Write holidays as YYYY-MM-DD.")
        if errors:
            raise ValidationError(errors)

    def holiday_dates(self) -> list[dt.date]:
        return [dt.date.fromisoformat(day) for day in self.holidays]

    def veto_applies(self, kind: str) -> bool:
        return {
            VetoKind.COLLEGE: self.veto_college,
            VetoKind.TEACHERS: self.veto_teachers,
            VetoKind.DORMITORY: self.veto_dormitory,
            VetoKind.GRADUATE_HOUSING: self.veto_graduate_housing,
        }[VetoKind(kind)]


class Veto(models.Model):
    """A veto (seed 004) that blocks every step forward while it stands."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development_vetoes",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("veto"), max_length=20, choices=VetoKind.choices)
    raised_on = models.DateField(_("raised on"))
    raised_by = models.CharField(_("raised by"), max_length=128)
    reason = models.TextField(_("reason"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lift_reason = models.TextField(_("why lifted"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("veto")
        verbose_name_plural = _("vetoes")
        ordering = ["raised_on", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.raised_on}"


class Extension(models.Model):
    """Probation extended once, by 6 to 12 months (党章 第七条)."""

    person = models.OneToOneField(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="probation_extension",
        verbose_name=_("person"),
    )
    months = models.PositiveSmallIntegerField(_("months"))
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"))
    previous_end = models.DateField(_("probation was to end on"))
    new_end = models.DateField(_("probation now ends on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension of probation")
        verbose_name_plural = _("extensions of probation")

    def __str__(self) -> str:
        return f"{self.person_id} +{self.months}"


class Cancellation(models.Model):
    person = models.OneToOneField(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="probation_cancellation",
        verbose_name=_("person"),
    )
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cancellation of probation")
        verbose_name_plural = _("cancellations of probation")

    def __str__(self) -> str:
        return f"{self.person_id} {self.decided_on}"


class TrainingRecord(models.Model):
    """Training hours, kept here until education/ records them (read only through
    development.selectors.training_totals)."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development_training",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TrainingKind.choices)
    course = models.CharField(_("course"), max_length=128)
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"))
    days = models.DecimalField(_("days"), max_digits=4, decimal_places=1)
    hours = models.DecimalField(_("class hours"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("completed"), default=True)
    evidence = models.TextField(_("evidence"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["person", "start", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.course}"


class VolunteerRecord(models.Model):
    """Volunteer hours (seed 004), kept here until education/ records them (read only through
    development.selectors.volunteer_totals)."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development_volunteering",
        verbose_name=_("person"),
    )
    on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    activity = models.CharField(_("activity"), max_length=128)
    evidence = models.TextField(_("evidence"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer service")
        verbose_name_plural = _("volunteer service")
        ordering = ["person", "on", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.on} {self.hours}"


class Experience(models.Model):
    """One of the experiences a school requires before admission (seed 004)."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development_experiences",
        verbose_name=_("person"),
    )
    label = models.CharField(_("experience"), max_length=128)
    on = models.DateField(_("date"))
    evidence = models.TextField(_("evidence"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("experience")
        verbose_name_plural = _("experiences")
        ordering = ["person", "on", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.label}"
