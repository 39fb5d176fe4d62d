"""Starting, advancing, completing and cancelling transfers. Each is one guarded service:
it locks the transfer, checks the actor's scope and the transfer's status, and records the
change (transfers/services/_common.record). Completing an outgoing transfer moves the person
to "transferred out" through development's recorded stage change, never otherwise, and
ends the person's retention as a retained graduate, if any, in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from development.services._common import change_person, lock
from members.models import Person, Stage
from members.models.people import MEMBER_STAGES
from transfers.models import (
    OPEN_STATUSES,
    Category,
    DestinationKind,
    Direction,
    LetterStatus,
    Reach,
    Transfer,
    TransferAction,
    TransferStatus,
)
from transfers.services._common import (
    check_day,
    lock_transfer,
    record,
    require_perm,
    require_status,
    text,
)

PERM = "manage_transfers"


def _category_of(person: Person) -> str:
    return Category.FULL if person.stage == Stage.FULL else Category.PROBATIONARY


def _require_no_open_transfer(person: Person) -> None:
    if Transfer.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("%(name)s already has a transfer under way; finish or cancel it first.")
            % {"name": person.name}
        )


def _create(person: Person, actor, **fields) -> Transfer:
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                person=person,
                unit=person.unit,
                created_by=actor if actor is not None and actor.is_authenticated else None,
                campaign_year=(
                    person.expected_graduation.year if person.expected_graduation else None
                ),
                **fields,
            )
    except IntegrityError:  # a concurrent start won the race
        _require_no_open_transfer(person)
        raise
    return transfer


@transaction.atomic
def transfer_start(
    *,
    person: Person,
    destination_kind: str,
    reach: str,
    other_heading: str,
    other_committee: str = "",
    other_branch: str = "",
    contact: str = "",
    reason: str = "",
    requested_on: dt.date | None = None,
    actor,
) -> Transfer:
    """An outgoing transfer, requested by the member and started by the branch."""
    person = lock(person)
    require_perm(actor, PERM, person.unit)
    errors = []
    if person.removed_at is not None:
        errors.append(_("%(name)s has been removed.") % {"name": person.name})
    if person.stage not in MEMBER_STAGES:
        errors.append(
            _(
                "Only probationary and full members have an organization relationship to "
                "transfer; %(name)s is %(stage)s."
            )
            % {"name": person.name, "stage": person.get_stage_display()}
        )
    if destination_kind not in DestinationKind.values:
        errors.append(_("Say where the relationship goes (the kind of destination)."))
    if reach not in Reach.values:
        errors.append(_("Say whether the transfer is within or outside the province."))
    if not (other_heading or "").strip():
        errors.append(
            _("Give the receiving organization's exact heading as the letter must show it.")
        )
    if errors:
        raise ValidationError(errors)
    _require_no_open_transfer(person)
    on = check_day(requested_on)
    transfer = _create(
        person,
        actor,
        direction=Direction.OUTGOING,
        destination_kind=destination_kind,
        reach=reach,
        other_committee=other_committee.strip(),
        other_heading=other_heading.strip(),
        other_branch=other_branch.strip(),
        category=_category_of(person),
        contact=contact.strip() or person.mobile,
        reason=reason.strip(),
        requested_on=on,
    )
    record(transfer=transfer, action=TransferAction.STARTED, on=on, actor=actor, note=reason)
    return transfer


@transaction.atomic
def transfer_register_incoming(
    *,
    person: Person,
    reach: str,
    other_heading: str,
    category: str,
    incoming_letter_number: str = "",
    online_reference: str = "",
    reason: str = "",
    requested_on: dt.date | None = None,
    actor,
) -> Transfer:
    """A member whose relationship is coming to one of our branches."""
    person = lock(person)
    require_perm(actor, PERM, person.unit)
    errors = []
    if person.removed_at is not None:
        errors.append(_("%(name)s has been removed.") % {"name": person.name})
    if person.stage in MEMBER_STAGES:
        errors.append(
            _("%(name)s is already a member here; there is nothing to receive.")
            % {"name": person.name}
        )
    if reach not in Reach.values:
        errors.append(_("Say whether the transfer is within or outside the province."))
    if category not in Category.values:
        errors.append(_("Say whether the member is a full or a probationary member."))
    if not (other_heading or "").strip():
        errors.append(_("Give the name of the sending organization."))
    if reach == Reach.OUT_OF_PROVINCE and not incoming_letter_number.strip():
        errors.append(_("From outside the province a paper letter comes: give its number."))
    if errors:
        raise ValidationError(errors)
    _require_no_open_transfer(person)
    on = check_day(requested_on)
    transfer = _create(
        person,
        actor,
        direction=Direction.INCOMING,
        reach=reach,
        other_heading=other_heading.strip(),
        category=category,
        incoming_letter_number=incoming_letter_number.strip(),
        online_reference=online_reference.strip(),
        reason=reason.strip(),
        requested_on=on,
    )
    record(transfer=transfer, action=TransferAction.REGISTERED, on=on, actor=actor, note=reason)
    return transfer


@transaction.atomic
def transfer_record_online(
    *, transfer: Transfer, reference: str, on: dt.date | None = None, actor
) -> Transfer:
    """The reference of the transfer in the online Party system. Within the province this
    sends the transfer on its way; outside it the paper letter does that."""
    transfer = lock_transfer(transfer)
    require_perm(actor, PERM, transfer.unit)
    require_status(
        transfer,
        OPEN_STATUSES,
        _("Only a transfer under way takes an online reference; this one is %(status)s."),
    )
    reference = text(reference, _("Give the reference the online Party system shows."))
    day = check_day(on, not_before=transfer.requested_on, what=_("the request"))
    Transfer.objects.filter(pk=transfer.pk).update(online_reference=reference[:64])
    transfer.online_reference = reference[:64]
    moves = transfer.reach == Reach.IN_PROVINCE and transfer.status == TransferStatus.REQUESTED
    record(
        transfer=transfer,
        action=TransferAction.ONLINE_REFERENCE,
        on=day,
        actor=actor,
        status=TransferStatus.SENT if moves else None,
        evidence=reference,
    )
    return transfer


@transaction.atomic
def transfer_complete(
    *, transfer: Transfer, on: dt.date | None = None, evidence: str = "", actor
) -> Transfer:
    """The receiving side has taken the relationship over (or, incoming, we have).

    An outgoing transfer outside the province completes only when its letter's receipt is
    registered (letters.letter_register_receipt)."""
    transfer = lock_transfer(transfer)
    require_perm(actor, PERM, transfer.unit)
    require_status(
        transfer,
        OPEN_STATUSES,
        _("Only a transfer under way can be completed; this one is %(status)s."),
    )
    if transfer.direction == Direction.OUTGOING:
        if transfer.reach == Reach.OUT_OF_PROVINCE:
            raise ValidationError(
                _(
                    "A transfer outside the province is completed by registering the receipt "
                    "of its introduction letter."
                )
            )
        if transfer.status != TransferStatus.SENT:
            raise ValidationError(
                _("Record the online system's reference before completing the transfer.")
            )
        evidence = text(
            evidence, _("Say how the receiving organization confirmed it (the evidence).")
        )
    day = check_day(on, not_before=transfer.requested_on, what=_("the request"))
    return complete(transfer=transfer, on=day, evidence=evidence, actor=actor)


def complete(*, transfer: Transfer, on: dt.date, evidence: str, actor) -> Transfer:
    """Completion itself, for a transfer already locked and checked (also used by letters)."""
    person = lock(transfer.person)
    if transfer.direction == Direction.OUTGOING:
        if person.stage not in MEMBER_STAGES:
            raise ValidationError(
                _("%(name)s is %(stage)s, not a member; the transfer cannot complete.")
                % {"name": person.name, "stage": person.get_stage_display()}
            )
        change_person(
            person=person,
            actor=actor,
            reason=_("Organization relationship transferred out to %(to)s")
            % {"to": transfer.other_heading},
            stage=Stage.TRANSFERRED_OUT,
            on=on,
        )
        _end_mobile_period(person, on, actor)
        _end_retention(person, transfer, on, actor)
    elif person.stage not in MEMBER_STAGES:
        stage = Stage.FULL if transfer.category == Category.FULL else Stage.PROBATIONARY
        change_person(
            person=person,
            actor=actor,
            reason=_("Organization relationship received from %(sender)s")
            % {"sender": transfer.other_heading},
            stage=stage,
            on=on,
        )
    record(
        transfer=transfer,
        action=TransferAction.COMPLETED,
        on=on,
        actor=actor,
        status=TransferStatus.COMPLETED,
        evidence=evidence,
    )
    transfer.person = person
    return transfer


def _end_mobile_period(person: Person, on: dt.date, actor) -> None:
    from transfers.services.mobile import end_open_period

    end_open_period(person=person, on=on, actor=actor, why="transferred out")


def _end_retention(person: Person, transfer: Transfer, on: dt.date, actor) -> None:
    """A retained graduate who transfers out is retained no more (seed 000)."""
    from transfers.models import Retention
    from transfers.services.retention import retention_end

    retention = Retention.objects.filter(person=person, status=Retention.Status.ACTIVE).first()
    if retention is not None:
        retention_end(
            retention=retention,
            on=on,
            reason=Retention.EndReason.TRANSFERRED_OUT,
            note=transfer.other_heading,
            transfer=transfer,
            actor=actor,
        )


@transaction.atomic
def transfer_cancel(
    *, transfer: Transfer, reason: str, on: dt.date | None = None, actor
) -> Transfer:
    """Withdraw a transfer that has not completed; a letter still out becomes void."""
    transfer = lock_transfer(transfer)
    require_perm(actor, PERM, transfer.unit)
    require_status(
        transfer,
        OPEN_STATUSES,
        _("Only a transfer under way can be cancelled; this one is %(status)s."),
    )
    reason = text(reason, _("Say why the transfer is cancelled."))
    day = check_day(on)
    voided = []
    for letter in transfer.letters.select_for_update().filter(status=LetterStatus.ISSUED):
        letter.status = LetterStatus.VOIDED
        letter.save(update_fields=["status"])
        voided.append(letter.serial)
        audit_record(
            actor=actor, action=AuditEvent.Action.UPDATE, target=letter,
            summary=f"{letter.serial} void: {reason}",
        )  # fmt: skip
    note = reason + (f" ({', '.join(voided)})" if voided else "")
    record(
        transfer=transfer,
        action=TransferAction.CANCELLED,
        on=day,
        actor=actor,
        status=TransferStatus.CANCELLED,
        note=note,
    )
    return transfer
