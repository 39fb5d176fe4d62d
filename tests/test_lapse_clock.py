"""The six-month rule's clock: one place, tested at every boundary, and the database's
AddMonths agreeing with it day for day."""

import datetime as dt

import pytest
from django.db.models import DateField, Value

from core.sqltools import AddMonths
from development.clock import add_months
from members import lapse_clock

D = dt.date


@pytest.mark.parametrize(
    "gap_start, months, reaches",
    [
        (D(2026, 6, 2), 6, D(2026, 12, 2)),  # the brief's example
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # month end into February
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # … of a leap year
        (D(2026, 8, 29), 6, D(2027, 2, 28)),
        (D(2026, 12, 31), 6, D(2027, 6, 30)),
        (D(2026, 6, 2), 5, D(2026, 11, 2)),  # the warning
    ],
)
def test_reaches(gap_start, months, reaches):
    assert lapse_clock.reaches(gap_start, months) == reaches


@pytest.mark.parametrize(
    "today, at_six_months",
    [(D(2026, 12, 1), False), (D(2026, 12, 2), True), (D(2026, 12, 3), True)],
    ids=["day before", "day of", "day after"],
)
def test_last_org_life_2026_06_02_is_at_six_months_on_2026_12_02(today, at_six_months):
    assert (D(2026, 6, 2) <= lapse_clock.cutoff(today, 6)) is at_six_months


@pytest.mark.parametrize(
    "today, cutoff",
    [
        (D(2027, 2, 27), D(2026, 8, 27)),
        (D(2027, 2, 28), D(2026, 8, 31)),  # 29, 30 and 31 August all reach it today
        (D(2028, 2, 28), D(2027, 8, 28)),
        (D(2028, 2, 29), D(2027, 8, 31)),
        (D(2027, 3, 1), D(2026, 9, 1)),
        (D(2026, 12, 30), D(2026, 6, 30)),
    ],
)
def test_cutoff_at_month_ends(today, cutoff):
    assert lapse_clock.cutoff(today, 6) == cutoff


def test_cutoff_is_exactly_the_rule_every_day_for_three_years():
    """For every today and every start: start <= cutoff(today) iff reaches(start) <= today."""
    start_days = [D(2025, 1, 1) + dt.timedelta(days=i) for i in range(0, 1200)]
    for months in (5, 6, 24):
        for offset in range(0, 1100, 7):
            today = D(2026, 1, 1) + dt.timedelta(days=offset)
            cut = lapse_clock.cutoff(today, months)
            for start in start_days[offset : offset + 240]:
                assert (start <= cut) == (lapse_clock.reaches(start, months) <= today), (
                    months,
                    today,
                    start,
                )


def test_dues_gap_begins_the_month_after_the_last_month_paid():
    assert lapse_clock.dues_gap_start(D(2026, 6, 1)) == D(2026, 7, 1)
    assert lapse_clock.removal_due(D(2026, 3, 31)) == D(2028, 3, 31)


@pytest.mark.django_db
@pytest.mark.parametrize("months", [1, 5, 6, 24])
def test_database_add_months_matches_the_clock(months):
    """AddMonths on this database (SQLite or PostgreSQL) equals add_months on each day of a
    leap and a common year, month ends included."""
    days = [D(2027, 1, 1) + dt.timedelta(days=i) for i in range(0, 731)]
    exprs = {
        f"d{i}": AddMonths(Value(day, output_field=DateField()), months)
        for i, day in enumerate(days)
    }
    # One query per 100 days keeps the statement small on SQLite.
    keys = list(exprs)
    for start in range(0, len(keys), 100):
        chunk = {k: exprs[k] for k in keys[start : start + 100]}
        got = _select(chunk)
        for key in chunk:
            day = days[int(key[1:])]
            assert got[key] == add_months(day, months), (day, months, got[key])


def _select(chunk):
    """SELECT the expressions once, against no table."""
    from django.db import connection
    from django.db.models.sql import Query

    query = Query(None)
    for alias, expr in chunk.items():
        query.add_annotation(expr, alias)
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    out = {}
    for (alias, _expr), value in zip(chunk.items(), values, strict=True):
        out[alias] = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return out
