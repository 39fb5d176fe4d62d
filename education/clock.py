"""The calendars of branch life, computed in one place: when a meeting starts (leave is
asked for before it), the calendar units the frequency targets count in (支部工作条例 2018),
when a branch has gone silent, and the appraisal's share of 优秀.

Units are calendar months, quarters and years. A unit is *due* in a period when it lies wholly
inside the period and has ended by today; a unit only partly inside the period, or not over
yet, is *pending* unless the meeting was already held in the part that is inside.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from development.clock import add_months

MONTH, QUARTER, YEAR = "month", "quarter", "year"
SILENT_AFTER_MONTHS = 1  # DESIGN §6: no activity for a month


def starts_at(held_on: dt.date, start_time: dt.time) -> dt.datetime:
    """The aware moment a meeting starts, in the school's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(held_on, start_time))


def has_started(held_on: dt.date, start_time: dt.time, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= starts_at(held_on, start_time)


@dataclass(frozen=True)
class Unit:
    """One calendar month, quarter or year."""

    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"


def unit_containing(kind: str, day: dt.date) -> Unit:
    if kind == YEAR:
        return Unit(YEAR, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    first_month = day.month if kind == MONTH else (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    last = add_months(start, 1 if kind == MONTH else 3) - dt.timedelta(days=1)
    return Unit(kind, start, last)


def units_overlapping(kind: str, start: dt.date, end: dt.date) -> list[Unit]:
    """Every calendar unit of `kind` that shares at least one day with [start, end]."""
    units, day = [], start
    while day <= end:
        unit = unit_containing(kind, day)
        units.append(unit)
        day = unit.end + dt.timedelta(days=1)
    return units


def is_due(unit: Unit, start: dt.date, end: dt.date, today: dt.date) -> bool:
    """The target of `unit` is owed in the period [start, end] by `today`."""
    return start <= unit.start and unit.end <= end and unit.end < today


def day_starts(day: dt.date) -> dt.datetime:
    """The aware moment `day` begins in the school's time zone (a datetime's local date is
    `day` or later from this moment on)."""
    return starts_at(day, dt.time(0))


def compliance_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The period compliance is read over unless one is asked for: this calendar year (the
    frequency targets are yearly at the longest). The compliance page and the homes use it."""
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


def silent_since(today: dt.date) -> dt.date:
    """A branch whose last activity is before this day has been silent for a month."""
    return add_months(today, -SILENT_AFTER_MONTHS)


def is_silent(last_activity: dt.date | None, today: dt.date) -> bool:
    return last_activity is None or last_activity < silent_since(today)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def excellent_quota(rated: int) -> int:
    """At most a third of those rated may be 优秀: floor(n / 3), never rounded up."""
    return rated // 3


def graduation_window(graduation: dt.date) -> tuple[dt.date, dt.date]:
    """The "five ones" are done in the last academic year before leaving (seed 003): from
    1 September of the year before graduation to the graduation day."""
    return dt.date(graduation.year - 1, 9, 1), graduation
