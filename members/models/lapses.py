"""Lapse cases (Party Constitution art. 9; 《党员教育管理工作条例》 2019 for lost contact).

The lapse job opens one case per member and count when a gap reaches five months (a warning)
and flips it to six months (lapsed) exactly once. Each count (org life, dues, assigned work,
lost contact) is its own case: any one of them lasting six months is enough. A case then
follows seed 000's escalation, each step a LapseStep with its date, actor and evidence:
written notice (书面通报告诫), talk (谈心谈话), suspension (停止党籍), the branch meeting's
decision to remove, and the higher organization's approval (除名). The member may answer at
any time while the case is open. A case closes with a reason when the member re-engages.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models.people import Person


class LapseCount(models.TextChoices):
    ORG_LIFE = "org_life", _("no organizational life")
    DUES = "dues", _("no Party dues paid")
    WORK = "work", _("no assigned work done")
    LOST_CONTACT = "lost_contact", _("lost contact")


class LapseStatus(models.TextChoices):
    WARNING = "warning", _("five months: warning")
    LAPSED = "lapsed", _("six months reached")
    NOTICE = "notice", _("written notice given")
    TALKED = "talked", _("talk held")
    SUSPENDED = "suspended", _("membership suspended")
    REMOVAL_DECIDED = "removal_decided", _("branch meeting decided removal")
    REMOVED = "removed", _("removed as lapsed")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = tuple(s for s in LapseStatus if s not in (LapseStatus.REMOVED, LapseStatus.CLOSED))
# Cases the job may still close by itself when the gap is filled: no branch step taken yet.
UNTOUCHED_STATUSES = (LapseStatus.WARNING, LapseStatus.LAPSED)


class LapseCaseQuerySet(models.QuerySet):
    def restrict(self, user, perm: str = "handle_lapses"):
        from members.scoping import scope_q

        return self.filter(scope_q(user, perm, field="person__unit__path"))

    def open(self):
        return self.filter(closed_at__isnull=True)


class LapseCase(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="lapse_cases", verbose_name=_("person")
    )
    count = models.CharField(_("count"), max_length=16, choices=LapseCount.choices)
    # The day the gap began, and the day it reaches six months (lapse_clock.reaches, stored
    # by the job so the warning → lapsed flip is one indexed comparison with today).
    gap_since = models.DateField(_("gap since"))
    lapses_on = models.DateField(_("six months on"))
    status = models.CharField(
        _("status"), max_length=16, choices=LapseStatus.choices, default=LapseStatus.WARNING
    )
    opened_on = models.DateField(_("opened on"))
    lapsed_on = models.DateField(_("six months reached on"), null=True, blank=True)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    # The status whose steps and notifications the job has written (the healthchecks
    # "processed flip"): the job acts only on cases whose status is ahead of it, so a second
    # run, even the same day, finds nothing to announce.
    announced = models.CharField(max_length=16, blank=True, editable=False, db_default="")
    # The stage before suspension, restored if the case closes before removal.
    stage_before = models.CharField(max_length=24, blank=True, editable=False, db_default="")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=255, blank=True, db_default=""
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LapseCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("lapse case")
        verbose_name_plural = _("lapse cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            # However often or concurrently the job runs: one open case per member and count…
            models.UniqueConstraint(
                fields=["person", "count"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_lapse_case_per_member_and_count",
            ),
            # …and never a second case for the same gap, even after the first was closed.
            models.UniqueConstraint(
                fields=["person", "count", "gap_since"], name="one_lapse_case_per_gap"
            ),
        ]
        indexes = [
            # The warning → lapsed flip reads only warnings, by when their gap began.
            models.Index(
                fields=["lapses_on"],
                name="lapse_warning_due",
                condition=models.Q(status="warning"),
            ),
            models.Index(
                fields=["count", "person"],
                name="lapse_open_by_count",
                condition=models.Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.count} {self.gap_since}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class LapseStep(models.Model):
    class Kind(models.TextChoices):
        OPENED = "opened", _("case opened (five months)")
        LAPSED = "lapsed", _("six months reached")
        NOTICE = "notice", _("written notice")
        TALK = "talk", _("talk")
        SUSPENSION = "suspension", _("suspension of membership")
        REMOVAL_DECISION = "removal_decision", _("branch meeting decision to remove")
        REMOVAL_APPROVAL = "removal_approval", _("higher organization's approval of removal")
        REMOVAL_REFUSED = "removal_refused", _("higher organization refused removal")
        ANSWER = "answer", _("member's answer")
        CLOSED = "closed", _("case closed")

    case = models.ForeignKey(
        LapseCase, on_delete=models.PROTECT, related_name="steps", verbose_name=_("lapse case")
    )
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True, db_default="")
    evidence = models.ForeignKey(
        "core.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lapse case step")
        verbose_name_plural = _("lapse case steps")
        ordering = ["at", "id"]
        constraints = [
            # The job records "opened" and "six months reached" once, however often it runs.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(kind__in=["opened", "lapsed"]),
                name="one_system_step_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.on}"
