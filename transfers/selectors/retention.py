"""Read side of retained graduates: the office's queue, lists in scope, the conversion rule's
one question about two-way examinations. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from members.scoping import scope_q
from transfers import clock
from transfers.models import ApplicationStatus, Examination, Retention, RetentionApplication


@dataclass(frozen=True)
class QueueRow:
    application: RetentionApplication
    age_days: int
    documents: int


def retention_queue(user) -> list[QueueRow]:
    """Submitted applications the user may decide, the longest waiting first, with their age:
    one query whatever their number."""
    now = timezone.now()
    applications = (
        RetentionApplication.objects.restrict(user, "decide_retention")
        .filter(status=ApplicationStatus.SUBMITTED)
        .select_related("person", "unit")
        .annotate(document_count=Count("documents"))
        .order_by("submitted_at", "id")
    )
    return [
        QueueRow(a, clock.age_in_days(a.submitted_at, now), a.document_count) for a in applications
    ]


def applications_in_scope(user, status: str = "") -> QuerySet[RetentionApplication]:
    qs = RetentionApplication.objects.restrict(user, "view_people").select_related(
        "person", "unit", "decided_by"
    )
    return qs.filter(status=status) if status else qs


def own_applications(user) -> QuerySet[RetentionApplication]:
    return (
        RetentionApplication.objects.filter(person__user_id=user.pk)
        .select_related("person", "unit", "decided_by", "retention__branch")
        .select_related("retention__contact_person")
        .prefetch_related("events__actor", "documents")
    )


@dataclass(frozen=True)
class RetainedRow:
    retention: Retention
    state: str  # clock.DeadlineState


def retained_graduates(user, today: dt.date, state: str = "") -> list[RetainedRow]:
    """Active retentions of people in the user's scope, the nearest deadline first, each
    with its deadline state (running / apply to transfer out now / expired). `state` keeps
    only those in that state, by date range in SQL. One query."""
    qs = (
        Retention.objects.filter(
            scope_q(user, "view_people", field="person__unit__path"),
            status=Retention.Status.ACTIVE,
            person__removed_at__isnull=True,
        )
        .select_related("person", "branch", "contact_person")
        .order_by("transfer_apply_by", "id")
    )
    if state == clock.DeadlineState.EXPIRED:
        qs = qs.filter(ends_on__lt=today)
    elif state == clock.DeadlineState.APPLY_NOW:
        qs = qs.filter(transfer_apply_by__lte=today, ends_on__gte=today)
    elif state == clock.DeadlineState.RUNNING:
        qs = qs.filter(transfer_apply_by__gt=today)
    return [RetainedRow(r, clock.deadline_state(r.ends_on, today)) for r in qs]


def awaiting_employer_report(people: Q) -> set[int]:
    """Ids of the people (given as a filter on `person_id`) who have an open two-way
    examination without the employer's assessment report: conversion waits for it. One
    query; development.requirements reads it through development.selectors.load_files."""
    return set(
        Examination.objects.filter(people, is_open=True, report__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def deadline_state(ends_on: dt.date, today: dt.date | None = None) -> str:
    return clock.deadline_state(ends_on, today or timezone.localdate())
