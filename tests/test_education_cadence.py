"""Check-in periods and due dates at their boundaries: the day before, of and after each due
date, two-week steps, month ends; and the months of Party dues."""

import datetime as dt

import pytest

from education import cadence
from education.cadence import Cadence

D = dt.date
TWO_WEEKS = Cadence(cadence.WEEK, 2)
MONTHLY = Cadence(cadence.MONTH, 1)
HALF_YEAR = Cadence(cadence.MONTH, 6)


def test_two_week_periods_step_fourteen_days():
    ps = cadence.periods(D(2025, 7, 1), D(2025, 8, 31), TWO_WEEKS)
    assert [(p.start, p.due) for p in ps[:3]] == [
        (D(2025, 7, 1), D(2025, 7, 14)),
        (D(2025, 7, 15), D(2025, 7, 28)),
        (D(2025, 7, 29), D(2025, 8, 11)),
    ]
    # The last period ends with the plan.
    assert ps[-1].start == D(2025, 8, 26) and ps[-1].due == D(2025, 8, 31)


@pytest.mark.parametrize(
    "day, index",
    [
        (D(2025, 7, 13), 0),  # the day before the first due date
        (D(2025, 7, 14), 0),  # the due date itself
        (D(2025, 7, 15), 1),  # the day after: the next period
        (D(2025, 7, 28), 1),
        (D(2025, 7, 29), 2),
    ],
)
def test_period_on_two_weeks(day, index):
    assert cadence.period_on(D(2025, 7, 1), D(2026, 6, 30), TWO_WEEKS, day).index == index


@pytest.mark.parametrize(
    "day, late", [(D(2025, 7, 13), False), (D(2025, 7, 14), False), (D(2025, 7, 15), True)]
)
def test_late_from_the_day_after_the_due_date(day, late):
    first = cadence.period(D(2025, 7, 1), D(2026, 6, 30), TWO_WEEKS, 0)
    assert first.is_late_on(day) is late


def test_monthly_periods_from_the_31st_keep_the_month_end():
    ps = cadence.periods(D(2025, 1, 31), D(2025, 6, 30), MONTHLY)
    assert [(p.start, p.due) for p in ps[:4]] == [
        (D(2025, 1, 31), D(2025, 2, 27)),
        (D(2025, 2, 28), D(2025, 3, 30)),
        (D(2025, 3, 31), D(2025, 4, 29)),
        (D(2025, 4, 30), D(2025, 5, 30)),
    ]


def test_monthly_periods_in_a_leap_year():
    ps = cadence.periods(D(2024, 1, 30), D(2024, 4, 30), MONTHLY)
    assert ps[0].due == D(2024, 2, 28) and ps[1].start == D(2024, 2, 29)


@pytest.mark.parametrize(
    "day, index",
    [
        (D(2025, 2, 27), 0),  # due date of period 0
        (D(2025, 2, 28), 1),  # the day after
        (D(2025, 3, 30), 1),
        (D(2025, 3, 31), 2),
        (D(2025, 1, 31), 0),  # the first day
    ],
)
def test_period_on_monthly_from_the_31st(day, index):
    assert cadence.period_on(D(2025, 1, 31), D(2025, 12, 31), MONTHLY, day).index == index


def test_period_on_outside_the_plan():
    assert cadence.period_on(D(2025, 1, 1), D(2025, 12, 31), MONTHLY, D(2024, 12, 31)) is None
    assert cadence.period_on(D(2025, 1, 1), D(2025, 12, 31), MONTHLY, D(2026, 1, 1)) is None
    assert cadence.period_on(D(2025, 1, 1), D(2025, 12, 31), MONTHLY, D(2025, 12, 31)).index == 11


def test_half_yearly_report_from_abroad():
    ps = cadence.periods(D(2025, 7, 1), D(2027, 6, 30), HALF_YEAR)
    assert [p.due for p in ps] == [D(2025, 12, 31), D(2026, 6, 30), D(2026, 12, 31), D(2027, 6, 30)]


def test_periods_until_a_day_and_the_period_after_the_plan():
    ps = cadence.periods(D(2025, 7, 1), D(2026, 6, 30), TWO_WEEKS, until=D(2025, 7, 15))
    assert [p.index for p in ps] == [0, 1]
    assert cadence.period(D(2025, 7, 1), D(2025, 7, 10), TWO_WEEKS, 1) is None
    assert cadence.period(D(2025, 7, 1), D(2025, 7, 10), TWO_WEEKS, -1) is None


def test_a_bad_cadence_is_refused():
    with pytest.raises(ValueError):
        Cadence("day", 1)
    with pytest.raises(ValueError):
        Cadence(cadence.WEEK, 0)


@pytest.mark.parametrize(
    "earlier, later, months",
    [
        (D(2025, 1, 1), D(2025, 7, 1), 6),
        (D(2025, 12, 1), D(2026, 1, 31), 1),
        (D(2025, 7, 1), D(2025, 1, 15), -6),
    ],
)
def test_months_between(earlier, later, months):
    assert cadence.months_between(earlier, later) == months


def test_month_range_crosses_the_year():
    assert cadence.month_range(D(2025, 11, 15), D(2026, 2, 3)) == [
        D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text, month",
    [
        ("2026-03", D(2026, 3, 1)),
        ("2026/3", D(2026, 3, 1)),
        ("2026.03", D(2026, 3, 1)),
        ("202603", D(2026, 3, 1)),
        ("2026年3月", D(2026, 3, 1)),
        ("2026-03-15", D(2026, 3, 1)),
        ("2026-13", None),
        ("", None),
        ("March", None),
    ],
)
def test_parse_month(text, month):
    assert cadence.parse_month(text) == month
