"""Boundaries of the clock functions added for the pipeline's services and selectors."""

import datetime as dt

import pytest

from development import clock

D = dt.date


@pytest.mark.parametrize(
    "applied, months, earliest",
    [(D(2025, 3, 1), None, D(2025, 3, 1)), (D(2025, 3, 1), 6, D(2025, 9, 1)),
     (D(2025, 8, 31), 6, D(2026, 2, 28))],
)  # fmt: skip
def test_activist_earliest(applied, months, earliest):
    assert clock.activist_earliest(applied, months) == earliest


@pytest.mark.parametrize(
    "done, due", [(0, D(2025, 10, 1)), (1, D(2026, 4, 1)), (2, D(2026, 10, 1))]
)
def test_next_assessment(done, due):
    assert clock.assessment_next_due(D(2025, 4, 1), done) == due


@pytest.mark.parametrize(
    "days, hours, min_days, min_hours, ok",
    [(3, 0, 4, 32, False), (4, 0, 4, 32, True), (0, 31.5, 4, 32, False), (0, 32, 4, 32, True)],
)
def test_school_training_thresholds(days, hours, min_days, min_hours, ok):
    assert clock.training_sufficient(days, hours, min_days, min_hours) is ok


def test_meeting_the_day_after_the_notice_ends():
    assert clock.meeting_earliest(D(2025, 11, 21)) == D(2025, 11, 22)


@pytest.mark.parametrize(
    "end, earliest",
    [(D(2026, 6, 20), D(2026, 5, 20)), (D(2026, 3, 31), D(2026, 2, 28)),
     (D(2026, 1, 15), D(2025, 12, 15))],
)  # fmt: skip
def test_conversion_application_in_the_last_month(end, earliest):
    assert clock.conversion_apply_from(end) == earliest


@pytest.mark.parametrize(
    "today, late", [(D(2026, 2, 27), 0), (D(2026, 2, 28), 0), (D(2026, 3, 1), 1)]
)
def test_days_late(today, late):
    assert clock.days_late(today, D(2026, 2, 28)) == late
