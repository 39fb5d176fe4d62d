"""The development pipeline's deadlines as reminder sources (core.notifications.registry).

Each source is one set-based query whose due dates follow development.clock exactly:
the talk within a month of the application (clock.talk_due), the half-yearly assessment
(clock.assessment_next_due: six months per assessment done since activist determination),
the approval window stored on the Approval row (clock.approval_due), and the end of
probation (clock.probation_end; an extension's recomputed end when there is one). Branch
work goes to `change_people` holders of the person's unit, approvals to those of the
committee that approves. A reminder starts LOOKAHEAD_DAYS before the due date and its key
names the due date, so a moved deadline is a new event and an unchanged one is never sent
twice.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DateField, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.notifications.registry import (
    event_key,
    handlers,
    register_kind,
    register_source,
    reminder_rows,
)
from core.sqltools import AddMonths
from development import clock
from development.models import Approval, Decision, Step, StepRecord
from development.models.choices import ApprovalStatus
from members.models import Person, Stage

LOOKAHEAD_DAYS = 14
PERSON = "person_detail"

register_kind(
    "applicant_talk_due", _("%(subject)s: talk with the applicant due by %(due)s"), PERSON
)
register_kind("assessment_due", _("%(subject)s: half-yearly assessment due by %(due)s"), PERSON)
register_kind("approval_due", _("%(subject)s: approval by the committee due by %(due)s"), PERSON)
register_kind("probation_ending", _("%(subject)s: probation ends on %(due)s"), PERSON)


def _horizon(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=LOOKAHEAD_DAYS)


def _active(stage: str):
    return Person.objects.filter(stage=stage, removed_at__isnull=True)


def _branch(people, *, kind: str, due, key_date: str = "r_due"):
    q, user = handlers("change_people")
    return reminder_rows(
        people.filter(q),
        user=user,
        key=event_key(kind, "pk", F(key_date)),
        object_id="pk",
        subject="name",
        due=due,
    )


def applicant_talk_due(today: dt.date):
    """Applicants with no talk yet whose month after the application ends within the
    lookahead (or has passed)."""
    talked = StepRecord.objects.filter(person=OuterRef("pk"), step=Step.APPLICANT_TALK).exclude(
        decision=Decision.REFUSED
    )
    people = (
        _active(Stage.APPLICANT)
        .filter(
            applied_on__lte=_cutoff(_horizon(today), clock.TALK_WITHIN_MONTHS),
            applied_on__isnull=False,
        )
        .exclude(Exists(talked))
    )
    return _branch(
        people, kind="applicant_talk", due=AddMonths("applied_on", clock.TALK_WITHIN_MONTHS)
    )


def _accepted(step: str):
    return StepRecord.objects.filter(person=OuterRef("pk"), step=step).exclude(
        decision=Decision.REFUSED
    )


def assessment_due(today: dt.date):
    """Activists and candidates whose next half-yearly assessment falls due within the
    lookahead: activist_on + 6 × (assessments done since then + 1) months."""
    activist_on = Subquery(
        _accepted(Step.ACTIVIST_DETERMINED).order_by("-on", "-pk").values("on")[:1],
        output_field=DateField(),
    )
    done = Coalesce(
        Subquery(
            _accepted(Step.ASSESSMENT)
            .filter(on__gte=OuterRef("r_activist_on"), on__lte=today)
            .values("person")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    people = (
        Person.objects.filter(stage__in=(Stage.ACTIVIST, Stage.CANDIDATE), removed_at__isnull=True)
        .annotate(r_activist_on=activist_on)
        .filter(r_activist_on__isnull=False)
        .annotate(r_done=done)
        .annotate(
            r_next=AddMonths("r_activist_on", (F("r_done") + 1) * clock.ASSESSMENT_EVERY_MONTHS)
        )
        .filter(r_next__lte=_horizon(today))
    )
    return _branch(people, kind="assessment", due=F("r_next"))


def approval_due(today: dt.date):
    """Open approvals whose three (special case: six) months end within the lookahead."""
    approvals = Approval.objects.filter(
        status=ApprovalStatus.OPEN, due_on__lte=_horizon(today), person__removed_at__isnull=True
    )
    q, user = handlers("change_people", "committee")
    return reminder_rows(
        approvals.filter(q),
        user=user,
        key=event_key("approval", "pk", "due_on"),
        object_id="person_id",
        subject="person__name",
        due="due_on",
    )


def probation_ending(today: dt.date):
    """Probationary members whose probation (with any extension) ends within a month: the
    written conversion application is made then (clock.conversion_apply_from)."""
    end = Coalesce(
        F("probation_extension__new_end"),
        AddMonths("joined_on", 12 * clock.PROBATION_YEARS),
        output_field=DateField(),
    )
    horizon = clock.add_months(today, clock.CONVERSION_APPLY_MONTHS_BEFORE)
    people = (
        _active(Stage.PROBATIONARY)
        .filter(joined_on__isnull=False)
        .annotate(r_end=end)
        .filter(Q(r_end__lte=horizon), r_end__gte=today)
    )
    return _branch(people, kind="probation_end", due=F("r_end"))


def _cutoff(day: dt.date, months: int) -> dt.date:
    from members.lapse_clock import cutoff

    return cutoff(day, months)


register_source("applicant_talk_due", kind="applicant_talk_due", rows=applicant_talk_due)
register_source("assessment_due", kind="assessment_due", rows=assessment_due)
register_source("approval_due", kind="approval_due", rows=approval_due)
register_source("probation_ending", kind="probation_ending", rows=probation_ending)
