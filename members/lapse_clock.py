"""The six-month lapse rule (Party Constitution art. 9) and its five-month warning, in one place.

Every gap is measured from the day it began (`gap_start`): the last day of organizational
life, the first day of the first month whose dues are unpaid, the last day assigned work was
done, or the day contact was lost; the date the member joined when nothing was ever recorded.
A gap that began on day D reaches N months on `add_months(D, N)` (31 August + 6 months =
28 or 29 February), and the member is *at* N months from that day on.

The job does not compute that date per member: it asks the database for every gap that began
on or before `cutoff(today, N)`, the last start day that has reached N months by `today`.
"""

import datetime as dt

from development.clock import add_months

LAPSE_MONTHS = 6  # "连续六个月": considered to have left the Party
WARNING_MONTHS = 5  # a month's warning so the branch can act first
SUSPEND_AFTER_MONTHS = 6  # lost contact six months or more: suspension (条例 2019)
REMOVE_AFTER_SUSPENSION_YEARS = 2  # still untraceable two years after suspension: removal


def reaches(gap_start: dt.date, months: int) -> dt.date:
    """The day a gap that began on `gap_start` has lasted `months` months."""
    return add_months(gap_start, months)


def cutoff(today: dt.date, months: int) -> dt.date:
    """The last gap start that has lasted `months` months by `today`: a gap that began on D
    has, exactly when D <= cutoff(today, months). Month ends make several start days reach
    the same day (29, 30 and 31 August all reach six months on 28 February), so step forward
    from the naive answer while the next day still qualifies (at most three steps)."""
    day = add_months(today, -months)
    while reaches(day, months) > today:  # never taken: add_months(today, -m) reaches <= today
        day -= dt.timedelta(days=1)
    while reaches(day + dt.timedelta(days=1), months) <= today:
        day += dt.timedelta(days=1)
    return day


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def dues_gap_start(paid_through: dt.date) -> dt.date:
    """Dues paid up to a month (stored as its first day): the gap begins the month after."""
    return add_months(month_start(paid_through), 1)


def removal_due(suspended_on: dt.date) -> dt.date:
    return add_months(suspended_on, 12 * REMOVE_AFTER_SUSPENSION_YEARS)
