"""Check-in periods and due dates, and the month arithmetic of Party dues, in one place.

A plan starting on S with a cadence of "every N weeks" or "every N months" has periods
[S + k·step, S + (k+1)·step − 1 day]; a period's check-in is due on its last day, and the
last period ends with the plan. Month steps are always counted from S (never chained), so
a plan starting on 31 January has periods starting 28/29 February, 31 March, 30 April, ...
A check-in is late from the day after its due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Expression, ExpressionWrapper, F, Func, Value, When
from django.db.models.functions import Cast, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan

from core.sqltools import AddMonths
from development.clock import add_months

WEEK = "week"
MONTH = "month"
UNITS = (WEEK, MONTH)
ONE_DAY = dt.timedelta(days=1)
# The longest plan the service accepts: retention lasts at most two years (2019 条例); a
# margin lets a plan cover a retention that is extended once. It bounds every loop here.
MAX_PLAN_DAYS = 366 * 3


@dataclass(frozen=True)
class Cadence:
    unit: str
    every: int

    def __post_init__(self) -> None:
        if self.unit not in UNITS or self.every < 1:
            raise ValueError(f"bad cadence {self.unit!r} × {self.every!r}")

    def start_of(self, starts_on: dt.date, index: int) -> dt.date:
        """The first day of period `index` (0-based) of a plan starting on `starts_on`."""
        if self.unit == WEEK:
            return starts_on + dt.timedelta(weeks=self.every * index)
        return add_months(starts_on, self.every * index)


@dataclass(frozen=True)
class Period:
    index: int
    start: dt.date
    due: dt.date  # the last day of the period: the check-in is due by the end of it

    def is_late_on(self, day: dt.date) -> bool:
        return day > self.due

    def has_started_on(self, day: dt.date) -> bool:
        return day >= self.start


def period(starts_on: dt.date, ends_on: dt.date, cadence: Cadence, index: int) -> Period | None:
    """Period `index` of the plan, or None when the plan has ended before it starts."""
    if index < 0:
        return None
    start = cadence.start_of(starts_on, index)
    if start > ends_on:
        return None
    due = min(cadence.start_of(starts_on, index + 1) - ONE_DAY, ends_on)
    return Period(index=index, start=start, due=due)


def periods(
    starts_on: dt.date, ends_on: dt.date, cadence: Cadence, *, until: dt.date | None = None
) -> list[Period]:
    """Every period of the plan, or only those that have started by `until`."""
    last = ends_on if until is None else min(ends_on, until)
    found: list[Period] = []
    index = 0
    while (p := period(starts_on, ends_on, cadence, index)) is not None and p.start <= last:
        found.append(p)
        index += 1
    return found


def period_on(
    starts_on: dt.date, ends_on: dt.date, cadence: Cadence, day: dt.date
) -> Period | None:
    """The period `day` falls in, or None before the plan starts or after it ends."""
    if day < starts_on or day > ends_on:
        return None
    if cadence.unit == WEEK:
        index = (day - starts_on).days // (7 * cadence.every)
    else:
        months = (day.year - starts_on.year) * 12 + day.month - starts_on.month
        index = max(months // cadence.every, 0)
        # The month count overshoots when `day` is before the step's day of the month.
        while index > 0 and cadence.start_of(starts_on, index) > day:
            index -= 1
    return period(starts_on, ends_on, cadence, index)


# ---- the same periods, counted by the database ---------------------------------------------
#
# The branch's late lists count periods for every plan at once, so the arithmetic above is
# restated as SQL expressions (SQLite and PostgreSQL). Tests check that they agree with
# `periods` / `period_state` day by day, at every edge.
#
# steps(d) = the number of whole steps from S by day d = #{j ≥ 1 : start_of(S, j) ≤ d}.
# Period k has ended (its due date is before `today`) when start_of(S, k + 1) ≤ today, or
# when the plan itself has ended before today; so the number of periods that have ended is
#   0                  when today < S,
#   steps(E) + 1       when E < today (every period: those that start by E),
#   steps(today)       otherwise.


class DaysBetween(Func):
    """Whole days from `earlier` to `later` (a negative number when reversed)."""

    output_field = models.IntegerField()

    def __init__(self, later, earlier, **extra) -> None:
        super().__init__(later, earlier, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        later, lp = compiler.compile(self.source_expressions[0])
        earlier, ep = compiler.compile(self.source_expressions[1])
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)", [*lp, *ep]

    def as_postgresql(self, compiler, connection, **extra):
        later, lp = compiler.compile(self.source_expressions[0])
        earlier, ep = compiler.compile(self.source_expressions[1])
        return f"(({later})::date - ({earlier})::date)", [*lp, *ep]

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - other databases
        raise NotImplementedError(f"DaysBetween on {connection.vendor}")


INT = models.IntegerField()


def _date(value) -> Expression:
    if isinstance(value, dt.date):
        return Value(value, output_field=models.DateField())
    return F(value) if isinstance(value, str) else value


def _month_number(day) -> Expression:
    if isinstance(day, dt.date):
        return Value(month_number(day), output_field=INT)
    # Cast: PostgreSQL's EXTRACT is numeric, and the steps below divide as integers.
    year, month = Cast(ExtractYear(_date(day)), INT), Cast(ExtractMonth(_date(day)), INT)
    return ExpressionWrapper(year * 12 + month - 1, INT)


def sql_steps(starts_on: str, unit: str, every: str, day) -> Expression:
    """steps(day) for the plan fields `starts_on`, `unit` and `every` (day ≥ starts_on):
    weeks by days elapsed; months by calendar months elapsed, one fewer when the last step
    (add_months, clamped to the month's end as AddMonths does) falls after `day`."""
    weeks = ExpressionWrapper(DaysBetween(_date(day), F(starts_on)) / (F(every) * 7), INT)
    months = ExpressionWrapper((_month_number(day) - _month_number(starts_on)) / F(every), INT)
    overshoot = Case(
        When(GreaterThan(AddMonths(F(starts_on), months * F(every)), _date(day)), then=1),
        default=0,
        output_field=INT,
    )
    return Case(
        When(**{unit: WEEK}, then=weeks),
        default=ExpressionWrapper(months - overshoot, INT),
        output_field=INT,
    )


def sql_ended_periods(starts_on: str, ends_on: str, unit: str, every: str, today: dt.date):
    """How many periods of the plan have ended by `today` (see above), as an expression over
    the field names given (a plan's, or annotations holding one kind's cadence)."""
    return Case(
        When(**{f"{starts_on}__gt": today}, then=Value(0)),
        When(
            **{f"{ends_on}__lt": today},
            then=ExpressionWrapper(sql_steps(starts_on, unit, every, ends_on) + 1, INT),
        ),
        default=sql_steps(starts_on, unit, every, today),
        output_field=INT,
    )


# ---- Party dues: months are the first day of the month ------------------------------------

DUES_LIMIT_MONTHS = 6  # paying late or ahead is limited to six months (2008 规定)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_number(day: dt.date) -> int:
    """Months since year 0, so that two months subtract to the months between them."""
    return day.year * 12 + day.month - 1


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from `earlier`'s month to `later`'s (negative if reversed)."""
    return month_number(later) - month_number(earlier)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of every month from `first`'s month to `last`'s, inclusive."""
    start = first_of_month(first)
    return [add_months(start, k) for k in range(months_between(start, last) + 1)]


def parse_month(text: str) -> dt.date | None:
    """'2026-03', '2026/3', '2026.3' or '202603' as the first day of that month."""
    text = (text or "").strip()
    for sep in ("-", "/", ".", "年"):
        if sep in text:
            year, _sep, month = text.partition(sep)
            month = month.rstrip("月").split(sep)[0]
            break
    else:
        year, month = text[:4], text[4:]
    try:
        return dt.date(int(year), int(month), 1)
    except (TypeError, ValueError):
        return None
