"""The demo's clock. Every date is placed relative to one reference day derived from today
(the first of the current month), so a person's dates are consistent with each other and
the same seed gives the same people all month long."""

import datetime as dt
from dataclasses import dataclass

# Freshmen appear in the demo once they have been at school this long (they cannot have
# applied to join the Party before they arrived).
FRESHMEN_SETTLE_DAYS = 21
GRADUATION_MONTH_DAY = (6, 30)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February, as the services count."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Calendar:
    ref: dt.date  # no generated event is later than this

    @classmethod
    def for_today(cls, today: dt.date) -> "Calendar":
        return cls(ref=today.replace(day=1))

    @property
    def month_end(self) -> dt.date:
        """Last day of the reference month: today is never later while the seed holds."""
        following = (self.ref.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)

    @property
    def year_start(self) -> dt.date:
        """1 September that opened the current academic year."""
        year = self.ref.year if self.ref.month >= 9 else self.ref.year - 1
        return dt.date(year, 9, 1)

    @property
    def freshmen_present(self) -> bool:
        return (self.ref - self.year_start).days >= FRESHMEN_SETTLE_DAYS

    def undergrad_grades(self) -> tuple[int, ...]:
        """Entry years of the four undergraduate classes at school, oldest first."""
        y = self.year_start.year
        return (y - 3, y - 2, y - 1, y)

    def grades_in_demo(self, years: int) -> tuple[int, ...]:
        """Entry years of a programme lasting `years` that can have people in the demo."""
        y = self.year_start.year
        first = y if self.freshmen_present else y - 1
        return tuple(range(y - years + 1, first + 1))

    def graduation(self, entry_year: int, years: int) -> dt.date:
        return dt.date(entry_year + years, *GRADUATION_MONTH_DAY)

    def last_graduation(self) -> dt.date:
        """The most recent graduation day (30 June) before the current academic year."""
        return dt.date(self.year_start.year, *GRADUATION_MONTH_DAY)
