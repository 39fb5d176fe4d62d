"""Party-school courses, their sessions and each person's result (days and class hours).

These results are the development pipeline's source of training hours; the pipeline's own
`development.services.training_record` (a step of the pipeline) writes through to them with
`result_from_development`, so both ways of recording land in the same table.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from development.models import TrainingKind, TrainingRecord
from education.models import Course, CourseSession, PartySchool, TrainingResult
from education.services._common import (
    CREATE,
    audit,
    not_future,
    require_text,
    require_unit_perm,
    stored,
)
from members.models import OrgUnit, Person


def _decimal(value, message: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(message) from None
    if number < 0:
        raise ValidationError(message)
    return number


@transaction.atomic
def course_create(
    *,
    unit: OrgUnit,
    school: str,
    audience: str,
    name: str,
    start: dt.date,
    end: dt.date,
    actor,
) -> Course:
    require_unit_perm(actor, unit)
    name = require_text(name, _("Name the course."))
    if end < start:
        raise ValidationError(_("A course cannot end before it starts."))
    course = Course.objects.create(
        unit=unit,
        school=PartySchool(school),
        audience=TrainingKind(audience),
        name=name,
        start=start,
        end=end,
        created_by=stored(actor),
    )
    audit(actor, CREATE, course, name)
    return course


@transaction.atomic
def course_session_add(
    *, course: Course, held_on: dt.date, topic: str, hours, actor
) -> CourseSession:
    require_unit_perm(actor, course.unit)
    topic = require_text(topic, _("Give the session a topic."))
    hours = _decimal(hours, _("Class hours must be a number, zero or more."))
    if not course.start <= held_on <= course.end:
        raise ValidationError(
            _("The course runs from %(start)s to %(end)s; a session on %(day)s is outside it.")
            % {"start": course.start, "end": course.end, "day": held_on}
        )
    session = CourseSession.objects.create(course=course, held_on=held_on, topic=topic, hours=hours)
    audit(actor, CREATE, session, f"{course.name} {topic}")
    return session


@transaction.atomic
def training_result_record(
    *, course: Course, person: Person, days, hours, passed: bool = True, evidence: str = "", actor
) -> TrainingResult:
    """One person's days and class hours on a course, once per course and person."""
    require_unit_perm(actor, course.unit)
    if not person.unit.path.startswith(course.unit.path):
        raise ValidationError(
            _("%(name)s is not in %(unit)s, which runs this course.")
            % {"name": person.name, "unit": course.unit.name}
        )
    not_future(course.end)
    days = _decimal(days, _("Days must be a number, zero or more."))
    hours = _decimal(hours, _("Class hours must be a number, zero or more."))
    length = (course.end - course.start).days + 1
    if days > length:
        raise ValidationError(
            _("A course of %(length)d calendar days cannot count %(days)s days.")
            % {"length": length, "days": days}
        )
    if TrainingResult.objects.filter(course=course, person=person).exists():
        raise ValidationError(
            _("%(name)s already has a result on this course.") % {"name": person.name}
        )
    result = TrainingResult.objects.create(
        person=person,
        course=course,
        course_name=course.name,
        kind=course.audience,
        start=course.start,
        end=course.end,
        days=days,
        hours=hours,
        passed=passed,
        evidence=evidence,
        actor=stored(actor),
    )
    audit(actor, CREATE, result, f"{person.name} {course.name} {hours}")
    return result


def result_from_development(row: TrainingRecord) -> TrainingResult:
    """Write a pipeline training record through to the Party-school results (its service
    has already checked scope and the pipeline's rules, in the same transaction)."""
    return TrainingResult.objects.create(
        person_id=row.person_id,
        course_name=row.course,
        kind=row.kind,
        start=row.start,
        end=row.end,
        days=row.days,
        hours=row.hours,
        passed=row.passed,
        evidence=row.evidence,
        development_record=row,
        actor=row.actor,
    )
