"""Chinese capital numerals (大写数字) as the introduction letter is filled in.

The letter's instructions say the month dues are paid up to and the validity in days are
written in capital numerals so they cannot be altered. Years are written digit by digit
(2026 → 贰零贰陆), months by name (6 → 陆, 10 → 拾, 12 → 拾贰), and a count of days as an
amount is written on cheques, with 壹 before a leading 拾 (15 → 壹拾伍) so no stroke can be
added in front of it; 90 → 玖拾, 30 → 叁拾, 105 → 壹佰零伍.
"""

from __future__ import annotations

import datetime as dt

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")


def capital_number(n: int) -> str:
    """0 ≤ n ≤ 9999 in capital numerals, cheque style (壹拾伍, 壹佰零伍, 贰仟零贰拾)."""
    if not 0 <= n <= 9999:
        raise ValueError(f"{n} is outside 0–9999")
    if n == 0:
        return DIGITS[0]
    out: list[str] = []
    zero_pending = False
    for power in range(3, -1, -1):
        digit = n // 10**power % 10
        if digit == 0:
            zero_pending = bool(out)  # a zero counts only between written digits
            continue
        if zero_pending:
            out.append(DIGITS[0])
            zero_pending = False
        out.append(DIGITS[digit] + UNITS[power])
    return "".join(out)


def capital_digits(n: int) -> str:
    """Digit by digit, as years are written: 2026 → 贰零贰陆."""
    if n < 0:
        raise ValueError("negative")
    return "".join(DIGITS[int(c)] for c in str(n))


def capital_month_number(month: int) -> str:
    """1–12 as months are named: 陆, 拾, 拾壹, 拾贰."""
    if not 1 <= month <= 12:
        raise ValueError(f"{month} is not a month")
    return DIGITS[month] if month < 10 else "拾" + (DIGITS[month - 10] if month > 10 else "")


def capital_year_month(day: dt.date) -> str:
    """The month `day` falls in: 2026-06-01 → 贰零贰陆年陆月."""
    return f"{capital_digits(day.year)}年{capital_month_number(day.month)}月"


def capital_days(days: int) -> str:
    """A validity: 90 → 玖拾天."""
    return f"{capital_number(days)}天"
