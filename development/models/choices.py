"""Every status of the development pipeline as TextChoices, and the step tables the services,
the selectors and the tests share (which steps repeat, which form a round, what each stage
requires)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Stage


class Step(models.TextChoices):
    """The steps of 《中国共产党发展党员工作细则》 (2014), in the order they happen."""

    APPLICATION = "application", _("Application received")
    APPLICANT_TALK = "applicant_talk", _("Talk with the applicant")
    RECOMMENDATION = "recommendation", _("Recommendation by Party members or the Youth League")
    ACTIVIST_DETERMINED = "activist_determined", _("Activist determined by the branch committee")
    ACTIVIST_FILED = "activist_filed", _("Activist filed with the higher committee")
    CONTACTS_ASSIGNED = "contacts_assigned", _("Cultivation contacts assigned")
    ASSESSMENT = "assessment", _("Half-yearly assessment")
    THOUGHT_REPORT = "thought_report", _("Thought report")
    CANDIDATE_DETERMINED = "candidate_determined", _("Development candidate determined")
    CANDIDATE_FILED = "candidate_filed", _("Development candidate filed with the higher committee")
    INTRODUCERS_ASSIGNED = "introducers_assigned", _("Introducers assigned")
    POLITICAL_REVIEW = "political_review", _("Political review")
    TRAINING = "training", _("Concentrated training")
    BRANCH_REVIEW = "branch_review", _("Branch committee review")
    PRE_REVIEW = "pre_review", _("Pre-review by the committee with approval power")
    APPLICATION_FORM = "application_form", _("Application form issued")
    ADMISSION_NOTICE = "admission_notice", _("Public notice before admission")
    ADMISSION_MEETING = "admission_meeting", _("Branch general meeting on admission")
    HIGHER_TALK = "higher_talk", _("Talk by the higher committee")
    ADMISSION_APPROVAL = "admission_approval", _("Approval of admission")
    ADMISSION_FILED = "admission_filed", _("Admission filed with the organization department")
    PLACEMENT = "placement", _("Placed in a branch and Party group")
    OATH = "oath", _("Admission oath")
    CONVERSION_APPLICATION = "conversion_application", _("Written application for conversion")
    CONVERSION_PRE_REVIEW = "conversion_pre_review", _("Pre-review of conversion")
    CONVERSION_NOTICE = "conversion_notice", _("Public notice before conversion")
    CONVERSION_MEETING = "conversion_meeting", _("Branch general meeting on conversion")
    CONVERSION_APPROVAL = "conversion_approval", _("Approval of conversion")
    EXTENSION = "extension", _("Probation extended")
    CANCELLATION = "cancellation", _("Probation cancelled")
    WITHDRAWAL = "withdrawal", _("Application withdrawn")
    ARCHIVE = "archive", _("Materials archived")


class Decision(models.TextChoices):
    DONE = "done", _("recorded")
    AGREED = "agreed", _("agreed")
    REFUSED = "refused", _("not agreed")


class Purpose(models.TextChoices):
    """What a branch meeting, a public notice or an approval is about."""

    ADMISSION = "admission", _("admission")
    CONVERSION = "conversion", _("conversion")


class RecommendationKind(models.TextChoices):
    PARTY_MEMBERS = "party_members", _("recommended by Party members")
    YOUTH_LEAGUE = "youth_league", _("recommended by the Youth League")


class OpinionSource(models.TextChoices):
    PARTY_GROUP = "party_group", _("Party group")
    CONTACTS = "contacts", _("cultivation contacts")
    MEMBERS = "members", _("Party members")
    NON_MEMBERS = "non_members", _("people outside the Party")


class AssignmentKind(models.TextChoices):
    CONTACT = "contact", _("cultivation contact")
    INTRODUCER = "introducer", _("introducer")


class Attendance(models.TextChoices):
    PRESENT = "present", _("present")
    ON_LEAVE = "on_leave", _("on leave")
    ABSENT = "absent", _("absent")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("not yet resolved")
    DISMISSED = "dismissed", _("found groundless")
    UPHELD = "upheld", _("found true")


class ApprovalStatus(models.TextChoices):
    OPEN = "open", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("not approved")
    WITHDRAWN = "withdrawn", _("withdrawn")


class VetoKind(models.TextChoices):
    COLLEGE = "college", _("college veto")
    TEACHERS = "teachers", _("teachers' veto")
    DORMITORY = "dormitory", _("dormitory civility veto")
    GRADUATE_HOUSING = "graduate_housing", _("graduate housing office veto")


class TrainingKind(models.TextChoices):
    ACTIVIST = "activist", _("activist training")
    CANDIDATE = "candidate", _("concentrated training of development candidates")
    PROBATIONARY = "probationary", _("probationary member training")


# Steps a person may have many of (each record is one more, not a retry).
REPEATABLE_STEPS = frozenset(
    {
        Step.RECOMMENDATION,
        Step.CONTACTS_ASSIGNED,
        Step.ASSESSMENT,
        Step.THOUGHT_REPORT,
        Step.INTRODUCERS_ASSIGNED,
        Step.TRAINING,
    }
)

# The admission and conversion rounds: a refusal at any of these steps (a failed review, an
# objection found true, a lost vote, a refused approval) ends the round, and the next attempt
# starts again at its first step. An extension also starts a new conversion round.
ADMISSION_ROUND = (
    Step.BRANCH_REVIEW,
    Step.PRE_REVIEW,
    Step.APPLICATION_FORM,
    Step.ADMISSION_NOTICE,
    Step.ADMISSION_MEETING,
    Step.HIGHER_TALK,
    Step.ADMISSION_APPROVAL,
)
CONVERSION_ROUND = (
    Step.CONVERSION_APPLICATION,
    Step.CONVERSION_PRE_REVIEW,
    Step.CONVERSION_NOTICE,
    Step.CONVERSION_MEETING,
    Step.CONVERSION_APPROVAL,
)

# Steps that happen at most once in a person's life; the database refuses a second one.
ONCE_STEPS = frozenset(
    {
        Step.APPLICATION,
        Step.APPLICANT_TALK,
        Step.ACTIVIST_DETERMINED,
        Step.ACTIVIST_FILED,
        Step.CANDIDATE_DETERMINED,
        Step.CANDIDATE_FILED,
        Step.ADMISSION_FILED,
        Step.PLACEMENT,
        Step.OATH,
        Step.EXTENSION,
        Step.CANCELLATION,
        Step.WITHDRAWAL,
        Step.ARCHIVE,
    }
)

# Steps whose (agreed) record moves a person to another stage.
STAGE_STEPS: dict[str, str] = {
    Step.ACTIVIST_DETERMINED: Stage.ACTIVIST,
    Step.CANDIDATE_DETERMINED: Stage.CANDIDATE,
    Step.ADMISSION_APPROVAL: Stage.PROBATIONARY,
    Step.CONVERSION_APPROVAL: Stage.FULL,
    Step.CANCELLATION: Stage.PROBATION_CANCELLED,
    Step.WITHDRAWAL: Stage.WITHDRAWN,
}

_APPLICANT = (Step.APPLICATION, Step.APPLICANT_TALK, Step.RECOMMENDATION, Step.ACTIVIST_DETERMINED)
_ACTIVIST = (
    Step.ACTIVIST_FILED,
    Step.CONTACTS_ASSIGNED,
    Step.ASSESSMENT,
    Step.CANDIDATE_DETERMINED,
)
_CANDIDATE = (
    Step.CANDIDATE_FILED,
    Step.INTRODUCERS_ASSIGNED,
    Step.POLITICAL_REVIEW,
    Step.TRAINING,
    *ADMISSION_ROUND,
)
_PROBATIONARY = (
    Step.OATH,
    Step.CONVERSION_APPLICATION,
    Step.CONVERSION_NOTICE,
    Step.CONVERSION_MEETING,
    Step.CONVERSION_APPROVAL,
)

# What must be on record (agreed or done) for a person to be in each stage. Reached through
# the pipeline, never loaded; the property test checks every person against this table.
STAGE_REQUIRES: dict[str, tuple[str, ...]] = {
    Stage.ACTIVIST: _APPLICANT,
    Stage.CANDIDATE: _APPLICANT + _ACTIVIST,
    Stage.PROBATIONARY: _APPLICANT + _ACTIVIST + _CANDIDATE,
    Stage.FULL: _APPLICANT + _ACTIVIST + _CANDIDATE + _PROBATIONARY,
    Stage.PROBATION_CANCELLED: _APPLICANT + _ACTIVIST + _CANDIDATE + (Step.CANCELLATION,),
}
