"""The committee office's queues: who waits for the committee with approval power, since
when, and by when it must decide.

A user sees a queue only for the committees they hold approval authority on
(development.authority: an active COMMITTEE_OFFICE or SCHOOL_ADMIN grant on the committee
or above it). The people of those committees are the people below them: committees with
approval power sit only under the school, so every approving committee below an authorised
one is authorised too, and the union of their subtrees is exactly the people they decide for.

Every queue reads the same fixed number of queries whatever its length: the user's grants,
the authorised committees, the waiting people with their files (development.selectors).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from development import clock, requirements
from development.authority import APPROVAL_ROLES, APPROVING_KINDS
from development.models import (
    Approval,
    ApprovalStatus,
    Decision,
    Purpose,
    Step,
    StepRecord,
)
from development.requirements import PersonFile
from development.selectors import load_files
from members.models import OrgUnit, Person, RoleGrant, Stage

# Within this many days of its deadline a decision is shown as due soon.
DUE_SOON_DAYS = 14


class QueueKind(StrEnum):
    PRE_REVIEW = "pre_review"
    APPROVAL = "approval"
    CONVERSION_PRE_REVIEW = "conversion_pre_review"
    CONVERSION_APPROVAL = "conversion_approval"


QUEUE_LABELS = {
    QueueKind.PRE_REVIEW: _("Pre-review of admission"),
    QueueKind.APPROVAL: _("Approval of admission"),
    QueueKind.CONVERSION_PRE_REVIEW: _("Pre-review of conversion"),
    QueueKind.CONVERSION_APPROVAL: _("Approval of conversion"),
}


@dataclass(frozen=True)
class QueueRow:
    person: Person
    awaited: str  # the step the committee owes next
    since: dt.date | None  # the day the matter reached the committee
    due: dt.date | None  # the legal deadline, where the rules set one
    today: dt.date
    special_case: bool = False
    special_reason: str = ""
    approval: Approval | None = None
    blocked: tuple[str, ...] = ()  # unmet requirements of the awaited step

    @property
    def awaited_label(self) -> str:
        return str(Step(self.awaited).label)

    @property
    def waiting_days(self) -> int:
        return (self.today - self.since).days if self.since else 0

    @property
    def days_left(self) -> int | None:
        return (self.due - self.today).days if self.due else None

    @property
    def overdue(self) -> bool:
        return self.due is not None and clock.days_late(self.today, self.due) > 0

    @property
    def days_late(self) -> int:
        return clock.days_late(self.today, self.due) if self.due else 0

    @property
    def due_soon(self) -> bool:
        left = self.days_left
        return left is not None and 0 <= left <= DUE_SOON_DAYS

    def urgency(self) -> tuple:
        """Deadlines first, earliest first (so the overdue lead), then the longest waiting."""
        return (
            self.due is None,
            self.due or dt.date.max,
            self.since or dt.date.max,
            self.person.name,
            self.person.pk,
        )


def authorised_committees(user) -> list[OrgUnit]:
    """The committees with approval power `user` decides for (two queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    paths = list(
        RoleGrant.objects.filter(
            user_id=user.pk, role__in=APPROVAL_ROLES, revoked_at__isnull=True, unit__is_active=True
        ).values_list("unit__path", flat=True)
    )
    if not paths:
        return []
    under = Q()
    for path in paths:
        under |= Q(path__startswith=path)
    return list(
        OrgUnit.objects.filter(
            under, has_approval_power=True, kind__in=APPROVING_KINDS, is_active=True
        ).order_by("path")
    )


def _people_of(user, committees: list[OrgUnit]) -> QuerySet[Person]:
    under = Q()
    for committee in committees:
        under |= Q(unit__path__startswith=committee.path)
    return Person.objects.restrict(user, "view_people").filter(under)


def _has_record(step: str) -> Exists:
    return Exists(
        StepRecord.objects.filter(person=OuterRef("pk"), step=step).exclude(
            decision=Decision.REFUSED
        )
    )


def _open_approval(purpose: str) -> Exists:
    return Exists(
        Approval.objects.filter(person=OuterRef("pk"), purpose=purpose, status=ApprovalStatus.OPEN)
    )


def _candidates(user, committees, kind: QueueKind) -> QuerySet[Person]:
    """People who may be waiting, narrowed in SQL before their files are read."""
    people = _people_of(user, committees)
    if kind == QueueKind.PRE_REVIEW:
        return people.filter(_has_record(Step.BRANCH_REVIEW), stage=Stage.CANDIDATE)
    if kind == QueueKind.CONVERSION_PRE_REVIEW:
        return people.filter(_has_record(Step.CONVERSION_APPLICATION), stage=Stage.PROBATIONARY)
    if kind == QueueKind.APPROVAL:
        return people.filter(_open_approval(Purpose.ADMISSION), stage=Stage.CANDIDATE)
    return people.filter(_open_approval(Purpose.CONVERSION), stage=Stage.PROBATIONARY)


def _blocked(f: PersonFile, step: str, today: dt.date) -> tuple[str, ...]:
    return tuple(requirements.unmet(requirements.check(f, step, today, today)))


def _row(f: PersonFile, kind: QueueKind, today: dt.date) -> QueueRow | None:
    """The person's row in `kind`, or None when they are not waiting for it."""
    if kind == QueueKind.PRE_REVIEW:
        review = f.in_round(Purpose.ADMISSION, Step.BRANCH_REVIEW)
        if review is None or review.decision == Decision.REFUSED:
            return None
        if f.in_round(Purpose.ADMISSION, Step.PRE_REVIEW) is not None:
            return None
        step = Step.PRE_REVIEW
        return QueueRow(f.person, step, review.on, None, today,
                        blocked=_blocked(f, step, today))  # fmt: skip
    if kind == QueueKind.CONVERSION_PRE_REVIEW:
        if not f.rules.conversion_pre_review:
            return None
        application = f.in_round(Purpose.CONVERSION, Step.CONVERSION_APPLICATION)
        if application is None or f.in_round(Purpose.CONVERSION, Step.CONVERSION_PRE_REVIEW):
            return None
        step = Step.CONVERSION_PRE_REVIEW
        return QueueRow(f.person, step, application.on, None, today,
                        blocked=_blocked(f, step, today))  # fmt: skip
    purpose = Purpose.ADMISSION if kind == QueueKind.APPROVAL else Purpose.CONVERSION
    approval = f.open_approval(purpose)
    if approval is None:
        return None
    if purpose == Purpose.ADMISSION and f.in_round(Purpose.ADMISSION, Step.HIGHER_TALK) is None:
        step = Step.HIGHER_TALK  # the talk comes before the decision
    else:
        step = Step.ADMISSION_APPROVAL if purpose == Purpose.ADMISSION else Step.CONVERSION_APPROVAL
    return QueueRow(
        person=f.person,
        awaited=step,
        since=approval.opened_on,
        due=approval.due_on,  # clock.approval_due, recomputed for a special case
        today=today,
        special_case=approval.special_case,
        special_reason=approval.special_reason,
        approval=approval,
        blocked=_blocked(f, step, today),
    )


def office_queue(user, kind: QueueKind | str, today: dt.date) -> list[QueueRow] | None:
    """The queue of `kind` for `user`, most urgent first; None when `user` holds approval
    authority on no committee (the page does not exist for them)."""
    kind = QueueKind(kind)
    committees = authorised_committees(user)
    if not committees:
        return None
    files = load_files(_candidates(user, committees, kind))
    rows = [row for f in files.values() if (row := _row(f, kind, today)) is not None]
    return sorted(rows, key=QueueRow.urgency)
