"""The lapse job and every step of a lapse case.

`lapse_sweep` is the scheduled job: for each count it closes the untouched cases of members
who re-engaged, opens a case for every member whose gap reached five months (status
"lapsed" straight away when it already reached six), flips warnings whose six months came
(a conditional UPDATE: exactly once), records the system steps and notifies the branch and
the member. Every statement is set-based (INSERT … SELECT … ON CONFLICT DO NOTHING or an
UPDATE with its condition), so the job runs a fixed number of queries whatever the number of
members, and running it twice, or twice at once, changes nothing the second time: the
partial unique constraint allows one open case per member and count, and another allows one
case per gap ever.

The steps (seed 000): written notice, talk, suspension, the branch meeting's decision to
remove and the higher organization's approval; the member's answer; closing with a reason.
Each is one guarded service: it locks the case, checks the actor's scope and the case's
state, stores evidence through core.uploads, records a LapseStep and the audit entry, tells
the member, and moves the person's stage only through development's recorded change.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.jobs import enqueue
from core.models import AuditEvent
from core.notifications.registry import (
    event_key,
    handlers,
    notify_rows,
    parent_handlers,
    reminder_rows,
)
from core.notifications.services import notify
from core.sqltools import AddMonths, insert_select
from core.uploads import document_store
from members import lapse_clock
from members.models import (
    LapseCase,
    LapseCount,
    LapseStatus,
    LapseStep,
    OrgUnitUserObjectPermission,
    Person,
    Stage,
)
from members.models.lapses import OPEN_STATUSES, UNTOUCHED_STATUSES
from members.models.people import MEMBER_STAGES
from members.scoping import has_unit_perm

EVIDENCE_KIND = "lapse_evidence"


def _today() -> dt.date:
    return timezone.localdate()


# The job ----------------------------------------------------------------------------------


def members() -> QuerySet[Person]:
    """Whom the rule counts: full and probationary members who were not removed."""
    return Person.objects.filter(stage__in=MEMBER_STAGES, removed_at__isnull=True)


def gap_reached(count: str, cut: dt.date) -> Q:
    """Members whose gap on `count` began on or before `cut` (lapse_clock.cutoff), i.e. has
    lasted the cutoff's months. Never recorded: counted from the day they joined."""
    never = Q(joined_on__lte=cut)
    if count == LapseCount.ORG_LIFE:
        return Q(last_org_life_on__lte=cut) | Q(last_org_life_on=None) & never
    if count == LapseCount.WORK:
        return Q(last_work_done_on__lte=cut) | Q(last_work_done_on=None) & never
    if count == LapseCount.DUES:
        # Paid up to month P: unpaid from the month after, so the gap began on or before
        # `cut` exactly when P is a month before cut's month.
        paid = Q(dues_paid_through__lt=lapse_clock.month_start(cut))
        return paid | Q(dues_paid_through=None) & never
    return Q(lost_contact=True, lost_contact_since__lte=cut)


def gap_start(count: str):
    """The day the gap began, as a database expression (the same rule as gap_reached)."""
    if count == LapseCount.ORG_LIFE:
        return Coalesce("last_org_life_on", "joined_on", output_field=DateField())
    if count == LapseCount.WORK:
        return Coalesce("last_work_done_on", "joined_on", output_field=DateField())
    if count == LapseCount.DUES:
        return Case(
            When(dues_paid_through=None, then=F("joined_on")),
            default=AddMonths(F("dues_paid_through"), 1),
            output_field=DateField(),
        )
    return F("lost_contact_since")


def gap_filled(count: str) -> Q:
    """Open cases (seen from LapseCase) whose member re-engaged since the gap began, or who
    is no longer counted at all."""
    gone = ~Q(person__stage__in=MEMBER_STAGES) | Q(person__removed_at__isnull=False)
    since = F("gap_since")
    if count == LapseCount.ORG_LIFE:
        return gone | Q(person__last_org_life_on__gt=since)
    if count == LapseCount.WORK:
        return gone | Q(person__last_work_done_on__gt=since)
    if count == LapseCount.DUES:
        return gone | Q(person__dues_paid_through__gte=since)  # paid for the gap's month
    return gone | Q(person__lost_contact=False) | Q(person__lost_contact_since__gt=since)


def _close_reengaged(count: str, now: dt.datetime) -> int:
    """Untouched cases (no branch step yet) of members who re-engaged close by themselves;
    a case the branch has acted on stays for the branch to close with its reason."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Re-engaged (or no longer counted): closed by the lapse job.")
    return (
        LapseCase.objects.filter(count=count, status__in=UNTOUCHED_STATUSES, closed_at=None)
        .filter(gap_filled(count))
        .update(status=LapseStatus.CLOSED, closed_at=now, close_reason=reason)
    )


def _open_cases(
    count: str, today: dt.date, warn_cut: dt.date, lapse_cut: dt.date, now: dt.datetime
) -> int:
    lapsed = gap_reached(count, lapse_cut)
    # Members who already have an open case on this count are left out by an anti-join (cheap
    # on the partial index); ON CONFLICT DO NOTHING stays the guarantee when runs overlap.
    has_open = LapseCase.objects.filter(person=OuterRef("pk"), count=count, closed_at=None)
    rows = (
        members()
        .filter(gap_reached(count, warn_cut))
        .exclude(Exists(has_open))
        .values(
            c0=F("pk"),
            c1=Value(count, output_field=CharField()),
            c2=gap_start(count),
            c3=AddMonths(gap_start(count), lapse_clock.LAPSE_MONTHS),
            c4=Case(
                When(lapsed, then=Value(LapseStatus.LAPSED)),
                default=Value(LapseStatus.WARNING),
                output_field=CharField(),
            ),
            c5=Value(today, output_field=DateField()),
            # Six months were reached on lapses_on, even if this run comes days later.
            c6=Case(
                When(lapsed, then=AddMonths(gap_start(count), lapse_clock.LAPSE_MONTHS)),
                default=None,
                output_field=DateField(),
            ),
            c7=Value(now),
        )
        .order_by("pk")  # concurrent runs insert in the same order: they wait, never deadlock
    )
    columns = ["person", "count", "gap_since", "lapses_on", "status", "opened_on"]
    return insert_select(LapseCase, [*columns, "lapsed_on", "created_at"], rows)


def _unannounced() -> dict[str, QuerySet]:
    """Cases whose opening or six months the job has not yet announced (steps, notices)."""
    untouched = LapseCase.objects.filter(closed_at=None, status__in=UNTOUCHED_STATUSES)
    return {
        "opened": untouched.filter(announced=""),
        LapseStatus.WARNING: untouched.filter(announced="", status=LapseStatus.WARNING),
        LapseStatus.LAPSED: untouched.filter(status=LapseStatus.LAPSED).exclude(
            announced=LapseStatus.LAPSED
        ),
    }


def _mark_announced() -> int:
    return (
        LapseCase.objects.filter(closed_at=None, status__in=UNTOUCHED_STATUSES)
        .exclude(announced=F("status"))
        .update(announced=F("status"))
    )


def _record_system_steps(today: dt.date, now: dt.datetime) -> int:
    """ "Opened", "six months reached" and "closed by the job" steps, each at most once."""
    inserted = 0
    pending = _unannounced()
    for kind, cases in (
        (LapseStep.Kind.OPENED, pending["opened"]),
        (LapseStep.Kind.LAPSED, pending[LapseStatus.LAPSED]),
    ):
        on = F("lapsed_on") if kind == LapseStep.Kind.LAPSED else F("opened_on")
        rows = cases.values(
            c0=F("pk"), c1=Value(kind, output_field=CharField()), c2=on, c3=Value(now)
        ).order_by("pk")
        inserted += insert_select(LapseStep, ["case", "kind", "on", "at"], rows)
    # Cases this run closed (closed_at is this run's own timestamp).
    closed = LapseCase.objects.filter(closed_at=now, closed_by=None).values(
        c0=F("pk"),
        c1=Value(LapseStep.Kind.CLOSED, output_field=CharField()),
        c2=Value(today, output_field=DateField()),
        c3=F("close_reason"),
        c4=Value(now),
    )
    inserted += insert_select(LapseStep, ["case", "kind", "on", "note", "at"], closed.order_by())
    return inserted


def _notify_sweep() -> int:
    """The branch hears of each case when it opens and when it reaches six months, once per
    case and status; the member hears when six months are reached."""
    sent = 0
    pending = _unannounced()
    for status in UNTOUCHED_STATUSES:
        cases = pending[status]
        for q, user_field in (
            handlers("handle_lapses", "person__unit"),
            parent_handlers("handle_lapses", "person__unit"),
        ):
            rows = reminder_rows(
                cases.filter(q),
                user=user_field,
                key=event_key("lapse", "pk", Value(status)),
                object_id="pk",
                subject="person__name",
                due="lapses_on",
            )
            sent += notify_rows(f"lapse_{status}", rows)
    mine = reminder_rows(
        pending[LapseStatus.LAPSED].filter(person__user__isnull=False),
        user="person__user_id",
        key=event_key("lapse", "pk", Value("member")),
        object_id="pk",
        subject="person__name",
        due="lapses_on",
    )
    return sent + notify_rows("lapse_member", mine)


def lapse_sweep(today: dt.date | None = None) -> dict[str, int]:
    """The lapse job (see the module docstring). Returns what it did, by kind."""
    today = today or _today()
    now = timezone.now()
    warn_cut = lapse_clock.cutoff(today, lapse_clock.WARNING_MONTHS)
    lapse_cut = lapse_clock.cutoff(today, lapse_clock.LAPSE_MONTHS)
    done = {"closed": 0, "opened": 0, "lapsed": 0}
    with transaction.atomic():
        for count in LapseCount:
            done["closed"] += _close_reengaged(count, now)
            done["opened"] += _open_cases(count, today, warn_cut, lapse_cut, now)
        # Six months came for a warning: flip it exactly once (concurrent runs: the second
        # UPDATE waits for the first's row locks, then finds nothing left to flip).
        done["lapsed"] = LapseCase.objects.filter(
            status=LapseStatus.WARNING, closed_at=None, lapses_on__lte=today
        ).update(status=LapseStatus.LAPSED, lapsed_on=F("lapses_on"))
        done["steps"] = _record_system_steps(today, now)
        done["notifications"] = _notify_sweep()
        _mark_announced()
    return done


# Steps of a case --------------------------------------------------------------------------


def _lock(case: LapseCase | int) -> LapseCase:
    pk = case if isinstance(case, int) else case.pk
    return LapseCase.objects.select_for_update().select_related("person__unit").get(pk=pk)


def _require(actor, perm: str, case: LapseCase) -> None:
    if not has_unit_perm(actor, perm, case.person.unit):
        raise PermissionDenied


def _require_open(case: LapseCase, allowed: tuple[str, ...], message: str) -> None:
    if not case.is_open:
        raise ValidationError(_("This lapse case is closed."))
    if case.status not in allowed:
        raise ValidationError(message)


def _check_date(on: dt.date, case: LapseCase) -> None:
    if on > _today():
        raise ValidationError(_("The date cannot be in the future."))
    if on < case.opened_on:
        raise ValidationError(_("The date cannot be before the case was opened."))


def _record(case: LapseCase, kind: str, *, on: dt.date, note: str, actor, evidence=None):
    document = None
    if evidence:
        person = case.person
        document = document_store(
            file=evidence, kind=EVIDENCE_KIND, unit=person.unit, person=person, actor=actor
        )
    step = LapseStep.objects.create(
        case=case,
        kind=kind,
        on=on,
        note=note,
        evidence=document,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=step,
        summary=f"{case.person.name} {LapseStep.Kind(kind).label} {on.isoformat()}",
        detail={"case": case.pk, "person": case.person_id, "kind": kind, "on": on.isoformat()},
    )
    _tell_member(case, step)
    return step


def _tell_member(case: LapseCase, step: LapseStep) -> None:
    """The member hears of every step the branch takes; a written notice also by e-mail at
    once (after commit, through the worker), not only in tomorrow's digest."""
    user_id = case.person.user_id
    if user_id is None or (step.actor_id is not None and step.actor_id == user_id):
        return
    key = f"lapse:{case.pk}:step:{step.pk}"
    notify(
        user_ids=[user_id],
        key=key,
        kind=f"lapse_step_{step.kind}",
        object_id=case.pk,
        subject=case.person.name,
        due_on=step.on,
    )
    if step.kind == LapseStep.Kind.NOTICE:
        enqueue("core.tasks.email_now", user_id, key)


def _text(value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError(message)
    return value.strip()


def _change_stage(case: LapseCase, stage: str, on: dt.date, actor, reason: str) -> None:
    from development.services._common import change_person  # the one recorded stage change

    change_person(person=case.person, actor=actor, reason=reason, stage=stage, on=on)


@transaction.atomic
def lapse_notice_record(*, case, on: dt.date, note: str, evidence=None, actor) -> LapseStep:
    """书面通报告诫: the written notice to the member, with what it said."""
    case = _lock(case)
    _require(actor, "handle_lapses", case)
    _require_open(
        case,
        (LapseStatus.WARNING, LapseStatus.LAPSED, LapseStatus.TALKED),
        _("A written notice can be given before suspension or a removal decision only."),
    )
    note = _text(note, _("Say what the written notice told the member."))
    _check_date(on, case)
    step = _record(case, LapseStep.Kind.NOTICE, on=on, note=note, actor=actor, evidence=evidence)
    if case.status in (LapseStatus.WARNING, LapseStatus.LAPSED):
        LapseCase.objects.filter(pk=case.pk).update(status=LapseStatus.NOTICE)
    return step


@transaction.atomic
def lapse_talk_record(*, case, on: dt.date, note: str, evidence=None, actor) -> LapseStep:
    """谈心谈话: the talk with the member and what came of it."""
    case = _lock(case)
    _require(actor, "handle_lapses", case)
    _require_open(
        case,
        (LapseStatus.WARNING, LapseStatus.LAPSED, LapseStatus.NOTICE, LapseStatus.TALKED),
        _("A talk can be recorded before suspension or a removal decision only."),
    )
    note = _text(note, _("Say who talked with the member and what came of it."))
    _check_date(on, case)
    step = _record(case, LapseStep.Kind.TALK, on=on, note=note, actor=actor, evidence=evidence)
    LapseCase.objects.filter(pk=case.pk).update(status=LapseStatus.TALKED)
    return step


def _six_months_reached(case: LapseCase, on: dt.date) -> None:
    if on < case.lapses_on:
        raise ValidationError(
            _("Six months are reached only on %(day)s.") % {"day": case.lapses_on.isoformat()}
        )


@transaction.atomic
def lapse_suspend(*, case, on: dt.date, note: str, evidence=None, actor) -> LapseStep:
    """停止党籍. For the three counts, after a written notice or a talk (屡教不改); for lost
    contact, once the member has been untraceable for six months."""
    case = _lock(case)
    _require(actor, "handle_lapses", case)
    if case.count == LapseCount.LOST_CONTACT:
        allowed = (LapseStatus.LAPSED, LapseStatus.NOTICE, LapseStatus.TALKED)
        message = _("Suspension for lost contact needs six months without contact.")
    else:
        allowed = (LapseStatus.NOTICE, LapseStatus.TALKED)
        message = _("Suspension needs a written notice or a talk first.")
    _require_open(case, allowed, message)
    _check_date(on, case)
    _six_months_reached(case, on)
    note = _text(note, _("Give the decision and its grounds."))
    if case.person.stage not in MEMBER_STAGES:
        raise ValidationError(_("Only a full or probationary member can be suspended."))
    step = _record(
        case, LapseStep.Kind.SUSPENSION, on=on, note=note, actor=actor, evidence=evidence
    )
    LapseCase.objects.filter(pk=case.pk).update(
        status=LapseStatus.SUSPENDED, suspended_on=on, stage_before=case.person.stage
    )
    _change_stage(case, Stage.SUSPENDED, on, actor, _("Membership suspended (lapse case)"))
    return step


@transaction.atomic
def lapse_removal_decide(*, case, on: dt.date, note: str, evidence=None, actor) -> LapseStep:
    """The branch general meeting decides to remove the member; the higher organization
    must approve. For lost contact: two years after suspension, still untraceable."""
    case = _lock(case)
    _require(actor, "handle_lapses", case)
    if case.count == LapseCount.LOST_CONTACT:
        _require_open(
            case, (LapseStatus.SUSPENDED,), _("Removal for lost contact follows suspension.")
        )
        due = lapse_clock.removal_due(case.suspended_on)
        if on < due:
            raise ValidationError(
                _("Removal for lost contact is possible two years after suspension, on %(day)s.")
                % {"day": due.isoformat()}
            )
        if not case.person.lost_contact:
            raise ValidationError(_("The member has been found again; close the case instead."))
    else:
        _require_open(
            case,
            (LapseStatus.NOTICE, LapseStatus.TALKED, LapseStatus.SUSPENDED),
            _("The member must be told (written notice or talk) before removal is decided."),
        )
        _six_months_reached(case, on)
    _check_date(on, case)
    note = _text(note, _("Give the branch meeting's decision (date, votes, minutes)."))
    if evidence is None:
        raise ValidationError(_("Attach the minutes of the branch meeting's decision."))
    step = _record(
        case, LapseStep.Kind.REMOVAL_DECISION, on=on, note=note, actor=actor, evidence=evidence
    )
    LapseCase.objects.filter(pk=case.pk).update(status=LapseStatus.REMOVAL_DECIDED)
    approvers = OrgUnitUserObjectPermission.objects.filter(
        permission__codename="approve_removal",
        content_object_id__in=case.person.unit.ancestor_ids,
    ).values_list("user_id", flat=True)
    notify(
        user_ids=list(approvers),
        key=f"lapse:{case.pk}:approve:{step.pk}",
        kind="lapse_approve",
        object_id=case.pk,
        subject=case.person.name,
        due_on=on,
    )
    return step


@transaction.atomic
def lapse_removal_approve(
    *, case, on: dt.date, approve: bool, note: str, evidence=None, actor
) -> LapseStep:
    """The higher organization approves the removal (除名) or refuses it."""
    case = _lock(case)
    _require(actor, "approve_removal", case)
    _require_open(
        case, (LapseStatus.REMOVAL_DECIDED,), _("There is no removal decision to approve.")
    )
    _check_date(on, case)
    note = _text(note, _("Give the approval's reference or the reason for refusing."))
    if not approve:
        step = _record(
            case, LapseStep.Kind.REMOVAL_REFUSED, on=on, note=note, actor=actor, evidence=evidence
        )
        back = LapseStatus.SUSPENDED if case.suspended_on else LapseStatus.TALKED
        LapseCase.objects.filter(pk=case.pk).update(status=back)
        return step
    step = _record(
        case, LapseStep.Kind.REMOVAL_APPROVAL, on=on, note=note, actor=actor, evidence=evidence
    )
    LapseCase.objects.filter(pk=case.pk).update(
        status=LapseStatus.REMOVED,
        closed_at=timezone.now(),
        closed_by=actor if actor is not None and actor.is_authenticated else None,
        close_reason=note[:255],
    )
    _change_stage(case, Stage.LAPSED_REMOVED, on, actor, _("Removed as lapsed (lapse case)"))
    return step


@transaction.atomic
def lapse_answer(*, case, text: str, evidence=None, actor) -> LapseStep:
    """The member's own answer to their case (only the member may give it)."""
    case = _lock(case)
    if actor is None or case.person.user_id != actor.pk:
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError(_("This lapse case is closed."))
    text = _text(text, _("Write your answer."))
    step = _record(case, LapseStep.Kind.ANSWER, on=_today(), note=text, actor=actor,
                   evidence=evidence)  # fmt: skip
    holders = OrgUnitUserObjectPermission.objects.filter(
        permission__codename="handle_lapses", content_object_id=case.person.unit_id
    ).values_list("user_id", flat=True)
    notify(
        user_ids=list(holders),
        key=f"lapse:{case.pk}:answer:{step.pk}",
        kind="lapse_answer",
        object_id=case.pk,
        subject=case.person.name,
    )
    return step


@transaction.atomic
def lapse_close(*, case, reason: str, actor, on: dt.date | None = None) -> LapseStep:
    """Close an open case with the reason (the member re-engaged, a proper reason was
    found). A suspended member gets back the stage they had."""
    case = _lock(case)
    _require(actor, "handle_lapses", case)
    if not case.is_open:
        raise ValidationError(_("This lapse case is closed."))
    if case.status == LapseStatus.REMOVAL_DECIDED:
        raise ValidationError(_("A removal decision is waiting for approval; it cannot close."))
    reason = _text(reason, _("Give the reason for closing the case."))
    on = on or _today()
    _check_date(on, case)
    step = _record(case, LapseStep.Kind.CLOSED, on=on, note=reason, actor=actor)
    LapseCase.objects.filter(pk=case.pk).update(
        status=LapseStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by=actor if actor is not None and actor.is_authenticated else None,
        close_reason=reason[:255],
    )
    if case.status == LapseStatus.SUSPENDED and case.person.stage == Stage.SUSPENDED:
        back = case.stage_before or Stage.FULL
        _change_stage(case, back, on, actor, _("Membership restored: %(reason)s") % {
            "reason": reason})  # fmt: skip
    return step


__all__ = [
    "OPEN_STATUSES",
    "lapse_answer",
    "lapse_close",
    "lapse_notice_record",
    "lapse_removal_approve",
    "lapse_removal_decide",
    "lapse_suspend",
    "lapse_sweep",
    "lapse_talk_record",
]
