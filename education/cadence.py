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


class MonthSteps(Func):
    """steps(day) for a cadence in months, as one flat expression (they nest deeply, and
    SQLite's parser stack is small). With m = calendar months from S to day, j = m // every
    steps have been taken unless the last of them lands after `day`: when it lands in day's
    own month (m % every = 0) on a later day of the month than day's, which add_months'
    clamping to the month's end rules out when day is the month's last day."""

    output_field = INT

    def __init__(self, starts_on, every, day, **extra) -> None:
        super().__init__(starts_on, every, day, **extra)

    def _sql(self, compiler, month, dom, day_after):
        """`month`, `dom` and `day_after` turn an SQL piece into another that uses it
        `n` times (returned as (sql, n)), so the parameters are repeated to match."""
        (s, sp), (e, ep), (d, dp) = (compiler.compile(x) for x in self.source_expressions)
        params: list = []

        def use(piece: tuple[str, int], p: list) -> str:
            params.extend(p * piece[1])
            return piece[0]

        def m() -> str:
            return f"({use(month(d), dp)} - {use(month(s), sp)})"

        def every() -> str:
            params.extend(ep)
            return e

        sql = (
            f"({m()} / {every()} - CASE WHEN {m()} %% {every()} = 0"
            f" AND {use(dom(s), sp)} > {use(dom(d), dp)}"
            f" AND {use(dom(day_after(d)[0]), dp)} <> 1 THEN 1 ELSE 0 END)"
        )
        return sql, params

    def as_sqlite(self, compiler, connection, **extra):
        return self._sql(
            compiler,
            lambda x: (
                f"(CAST(strftime('%%Y', {x}) AS INTEGER) * 12"
                f" + CAST(strftime('%%m', {x}) AS INTEGER))",
                2,
            ),
            lambda x: (f"CAST(strftime('%%d', {x}) AS INTEGER)", 1),
            lambda x: (f"date({x}, '+1 day')", 1),
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self._sql(
            compiler,
            lambda x: (
                f"(EXTRACT(YEAR FROM ({x})::date)::int * 12"
                f" + EXTRACT(MONTH FROM ({x})::date)::int)",
                2,
            ),
            lambda x: (f"EXTRACT(DAY FROM ({x})::date)::int", 1),
            lambda x: (f"(({x})::date + 1)", 1),
        )

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - other databases
        raise NotImplementedError(f"MonthSteps on {connection.vendor}")


def sql_steps(starts_on: str, unit: str, every: str, day) -> Expression:
    """steps(day) for the plan fields `starts_on`, `unit` and `every` (day ≥ starts_on):
    weeks by days elapsed, months by MonthSteps."""
    weeks = ExpressionWrapper(DaysBetween(_date(day), F(starts_on)) / (F(every) * 7), INT)
    return Case(
        When(**{unit: WEEK}, then=weeks),
        default=MonthSteps(F(starts_on), F(every), _date(day)),
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


class AddDays(Func):
    """`expression` plus `days` days (an integer expression)."""

    output_field = models.DateField()

    def as_sqlite(self, compiler, connection, **extra):
        day, dp = compiler.compile(self.source_expressions[0])
        n, np = compiler.compile(self.source_expressions[1])
        return f"date({day}, ({n}) || ' days')", [*dp, *np]

    def as_postgresql(self, compiler, connection, **extra):
        day, dp = compiler.compile(self.source_expressions[0])
        n, np = compiler.compile(self.source_expressions[1])
        return f"(({day})::date + ({n})::int)", [*dp, *np]

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - other databases
        raise NotImplementedError(f"AddDays on {connection.vendor}")


def sql_last_ended_due(
    starts_on: str, ends_on: str, unit: str, every: str, ended: str, today: dt.date
) -> Expression:
    """The due date of the last period that has ended by `today`, given `ended` (a field
    holding sql_ended_periods, at least 1): the plan's end once it is over, otherwise the
    day before the current period starts (start_of(S, ended) − 1 day)."""
    step = ExpressionWrapper(F(ended) * F(every), INT)
    return Case(
        When(**{f"{ends_on}__lt": today}, then=F(ends_on)),
        When(**{unit: WEEK}, then=AddDays(F(starts_on), step * 7 - 1)),
        default=AddDays(AddMonths(F(starts_on), step), Value(-1)),
        output_field=models.DateField(),
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
