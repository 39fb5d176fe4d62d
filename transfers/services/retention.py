"""Retention applications, retained graduates and the two-way examination (seed 000).

Every change goes through one of these services: each locks its row, checks who may act
(the applicant themselves, the branch with `change_people`, the committee office with
`decide_retention`) and what state allows it, and records an ApplicationEvent (who, when,
from, to, why) and an audit entry, in one transaction. Refusals are ValidationErrors whose
messages say what is wrong; acting outside one's scope is PermissionDenied (views: 404).

The office's decision is taken under SELECT ... FOR UPDATE and written with a conditional
UPDATE on the status, so two staff acting at once can never both decide one application.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent, Document
from core.uploads import IMAGE_TYPES, document_store, documents_follow
from members.models import OrgUnit, Person, Stage
from members.models.people import MEMBER_STAGES
from members.scoping import has_unit_perm
from members.services.people import person_update
from transfers import clock
from transfers.models import (
    COMMITMENTS,
    ApplicationEvent,
    ApplicationStatus,
    EmployerReportLink,
    Examination,
    Retention,
    RetentionApplication,
    RetentionCategory,
    RetentionReason,
)
from transfers.models.retention import EDITABLE_STATUSES, OPEN_STATUSES

EVIDENCE_KIND = "retention_evidence"
REPORT_KIND = "employer_report"
EVIDENCE_TYPES = (*IMAGE_TYPES, Document.FileType.PDF)
REPORT_TYPES = (*IMAGE_TYPES, Document.FileType.PDF, Document.FileType.DOCX)
# What the applicant fills in; the status and the decision are not among them.
APPLICATION_FIELDS = (
    "reason", "reason_detail", "category", "whereabouts_detail", "mobile", "emergency_contact",
    "emergency_relation", "emergency_phone", "starts_on", "ends_on", "commitments",
    "abroad_place", "abroad_from", "abroad_until", "china_contact", "china_contact_phone",
    "statement",
)  # fmt: skip
DATE_FIELDS = ("starts_on", "ends_on", "abroad_from", "abroad_until")
S = ApplicationStatus


class Decision:
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    CHOICES = (APPROVE, RETURN, REJECT)


def _user(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _is_applicant(actor, person: Person) -> bool:
    return actor is not None and person.user_id is not None and person.user_id == actor.pk


def _require_applicant_or_branch(actor, person: Person) -> None:
    """The applicant acts on their own application; the branch on its people's."""
    if actor is None or _is_applicant(actor, person):
        return
    if not has_unit_perm(actor, "change_people", person.unit):
        raise PermissionDenied


def _lock(application: RetentionApplication | int) -> RetentionApplication:
    pk = application if isinstance(application, int) else application.pk
    return (
        RetentionApplication.objects.select_for_update(of=("self",))
        .select_related("person__unit")
        .get(pk=pk)
    )


def _event(
    application: RetentionApplication, action: str, actor, before: str = "", note: str = ""
) -> ApplicationEvent:
    event = ApplicationEvent.objects.create(
        application=application,
        actor=_user(actor),
        action=action,
        from_status=before,
        to_status=application.status,
        note=note,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE
        if action == ApplicationEvent.Action.CREATED
        else AuditEvent.Action.UPDATE,
        target=application,
        summary=f"{application.person.name} {action}",
        detail={"from": before, "to": application.status, "note": note[:200]},
    )
    return event


def _require_editable(application: RetentionApplication) -> None:
    if application.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("This application is %(status)s and can no longer be changed.")
            % {"status": application.get_status_display()}
        )


# The applicant's side ---------------------------------------------------------------------


@transaction.atomic
def application_start(*, person: Person, actor) -> RetentionApplication:
    """A new draft for a graduating member, pre-filled from their record."""
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    _require_applicant_or_branch(actor, person)
    if person.removed_at is not None or person.stage not in MEMBER_STAGES:
        raise ValidationError(
            _("Only full or probationary Party members apply for retention; %(name)s is %(stage)s.")
            % {"name": person.name, "stage": person.get_stage_display()}
        )
    if RetentionApplication.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("%(name)s already has a retention application in progress; continue that one.")
            % {"name": person.name}
        )
    if Retention.objects.filter(person=person, status=Retention.Status.ACTIVE).exists():
        raise ValidationError(_("%(name)s is already a retained graduate.") % {"name": person.name})
    application = RetentionApplication.objects.create(
        person=person,
        unit=person.unit,
        mobile=person.mobile,
        emergency_contact=person.emergency_contact,
        emergency_phone=person.emergency_phone,
        created_by=_user(actor),
    )
    _event(application, ApplicationEvent.Action.CREATED, actor)
    return application


@transaction.atomic
def application_save(
    *, application: RetentionApplication, data: dict[str, Any], files=(), actor
) -> RetentionApplication:
    """Save a draft (or a returned application being fixed), with any new evidence files.
    Nothing is required yet: `application_problems` says what submitting will need."""
    application = _lock(application)
    _require_applicant_or_branch(actor, application.person)
    _require_editable(application)
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in data.items():
        if value is None and name not in DATE_FIELDS:
            value = ""  # an empty text field of a form
        setattr(application, name, value)
    application.commitments = [c for c, _t in COMMITMENTS if c in (application.commitments or [])]
    application.full_clean(exclude=["person", "unit", "documents"])
    application.save()
    files = list(files)
    for file in files:
        document = document_store(
            file=file,
            kind=EVIDENCE_KIND,
            unit=application.unit,
            person=application.person,
            actor=actor,
            allowed=EVIDENCE_TYPES,
        )
        application.documents.add(document)
    _event(application, ApplicationEvent.Action.SAVED, actor, note="")
    if files:
        _event(
            application,
            ApplicationEvent.Action.EVIDENCE,
            actor,
            note=_("%(n)d file(s)") % {"n": len(files)},
        )
    return application


@transaction.atomic
def application_document_remove(
    *, application: RetentionApplication, document_id: int, actor
) -> RetentionApplication:
    """Take a wrongly chosen file off a draft. The stored file stays (evidence is never
    deleted); it is only no longer part of the application."""
    application = _lock(application)
    _require_applicant_or_branch(actor, application.person)
    _require_editable(application)
    document = application.documents.filter(pk=document_id).first()
    if document is None:
        raise ValidationError(_("This file is not part of the application."))
    application.documents.remove(document)
    _event(
        application,
        ApplicationEvent.Action.EVIDENCE_REMOVED,
        actor,
        note=document.original_name,
    )
    return application


def application_problems(application: RetentionApplication) -> list[str]:
    """What the template asks for that is still missing or wrong: empty when it can be
    submitted. Each message names the rule."""
    a = application
    problems = []
    if not a.reason:
        problems.append(_("Choose the reason for retention."))
    elif a.reason == RetentionReason.OTHER and not a.reason_detail.strip():
        problems.append(_("Write down the reason for retention."))
    if not a.category:
        problems.append(_("Choose where you will be during retention (category)."))
    if not a.mobile.strip():
        problems.append(_("Give your mobile phone number."))
    if not (a.emergency_contact.strip() and a.emergency_phone.strip()):
        problems.append(_("Give an emergency contact and their phone number."))
    problems += _date_problems(a.starts_on, a.ends_on)
    missing = [str(text) for code, text in COMMITMENTS if code not in (a.commitments or [])]
    if missing:
        problems.append(
            _("Every commitment of the application must be accepted; not yet: %(list)s")
            % {"list": " ".join(missing)}
        )
    if a.category == RetentionCategory.ABROAD:
        if not (a.abroad_place.strip() and a.abroad_from and a.abroad_until):
            problems.append(_("Going abroad: give the place and the dates of study."))
        elif a.abroad_until < a.abroad_from:
            problems.append(_("The study abroad ends before it starts."))
        if not (a.china_contact.strip() and a.china_contact_phone.strip()):
            problems.append(_("Going abroad: give a contact person in China and their phone."))
    if a.pk is None or not a.documents.exists():
        problems.append(
            _("Upload the evidence: photos of the handwritten application and any certificates.")
        )
    return problems


def _date_problems(starts_on: dt.date | None, ends_on: dt.date | None) -> list[str]:
    if not (starts_on and ends_on):
        return [_("Give the retention start and end dates.")]
    if ends_on < starts_on:
        return [_("The retention ends before it starts.")]
    latest = clock.retention_latest_end(starts_on)
    if ends_on > latest:
        return [
            _(
                "Retention lasts at most %(years)d years: from %(start)s it can end on "
                "%(latest)s at the latest, not %(end)s."
            )
            % {
                "years": clock.RETENTION_MAX_YEARS,
                "start": starts_on.isoformat(),
                "latest": latest.isoformat(),
                "end": ends_on.isoformat(),
            }
        ]
    return []


@transaction.atomic
def application_submit(*, application: RetentionApplication, actor) -> RetentionApplication:
    """Submit (or resubmit after a return): it is locked until the office decides."""
    application = _lock(application)
    _require_applicant_or_branch(actor, application.person)
    _require_editable(application)
    problems = application_problems(application)
    if problems:
        raise ValidationError(problems)
    before = application.status
    application.status = S.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(application, ApplicationEvent.Action.SUBMITTED, actor, before)
    return application


# The committee office's side --------------------------------------------------------------


def retained_branch_errors(actor, branch: OrgUnit | None) -> list[str]:
    if branch is None:
        return [_("Choose the retained-graduate branch the graduate is placed in.")]
    errors = []
    if branch.kind != OrgUnit.Kind.BRANCH or branch.branch_kind != OrgUnit.BranchKind.RETAINED:
        errors.append(_("%(unit)s is not a retained-graduate branch.") % {"unit": branch.name})
    if not branch.is_active:
        errors.append(_("%(unit)s is no longer active.") % {"unit": branch.name})
    if actor is not None and not has_unit_perm(actor, "decide_retention", branch):
        errors.append(_("%(unit)s is outside your scope.") % {"unit": branch.name})
    return errors


def contact_person_errors(actor, contact: Person | None, applicant: Person) -> list[str]:
    if contact is None:
        return [_("Choose the graduate's contact person.")]
    if contact.pk == applicant.pk:
        return [_("The graduate cannot be their own contact person.")]
    if contact.removed_at is not None or contact.stage != Stage.FULL:
        return [_("The contact person must be a full Party member.")]
    if actor is not None and not has_unit_perm(actor, "view_people", contact.unit):
        return [_("%(name)s is outside your scope.") % {"name": contact.name}]
    return []


@transaction.atomic
def application_decide(
    *,
    application: RetentionApplication,
    decision: str,
    note: str = "",
    branch: OrgUnit | None = None,
    contact_person: Person | None = None,
    actor,
) -> RetentionApplication:
    """Approve, return for changes (with comments) or reject (with a reason)."""
    if decision not in Decision.CHOICES:
        raise ValueError(decision)
    application = _lock(application)
    person = application.person
    if actor is not None and not has_unit_perm(actor, "decide_retention", person.unit):
        raise PermissionDenied
    if application.status != S.SUBMITTED:
        raise ValidationError(_already_decided(application))
    note = (note or "").strip()
    if decision == Decision.RETURN and not note:
        raise ValidationError(_("Say what has to be changed; the graduate reads it."))
    if decision == Decision.REJECT and not note:
        raise ValidationError(_("Give the reason for rejecting; the graduate reads it."))
    if decision == Decision.APPROVE:
        errors = retained_branch_errors(actor, branch) + contact_person_errors(
            actor, contact_person, person
        )
        if errors:
            raise ValidationError(errors)
    new_status = {
        Decision.APPROVE: S.APPROVED,
        Decision.RETURN: S.RETURNED,
        Decision.REJECT: S.REJECTED,
    }[decision]
    now = timezone.now()
    # The row is locked, and the UPDATE is conditional all the same: a decision is written
    # only over a status still "submitted", so two deciders can never both succeed.
    changed = RetentionApplication.objects.filter(pk=application.pk, status=S.SUBMITTED).update(
        status=new_status,
        decided_at=now,
        decided_by=_user(actor),
        decision_note=note,
        times_returned=application.times_returned + (decision == Decision.RETURN),
        updated_at=now,
    )
    if changed != 1:
        application.refresh_from_db()
        raise ValidationError(_already_decided(application))
    application.refresh_from_db()
    _event(application, _ACTION_OF[decision], actor, S.SUBMITTED, note)
    if decision == Decision.APPROVE:
        _retention_open(application, branch, contact_person, actor)
    _notify_graduate(application)
    return application


_ACTION_OF = {
    Decision.APPROVE: ApplicationEvent.Action.APPROVED,
    Decision.RETURN: ApplicationEvent.Action.RETURNED,
    Decision.REJECT: ApplicationEvent.Action.REJECTED,
}


def _already_decided(application: RetentionApplication) -> str:
    if application.status in (S.DRAFT, S.RETURNED):
        return _("This application is %(status)s: it is not awaiting a decision.") % {
            "status": application.get_status_display()
        }
    who = application.decided_by
    return _("This application was already decided (%(status)s) by %(who)s at %(when)s.") % {
        "status": application.get_status_display(),
        "who": (who.get_full_name() or who.username) if who else "—",
        "when": timezone.localtime(application.decided_at).strftime("%Y-%m-%d %H:%M")
        if application.decided_at
        else "—",
    }


def _retention_open(
    application: RetentionApplication, branch: OrgUnit, contact: Person, actor
) -> Retention:
    """The approved graduate is a retained graduate: placed in the branch, with the dates."""
    old_unit = application.person.unit
    retention = Retention.objects.create(
        person=application.person,
        application=application,
        branch=branch,
        contact_person=contact,
        category=application.category,
        starts_on=application.starts_on,
        ends_on=application.ends_on,
        transfer_apply_by=clock.transfer_apply_by(application.ends_on),
        created_by=_user(actor),
    )
    # Before the move, so the retention's audit names every document that follows them.
    documents_follow(  # the retained-graduate branch now keeps their file
        person=application.person,
        from_unit=old_unit,
        to_unit=retention.branch,
        also=application.documents.all(),  # the application's evidence, wherever filed
        actor=actor,
        target=retention,
    )
    person_update(
        person=application.person,
        actor=actor,
        data={
            "unit": branch,
            "whereabouts": application.category,
            "whereabouts_detail": application.whereabouts_detail or application.abroad_place,
            "mobile": application.mobile,
            "emergency_contact": application.emergency_contact,
            "emergency_phone": application.emergency_phone,
        },
        reason=_("Retention approved until %(end)s") % {"end": application.ends_on.isoformat()},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=retention,
        summary=f"{application.person.name} {branch.name} {retention.ends_on.isoformat()}",
    )
    _open_checkin_plan(retention, actor)
    return retention


def _open_checkin_plan(retention: Retention, actor) -> Retention:
    """Open the retained graduate's check-in plan (education/) for their category and the
    retention's dates, in the same transaction as the approval."""
    from education.services.checkins import checkin_plan_open  # education reads members only

    retention.checkin_plan = checkin_plan_open(
        person=retention.person,
        category=retention.category,
        starts_on=retention.starts_on,
        ends_on=retention.ends_on,
        actor=actor,
    )
    retention.save(update_fields=["checkin_plan"])
    return retention


def _notify_graduate(application: RetentionApplication) -> None:
    """Tell the graduate about the office's decision in their notification centre (and so the
    daily digest). The key names this decision, so a retry never notifies twice."""
    from core.notifications.services import notify

    decided = application.decided_at.isoformat() if application.decided_at else ""
    notify(
        user_ids=[application.person.user_id],
        key=f"retention:{application.pk}:{application.status}:{decided}",
        kind="retention_decided",
        object_id=application.pk,
        subject=str(application.get_status_display()),
    )


# The end of a retention --------------------------------------------------------------------

END_PERMS = ("manage_transfers", "decide_retention")


@transaction.atomic
def retention_end(
    *, retention: Retention, on: dt.date, reason: str, note: str = "", transfer=None, actor
) -> Retention:
    """End an active retention on `on` for `reason`, recording who and on what transfer; the
    check-in plan it opened closes too. The completion of an outgoing transfer calls this in
    its own transaction, so the graduate is never transferred out and still retained.

    Allowed to whoever manages transfers or decides retention for the retained branch, or
    for the unit of the `transfer` that ends it (its completion has checked that scope)."""
    if reason not in Retention.EndReason.values:
        raise ValueError(reason)
    retention = (
        Retention.objects.select_for_update(of=("self",))
        .select_related("person", "branch")
        .get(pk=retention.pk)
    )
    units = [retention.branch] + ([transfer.unit] if transfer is not None else [])
    if actor is not None and not any(
        has_unit_perm(actor, perm, unit) for perm in END_PERMS for unit in units
    ):
        raise PermissionDenied
    if retention.status != Retention.Status.ACTIVE:
        raise ValidationError(
            _("This retention already ended on %(day)s (%(reason)s).")
            % {"day": _iso(retention.ended_on), "reason": retention.get_end_reason_display()}
        )
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    # Conditional on the status: two ends at once cannot both be written.
    changed = Retention.objects.filter(pk=retention.pk, status=Retention.Status.ACTIVE).update(
        status=Retention.Status.ENDED,
        ended_on=on,
        ended_by=_user(actor),
        end_reason=reason,
        end_note=(note or "").strip()[:255],
        ended_by_transfer=transfer,
    )
    if changed != 1:
        raise ValidationError(_("This retention has already ended."))
    retention.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=retention,
        summary=f"{retention.person.name} retention ended {on.isoformat()} {reason}",
        detail={"on": on.isoformat(), "reason": reason, "note": retention.end_note,
                "transfer": transfer.pk if transfer is not None else None},
    )  # fmt: skip
    _close_checkin_plan(retention, str(retention.get_end_reason_display()))
    return retention


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _close_checkin_plan(retention: Retention, why: str) -> None:
    """The graduate no longer checks in as a retained graduate once the retention ends. The
    system closes it (actor None): the caller's scope was checked for the end itself."""
    from education.models import PlanStatus
    from education.services.checkins import checkin_plan_close

    plan = retention.checkin_plan
    if plan is not None and plan.status == PlanStatus.OPEN:
        checkin_plan_close(plan=plan, reason=why, actor=None)


# Two-way examination (双向教育考察制) --------------------------------------------------------


def _require_branch(actor, person: Person) -> None:
    if actor is not None and not has_unit_perm(actor, "change_people", person.unit):
        raise PermissionDenied


@transaction.atomic
def examination_open(
    *, person: Person, employer: str, employer_contact: str = "", on: dt.date, actor
) -> Examination:
    """The branch keeps the examination of a probationary retained graduate whose employer
    will not take their relationship; conversion then waits for the employer's report."""
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    _require_branch(actor, person)
    if person.stage != Stage.PROBATIONARY:
        raise ValidationError(
            _("The two-way examination is for probationary members; %(name)s is %(stage)s.")
            % {"name": person.name, "stage": person.get_stage_display()}
        )
    employer = (employer or "").strip()
    if not employer:
        raise ValidationError(_("Give the employer's name."))
    retention = Retention.objects.filter(person=person, status=Retention.Status.ACTIVE).first()
    if retention is None:
        raise ValidationError(
            _("The two-way examination is for retained graduates; %(name)s is not one.")
            % {"name": person.name}
        )
    if Examination.objects.filter(person=person, is_open=True).exists():
        raise ValidationError(
            _("%(name)s already has an open two-way examination.") % {"name": person.name}
        )
    examination = Examination.objects.create(
        person=person,
        retention=retention,
        employer=employer,
        employer_contact=(employer_contact or "").strip(),
        opened_on=on,
        opened_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=examination,
        summary=f"{person.name} {employer}",
    )
    return examination


def _lock_examination(examination: Examination | int) -> Examination:
    pk = examination if isinstance(examination, int) else examination.pk
    return (
        Examination.objects.select_for_update(of=("self",))
        .select_related("person__unit")
        .get(pk=pk)
    )


def _attach_report(examination: Examination, file, actor, *, via_link: bool) -> Examination:
    if not examination.is_open:
        raise ValidationError(_("This examination is closed."))
    if examination.report_id is not None:
        raise ValidationError(_("The employer's assessment report is already on file."))
    document = document_store(
        file=file,
        kind=REPORT_KIND,
        unit=examination.person.unit,
        person=examination.person,
        actor=actor,
        allowed=REPORT_TYPES,
    )
    examination.report = document
    examination.report_at = timezone.now()
    examination.report_via_link = via_link
    examination.save(update_fields=["report", "report_at", "report_via_link"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=examination,
        summary=f"{examination.person.name} {REPORT_KIND}",
        detail={"document": document.pk, "via_link": via_link},
    )
    return examination


@transaction.atomic
def examination_report_upload(*, examination: Examination, file, actor) -> Examination:
    """The graduate or the branch uploads the employer's assessment report."""
    examination = _lock_examination(examination)
    _require_applicant_or_branch(actor, examination.person)
    return _attach_report(examination, file, actor, via_link=False)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def employer_link_create(*, examination: Examination, actor) -> tuple[EmployerReportLink, str]:
    """A single-use link for the employer; the token is returned once and only its hash is
    kept, so it is shown to the branch now or never."""
    examination = _lock_examination(examination)
    _require_branch(actor, examination.person)
    if not examination.is_open or examination.report_id is not None:
        raise ValidationError(_("The report is already on file; no link is needed."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = EmployerReportLink.objects.create(
        examination=examination,
        token_hash=_hash(token),
        created_by=_user(actor),
        expires_at=clock.employer_link_expires(now),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=link,
        summary=f"{examination.person.name} employer link",
        detail={"expires": link.expires_at.isoformat()},
    )
    return link, token


class LinkInvalid(Exception):
    """Unknown, used, expired, or its examination no longer waits: the view answers 404
    for all of them alike, so a guess learns nothing."""


def employer_link_valid(token: str) -> EmployerReportLink:
    link = (
        EmployerReportLink.objects.select_related("examination__person__unit")
        .filter(token_hash=_hash(token or ""), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if link is None or not link.examination.is_open or link.examination.report_id is not None:
        raise LinkInvalid
    return link


@transaction.atomic
def employer_link_upload(*, token: str, file) -> Examination:
    """The employer's upload through the link: no account, `actor=None`, used once."""
    link = employer_link_valid(token)
    used = EmployerReportLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used != 1:
        raise LinkInvalid
    examination = _lock_examination(link.examination_id)
    return _attach_report(examination, file, None, via_link=True)
