"""Retained graduates (留校党员, seed 000): the retention application on the college's
template, the office's decisions on it, the retention it opens, and the two-way examination
(双向教育考察制) of probationary members whose employer will not take their relationship.

Statuses change only through transfers.services.retention; every change leaves an
ApplicationEvent (who, when, from, to, why) and an audit entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import OrgUnit, Person


class RetentionReason(models.TextChoices):
    # Seed 000: 主要留校原因包括“受疫情影响”“对方单位未能及时接收”“出国留学”“未落实工作单位”.
    PANDEMIC = "pandemic", _("affected by the pandemic")
    EMPLOYER_NOT_RECEIVING = "employer", _("the receiving organization could not take it in time")
    STUDY_ABROAD = "study_abroad", _("studying abroad")
    NO_EMPLOYER = "no_employer", _("no employer found yet")
    OTHER = "other", _("other reason")


class RetentionCategory(models.TextChoices):
    """Seed 000's classified management; the codes are Person.Whereabouts' own."""

    ON_CAMPUS = "on_campus", _("on campus")
    AWAY = "away", _("away for internship or work")
    ABROAD = "abroad", _("abroad")


# The commitments of the college's template (seed 000), each accepted one by one.
COMMITMENTS: tuple[tuple[str, str], ...] = (
    ("accept_management", _("I accept the Party organization's retention management.")),
    (
        "take_part",
        _("I will actively take part in organizational life and every kind of study."),
    ),
    (
        "apply_transfer",
        _(
            "I will watch the retention dates and apply to transfer out one month before the "
            "retention deadline."
        ),
    ),
    (
        "consequences",
        _(
            "I bear the consequences of losing contact or of not accepting the Party "
            "organization's education and management."
        ),
    ),
)


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, awaiting the committee")
    RETURNED = "returned", _("returned for changes")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


EDITABLE_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
OPEN_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)


class RetentionApplicationQuerySet(models.QuerySet):
    def restrict(self, user, perm: str = "view_people"):
        """Applications of people in the user's scope for `perm`; `view_people` also gives
        the user their own applications."""
        from members.scoping import scope_q

        q = scope_q(user, perm, field="person__unit__path")
        if perm == "view_people" and user is not None and user.is_authenticated:
            q |= models.Q(person__user_id=user.pk)
        return self.filter(q, person__removed_at__isnull=True)


class RetentionApplication(models.Model):
    """党员留校申请书: filled in by the graduate (or started for them by the branch),
    locked once submitted, decided by the committee office."""

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="retention_applications",
        verbose_name=_("member applying"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch when applying"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    reason = models.CharField(
        _("reason for retention"), max_length=24, choices=RetentionReason.choices, blank=True
    )
    reason_detail = models.CharField(_("the reason, in your words"), max_length=255, blank=True)
    category = models.CharField(
        _("category"), max_length=16, choices=RetentionCategory.choices, blank=True
    )
    whereabouts_detail = models.CharField(
        _("where you will be (employer, internship or address)"), max_length=255, blank=True
    )
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=64, blank=True)
    emergency_relation = models.CharField(_("relationship"), max_length=32, blank=True)
    emergency_phone = models.CharField(_("emergency contact phone"), max_length=20, blank=True)
    starts_on = models.DateField(_("retention starts"), null=True, blank=True)
    ends_on = models.DateField(_("retention ends"), null=True, blank=True)
    # Codes of COMMITMENTS the applicant accepted.
    commitments = models.JSONField(_("commitments accepted"), default=list, blank=True)
    abroad_place = models.CharField(
        _("place of study abroad (country, school)"), max_length=128, blank=True
    )
    abroad_from = models.DateField(_("study abroad from"), null=True, blank=True)
    abroad_until = models.DateField(_("study abroad until"), null=True, blank=True)
    china_contact = models.CharField(_("contact person in China"), max_length=64, blank=True)
    china_contact_phone = models.CharField(
        _("phone of the contact in China"), max_length=20, blank=True
    )
    statement = models.TextField(_("statement"), blank=True)
    documents = models.ManyToManyField(
        "core.Document", related_name="+", blank=True, verbose_name=_("evidence")
    )

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("committee's comments"), blank=True, editable=False)
    times_returned = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = RetentionApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention application")
        verbose_name_plural = _("retention applications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            # One application in progress per person: a second draft would split the file.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_retention_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def commitment_texts(self) -> list[tuple[str, str, bool]]:
        accepted = set(self.commitments or [])
        return [(code, str(text), code in accepted) for code, text in COMMITMENTS]


class ApplicationEvent(models.Model):
    """One step in an application's life: who did what, when, and what they wrote."""

    class Action(models.TextChoices):
        CREATED = "created", _("started")
        SAVED = "saved", _("saved")
        EVIDENCE = "evidence", _("added evidence")
        EVIDENCE_REMOVED = "evidence_removed", _("took evidence off")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for changes")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    application = models.ForeignKey(
        RetentionApplication, on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ApplicationStatus.choices, blank=True)
    note = models.TextField(_("comments"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"])]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.at:%Y-%m-%d}"


class Retention(models.Model):
    """A retained graduate: placed in a retained-graduate branch with a contact person, a
    retention deadline and the day by which they must apply to transfer out. It ends only
    through transfers.services.retention.retention_end (when, who, why, on what transfer)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("retained")
        ENDED = "ended", _("retention ended")

    class EndReason(models.TextChoices):
        TRANSFERRED_OUT = "transferred_out", _("organization relationship transferred out")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="retentions", verbose_name=_("person")
    )
    application = models.OneToOneField(
        RetentionApplication, on_delete=models.PROTECT, related_name="retention"
    )
    branch = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("retained-graduate branch"),
    )
    contact_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact person")
    )
    category = models.CharField(_("category"), max_length=16, choices=RetentionCategory.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE, editable=False
    )
    starts_on = models.DateField(_("retention starts"))
    ends_on = models.DateField(_("retention deadline"))
    transfer_apply_by = models.DateField(_("apply to transfer out by"))
    # The check-in plan education/ opened for the category and dates when this was approved.
    checkin_plan = models.OneToOneField(
        "education.CheckinPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention",
        verbose_name=_("check-in plan"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_on = models.DateField(_("retention ended on"), null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("ended by"),
    )
    end_reason = models.CharField(
        _("why retention ended"),
        max_length=16,
        choices=EndReason.choices,
        blank=True,
        editable=False,
    )
    end_note = models.CharField(_("note"), max_length=255, blank=True, editable=False)
    # The outgoing transfer whose completion ended it: the evidence of the end.
    ended_by_transfer = models.ForeignKey(
        "transfers.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("transfer"),
    )

    class Meta:
        verbose_name = _("retention")
        verbose_name_plural = _("retentions")
        ordering = ["ends_on", "id"]
        indexes = [models.Index(fields=["status", "transfer_apply_by"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="active"),
                name="one_active_retention",
            ),
            # An ended retention always says when and why.
            models.CheckConstraint(
                condition=models.Q(status="active")
                | (models.Q(ended_on__isnull=False) & ~models.Q(end_reason="")),
                name="ended_retention_says_when_and_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.ends_on}"


class Examination(models.Model):
    """双向教育考察: the branch keeps the examination of a probationary retained graduate;
    the employer's assessment report is a required document for conversion."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="examinations", verbose_name=_("person")
    )
    retention = models.ForeignKey(
        Retention, on_delete=models.PROTECT, null=True, blank=True, related_name="examinations"
    )
    employer = models.CharField(_("employer"), max_length=128)
    employer_contact = models.CharField(_("contact at the employer"), max_length=64, blank=True)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_open = models.BooleanField(default=True, editable=False)
    report = models.ForeignKey(
        "core.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("employer's assessment report"),
    )
    report_at = models.DateTimeField(null=True, blank=True, editable=False)
    report_via_link = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("two-way examination")
        verbose_name_plural = _("two-way examinations")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["person", "is_open"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.employer}"


class EmployerReportLink(models.Model):
    """A single-use, expiring link an employer uploads its report through, without an
    account. Only the SHA-256 of the token is kept: the database never holds the link."""

    examination = models.ForeignKey(Examination, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"link {self.pk} for {self.examination_id}"
