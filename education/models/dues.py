"""Party dues (2008 《关于中国共产党党费收缴、使用和管理的规定》): what each member pays a
month, and one payment record per member and month."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class DuesBasis(models.TextChoices):
    STUDENT = "student", _("student (0.20 yuan a month)")
    STIPEND = "stipend", _("graduate student with a stipend (salaried rates)")


class DuesAccount(models.Model):
    """How a member's monthly dues are worked out. Without a row a member pays as a student."""

    person = models.OneToOneField(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="dues_account",
        verbose_name=_("person"),
    )
    basis = models.CharField(
        _("dues basis"), max_length=16, choices=DuesBasis.choices, default=DuesBasis.STUDENT
    )
    monthly_income = models.DecimalField(
        _("monthly stipend (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("dues account")
        verbose_name_plural = _("dues accounts")

    def __str__(self) -> str:
        return f"{self.person_id} {self.basis} {self.monthly_income}"


class PaymentSource(models.TextChoices):
    RECORDED = "recorded", _("recorded by hand")
    IMPORTED = "imported", _("imported from Excel")


class DuesPayment(models.Model):
    """The dues of one member for one month (`month` is the first day of it)."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="dues_payments",
        verbose_name=_("person"),
    )
    month = models.DateField(_("month"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    paid_on = models.DateField(_("paid on"))
    source = models.CharField(
        _("source"), max_length=12, choices=PaymentSource.choices, default=PaymentSource.RECORDED
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["person", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="one_dues_payment_per_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="dues_month_is_first"),
        ]
        indexes = [models.Index(fields=["month", "person"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.amount}"
