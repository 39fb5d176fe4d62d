"""Every numeric limit at its boundary: the day before, the day of, the day after."""

import datetime as dt

import pytest

from development import clock

D = dt.date


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2025, 3, 15), 1, D(2025, 4, 15)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert clock.add_months(start, months) == expected


@pytest.mark.parametrize(
    "birth, day, age",
    [
        (D(2007, 11, 22), D(2025, 11, 21), 17),  # the day before the 18th birthday
        (D(2007, 11, 22), D(2025, 11, 22), 18),  # the birthday itself
        (D(2007, 11, 22), D(2025, 11, 23), 18),
    ],
)
def test_age_boundaries(birth, day, age):
    assert clock.age_on(birth, day) == age
    assert (day >= clock.adult_from(birth)) is (age >= 18)


def test_leap_day_birthday_comes_of_age_on_first_march():
    assert clock.adult_from(D(2008, 2, 29)) == D(2026, 3, 1)


@pytest.mark.parametrize(
    "today, short",
    [(D(2026, 3, 10), 1), (D(2026, 3, 11), 0), (D(2026, 3, 12), 0), (D(2026, 2, 1), 38)],
)
def test_candidacy_needs_more_than_one_year(today, short):
    earliest = clock.candidate_earliest(D(2025, 3, 10))
    assert earliest == D(2026, 3, 11)
    assert clock.days_short(today, earliest) == short


def test_talk_due_within_one_month():
    assert clock.talk_due(D(2025, 1, 31)) == D(2025, 2, 28)
    assert clock.talk_due(D(2025, 9, 10)) == D(2025, 10, 10)


def test_half_yearly_assessments():
    assert clock.assessments_due(D(2025, 3, 1), D(2026, 2, 28)) == [D(2025, 9, 1)]
    assert clock.assessments_due(D(2025, 3, 1), D(2026, 3, 1)) == [D(2025, 9, 1), D(2026, 3, 1)]


@pytest.mark.parametrize(
    "days, hours, ok", [(2, 23, False), (3, 0, True), (2.5, 24, True), (2, 23.5, False)]
)
def test_training_three_days_or_24_hours(days, hours, ok):
    assert clock.training_sufficient(days, hours) is ok


def test_notice_five_working_days_skips_weekends_and_holidays():
    assert clock.working_days_end(D(2025, 11, 17), 5) == D(2025, 11, 21)  # Mon → Fri
    assert clock.working_days_end(D(2025, 11, 19), 5) == D(2025, 11, 25)  # Wed → Tue
    assert clock.working_days_end(D(2025, 11, 22), 5) == D(2025, 11, 28)  # Sat start
    holiday = [D(2025, 11, 20)]
    assert clock.working_days_end(D(2025, 11, 17), 5, holiday) == D(2025, 11, 24)


@pytest.mark.parametrize("special, due", [(False, D(2026, 2, 28)), (True, D(2026, 5, 30))])
def test_approval_window(special, due):
    assert clock.approval_due(D(2025, 11, 30), special) == due


def test_probation_and_extension():
    assert clock.probation_end(D(2025, 6, 20)) == D(2026, 6, 20)
    assert clock.probation_end(D(2025, 6, 20), 6) == D(2026, 12, 20)
    assert [m for m in range(4, 15) if clock.extension_allowed(m)] == list(range(6, 13))


@pytest.mark.parametrize(
    "voting, present, written_for, votes_for, quorum, passed",
    [
        (10, 5, 0, 5, False, False),  # half present is not more than half
        (10, 6, 0, 5, True, False),  # 5 for out of 10 who should attend: not more than half
        (10, 6, 0, 6, True, True),
        (10, 6, 1, 5, True, True),  # a written opinion sent in before counts
        (9, 5, 0, 5, True, True),  # odd membership: 5 of 9 is more than half
        (9, 4, 0, 4, False, False),
        (9, 5, 0, 4, True, False),
    ],
)
def test_branch_meeting_rule(voting, present, written_for, votes_for, quorum, passed):
    result = clock.branch_meeting_result(
        voting_members=voting,
        present=present,
        written_for=written_for,
        written=written_for,
        votes_for=votes_for,
    )
    assert (result.quorum, result.passed) == (quorum, passed)
