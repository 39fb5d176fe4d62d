"""The transfer clocks at their boundaries (day before, on, after) and the capital numerals."""

from __future__ import annotations

import datetime as dt

import pytest

from transfers import clock
from transfers.numerals import (
    capital_days,
    capital_digits,
    capital_month_number,
    capital_number,
    capital_year_month,
)

D = dt.date
ONE = dt.timedelta(days=1)


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "零"), (1, "壹"), (9, "玖"), (10, "壹拾"), (15, "壹拾伍"), (20, "贰拾"),
        (30, "叁拾"), (60, "陆拾"), (90, "玖拾"), (99, "玖拾玖"), (100, "壹佰"),
        (105, "壹佰零伍"), (110, "壹佰壹拾"), (1001, "壹仟零壹"), (2020, "贰仟零贰拾"),
        (9999, "玖仟玖佰玖拾玖"),
    ],
)  # fmt: skip
def test_capital_numbers(n, text):
    assert capital_number(n) == text


@pytest.mark.parametrize("n", [-1, 10000])
def test_capital_numbers_refuse_out_of_range(n):
    with pytest.raises(ValueError):
        capital_number(n)


def test_years_digit_by_digit_and_months_by_name():
    assert capital_digits(2026) == "贰零贰陆" and capital_digits(2030) == "贰零叁零"
    months = [capital_month_number(m) for m in range(1, 13)]
    assert months == ["壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖", "拾", "拾壹", "拾贰"]
    with pytest.raises(ValueError):
        capital_month_number(13)


def test_the_letter_forms():
    assert capital_year_month(D(2026, 6, 1)) == "贰零贰陆年陆月"
    assert capital_year_month(D(2025, 12, 31)) == "贰零贰伍年拾贰月"
    assert capital_days(90) == "玖拾天" and capital_days(30) == "叁拾天"


def test_validity_counts_the_issue_day():
    issued = D(2026, 6, 1)
    until = clock.letter_valid_until(issued, 30)
    assert until == D(2026, 6, 30)
    assert not clock.letter_expired(until, until - ONE)
    assert not clock.letter_expired(until, until)
    assert clock.letter_expired(until, until + ONE)
    assert clock.letter_valid_until(issued, 1) == issued
    assert clock.letter_valid_until(issued, 90) == D(2026, 8, 29)
    for bad in (0, 91):
        with pytest.raises(ValueError):
            clock.letter_valid_until(issued, bad)


def test_reissue_window():
    until = D(2026, 8, 31)
    assert clock.reissue_until(until) == D(2027, 2, 28)  # month end clamps
    assert not clock.can_reissue(until, until)  # still valid
    assert clock.can_reissue(until, until + ONE)
    assert clock.can_reissue(until, D(2027, 2, 28))
    assert not clock.can_reissue(until, D(2027, 3, 1))


def test_receipt_overdue_after_validity_plus_a_month():
    until = D(2026, 6, 30)
    due = clock.receipt_due(until)
    assert due == D(2026, 7, 30)
    assert not clock.receipt_overdue(until, due - ONE)
    assert not clock.receipt_overdue(until, due)
    assert clock.receipt_overdue(until, due + ONE)
    assert clock.receipt_due(D(2026, 1, 31)) == D(2026, 2, 28)


def test_campaign_defaults_are_seed_003s_dates():
    d = clock.campaign_default_deadlines(2026)
    assert d == {
        "roster_due": D(2026, 5, 20),
        "destinations_due": D(2026, 6, 10),
        "summaries_due": D(2026, 6, 15),
        "archive_due": D(2026, 6, 30),
    }
    due = d["destinations_due"]
    assert not clock.deadline_passed(due, due - ONE)
    assert not clock.deadline_passed(due, due)
    assert clock.deadline_passed(due, due + ONE)


def test_mobile_verification_cadence(settings):
    last = D(2026, 1, 15)
    assert clock.mobile_verification_due(last, abroad=False) == D(2027, 1, 15)
    assert clock.mobile_verification_due(last, abroad=True) == D(2026, 7, 15)
    due = D(2026, 7, 15)
    assert not clock.mobile_verification_late(last, True, due - ONE)
    assert not clock.mobile_verification_late(last, True, due)
    assert clock.mobile_verification_late(last, True, due + ONE)
    # Configurable, but never looser than the rule: at least yearly, half-yearly abroad.
    settings.MOBILE_VERIFY_MONTHS = 3
    settings.MOBILE_ABROAD_VERIFY_MONTHS = 24
    assert clock.mobile_verification_due(last, abroad=False) == D(2026, 4, 15)
    assert clock.mobile_verification_due(last, abroad=True) == D(2026, 7, 15)
    settings.MOBILE_VERIFY_MONTHS = 18
    assert clock.mobile_verification_due(last, abroad=False) == D(2027, 1, 15)
