"""Branch general meetings on admission or conversion: attendance, a separate vote on each
person, the result by DESIGN §3's rule, and the approval the committee then owes."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from development import clock
from development.authority import approving_committee, require_branch_work
from development.models import (
    Approval,
    Attendance,
    BranchMeeting,
    Decision,
    MeetingAttendance,
    MeetingVote,
    Purpose,
    Step,
    explain_vote,
)
from development.services._common import file_of, guard, lock_many, name_each, record_step
from members.models import OrgUnit, Person, Stage


@dataclass(frozen=True)
class VoteInput:
    """The vote on one person. Written opinions are those voting members not present sent in
    before the meeting; `written_total` defaults to `written_for`."""

    person: Person
    votes_for: int
    votes_against: int = 0
    abstentions: int = 0
    written_for: int = 0
    written_total: int | None = None


def voting_member_ids(branch: OrgUnit, on: dt.date) -> set[int]:
    """Full members of the branch (and its Party groups) with voting rights on `on`."""
    return set(
        Person.objects.filter(
            Q(full_member_on__isnull=True) | Q(full_member_on__lte=on),
            unit__path__startswith=branch.path,
            stage=Stage.FULL,
            removed_at__isnull=True,
        ).values_list("pk", flat=True)
    )


def _check_votes(vote: VoteInput, present: int, absent: int) -> list[str]:
    name = vote.person.name
    written_total = vote.written_for if vote.written_total is None else vote.written_total
    cast = vote.votes_for + vote.votes_against + vote.abstentions
    problems = []
    if min(vote.votes_for, vote.votes_against, vote.abstentions, vote.written_for) < 0:
        problems.append(_("%(name)s: votes cannot be negative.") % {"name": name})
    if cast > present:
        problems.append(
            _("Votes cast on %(name)s: %(cast)d, more than the %(present)d voting members present.")
            % {"name": name, "cast": cast, "present": present}
        )
    if written_total > absent or vote.written_for > written_total:
        problems.append(
            _(
                "Written opinions on %(name)s: %(written)d, more than the %(absent)d voting "
                "members not present."
            )
            % {"name": name, "written": max(written_total, vote.written_for), "absent": absent}
        )
    return problems


def meeting_record(
    *,
    purpose: str,
    branch: OrgUnit,
    held_on: dt.date,
    attendance: Mapping[Person | int, str],
    votes: Sequence[VoteInput],
    voting_members_override: int | None,
    override_reason: str,
    note: str,
    evidence: str,
    actor,
) -> BranchMeeting:
    require_branch_work(actor, branch)
    step = Step.ADMISSION_MEETING if purpose == Purpose.ADMISSION else Step.CONVERSION_MEETING
    if branch.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError(_("A branch general meeting is held by a Party branch."))
    if not votes or len({v.person.pk for v in votes}) != len(votes):
        raise ValidationError(_("Vote on each person separately, once each."))
    people = {p.pk: p for p in lock_many([v.person for v in votes])}
    problems: list[str] = []

    # Who should attend and who did: full members with voting rights on the day.
    voters = voting_member_ids(branch, held_on)
    status = {(k if isinstance(k, int) else k.pk): Attendance(v) for k, v in attendance.items()}
    in_branch = set(
        Person.objects.filter(pk__in=status, unit__path__startswith=branch.path).values_list(
            "pk", flat=True
        )
    )
    if set(status) - in_branch:
        problems.append(_("The attendance lists people who are not in this branch."))
    present = sum(1 for pk, s in status.items() if s == Attendance.PRESENT and pk in voters)
    should_attend = len(voters)
    if voting_members_override is not None:
        if not override_reason.strip():
            problems.append(_("Say why the number of voting members is corrected."))
        if voting_members_override < present:
            problems.append(
                _("%(members)d voting members is fewer than the %(present)d present.")
                % {"members": voting_members_override, "present": present}
            )
        should_attend = voting_members_override
    if should_attend == 0:
        problems.append(_("The branch has no full members with voting rights."))
    committee = approving_committee(branch)
    if committee is None:
        problems.append(
            _("No committee with approval power is above %(unit)s; set one in the tree.")
            % {"unit": branch.name}
        )

    files = {}
    for vote in votes:
        person = people[vote.person.pk]
        if not person.unit.is_within(branch):
            problems.append(
                _("%(name)s is not in %(branch)s.") % {"name": person.name, "branch": branch.name}
            )
            continue
        files[person.pk] = f = file_of(person)
        try:
            guard(f, step, held_on)
        except ValidationError as error:
            problems.extend(name_each(person, error))
        problems.extend(_check_votes(vote, present, should_attend - present))
    if problems:
        raise ValidationError(problems)

    meeting = BranchMeeting.objects.create(
        unit=branch,
        held_on=held_on,
        purpose=purpose,
        voting_members_counted=len(voters),
        voting_members_override=voting_members_override,
        override_reason=override_reason.strip(),
        present_voting=present,
        note=note,
        evidence=evidence,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, person_id=pk, status=s, has_vote=pk in voters)
        for pk, s in status.items()
    )
    for vote in votes:
        person = people[vote.person.pk]
        written_total = vote.written_for if vote.written_total is None else vote.written_total
        result = clock.branch_meeting_result(
            voting_members=should_attend,
            present=present,
            written_for=vote.written_for,
            written=written_total,
            votes_for=vote.votes_for,
        )
        MeetingVote.objects.create(
            meeting=meeting,
            person=person,
            votes_for=vote.votes_for,
            votes_against=vote.votes_against,
            abstentions=vote.abstentions,
            written_for=vote.written_for,
            written_total=written_total,
            quorum=result.quorum,
            passed=result.passed,
        )
        record_step(
            person=person,
            step=step,
            on=held_on,
            actor=actor,
            decision=Decision.AGREED if result.passed else Decision.REFUSED,
            note=note,
            evidence=evidence,
            meeting=meeting,
            detail={"result": explain_vote(result)},
        )
        if result.passed:
            Approval.objects.create(
                person=person,
                purpose=purpose,
                meeting=meeting,
                committee=committee,
                opened_on=held_on,
                due_on=clock.approval_due(held_on),
            )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=meeting,
        summary=f"{branch.name} {purpose} {held_on.isoformat()}",
        detail={"present": present, "voting_members": should_attend},
    )
    return meeting


@transaction.atomic
def admission_meeting_record(
    *,
    branch: OrgUnit,
    held_on: dt.date,
    attendance: Mapping[Person | int, str],
    votes: Sequence[VoteInput],
    voting_members_override: int | None = None,
    override_reason: str = "",
    note: str = "",
    evidence: str = "",
    actor,
) -> BranchMeeting:
    """The branch general meeting that discusses admitting development candidates."""
    return meeting_record(
        purpose=Purpose.ADMISSION,
        branch=branch,
        held_on=held_on,
        attendance=attendance,
        votes=votes,
        voting_members_override=voting_members_override,
        override_reason=override_reason,
        note=note,
        evidence=evidence,
        actor=actor,
    )


@transaction.atomic
def conversion_meeting_record(
    *,
    branch: OrgUnit,
    held_on: dt.date,
    attendance: Mapping[Person | int, str],
    votes: Sequence[VoteInput],
    voting_members_override: int | None = None,
    override_reason: str = "",
    note: str = "",
    evidence: str = "",
    actor,
) -> BranchMeeting:
    """The branch general meeting that discusses converting probationary members."""
    return meeting_record(
        purpose=Purpose.CONVERSION,
        branch=branch,
        held_on=held_on,
        attendance=attendance,
        votes=votes,
        voting_members_override=voting_members_override,
        override_reason=override_reason,
        note=note,
        evidence=evidence,
        actor=actor,
    )
