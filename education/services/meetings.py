"""Meetings, attendance and leave: one guarded service per change.

A meeting is planned (date, time, place or online link, topic), then recorded once it has
started (minutes, attachments, everyone's attendance) or cancelled before that. Members ask
for leave from their own page before the meeting starts; the branch secretary (anyone with
`record_meetings` on the unit) approves or refuses. "On approved leave" is only recorded
for someone whose leave was approved; a correction afterwards needs a reason and keeps the
lapse date right.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.uploads import document_store
from education import selectors
from education.models import (
    Attendance,
    AttendanceStatus,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingStatus,
)
from education.services._common import (
    CREATE,
    UPDATE,
    audit,
    require_text,
    require_unit_perm,
    stored,
)
from education.services.lapse import org_life_raise, org_life_recompute
from members.models import OrgUnit, Person

MEETING_DOCUMENT = "meeting_attachment"


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)


def _branch_of(unit: OrgUnit, kind: str) -> OrgUnit:
    if unit.kind == OrgUnit.Kind.GROUP:
        if kind != MeetingKind.GROUP:
            raise ValidationError(_("A Party group holds Party group meetings only."))
        return unit.parent
    if unit.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError(_("Meetings are held by a Party branch or a Party group."))
    return unit


@transaction.atomic
def meeting_plan(
    *,
    unit: OrgUnit,
    kind: str,
    held_on: dt.date,
    start_time: dt.time,
    topic: str,
    place: str = "",
    online_link: str = "",
    actor,
) -> Meeting:
    """Put a meeting on the branch's calendar so members can ask for leave before it."""
    require_unit_perm(actor, unit)
    kind = MeetingKind(kind)
    topic = require_text(topic, _("Give the meeting a topic."))
    if not (place or "").strip() and not (online_link or "").strip():
        raise ValidationError(_("Say where the meeting is held: a place or an online link."))
    branch = _branch_of(unit, kind)
    meeting = Meeting.objects.create(
        unit=unit,
        branch=branch,
        kind=kind,
        held_on=held_on,
        start_time=start_time,
        topic=topic,
        place=place.strip(),
        online_link=online_link.strip(),
        created_by=stored(actor),
    )
    audit(actor, CREATE, meeting, f"{unit.name} {kind.label} {held_on.isoformat()}")
    return meeting


def _attach(meeting: Meeting, files: Iterable, actor) -> list[MeetingAttachment]:
    attached = []
    for file in files:
        document = document_store(file=file, kind=MEETING_DOCUMENT, unit=meeting.unit, actor=actor)
        attached.append(MeetingAttachment.objects.create(meeting=meeting, document=document))
    return attached


def _check_attendance(
    meeting: Meeting, statuses: Mapping[int, str]
) -> tuple[dict[int, Person], dict[int, LeaveRequest]]:
    """Everyone expected has a status, nobody else does, and leave is only where approved."""
    expected = {p.pk: p for p in selectors.expected_attendees(meeting)}
    leaves = {
        leave.person_id: leave
        for leave in meeting.leaves.filter(status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED])
    }
    problems = []
    strangers = set(statuses) - set(expected)
    if strangers:
        problems.append(
            _("%(count)d of the people given are not members of %(unit)s.")
            % {"count": len(strangers), "unit": meeting.unit.name}
        )
    for pk, person in expected.items():
        status = statuses.get(pk)
        if status is None:
            problems.append(_("%(name)s: say whether they were present.") % {"name": person.name})
            continue
        if status not in AttendanceStatus.values:
            problems.append(_("%(name)s: unknown attendance.") % {"name": person.name})
            continue
        leave = leaves.get(pk)
        if status == AttendanceStatus.ON_LEAVE and (
            leave is None or leave.status != LeaveStatus.APPROVED
        ):
            if leave is not None:
                problems.append(
                    _(
                        "%(name)s asked for leave but it is not decided yet: approve or refuse it "
                        "first."
                    )
                    % {"name": person.name}
                )
            else:
                problems.append(
                    _("%(name)s has no approved leave for this meeting: record them as absent.")
                    % {"name": person.name}
                )
    if problems:
        raise ValidationError(problems)
    return expected, leaves


@transaction.atomic
def meeting_record(
    *,
    meeting: Meeting,
    minutes: str,
    attendance: Mapping[int, str],
    files: Iterable = (),
    actor,
    now: dt.datetime | None = None,
) -> Meeting:
    """Record a planned meeting as held: minutes, attachments and everyone's attendance.
    The last organizational life of those present moves to the meeting's day."""
    meeting = _lock(meeting)
    require_unit_perm(actor, meeting.unit)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            _("This meeting is %(status)s; it cannot be recorded again.")
            % {"status": meeting.get_status_display()}
        )
    if not meeting.starts_at <= (now or timezone.now()):
        raise ValidationError(_("The meeting has not started yet; record it once it is held."))
    minutes = require_text(minutes, _("Write the minutes of the meeting."))
    statuses = {int(pk): status for pk, status in attendance.items()}
    expected, leaves = _check_attendance(meeting, statuses)
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            person_id=pk,
            status=statuses[pk],
            leave=leaves.get(pk) if statuses[pk] == AttendanceStatus.ON_LEAVE else None,
            recorded_by=stored(actor),
        )
        for pk in expected
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.HELD,
        minutes=minutes,
        recorded_by=stored(actor),
        recorded_at=timezone.now(),
    )
    meeting.refresh_from_db()
    _attach(meeting, files, actor)
    present = [pk for pk in expected if statuses[pk] == AttendanceStatus.PRESENT]
    if meeting.counts_as_org_life:
        org_life_raise(present, meeting.held_on)
    counts = {s: sum(1 for v in statuses.values() if v == s) for s in AttendanceStatus.values}
    audit(actor, UPDATE, meeting, f"{meeting.unit.name} {meeting.topic} held", **counts)
    return meeting


@transaction.atomic
def meeting_attach(*, meeting: Meeting, files: Iterable, actor) -> list[MeetingAttachment]:
    meeting = _lock(meeting)
    require_unit_perm(actor, meeting.unit)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting takes no attachments."))
    attached = _attach(meeting, files, actor)
    audit(actor, UPDATE, meeting, f"{meeting.topic} +{len(attached)} attachment(s)")
    return attached


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, actor) -> Meeting:
    meeting = _lock(meeting)
    require_unit_perm(actor, meeting.unit)
    reason = require_text(reason, _("Say why the meeting is cancelled."))
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.CANCELLED, cancel_reason=reason[:255]
    )
    # Open requests have nothing left to decide.
    meeting.leaves.filter(status=LeaveStatus.REQUESTED).update(
        status=LeaveStatus.WITHDRAWN, decided_at=timezone.now(), decision_note=reason[:255]
    )
    meeting.refresh_from_db()
    audit(actor, UPDATE, meeting, f"{meeting.topic} cancelled", reason=reason)
    return meeting


@transaction.atomic
def attendance_correct(
    *, meeting: Meeting, person: Person, status: str, reason: str, actor
) -> Attendance:
    """Correct one person's attendance at a held meeting, with the reason. A correction away
    from "present" recomputes their last organizational life from the records."""
    meeting = _lock(meeting)
    require_unit_perm(actor, meeting.unit)
    reason = require_text(reason, _("Say why the attendance is corrected."))
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Attendance is corrected only on a meeting that was held."))
    status = AttendanceStatus(status)
    row = Attendance.objects.select_for_update().filter(meeting=meeting, person=person).first()
    if row is None:
        raise ValidationError(
            _("%(name)s was not expected at this meeting.") % {"name": person.name}
        )
    before = row.status
    if before == status:
        return row
    leave = None
    if status == AttendanceStatus.ON_LEAVE:
        leave = meeting.leaves.filter(person=person, status=LeaveStatus.APPROVED).first()
        if leave is None:
            raise ValidationError(
                _("%(name)s has no approved leave for this meeting: record them as absent.")
                % {"name": person.name}
            )
    Attendance.objects.filter(pk=row.pk).update(
        status=status, leave=leave, recorded_by=stored(actor), recorded_at=timezone.now()
    )
    if meeting.counts_as_org_life:
        if status == AttendanceStatus.PRESENT:
            org_life_raise([person.pk], meeting.held_on)
        elif before == AttendanceStatus.PRESENT:
            org_life_recompute([person.pk])
    row.refresh_from_db()
    audit(
        actor,
        UPDATE,
        row,
        f"{person.name} {before} → {status}",
        meeting=meeting.pk,
        before=before,
        after=str(status),
        reason=reason,
    )
    return row


# Leave ------------------------------------------------------------------------------------


def _own_person(actor) -> Person | None:
    if actor is None or not actor.is_authenticated:
        return None
    return Person.objects.filter(user_id=actor.pk, removed_at__isnull=True).first()


@transaction.atomic
def leave_request(
    *, meeting: Meeting, reason: str, actor, now: dt.datetime | None = None
) -> LeaveRequest:
    """A member asks to be excused from a meeting of their branch, before it starts."""
    person = _own_person(actor)
    if person is None:
        raise PermissionDenied
    meeting = _lock(meeting)
    if not selectors.expected_attendees(meeting).filter(pk=person.pk).exists():
        raise PermissionDenied  # not their meeting: the view answers 404
    reason = require_text(reason, _("Say why you cannot attend."))
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            _("This meeting is %(status)s; leave can no longer be asked for.")
            % {"status": meeting.get_status_display()}
        )
    if meeting.starts_at <= (now or timezone.now()):
        raise ValidationError(
            _("The meeting started at %(start)s; leave must be asked for before it starts.")
            % {"start": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")}
        )
    live = meeting.leaves.filter(
        person=person, status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED]
    ).first()
    if live is not None:
        raise ValidationError(
            _("You have already asked for leave from this meeting (%(status)s).")
            % {"status": live.get_status_display()}
        )
    leave = LeaveRequest.objects.create(
        meeting=meeting, person=person, reason=reason, requested_by=stored(actor)
    )
    audit(actor, CREATE, leave, f"{person.name} leave {meeting.held_on.isoformat()}")
    return leave


@transaction.atomic
def leave_withdraw(*, leave: LeaveRequest, actor, now: dt.datetime | None = None) -> LeaveRequest:
    person = _own_person(actor)
    leave = LeaveRequest.objects.select_for_update().select_related("meeting").get(pk=leave.pk)
    if person is None or leave.person_id != person.pk:
        raise PermissionDenied
    if leave.status not in (LeaveStatus.REQUESTED, LeaveStatus.APPROVED):
        raise ValidationError(
            _("This request is already %(status)s.") % {"status": leave.get_status_display()}
        )
    if leave.meeting.status != MeetingStatus.PLANNED or leave.meeting.starts_at <= (
        now or timezone.now()
    ):
        raise ValidationError(_("The meeting has started; the request stays on record."))
    LeaveRequest.objects.filter(pk=leave.pk).update(
        status=LeaveStatus.WITHDRAWN, decided_at=timezone.now()
    )
    leave.refresh_from_db()
    audit(actor, UPDATE, leave, f"{person.name} leave withdrawn")
    return leave


@transaction.atomic
def leave_decide(*, leave: LeaveRequest, approve: bool, note: str = "", actor) -> LeaveRequest:
    """The secretary approves or refuses a request; a refusal says why."""
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    meeting = Meeting.objects.select_related("unit").get(pk=leave.meeting_id)
    require_unit_perm(actor, meeting.unit)
    if leave.status != LeaveStatus.REQUESTED:
        raise ValidationError(
            _("This request is already %(status)s.") % {"status": leave.get_status_display()}
        )
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            _("The meeting is %(status)s; its attendance is already on record.")
            % {"status": meeting.get_status_display()}
        )
    note = (note or "").strip()
    if not approve:
        note = require_text(note, _("Say why the leave is refused; the member sees it."))
    LeaveRequest.objects.filter(pk=leave.pk).update(
        status=LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED,
        decided_by=stored(actor),
        decided_at=timezone.now(),
        decision_note=note[:255],
    )
    leave.refresh_from_db()
    audit(actor, UPDATE, leave, f"leave {leave.status}", meeting=meeting.pk, note=note)
    return leave
