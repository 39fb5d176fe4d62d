"""Branch general meetings with attendance and votes, public notices with objections, and the
approvals the committee with approval power owes within its clock."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from development import clock
from development.models.choices import (
    ApprovalStatus,
    Attendance,
    ObjectionStatus,
    Purpose,
)


class BranchMeeting(models.Model):
    unit = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="development_meetings",
        verbose_name=_("branch"),
    )
    held_on = models.DateField(_("held on"))
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    # Full members of the branch with voting rights on the day, as the system counted them.
    voting_members_counted = models.PositiveIntegerField(_("voting members counted"))
    # Set when the branch knows better (a member without voting rights under discipline,
    # one working away for a long time...): the reason is required.
    voting_members_override = models.PositiveIntegerField(
        _("voting members (corrected)"), null=True, blank=True
    )
    override_reason = models.CharField(_("reason for the correction"), max_length=255, blank=True)
    present_voting = models.PositiveIntegerField(_("voting members present"))
    note = models.TextField(_("minutes"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("branch general meeting")
        verbose_name_plural = _("branch general meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.purpose} {self.held_on}"

    @property
    def voting_members(self) -> int:
        """Full members with voting rights who should attend."""
        if self.voting_members_override is not None:
            return self.voting_members_override
        return self.voting_members_counted


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(BranchMeeting, on_delete=models.PROTECT, related_name="attendance")
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    status = models.CharField(_("attendance"), max_length=16, choices=Attendance.choices)
    has_vote = models.BooleanField(_("has voting rights"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attend_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.person_id} {self.status}"


class MeetingVote(models.Model):
    """The separate vote on one person (each person is discussed and voted separately)."""

    meeting = models.ForeignKey(BranchMeeting, on_delete=models.PROTECT, related_name="votes")
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development_votes",
        verbose_name=_("person"),
    )
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    abstentions = models.PositiveIntegerField(_("abstain"))
    written_for = models.PositiveIntegerField(_("written opinions for"), default=0)
    written_total = models.PositiveIntegerField(_("written opinions"), default=0)
    quorum = models.BooleanField(_("quorum"))
    passed = models.BooleanField(_("passed"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.person_id} {self.votes_for}"

    def result(self) -> clock.VoteResult:
        return clock.branch_meeting_result(
            voting_members=self.meeting.voting_members,
            present=self.meeting.present_voting,
            written_for=self.written_for,
            written=self.written_total,
            votes_for=self.votes_for,
        )

    def explanation(self) -> str:
        return explain_vote(self.result())


def explain_vote(result: clock.VoteResult) -> str:
    """Why a vote passed or failed, with the numbers (DESIGN §3's rule)."""
    numbers = {
        "present": result.present,
        "members": result.voting_members,
        "for": result.votes_for,
        "written": result.written,
    }
    if not result.quorum:
        return (
            gettext(
                "Present: %(present)d of the %(members)d full members with voting rights; more "
                "than half must attend."
            )
            % numbers
        )
    if not result.passed:
        return (
            gettext(
                "Votes for: %(for)d, not more than half of the %(members)d full members with "
                "voting rights who should attend."
            )
            % numbers
        )
    return (
        gettext(
            "Passed: %(for)d votes for (written opinions included) of the %(members)d full "
            "members with voting rights who should attend; %(present)d present."
        )
        % numbers
    )


class PublicNotice(models.Model):
    unit = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="development_notices",
        verbose_name=_("posted by"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"))
    places = models.JSONField(_("places"), default=list)
    note = models.TextField(_("text"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.purpose} {self.start}–{self.end}"


class NoticeEntry(models.Model):
    """One person listed on a notice."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="entries")
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development_notice_entries",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("person on a notice")
        verbose_name_plural = _("people on notices")
        constraints = [
            models.UniqueConstraint(fields=["notice", "person"], name="listed_once_per_notice")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.person_id}"


class NoticeObjection(models.Model):
    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("about")
    )
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("objection"))
    status = models.CharField(
        _("status"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.person_id} {self.status}"


class Approval(models.Model):
    """What the committee with approval power owes after a branch meeting passed: a decision
    within 3 months (6 in a recorded special case). At most one is open per person."""

    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="development_approvals",
        verbose_name=_("person"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    meeting = models.ForeignKey(
        BranchMeeting, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("meeting")
    )
    committee = models.ForeignKey(
        "members.OrgUnit",
        on_delete=models.PROTECT,
        related_name="development_approvals",
        verbose_name=_("committee"),
    )
    opened_on = models.DateField(_("branch meeting held on"))
    due_on = models.DateField(_("due by"))
    special_case = models.BooleanField(_("special case"), default=False)
    special_reason = models.CharField(_("special case"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.OPEN
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["committee", "status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="open"),
                name="one_open_approval_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose} {self.status}"
