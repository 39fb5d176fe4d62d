"""A person's full-process record (全程纪实): every step with its date, actor, decision and
evidence, and the meetings, notices, approvals, extensions and documents behind them.

`full_record` reads it in a fixed number of queries however long the record is (one per
table); the page and the PDF show the same `FullRecord`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Document
from development import clock
from development.models import (
    Approval,
    Assignment,
    Cancellation,
    Experience,
    Extension,
    MeetingVote,
    NoticeEntry,
    NoticeObjection,
    Opinion,
    RecommendationKind,
    Step,
    StepRecord,
    TrainingRecord,
    Veto,
    VolunteerRecord,
)
from members.models import Person

# The facts a step keeps in `detail` that a reader needs, with their labels; the rest (ids,
# copies of dates shown elsewhere) stay out of the record.
DETAIL_LABELS = {
    "talked_by": gettext_lazy("talked by"),
    "kind": gettext_lazy("recommendation"),
    "recommenders": gettext_lazy("recommended by"),
    "assessor": gettext_lazy("assessed by"),
    "names": gettext_lazy("names"),
    "title": gettext_lazy("title"),
    "filed_with": gettext_lazy("filed with"),
    "course": gettext_lazy("course"),
    "days": gettext_lazy("days"),
    "hours": gettext_lazy("class hours"),
    "form_number": gettext_lazy("application form number"),
    "result": gettext_lazy("vote"),
    "months": gettext_lazy("months"),
    "previous_end": gettext_lazy("probation was to end on"),
    "new_end": gettext_lazy("probation now ends on"),
    "group_name": gettext_lazy("Party group"),
    "location": gettext_lazy("materials kept at"),
    "days_late": gettext_lazy("days late"),
}


def actor_name(user) -> str:
    """How an account is named on the record: its holder's name in Chinese order."""
    if user is None:
        return _("the system")
    return f"{user.last_name}{user.first_name}".strip() or user.username


def _detail_value(key: str, value: Any) -> str:
    if key == "kind" and value in RecommendationKind.values:
        return str(RecommendationKind(value).label)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


@dataclass
class Entry:
    """One step record as the record shows it."""

    record: StepRecord
    label: str
    actor: str
    details: list[tuple[str, str]]
    opinions: list[Opinion] = field(default_factory=list)
    vote: MeetingVote | None = None
    documents: list[Document] = field(default_factory=list)


@dataclass
class FullRecord:
    person: Person
    entries: list[Entry]
    assignments: list[Assignment]
    votes: list[MeetingVote]
    listings: list[tuple[NoticeEntry, list[NoticeObjection]]]
    approvals: list[Approval]
    extension: Extension | None
    cancellation: Cancellation | None
    vetoes: list[Veto]
    training: list[TrainingRecord]
    volunteering: list[VolunteerRecord]
    experiences: list[Experience]
    documents: list[Document]
    today: dt.date

    def step_on(self, step: str) -> dt.date | None:
        """The date of the last accepted record of `step`."""
        found = [e.record.on for e in self.entries if e.record.step == step and e.record.accepted]
        return max(found) if found else None

    @property
    def summary(self) -> list[tuple[str, dt.date | None]]:
        """The milestone dates, as the head of the record lists them."""
        person = self.person
        probation_end = None
        if person.joined_on:
            months = self.extension.months if self.extension else 0
            probation_end = clock.probation_end(person.joined_on, months)
        return [
            (_("Application received"), self.step_on(Step.APPLICATION) or person.applied_on),
            (_("Activist since"), self.step_on(Step.ACTIVIST_DETERMINED)),
            (_("Development candidate since"), self.step_on(Step.CANDIDATE_DETERMINED)),
            (_("Admitted (branch meeting)"), person.joined_on),
            (_("Probation ends"), probation_end),
            (_("Full member since"), person.full_member_on),
        ]


def steps_keep_documents() -> bool:
    """Whether step records name the documents they rest on (StepRecord.documents, which
    helper a1 adds); until then the record lists the person's documents only."""
    return any(f.name == "documents" for f in StepRecord._meta.get_fields())


def _entries(person: Person, user) -> list[Entry]:
    records = StepRecord.objects.filter(person=person).select_related("actor", "meeting", "notice")
    if steps_keep_documents():
        # One query for all of them, and only what the user may open.
        visible = Document.objects.restrict(user).order_by("uploaded_at", "id")
        records = records.prefetch_related(
            Prefetch("documents", queryset=visible, to_attr="visible_documents")
        )
    records = list(records.order_by("on", "id"))
    opinions: dict[int, list[Opinion]] = defaultdict(list)
    for opinion in Opinion.objects.filter(record__person=person).order_by("id"):
        opinions[opinion.record_id].append(opinion)
    votes = {
        vote.meeting_id: vote
        for vote in MeetingVote.objects.filter(person=person).select_related("meeting")
    }
    entries = []
    for record in records:
        details = [
            (str(label), _detail_value(key, record.detail[key]))
            for key, label in DETAIL_LABELS.items()
            if record.detail.get(key) not in (None, "", [], 0)
        ]
        entries.append(
            Entry(
                record=record,
                label=str(Step(record.step).label),
                actor=actor_name(record.actor),
                details=details,
                opinions=opinions.get(record.pk, []),
                vote=votes.get(record.meeting_id) if record.meeting_id else None,
                documents=getattr(record, "visible_documents", []),
            )
        )
    return entries


def full_record(person: Person, user, today: dt.date) -> FullRecord:
    """Everything on `person`'s record; documents as far as `user` may open them."""
    entries = _entries(person, user)
    votes = sorted(
        {e.vote.pk: e.vote for e in entries if e.vote is not None}.values(),
        key=lambda v: (v.meeting.held_on, v.pk),
    )
    objections: dict[int, list[NoticeObjection]] = defaultdict(list)
    for objection in NoticeObjection.objects.filter(person=person).order_by("received_on", "id"):
        objections[objection.notice_id].append(objection)
    listings = [
        (entry, objections.get(entry.notice_id, []))
        for entry in NoticeEntry.objects.filter(person=person)
        .select_related("notice__unit")
        .order_by("notice__start", "notice_id")
    ]
    return FullRecord(
        person=person,
        entries=entries,
        assignments=list(
            Assignment.objects.filter(person=person)
            .select_related("member")
            .order_by("kind", "assigned_on", "id")
        ),
        votes=votes,
        listings=listings,
        approvals=list(
            Approval.objects.filter(person=person)
            .select_related("committee", "decided_by")
            .order_by("opened_on", "id")
        ),
        extension=Extension.objects.filter(person=person).select_related("actor").first(),
        cancellation=Cancellation.objects.filter(person=person).first(),
        vetoes=list(Veto.objects.filter(person=person).order_by("raised_on", "id")),
        training=list(TrainingRecord.objects.filter(person=person).order_by("start", "id")),
        volunteering=list(VolunteerRecord.objects.filter(person=person).order_by("on", "id")),
        experiences=list(Experience.objects.filter(person=person).order_by("on", "id")),
        documents=list(
            Document.objects.restrict(user).filter(person=person).order_by("uploaded_at", "id")
        ),
        today=today,
    )
