"""Graduates' check-ins (seed 000): opening a plan, submitting evidence, the branch's review.

Every change locks what it changes, checks who may make it, refuses with a message that
says why (nothing stored then), and records a CheckinEvent and an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from core.uploads import IMAGE_TYPES, document_store
from education import cadence
from education.models import (
    DEFAULT_RULES,
    Checkin,
    CheckinCategory,
    CheckinEvent,
    CheckinKind,
    CheckinPlan,
    CheckinRule,
    CheckinStatus,
    PlanStatus,
)
from members.models import OrgUnit, Person
from members.models.people import MEMBER_STAGES
from members.scoping import has_unit_perm

REVIEW_PERM = "review_checkins"
# Retention is decided above the branch (DESIGN §4); the decision opens the plan.
OPEN_PERMS = (REVIEW_PERM, "decide_retention")
RULES_PERM = "manage_tree"
MAX_TEXT = 5000


def today() -> dt.date:
    return timezone.localdate()


def _user(actor):
    return actor if actor is not None and actor.is_authenticated else None


# ---- rules --------------------------------------------------------------------------------


def school_id_of(unit: OrgUnit) -> int:
    """The root of `unit`'s tree: the school whose rules apply."""
    return unit.ancestor_ids[0]


def rules_for(school_id: int, category: str) -> list[dict]:
    """The kinds and cadences a school asks of `category`, as a plan stores them."""
    rows = list(CheckinRule.objects.filter(school_id=school_id).order_by("kind"))
    if rows:
        chosen = [(r.kind, r.unit, r.every) for r in rows if r.category == category]
    else:
        chosen = list(DEFAULT_RULES.get(category, ()))
    order = list(CheckinKind.values)
    chosen.sort(key=lambda item: order.index(item[0]))
    return [{"kind": str(k), "unit": str(u), "every": int(n)} for k, u, n in chosen]


@transaction.atomic
def checkin_rules_set(*, school: OrgUnit, rules: Sequence[tuple[str, str, str, int]], actor):
    """Replace a school's rules with `rules` (category, kind, unit, every). Plans already
    open keep the cadences they were opened with."""
    if school.kind != OrgUnit.Kind.SCHOOL:
        raise ValidationError(_("Check-in rules are set for a whole school."))
    if actor is not None and not has_unit_perm(actor, RULES_PERM, school):
        raise PermissionDenied
    seen = set()
    for category, kind, unit, every in rules:
        if category not in CheckinCategory.values or kind not in CheckinKind.values:
            raise ValidationError(_("Unknown category or kind of check-in."))
        if unit not in cadence.UNITS or not 1 <= int(every) <= 12:
            raise ValidationError(_("A cadence is every 1 to 12 weeks or months."))
        if (category, kind) in seen:
            raise ValidationError(_("Each kind of check-in appears once per category."))
        seen.add((category, kind))
    before = {c: rules_for(school.pk, c) for c in CheckinCategory.values}
    CheckinRule.objects.filter(school=school).delete()
    CheckinRule.objects.bulk_create(
        CheckinRule(school=school, category=c, kind=k, unit=u, every=int(n)) for c, k, u, n in rules
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=school,
        summary=f"{school.name} check-in rules",
        detail={"before": before, "after": {c: rules_for(school.pk, c) for c in before}},
    )


# ---- plans --------------------------------------------------------------------------------


def _lock_person(person: Person) -> Person:
    return Person.objects.select_for_update().select_related("unit").get(pk=person.pk)


@transaction.atomic
def checkin_plan_open(
    *, person: Person, category: str, starts_on: dt.date, ends_on: dt.date, actor
) -> CheckinPlan:
    """Open `person`'s check-in plan for `category` from `starts_on` to `ends_on` with the
    school's kinds and cadences. An open plan that started earlier ends the day before;
    retention's approval calls this (actor None is the system)."""
    person = _lock_person(person)
    if actor is not None and not any(has_unit_perm(actor, p, person.unit) for p in OPEN_PERMS):
        raise PermissionDenied
    if category not in CheckinCategory.values:
        raise ValidationError({"category": _("Choose on campus, away or abroad.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The plan cannot end before it starts.")})
    if (ends_on - starts_on).days > cadence.MAX_PLAN_DAYS:
        raise ValidationError(
            {"ends_on": _("A check-in plan lasts at most three years; retention lasts two.")}
        )
    if person.removed_at is not None or person.stage not in MEMBER_STAGES:
        raise ValidationError(
            _("Only full and probationary members keep check-ins; %(name)s is %(stage)s.")
            % {"name": person.name, "stage": person.get_stage_display()}
        )
    cadences = rules_for(school_id_of(person.unit), category)
    if not cadences:
        raise ValidationError(
            {"category": _("The school's rules ask no check-ins of this category.")}
        )
    current = CheckinPlan.objects.select_for_update().filter(person=person, status=PlanStatus.OPEN)
    for old in current:
        if old.starts_on >= starts_on:
            raise ValidationError(
                _("%(name)s already has a plan from %(day)s; close it first.")
                % {"name": person.name, "day": old.starts_on.isoformat()}
            )
        _close(old, ends_on=min(old.ends_on, starts_on - cadence.ONE_DAY), reason="replaced",
               actor=actor)  # fmt: skip
    plan = CheckinPlan.objects.create(
        person=person,
        category=category,
        starts_on=starts_on,
        ends_on=ends_on,
        cadences=cadences,
        opened_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=plan,
        summary=f"{person.name} check-in plan {category} {starts_on}–{ends_on}",
        detail={"person": person.pk, "cadences": cadences},
    )
    return plan


def _close(plan: CheckinPlan, *, ends_on: dt.date, reason: str, actor) -> None:
    plan.status = PlanStatus.CLOSED
    plan.ends_on = ends_on
    plan.closed_at = timezone.now()
    plan.close_reason = reason[:255]
    plan.save(update_fields=["status", "ends_on", "closed_at", "close_reason"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=plan,
        summary=f"check-in plan closed: {reason}",
        detail={"ends_on": ends_on.isoformat()},
    )


@transaction.atomic
def checkin_plan_close(*, plan: CheckinPlan, reason: str, actor) -> CheckinPlan:
    """End an open plan today (the member transferred out, came back to campus...)."""
    plan = CheckinPlan.objects.select_for_update().select_related("person__unit").get(pk=plan.pk)
    if actor is not None and not has_unit_perm(actor, REVIEW_PERM, plan.person.unit):
        raise PermissionDenied
    if plan.status != PlanStatus.OPEN:
        raise ValidationError(_("This plan is already closed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    _close(plan, ends_on=max(min(plan.ends_on, today()), plan.starts_on), reason=reason.strip(),
           actor=actor)  # fmt: skip
    return plan


# ---- submissions and review ---------------------------------------------------------------


def allowed_types(kind: str) -> tuple[str, ...]:
    """A 学习强国 screenshot is a picture; reports may also be PDF or Word files."""
    from core.uploads import ALL_TYPES

    return IMAGE_TYPES if kind == CheckinKind.XUEXI else ALL_TYPES


def _require_own(plan: CheckinPlan, actor) -> None:
    """A graduate acts on their own plan only; anyone else is told it does not exist."""
    if actor is None or not actor.is_authenticated or plan.person.user_id != actor.pk:
        raise PermissionDenied


@transaction.atomic
def checkin_submit(
    *, plan: CheckinPlan, kind: str, period_index: int, text: str, files: Sequence, actor
) -> Checkin:
    """The graduate's check-in of `kind` for period `period_index`, or a resubmission of one
    the branch sent back. Everything is checked before any file is stored."""
    plan = CheckinPlan.objects.select_for_update().select_related("person__unit").get(pk=plan.pk)
    _require_own(plan, actor)
    day = today()
    if plan.status != PlanStatus.OPEN:
        raise ValidationError(_("This check-in plan is closed."))
    rule = plan.cadence_of(kind)
    if rule is None:
        raise ValidationError({"kind": _("Your plan does not ask for this kind of check-in.")})
    period = cadence.period(plan.starts_on, plan.ends_on, rule, period_index)
    if period is None or not period.has_started_on(day):
        raise ValidationError(_("This period has not started yet."))
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("At most %(n)s characters.") % {"n": MAX_TEXT}})
    if len(files) > settings.DOCUMENT_MAX_FILES:
        raise ValidationError(
            {"files": _("At most %(max)s files can be uploaded at once; %(count)s were chosen.")
             % {"max": settings.DOCUMENT_MAX_FILES, "count": len(files)}}
        )  # fmt: skip
    if kind == CheckinKind.XUEXI and not files:
        raise ValidationError({"files": _("Attach the screenshot of your points.")})
    if not files and not text:
        raise ValidationError({"files": _("Attach a file or write a few words.")})
    existing = (
        Checkin.objects.select_for_update()
        .filter(plan=plan, kind=kind, period_index=period_index)
        .first()
    )
    if existing is not None and existing.status == CheckinStatus.ACCEPTED:
        raise ValidationError(_("This check-in was already accepted."))
    if existing is not None and existing.status == CheckinStatus.SUBMITTED:
        raise ValidationError(_("This check-in is waiting for the branch's review."))

    person = plan.person
    documents = [
        document_store(
            file=f,
            kind=f"checkin_{kind}",
            unit=person.unit,
            person=person,
            actor=actor,
            allowed=allowed_types(kind),
        )
        for f in files
    ]
    now = timezone.now()
    if existing is None:
        checkin = Checkin.objects.create(
            plan=plan,
            kind=kind,
            period_index=period_index,
            period_start=period.start,
            due_on=period.due,
            status=CheckinStatus.SUBMITTED,
            text=text,
            submitted_at=now,
            first_submitted_on=day,
        )
        action = CheckinEvent.Action.SUBMITTED
    else:
        checkin = existing
        checkin.status = CheckinStatus.SUBMITTED
        checkin.text = text
        checkin.submitted_at = now
        checkin.submissions += 1
        checkin.save(update_fields=["status", "text", "submitted_at", "submissions"])
        action = CheckinEvent.Action.RESUBMITTED
    checkin.documents.set(documents)
    _event(checkin, action, actor, text=text, document_ids=[d.pk for d in documents])
    return checkin


def _lock_checkin(checkin: Checkin) -> Checkin:
    return (
        Checkin.objects.select_for_update().select_related("plan__person__unit").get(pk=checkin.pk)
    )


def _require_review(checkin: Checkin, actor) -> None:
    if actor is not None and not has_unit_perm(actor, REVIEW_PERM, checkin.plan.person.unit):
        raise PermissionDenied
    if checkin.status != CheckinStatus.SUBMITTED:
        raise ValidationError(
            _("Only a check-in waiting for review can be reviewed; this one is %(status)s.")
            % {"status": checkin.get_status_display()}
        )


@transaction.atomic
def checkin_accept(*, checkin: Checkin, actor) -> Checkin:
    checkin = _lock_checkin(checkin)
    _require_review(checkin, actor)
    checkin.status = CheckinStatus.ACCEPTED
    checkin.reviewed_by = _user(actor)
    checkin.reviewed_at = timezone.now()
    checkin.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    if checkin.kind == CheckinKind.ORG_LIFE:
        _note_org_life(checkin.plan.person, checkin.submitted_at.date())
    _event(checkin, CheckinEvent.Action.ACCEPTED, actor)
    return checkin


def _note_org_life(person: Person, on: dt.date) -> None:
    """Accepted evidence of org life counts for the six-month rule (Person.last_org_life_on)."""
    if person.last_org_life_on is None or person.last_org_life_on < on:
        Person.objects.filter(pk=person.pk).update(last_org_life_on=on)


@transaction.atomic
def checkin_return(*, checkin: Checkin, reason: str, actor) -> Checkin:
    """Send a check-in back to the graduate with the reason, so they can resubmit it."""
    checkin = _lock_checkin(checkin)
    _require_review(checkin, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is sent back, so it can be put right.")})
    checkin.status = CheckinStatus.RETURNED
    checkin.reviewed_by = _user(actor)
    checkin.reviewed_at = timezone.now()
    checkin.return_reason = reason[:500]
    checkin.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_reason"])
    _event(checkin, CheckinEvent.Action.RETURNED, actor, reason=reason)
    return checkin


def _event(checkin: Checkin, action: str, actor, **fields) -> CheckinEvent:
    event = CheckinEvent.objects.create(
        checkin=checkin, action=action, actor=_user(actor), **fields
    )
    person = checkin.plan.person
    audit_record(
        actor=actor,
        action=(
            AuditEvent.Action.CREATE
            if action == CheckinEvent.Action.SUBMITTED
            else AuditEvent.Action.UPDATE
        ),
        target=checkin,
        summary=f"{person.name} {checkin.kind} #{checkin.period_index} {action}",
        detail={"person": person.pk, "due_on": checkin.due_on.isoformat(), **fields},
    )
    return event
