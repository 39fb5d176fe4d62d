"""Issuing, re-issuing and closing introduction letters, and what a printed letter shows.

Serial numbers are unique per issuing committee and year: the committee's counter row for
the year is locked (SELECT ... FOR UPDATE) while a letter takes the next number, and a
unique constraint on (committee, year, number) stands behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from core.uploads import document_store
from development.clock import age_on
from members.excel.columns import SEX_VALUES
from members.models import OrgUnit
from members.models.people import MEMBER_STAGES
from members.services.people import person_reveal_id_number
from transfers import clock
from transfers.models import (
    Category,
    Direction,
    IntroductionLetter,
    LetterCounter,
    LetterIssuer,
    LetterStatus,
    Reach,
    Transfer,
    TransferAction,
    TransferStatus,
)
from transfers.numerals import capital_days, capital_year_month
from transfers.services._common import (
    check_day,
    lock_transfer,
    record,
    require_perm,
    require_status,
    text,
    today,
)
from transfers.services.transfers import complete

ISSUE_PERM = "issue_letters"
RECEIPT_PERM = "manage_transfers"
RECEIPT_KIND = "letter_receipt"


def issuing_committee(unit: OrgUnit) -> OrgUnit:
    """The grassroots committee above `unit` (or the school committee) that signs letters."""
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit.ancestor_ids)}
    chain = [units[pk] for pk in reversed(unit.ancestor_ids) if pk in units]
    for kind in (OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.SCHOOL):
        for candidate in chain:
            if candidate.kind == kind:
                return candidate
    return chain[-1]


def issuer_for(committee: OrgUnit) -> LetterIssuer:
    """The committee's letter particulars; unsaved defaults until the office sets them."""
    issuer = LetterIssuer.objects.filter(committee=committee).first()
    return issuer or LetterIssuer(committee=committee)


def next_letter_number(committee: OrgUnit, year: int) -> int:
    """The next serial of `committee` in `year`, the counter row locked until commit."""
    counter = (
        LetterCounter.objects.select_for_update().filter(committee=committee, year=year).first()
    )
    if counter is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent first letter may win
                LetterCounter.objects.create(committee=committee, year=year)
        except IntegrityError:
            pass
        counter = LetterCounter.objects.select_for_update().get(committee=committee, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def format_serial(issuer: LetterIssuer, year: int, number: int) -> str:
    return f"{issuer.serial_prefix}{year}{number:03d}"


def default_validity(issuer: LetterIssuer, transfer: Transfer, on: dt.date) -> int:
    """Graduates of the year get the graduates' validity; everyone else the common one."""
    graduating = transfer.campaign_year is not None and transfer.campaign_year == on.year
    return issuer.graduate_validity_days if graduating else issuer.validity_days


def _check_validity(days: int) -> int:
    if not 1 <= days <= clock.MAX_VALIDITY_DAYS:
        raise ValidationError(
            _("A letter is valid for 1 to %(max)d days (at most three months).")
            % {"max": clock.MAX_VALIDITY_DAYS}
        )
    return days


def _dues_month(transfer: Transfer, given: dt.date | None) -> dt.date:
    dues = given or transfer.person.dues_paid_through
    if dues is None:
        raise ValidationError(
            _("Up to which month are %(name)s's dues paid? The letter must say.")
            % {"name": transfer.person.name}
        )
    return dues.replace(day=1)


def _from_org(issuer: LetterIssuer, committee: OrgUnit, unit: OrgUnit) -> str:
    head = issuer.formal_name or committee.name
    return head if unit.pk == committee.pk else f"{head}{unit.name}"


def _new_letter(
    *,
    transfer: Transfer,
    validity_days: int | None,
    dues_paid_through: dt.date | None,
    member_contact: str,
    on: dt.date,
    actor,
    reissue_of: IntroductionLetter | None = None,
) -> IntroductionLetter:
    person = transfer.person
    committee = issuing_committee(transfer.unit)
    issuer = issuer_for(committee)
    days = _check_validity(validity_days or default_validity(issuer, transfer, on))
    dues = _dues_month(transfer, dues_paid_through)
    number = next_letter_number(committee, on.year)
    valid_until = clock.letter_valid_until(on, days)
    letter = IntroductionLetter.objects.create(
        transfer=transfer,
        committee=committee,
        year=on.year,
        number=number,
        serial=format_serial(issuer, on.year, number),
        reissue_of=reissue_of,
        heading=transfer.other_heading,
        person_name=person.name,
        sex=SEX_VALUES.get(person.sex, ""),  # the letter is Chinese whatever the UI language
        age=age_on(person.birth_date, on) if person.birth_date else None,
        ethnicity=person.ethnicity,
        category=transfer.category or Category.PROBATIONARY,
        from_org=_from_org(issuer, committee, transfer.unit),
        to_org=f"{transfer.other_heading}{transfer.other_branch}",
        dues_paid_through=dues,
        validity_days=days,
        issued_on=on,
        valid_until=valid_until,
        receipt_due=clock.receipt_due(valid_until),
        member_contact=(member_contact or transfer.contact or person.mobile)[:160],
        issuer_address=issuer.address,
        issuer_phone=issuer.phone,
        issuer_fax=issuer.fax,
        issuer_postcode=issuer.postcode,
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=letter,
        summary=f"{letter.serial} {person.name} → {letter.heading}",
        detail={"transfer": transfer.pk, "reissue_of": reissue_of.pk if reissue_of else None},
    )
    return letter


@transaction.atomic
def letter_issue(
    *,
    transfer: Transfer,
    validity_days: int | None = None,
    dues_paid_through: dt.date | None = None,
    member_contact: str = "",
    on: dt.date | None = None,
    actor,
) -> IntroductionLetter:
    """The paper letter of an outgoing transfer outside the province (committee office)."""
    transfer = lock_transfer(transfer)
    require_perm(actor, ISSUE_PERM, transfer.unit)
    if transfer.direction != Direction.OUTGOING:
        raise ValidationError(_("Letters are issued for outgoing transfers only."))
    if transfer.reach != Reach.OUT_OF_PROVINCE:
        raise ValidationError(
            _(
                "Within the province the transfer goes through the online Party system; no "
                "paper letter is issued."
            )
        )
    live = transfer.letters.filter(status=LetterStatus.ISSUED).first()
    if live is not None:
        raise ValidationError(
            _("Letter %(serial)s is already out; it can be re-issued once it has expired.")
            % {"serial": live.serial}
        )
    require_status(
        transfer,
        (TransferStatus.REQUESTED,),
        _("A letter is issued for a requested transfer; this one is %(status)s."),
    )
    if transfer.person.stage not in MEMBER_STAGES:
        raise ValidationError(
            _("%(name)s is no longer a member; no letter can be issued.")
            % {"name": transfer.person.name}
        )
    day = check_day(on, not_before=transfer.requested_on, what=_("the request"))
    letter = _new_letter(
        transfer=transfer,
        validity_days=validity_days,
        dues_paid_through=dues_paid_through,
        member_contact=member_contact,
        on=day,
        actor=actor,
    )
    record(
        transfer=transfer,
        action=TransferAction.LETTER_ISSUED,
        on=day,
        actor=actor,
        status=TransferStatus.SENT,
        evidence=letter.serial,
    )
    return letter


def _lock_letter(letter: IntroductionLetter) -> IntroductionLetter:
    return (
        IntroductionLetter.objects.select_for_update()
        .select_related("transfer__unit", "transfer__person")
        .get(pk=letter.pk)
    )


def _require_issued(letter: IntroductionLetter) -> None:
    if letter.status == LetterStatus.REISSUED:
        successor = IntroductionLetter.objects.filter(reissue_of=letter).first()
        raise ValidationError(
            _("Letter %(serial)s was re-issued as %(new)s; use the new letter.")
            % {"serial": letter.serial, "new": successor.serial if successor else ""}
        )
    if letter.status != LetterStatus.ISSUED:
        raise ValidationError(
            _("Letter %(serial)s is %(status)s.")
            % {"serial": letter.serial, "status": letter.get_status_display()}
        )


@transaction.atomic
def letter_reissue(
    *,
    letter: IntroductionLetter,
    validity_days: int | None = None,
    dues_paid_through: dt.date | None = None,
    on: dt.date | None = None,
    actor,
) -> IntroductionLetter:
    """A new letter (new number) for one that expired without a receipt, within six months
    of its expiry; the old one is marked re-issued."""
    transfer = lock_transfer(letter.transfer_id)
    letter = _lock_letter(letter)
    require_perm(actor, ISSUE_PERM, transfer.unit)
    _require_issued(letter)
    day = check_day(on)
    if not clock.letter_expired(letter.valid_until, day):
        raise ValidationError(
            _("Letter %(serial)s is valid until %(until)s; re-issue it only once it has expired.")
            % {"serial": letter.serial, "until": letter.valid_until.isoformat()}
        )
    if not clock.can_reissue(letter.valid_until, day):
        raise ValidationError(
            _(
                "Letter %(serial)s expired more than six months ago (re-issue was possible "
                "until %(until)s); cancel this transfer and start a new one."
            )
            % {
                "serial": letter.serial,
                "until": clock.reissue_until(letter.valid_until).isoformat(),
            }
        )
    letter.status = LetterStatus.REISSUED
    letter.save(update_fields=["status"])
    new = _new_letter(
        transfer=transfer,
        validity_days=validity_days or letter.validity_days,
        dues_paid_through=dues_paid_through or letter.dues_paid_through,
        member_contact=letter.member_contact,
        on=day,
        actor=actor,
        reissue_of=letter,
    )
    record(
        transfer=transfer,
        action=TransferAction.LETTER_REISSUED,
        on=day,
        actor=actor,
        note=f"{letter.serial} → {new.serial}",
        evidence=new.serial,
    )
    return new


@transaction.atomic
def letter_register_receipt(
    *,
    letter: IntroductionLetter,
    received_on: dt.date | None = None,
    receipt_from: str = "",
    file=None,
    actor,
) -> IntroductionLetter:
    """The return slip has come back: the letter closes and the transfer completes."""
    transfer = lock_transfer(letter.transfer_id)
    letter = _lock_letter(letter)
    require_perm(actor, RECEIPT_PERM, transfer.unit)
    _require_issued(letter)
    require_status(
        transfer,
        (TransferStatus.SENT,),
        _("Only a transfer under way can be completed; this one is %(status)s."),
    )
    day = check_day(received_on, not_before=letter.issued_on, what=_("the letter's issue"))
    sender = text(
        receipt_from or transfer.other_heading, _("Say which committee sent the receipt back.")
    )
    document = None
    if file is not None:
        document = document_store(
            file=file, kind=RECEIPT_KIND, unit=transfer.unit, person=transfer.person, actor=actor
        )
    IntroductionLetter.objects.filter(pk=letter.pk).update(
        status=LetterStatus.CLOSED,
        receipt_on=day,
        receipt_by=actor if actor is not None and actor.is_authenticated else None,
        receipt_from=sender[:160],
        receipt_document=document,
    )
    letter.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=letter,
        summary=f"{letter.serial} receipt {day.isoformat()} {sender}",
    )
    complete(transfer=transfer, on=day, evidence=f"{letter.serial} {sender}", actor=actor)
    return letter


# ---------------------------------------------------------------------------------------
# What is printed


@dataclass(frozen=True)
class PrintedLetter:
    letter: IntroductionLetter
    id_number: str
    category_text: str
    dues_text: str
    validity_text: str
    issued_text: str


def letter_printout(*, letter: IntroductionLetter, actor) -> PrintedLetter:
    """The letter's printed fields; the ID number is decrypted and the reveal recorded."""
    transfer = letter.transfer
    require_perm(actor, ISSUE_PERM, transfer.unit)
    id_number = person_reveal_id_number(person=transfer.person, actor=actor) if actor else ""
    return PrintedLetter(
        letter=letter,
        id_number=id_number,
        category_text="正式" if letter.category == Category.FULL else "预备",
        dues_text=capital_year_month(letter.dues_paid_through),
        validity_text=capital_days(letter.validity_days),
        issued_text=f"{letter.issued_on.year}年{letter.issued_on.month}月{letter.issued_on.day}日",
    )


def letter_flags(letter: IntroductionLetter, on: dt.date | None = None) -> dict[str, bool]:
    """What a list shows beside a letter, from the one clock."""
    day = on or today()
    live = letter.status == LetterStatus.ISSUED
    return {
        "expired": live and clock.letter_expired(letter.valid_until, day),
        "overdue": live and clock.receipt_overdue(letter.valid_until, day),
        "can_reissue": live and clock.can_reissue(letter.valid_until, day),
    }


@transaction.atomic
def issuer_update(*, committee: OrgUnit, actor, **fields) -> LetterIssuer:
    """Set what a committee prints on its letters and its validity defaults."""
    require_perm(actor, ISSUE_PERM, committee)
    if committee.kind not in (OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.SCHOOL):
        raise ValidationError(_("Letters are issued by a committee."))
    for key in ("validity_days", "graduate_validity_days"):
        if key in fields:
            _check_validity(fields[key])
    issuer, _created = LetterIssuer.objects.select_for_update().get_or_create(committee=committee)
    for name, value in fields.items():
        setattr(issuer, name, value)
    issuer.full_clean()
    issuer.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=issuer, summary=str(committee),
        detail={k: str(v) for k, v in fields.items()},
    )  # fmt: skip
    return issuer
