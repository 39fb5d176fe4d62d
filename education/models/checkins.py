"""Check-ins of retained and away graduates (seed 000): plans by category, with the kinds and
cadences a school sets, one check-in per kind and period, and its review history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from education import cadence


class CheckinKind(models.TextChoices):
    # Seed 000's wording: 学习强国学习积分截图 / 思想政治学习心得体会 / 组织生活佐证材料 /
    # 电子邮件书面思想汇报.
    XUEXI = "xuexi", _("Xuexi Qiangguo points screenshot")
    STUDY_REPORT = "study_report", _("study report")
    ORG_LIFE = "org_life", _("evidence of taking part in organizational life")
    ABROAD_REPORT = "abroad_report", _("written report by e-mail")


class CheckinCategory(models.TextChoices):
    """The classified management of seed 000; the values are Person.Whereabouts'."""

    ON_CAMPUS = "on_campus", _("on campus")
    AWAY = "away", _("away for internship or work")
    ABROAD = "abroad", _("abroad")


class CadenceUnit(models.TextChoices):
    WEEK = cadence.WEEK, _("weeks")
    MONTH = cadence.MONTH, _("months")


# Seed 000 and issue 5: a 学习强国 screenshot every two weeks, a study report monthly, evidence
# of org life monthly for those away, and from abroad a written report by e-mail at least
# every half year. On campus, graduates attend the branch's meetings (recorded there) and
# send the two study check-ins.
DEFAULT_RULES: dict[str, tuple[tuple[str, str, int], ...]] = {
    CheckinCategory.ON_CAMPUS: (
        (CheckinKind.XUEXI, cadence.WEEK, 2),
        (CheckinKind.STUDY_REPORT, cadence.MONTH, 1),
    ),
    CheckinCategory.AWAY: (
        (CheckinKind.XUEXI, cadence.WEEK, 2),
        (CheckinKind.STUDY_REPORT, cadence.MONTH, 1),
        (CheckinKind.ORG_LIFE, cadence.MONTH, 1),
    ),
    CheckinCategory.ABROAD: ((CheckinKind.ABROAD_REPORT, cadence.MONTH, 6),),
}


class CheckinRule(models.Model):
    """One kind and its cadence for one category in one school. A school without any row
    follows DEFAULT_RULES; once it has rows, its rows are the whole of its rules."""

    school = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="checkin_rules",
        limit_choices_to={"kind": "school"},
        verbose_name=_("school"),
    )
    category = models.CharField(_("category"), max_length=16, choices=CheckinCategory.choices)
    kind = models.CharField(_("kind of check-in"), max_length=16, choices=CheckinKind.choices)
    unit = models.CharField(_("cadence unit"), max_length=8, choices=CadenceUnit.choices)
    every = models.PositiveSmallIntegerField(_("every"))

    class Meta:
        verbose_name = _("check-in rule")
        verbose_name_plural = _("check-in rules")
        ordering = ["school", "category", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "category", "kind"], name="one_checkin_rule_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.category} {self.kind} {self.every} {self.unit}"


class PlanStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CheckinPlan(models.Model):
    """What one graduate owes and how often, from `starts_on` to `ends_on`. The cadences are
    copied from the school's rules when the plan opens, so later rule changes never rewrite
    what was due in the past."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="checkin_plans",
        verbose_name=_("person"),
    )
    category = models.CharField(_("category"), max_length=16, choices=CheckinCategory.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # [{"kind": "xuexi", "unit": "week", "every": 2}, ...]
    cadences = models.JSONField(_("kinds and cadences"), default=list)
    status = models.CharField(
        _("status"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("check-in plan")
        verbose_name_plural = _("check-in plans")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="open"),
                name="one_open_checkin_plan_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="checkin_plan_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.category} {self.starts_on}–{self.ends_on}"

    def cadence_of(self, kind: str) -> cadence.Cadence | None:
        for item in self.cadences:
            if item["kind"] == kind:
                return cadence.Cadence(item["unit"], int(item["every"]))
        return None

    @property
    def kinds(self) -> list[str]:
        return [item["kind"] for item in self.cadences]


class CheckinStatus(models.TextChoices):
    SUBMITTED = "submitted", _("waiting for review")
    ACCEPTED = "accepted", _("accepted")
    RETURNED = "returned", _("sent back")


class Checkin(models.Model):
    """The check-in of one kind for one period of a plan: what the graduate sent last and
    where its review stands. Every submission and decision is a CheckinEvent."""

    plan = models.ForeignKey(
        CheckinPlan, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind of check-in"), max_length=16, choices=CheckinKind.choices)
    period_index = models.PositiveSmallIntegerField(_("period"))
    period_start = models.DateField(_("period starts"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=CheckinStatus.choices)
    text = models.TextField(_("what you did"), blank=True)
    documents = models.ManyToManyField(
        "core.Document", related_name="+", blank=True, verbose_name=_("files")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    first_submitted_on = models.DateField(_("first submitted on"))
    submissions = models.PositiveSmallIntegerField(_("submissions"), default=1)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for sending back"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "period_index"], name="one_checkin_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind} #{self.period_index}"

    @property
    def was_late(self) -> bool:
        return self.first_submitted_on > self.due_on


class CheckinEvent(models.Model):
    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        RESUBMITTED = "resubmitted", _("resubmitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("sent back")

    checkin = models.ForeignKey(Checkin, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    document_ids = models.JSONField(_("files"), default=list, blank=True)

    class Meta:
        verbose_name = _("check-in event")
        verbose_name_plural = _("check-in events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.checkin_id} {self.action}"
