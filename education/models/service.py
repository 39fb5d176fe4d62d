"""What members do beyond meetings: volunteer service hours (seed 004's 50 hours for
probationary members read them: development.selectors.volunteer_totals), the graduates'
"five ones" (seed 003), and work the Party assigns (党所分配的工作, 党章 第九条)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteerService(models.Model):
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="volunteer_service",
        verbose_name=_("person"),
    )
    on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    activity = models.CharField(_("activity"), max_length=128)
    evidence = models.TextField(_("evidence"), blank=True)
    development_record = models.OneToOneField(
        "development.VolunteerRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="education_service",
        editable=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer service")
        verbose_name_plural = _("volunteer service")
        ordering = ["person", "on", "id"]
        indexes = [models.Index(fields=["person", "on"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.on} {self.hours}"


class FiveOne(models.TextChoices):
    """Seed 003: 听1次党课、过1次组织生活、重温1次入党誓词、
    开展1次校园服务志愿活动、捐赠1本经典书籍."""

    LECTURE = "lecture", _("attend one Party lecture")
    ORG_LIFE = "org_life", _("take part in one organizational life")
    OATH = "oath", _("renew the oath once")
    VOLUNTEER = "volunteer", _("do one campus volunteer service")
    BOOK = "book", _("donate one classic book")


class FiveOnesRecord(models.Model):
    """One of the five done, recorded by the branch. The lecture, org life and volunteer
    service are also found from attendance and volunteer records; the oath renewal and the
    book are recorded here."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="five_ones",
        verbose_name=_("person"),
    )
    item = models.CharField(_("activity"), max_length=16, choices=FiveOne.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("five-ones activity")
        verbose_name_plural = _("five-ones activities")
        ordering = ["person", "item", "on"]
        indexes = [models.Index(fields=["person", "item"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.item} {self.on}"


class WorkStatus(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class WorkAssignment(models.Model):
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="work_assignments",
        verbose_name=_("member"),
    )
    title = models.CharField(_("work assigned"), max_length=200)
    detail = models.TextField(_("details"), blank=True)
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WorkStatus.choices,
        default=WorkStatus.ASSIGNED,
        editable=False,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)
    done_note = models.CharField(_("how it was done"), max_length=255, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assigned work")
        verbose_name_plural = _("assigned work")
        ordering = ["-assigned_on", "-id"]
        indexes = [models.Index(fields=["person", "status", "done_on"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.title}"
