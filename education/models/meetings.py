"""Branch life (三会一课 and the rest of DESIGN §5): meetings with their minutes,
attachments and attendance, and the leave members ask for before a meeting starts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from education import clock


class MeetingKind(models.TextChoices):
    GENERAL = "general", _("branch general meeting")
    COMMITTEE = "committee", _("branch committee meeting")
    GROUP = "group", _("Party group meeting")
    LECTURE = "lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("theme Party day")
    ORG_LIFE = "org_life", _("organization-life meeting")
    APPRAISAL = "appraisal", _("democratic appraisal of members")
    SPECIAL = "special", _("special education session")


# Attending any of these is organizational life for the six-month lapse rule (党章 第九条).
ORG_LIFE_KINDS = (
    MeetingKind.GENERAL,
    MeetingKind.COMMITTEE,
    MeetingKind.GROUP,
    MeetingKind.LECTURE,
    MeetingKind.THEME_DAY,
    MeetingKind.ORG_LIFE,
)

# The frequency targets of 支部工作条例 (2018): at least one meeting per calendar unit.
TARGETS: dict[str, str] = {
    MeetingKind.GENERAL: clock.QUARTER,
    MeetingKind.COMMITTEE: clock.MONTH,
    MeetingKind.GROUP: clock.MONTH,
    MeetingKind.LECTURE: clock.QUARTER,
    MeetingKind.THEME_DAY: clock.MONTH,
    MeetingKind.ORG_LIFE: clock.YEAR,
    MeetingKind.APPRAISAL: clock.YEAR,
}


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ON_LEAVE = "on_leave", _("on approved leave")
    ABSENT = "absent", _("absent")


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting a decision")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Meeting(models.Model):
    unit = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="education_meetings",
        verbose_name=_("held by"),
    )
    # The branch the meeting counts for (the unit itself, or the branch of a Party group):
    # compliance is counted per branch without walking the tree.
    branch = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
        editable=False,
    )
    kind = models.CharField(_("kind of meeting"), max_length=16, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=128, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PLANNED,
        editable=False,
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-start_time", "-id"]
        indexes = [
            models.Index(fields=["branch", "status", "held_on"]),
            models.Index(fields=["unit", "held_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.topic}"

    @property
    def starts_at(self):
        return clock.starts_at(self.held_on, self.start_time)

    @property
    def has_started(self) -> bool:
        return clock.has_started(self.held_on, self.start_time)

    @property
    def counts_as_org_life(self) -> bool:
        return self.kind in ORG_LIFE_KINDS


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attachments")
    document = models.OneToOneField(
        "core.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )

    class Meta:
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.document_id}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="meeting_attendance",
        verbose_name=_("person"),
    )
    status = models.CharField(_("attendance"), max_length=16, choices=AttendanceStatus.choices)
    leave = models.ForeignKey(
        "education.LeaveRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved leave"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="education_attend_once")
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.person_id} {self.status}"


class LeaveRequest(models.Model):
    """A member's request to be excused from one meeting, asked before it starts and decided
    by the branch secretary; the discipline committee member's register is the list of these
    (seed 000: 纪检委员存档备查, 作为年度民主评议的参考)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="leaves")
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="meeting_leaves",
        verbose_name=_("person"),
    )
    reason = models.TextField(_("reason for leave"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LeaveStatus.choices,
        default=LeaveStatus.REQUESTED,
        editable=False,
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.CharField(_("decision note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open or approved request per person and meeting; refused or withdrawn ones
            # stay in the register and a new one may follow.
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=models.Q(status__in=["requested", "approved"]),
                name="education_one_live_leave",
            )
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.person_id} {self.status}"
