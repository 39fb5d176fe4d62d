"""What the pipeline's pages share: who acts on each step, where each step's form is, and
the authority refusals the services would give, asked before a form is shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from development import clock
from development.authority import require_approval_authority, require_higher_committee
from development.models import Purpose, Step
from development.selectors import NextStep
from members.models import OrgUnit, Person

# Steps decided by the committee with approval power, and the talk held from above the
# branch; every other step is branch work (change_people on the person's unit).
APPROVAL_STEPS = frozenset(
    {
        Step.PRE_REVIEW,
        Step.ADMISSION_APPROVAL,
        Step.CONVERSION_PRE_REVIEW,
        Step.CONVERSION_APPROVAL,
        Step.EXTENSION,
        Step.CANCELLATION,
    }
)
HIGHER_STEPS = frozenset({Step.HIGHER_TALK})
# Steps recorded for several people at once, on their own pages.
NOTICE_STEPS = {
    Step.ADMISSION_NOTICE: Purpose.ADMISSION,
    Step.CONVERSION_NOTICE: Purpose.CONVERSION,
}
MEETING_STEPS = {
    Step.ADMISSION_MEETING: Purpose.ADMISSION,
    Step.CONVERSION_MEETING: Purpose.CONVERSION,
}
# Steps a person may need besides the next one, by stage (offered on the person's panel).
OTHER_STEPS = {
    "applicant": (Step.THOUGHT_REPORT, Step.WITHDRAWAL),
    "activist": (Step.ASSESSMENT, Step.THOUGHT_REPORT, Step.CONTACTS_ASSIGNED, Step.WITHDRAWAL),
    "candidate": (Step.ASSESSMENT, Step.THOUGHT_REPORT, Step.TRAINING, Step.WITHDRAWAL),
    "probationary": (Step.ASSESSMENT, Step.THOUGHT_REPORT, Step.EXTENSION, Step.CANCELLATION),
}
DUE_SOON_DAYS = 14


def today() -> dt.date:
    return timezone.localdate()


def step_perm(step: str) -> str:
    """The scope a step's page needs (beyond it: 404)."""
    return "view_people" if step in HIGHER_STEPS else "change_people"


def branch_of(unit: OrgUnit) -> int:
    """The branch a person's meetings and notices belong to (a Party group's parent)."""
    if unit.kind == OrgUnit.Kind.GROUP and unit.parent_id:
        return unit.parent_id
    return unit.pk


def action_url(person: Person, step: str | None) -> str:
    """Where the next action of `person` is recorded."""
    if not step:
        return ""
    if step in NOTICE_STEPS:
        url = reverse(
            "dev_notice_new", kwargs={"pk": branch_of(person.unit), "purpose": NOTICE_STEPS[step]}
        )
        return f"{url}?person={person.pk}"
    if step in MEETING_STEPS:
        url = reverse(
            "dev_meeting_new",
            kwargs={"pk": branch_of(person.unit), "purpose": MEETING_STEPS[step]},
        )
        return f"{url}?person={person.pk}"
    return reverse("dev_step", kwargs={"pk": person.pk, "step": step})


def authority_refusal(user, person: Person, step: str) -> str:
    """The service's refusal for an actor who may not record `step` at all (not the
    committee with approval power, not above the branch); "" when they may."""
    try:
        if step in APPROVAL_STEPS:
            require_approval_authority(user, person.unit, str(Step(step).label))
        elif step in HIGHER_STEPS:
            require_higher_committee(user, person.unit)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def optional_url(name: str, **kwargs) -> str:
    """A page another part of the app provides, if it is there yet."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class Mark:
    """How a due date stands today: "late" (by `days`), "due-soon" (in `days`) or ""."""

    kind: str = ""
    days: int = 0


def mark_of(due: dt.date | None, now: dt.date | None) -> Mark:
    if due is None or now is None:
        return Mark()
    if now > due:
        return Mark("late", clock.days_late(now, due))
    if (due - now).days <= DUE_SOON_DAYS:
        return Mark("due-soon", (due - now).days)
    return Mark()


@dataclass
class Card:
    """One person on the board or on a panel: their next step and its marks."""

    person: Person
    next: NextStep
    url: str = ""

    @property
    def step_label(self) -> str:
        return str(Step(self.next.step).label) if self.next.step else ""

    @property
    def by_committee(self) -> bool:
        return self.next.step in APPROVAL_STEPS or self.next.step in HIGHER_STEPS

    @property
    def late(self) -> bool:
        return "late" in (self.step_mark.kind, self.assessment_mark.kind)

    @property
    def due_soon(self) -> bool:
        return not self.late and "due-soon" in (self.step_mark.kind, self.assessment_mark.kind)

    @property
    def step_mark(self) -> Mark:
        return mark_of(self.next.due, self.next.today)

    @property
    def assessment_mark(self) -> Mark:
        return mark_of(self.next.assessment_due, self.next.today)

    @property
    def waiting(self) -> bool:
        """The step cannot happen yet (its earliest day has not come)."""
        earliest, now = self.next.earliest, self.next.today
        return bool(earliest and now and earliest > now)

    @property
    def urgency(self) -> tuple:
        due = self.next.due_on or dt.date.max
        return (not self.late, not self.due_soon, due, self.person.name, self.person.pk)
