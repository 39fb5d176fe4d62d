"""The two lapse counts education keeps on Person (党章 第九条): the last day of
organizational life and the last day assigned work was done. Both are kept in the same
transaction as the record that changes them, set-based: one UPDATE for all the people a
change touches, never a loop of saves.

Moving forward (a meeting recorded, work marked done) raises the date only where it is
later. Moving back (an attendance corrected from present, work un-done, a meeting cancelled
after the fact) recomputes the date from the records for exactly those people.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import DateField, OuterRef, Q, Subquery

from education.models import (
    ORG_LIFE_KINDS,
    Attendance,
    AttendanceStatus,
    MeetingStatus,
    WorkAssignment,
    WorkStatus,
)
from members.models import Person


def _raise(field: str, person_ids: Iterable[int], day: dt.date) -> int:
    ids = list(person_ids)
    if not ids:
        return 0
    return Person.objects.filter(
        Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": day}), pk__in=ids
    ).update(**{field: day})


def org_life_raise(person_ids: Iterable[int], day: dt.date) -> int:
    """`day` becomes the last organizational life of these people where it is later."""
    return _raise("last_org_life_on", person_ids, day)


def work_done_raise(person_ids: Iterable[int], day: dt.date) -> int:
    return _raise("last_work_done_on", person_ids, day)


def _latest_org_life():
    return (
        Attendance.objects.filter(
            person_id=OuterRef("pk"),
            status=AttendanceStatus.PRESENT,
            meeting__status=MeetingStatus.HELD,
            meeting__kind__in=ORG_LIFE_KINDS,
        )
        .order_by("-meeting__held_on")
        .values("meeting__held_on")[:1]
    )


def _latest_work_done():
    return (
        WorkAssignment.objects.filter(person_id=OuterRef("pk"), status=WorkStatus.DONE)
        .order_by("-done_on")
        .values("done_on")[:1]
    )


def org_life_recompute(person_ids: Iterable[int]) -> int:
    """Recompute from the attendance records (one UPDATE with a correlated subquery)."""
    ids = list(person_ids)
    if not ids:
        return 0
    return Person.objects.filter(pk__in=ids).update(
        last_org_life_on=Subquery(_latest_org_life(), output_field=DateField())
    )


def work_done_recompute(person_ids: Iterable[int]) -> int:
    ids = list(person_ids)
    if not ids:
        return 0
    return Person.objects.filter(pk__in=ids).update(
        last_work_done_on=Subquery(_latest_work_done(), output_field=DateField())
    )


__all__ = [
    "org_life_raise",
    "org_life_recompute",
    "work_done_raise",
    "work_done_recompute",
]
