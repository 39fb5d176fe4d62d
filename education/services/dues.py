"""Party dues (2008 《关于中国共产党党费收缴、使用和管理的规定》).

Students pay 0.20 yuan a month. Graduate students with a stipend pay on it at the salaried
rates, each applied to the whole monthly amount (not progressively): 0.5 % up to and
including 3000 yuan, 1 % above 3000 up to 5000, 1.5 % above 5000 up to 10000, 2 % above
10000. Amounts are Decimal, rounded to the fen with ROUND_HALF_UP. Probationary members pay
from the month the branch meeting admits them (Person.joined_on). Paying late or ahead is
limited to six months. Person.dues_paid_through (the first day of the last month paid) is
kept current in the same transaction as the payments, by one set-based UPDATE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from development.clock import add_months
from education import cadence
from education.models import DuesAccount, DuesBasis, DuesPayment, PaymentSource
from members.models import Person
from members.models.people import MEMBER_STAGES
from members.scoping import has_unit_perm

PERM = "manage_dues"
FEN = Decimal("0.01")
STUDENT_MONTHLY = Decimal("0.20")
# (upper bound of the monthly income, inclusive; rate on the whole amount)
SALARY_BRACKETS: tuple[tuple[Decimal, Decimal], ...] = (
    (Decimal(3000), Decimal("0.005")),
    (Decimal(5000), Decimal("0.01")),
    (Decimal(10000), Decimal("0.015")),
)
TOP_RATE = Decimal("0.02")


def today() -> dt.date:
    return timezone.localdate()


def fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def salary_rate(income: Decimal) -> Decimal:
    for upper, rate in SALARY_BRACKETS:
        if income <= upper:
            return rate
    return TOP_RATE


def monthly_dues(basis: str, income: Decimal | None) -> Decimal:
    """What a member pays a month on `basis` (and the stipend, for a graduate student)."""
    if basis == DuesBasis.STIPEND:
        if income is None or income <= 0:
            return STUDENT_MONTHLY
        return fen(Decimal(income) * salary_rate(Decimal(income)))
    return STUDENT_MONTHLY


def dues_of(person: Person) -> Decimal:
    """`person`'s monthly dues (select `dues_account` with the person to save a query)."""
    try:
        account = person.dues_account
    except DuesAccount.DoesNotExist:
        return STUDENT_MONTHLY
    return monthly_dues(account.basis, account.monthly_income)


def first_owed_month(person: Person) -> dt.date | None:
    """Dues are owed from the month the branch meeting admitted the member."""
    return cadence.first_of_month(person.joined_on) if person.joined_on else None


def unpaid_months(person: Person, paid: set[dt.date], *, on: dt.date) -> list[dt.date]:
    """Months owed and not paid that can still be paid on `on`: from the month of admission
    (at most six months back) to the current month."""
    first = first_owed_month(person)
    if first is None or person.stage not in MEMBER_STAGES:
        return []
    start = max(first, add_months(cadence.first_of_month(on), -cadence.DUES_LIMIT_MONTHS))
    current = cadence.first_of_month(on)
    if start > current:
        return []
    return [m for m in cadence.month_range(start, current) if m not in paid]


def _require(actor, person: Person) -> None:
    if actor is not None and not has_unit_perm(actor, PERM, person.unit):
        raise PermissionDenied


def _user(actor):
    return actor if actor is not None and actor.is_authenticated else None


@transaction.atomic
def dues_account_set(*, person: Person, basis: str, monthly_income: Decimal | None, actor):
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    _require(actor, person)
    if basis not in DuesBasis.values:
        raise ValidationError({"basis": _("Choose student or graduate student with a stipend.")})
    if basis == DuesBasis.STIPEND and (monthly_income is None or monthly_income <= 0):
        raise ValidationError({"monthly_income": _("Give the monthly stipend in yuan.")})
    if basis == DuesBasis.STUDENT:
        monthly_income = None
    account, _created = DuesAccount.objects.update_or_create(
        person=person,
        defaults={"basis": basis, "monthly_income": monthly_income, "updated_by": _user(actor)},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=account,
        summary=f"{person.name} dues basis {basis}",
        detail={"monthly_income": str(monthly_income) if monthly_income is not None else None,
                "monthly_dues": str(monthly_dues(basis, monthly_income))},
    )  # fmt: skip
    return account


# ---- the rules a payment must meet ---------------------------------------------------------


def payment_problems(
    person: Person, month: dt.date, paid_on: dt.date, *, on: dt.date, paid: set[dt.date]
) -> list[str]:
    """Why `person` cannot pay for `month` on `paid_on` (empty: they can). `paid` holds the
    months already paid."""
    label = f"{month:%Y-%m}"
    if person.removed_at is not None or person.stage not in MEMBER_STAGES:
        return [_("%(name)s is not a Party member; only members pay dues.") % {"name": person.name}]
    problems = []
    first = first_owed_month(person)
    if first is None:
        problems.append(
            _("The date %(name)s joined the Party is not recorded; dues are paid from that month.")
            % {"name": person.name}
        )
    elif month < first:
        problems.append(
            _("%(name)s was admitted on %(day)s and pays dues from %(first)s, not %(month)s.")
            % {"name": person.name, "day": person.joined_on.isoformat(),
               "first": f"{first:%Y-%m}", "month": label}
        )  # fmt: skip
    if paid_on > on:
        problems.append(_("The payment date %(day)s is in the future.") % {"day": paid_on})
    late = cadence.months_between(month, paid_on)
    if late > cadence.DUES_LIMIT_MONTHS:
        problems.append(
            _("Dues can be paid at most %(limit)s months late; paying %(month)s on %(day)s "
              "would be %(n)s months late.")
            % {"limit": cadence.DUES_LIMIT_MONTHS, "month": label, "day": paid_on, "n": late}
        )  # fmt: skip
    if -late > cadence.DUES_LIMIT_MONTHS:
        problems.append(
            _("Dues can be paid at most %(limit)s months ahead; paying %(month)s on %(day)s "
              "would be %(n)s months ahead.")
            % {"limit": cadence.DUES_LIMIT_MONTHS, "month": label, "day": paid_on, "n": -late}
        )  # fmt: skip
    if month in paid:
        problems.append(_("%(month)s is already paid.") % {"month": label})
    return problems


@dataclass(frozen=True)
class Entry:
    person: Person
    month: dt.date
    paid_on: dt.date
    amount: Decimal | None = None  # None: the member's monthly dues
    note: str = ""


def entry_problems(entry: Entry, *, on: dt.date, paid: set[dt.date]) -> list[str]:
    problems = payment_problems(entry.person, entry.month, entry.paid_on, on=on, paid=paid)
    due = dues_of(entry.person)
    if entry.amount is not None and fen(entry.amount) < due:
        problems.append(
            _("%(amount)s yuan is less than %(name)s's monthly dues of %(due)s yuan.")
            % {"amount": fen(entry.amount), "name": entry.person.name, "due": due}
        )
    return problems


def paid_months(person_ids: Iterable[int]) -> dict[int, set[dt.date]]:
    found: dict[int, set[dt.date]] = {}
    for person_id, month in DuesPayment.objects.filter(person_id__in=list(person_ids)).values_list(
        "person_id", "month"
    ):
        found.setdefault(person_id, set()).add(month)
    return found


@transaction.atomic
def dues_record_many(
    *, entries: Sequence[Entry], actor, source: str = PaymentSource.RECORDED
) -> list[DuesPayment]:
    """Record every entry or none: each is checked (scope, membership, first month, the
    six-month limits, not paid twice, not less than the dues) and any problem refuses all,
    each problem naming the person and month."""
    if not entries:
        raise ValidationError(_("Nothing to record."))
    ids = sorted({e.person.pk for e in entries})
    locked = {
        p.pk: p
        # Lock the people only: the account is read through an outer join.
        for p in Person.objects.select_for_update(of=("self",))
        .select_related("unit", "dues_account")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    for person in locked.values():
        _require(actor, person)
    paid = paid_months(ids)
    on = today()
    problems: list[str] = []
    payments: list[DuesPayment] = []
    for entry in entries:
        entry = Entry(locked[entry.person.pk], entry.month, entry.paid_on, entry.amount, entry.note)
        months = paid.setdefault(entry.person.pk, set())
        problems += entry_problems(entry, on=on, paid=months)
        months.add(entry.month)
        payments.append(
            DuesPayment(
                person=entry.person,
                month=entry.month,
                amount=fen(entry.amount) if entry.amount is not None else dues_of(entry.person),
                paid_on=entry.paid_on,
                source=source,
                note=entry.note[:255],
                recorded_by=_user(actor),
            )
        )
    if problems:
        raise ValidationError(problems)
    created = DuesPayment.objects.bulk_create(payments)
    refresh_paid_through(ids)
    imported = source == PaymentSource.IMPORTED
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT if imported else AuditEvent.Action.CREATE,
        target_type=DuesPayment._meta.label_lower,
        summary=f"dues: {len(created)} months for {len(ids)} people",
        detail={"people": ids[:200], "months": sorted({f"{p.month:%Y-%m}" for p in created}),
                "total": str(sum((p.amount for p in created), Decimal(0)))},
    )  # fmt: skip
    return created


def dues_record(
    *,
    person: Person,
    first_month: dt.date,
    last_month: dt.date | None = None,
    paid_on: dt.date,
    actor,
    note: str = "",
) -> list[DuesPayment]:
    """One member's dues for `first_month` through `last_month` (one month if None)."""
    last = last_month or first_month
    if last < first_month:
        raise ValidationError({"last_month": _("The last month is before the first.")})
    months = cadence.month_range(first_month, last)
    if len(months) > 2 * cadence.DUES_LIMIT_MONTHS + 1:
        raise ValidationError(
            _("At most %(n)s months can be paid at once (six late, this month, six ahead).")
            % {"n": 2 * cadence.DUES_LIMIT_MONTHS + 1}
        )
    return dues_record_many(
        entries=[Entry(person, m, paid_on, note=note) for m in months], actor=actor
    )


def refresh_paid_through(person_ids: Iterable[int]) -> int:
    """Person.dues_paid_through = the latest month paid, for these people, in one UPDATE."""
    latest = (
        DuesPayment.objects.filter(person_id=OuterRef("pk")).order_by("-month").values("month")[:1]
    )
    return Person.objects.filter(pk__in=list(person_ids)).update(dues_paid_through=Subquery(latest))
