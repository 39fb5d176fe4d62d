"""Every date rule of transfers, letters, the graduation campaign and mobile members, in
one place (like development/clock.py), so services, lists, flags and tests agree on the
same day boundaries.

- A letter valid for N days counts its issue day as the first: issued 1 June for 30 days,
  it is valid up to and including 30 June, and expired from 1 July.
- An expired letter can be re-issued within six months of its expiry: from the day after
  its last valid day up to and including the same day six months after that last day.
- The receiving committee sends the receipt back within a month, so a letter with no
  receipt is overdue from the day after its last valid day plus one month.
- Mobile members report at least once a year (abroad: every half year); a verification is
  due on the same day 12 (6) months after the last one and late from the day after.

Retained graduates (留校党员, seed 000): retention lasts at most two years (《中国共产党党员教育
管理工作条例》 2019); the graduate must apply to transfer out one month before the retention
deadline (seed 000); an employer's upload link for the two-way examination report lasts a
fixed number of days.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from development.clock import add_months, add_years

MAX_VALIDITY_DAYS = 90  # "at most three months"
DEFAULT_VALIDITY_DAYS = 30  # the common validity
GRADUATE_VALIDITY_DAYS = 90  # what many universities give graduates
REISSUE_WITHIN_MONTHS = 6
RECEIPT_WITHIN_MONTHS = 1
MOBILE_VERIFY_MAX_MONTHS = 12  # at least yearly
MOBILE_ABROAD_VERIFY_MAX_MONTHS = 6  # at least half-yearly abroad


def letter_valid_until(issued_on: dt.date, validity_days: int) -> dt.date:
    """The last day a letter issued on `issued_on` for `validity_days` days is valid."""
    if not 1 <= validity_days <= MAX_VALIDITY_DAYS:
        raise ValueError(f"validity {validity_days} days is outside 1–{MAX_VALIDITY_DAYS}")
    return issued_on + dt.timedelta(days=validity_days - 1)


def letter_expired(valid_until: dt.date, today: dt.date) -> bool:
    return today > valid_until


def reissue_until(valid_until: dt.date) -> dt.date:
    """The last day an expired letter may be re-issued."""
    return add_months(valid_until, REISSUE_WITHIN_MONTHS)


def can_reissue(valid_until: dt.date, today: dt.date) -> bool:
    return valid_until < today <= reissue_until(valid_until)


def receipt_due(valid_until: dt.date) -> dt.date:
    """The last day the receipt of a letter is expected back."""
    return add_months(valid_until, RECEIPT_WITHIN_MONTHS)


def receipt_overdue(valid_until: dt.date, today: dt.date) -> bool:
    return today > receipt_due(valid_until)


def graduation_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of `year`: graduates are members expected to graduate in it."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def campaign_default_deadlines(year: int) -> dict[str, dt.date]:
    """Seed 003's dates: roster by 20 May, destinations (and the delayed-graduation list) by
    10 June, general-branch summaries by 15 June, archive by 30 June."""
    return {
        "roster_due": dt.date(year, 5, 20),
        "destinations_due": dt.date(year, 6, 10),
        "summaries_due": dt.date(year, 6, 15),
        "archive_due": dt.date(year, 6, 30),
    }


def deadline_passed(due: dt.date, today: dt.date) -> bool:
    """A deadline is met on its day; it has passed from the day after."""
    return today > due


def mobile_verify_months(abroad: bool) -> int:
    """The configured cadence, never longer than the rule allows."""
    if abroad:
        configured = getattr(settings, "MOBILE_ABROAD_VERIFY_MONTHS", 6)
        return max(1, min(configured, MOBILE_ABROAD_VERIFY_MAX_MONTHS))
    configured = getattr(settings, "MOBILE_VERIFY_MONTHS", 12)
    return max(1, min(configured, MOBILE_VERIFY_MAX_MONTHS))


def mobile_verification_due(last_verified_on: dt.date, abroad: bool) -> dt.date:
    return add_months(last_verified_on, mobile_verify_months(abroad))


def mobile_verification_late(last_verified_on: dt.date, abroad: bool, today: dt.date) -> bool:
    return today > mobile_verification_due(last_verified_on, abroad)


RETENTION_MAX_YEARS = 2
TRANSFER_APPLY_MONTHS_BEFORE = 1
EMPLOYER_LINK_DAYS = 14


def retention_latest_end(starts_on: dt.date) -> dt.date:
    """The last day retention starting on `starts_on` may run to: two years on (a 29
    February start ends on 28 February)."""
    return add_years(starts_on, RETENTION_MAX_YEARS)


def retention_length_ok(starts_on: dt.date, ends_on: dt.date) -> bool:
    return starts_on <= ends_on <= retention_latest_end(starts_on)


def transfer_apply_by(ends_on: dt.date) -> dt.date:
    """'Apply to transfer out one month before the retention deadline': the same day of the
    month one month earlier (31 March → 28/29 February)."""
    return add_months(ends_on, -TRANSFER_APPLY_MONTHS_BEFORE)


class DeadlineState:
    RUNNING = "running"
    APPLY_NOW = "apply_now"  # on or after the apply-by day, deadline not passed
    EXPIRED = "expired"  # after the retention deadline


def deadline_state(ends_on: dt.date, today: dt.date) -> str:
    if today > ends_on:
        return DeadlineState.EXPIRED
    if today >= transfer_apply_by(ends_on):
        return DeadlineState.APPLY_NOW
    return DeadlineState.RUNNING


# Reminders (transfers/reminders.py): the graduate and the branch are told this many days
# before the apply-by day, and from then on until the retention deadline.
TRANSFER_REMINDER_DAYS = 14


def transfer_reminder_from(ends_on: dt.date) -> dt.date:
    """The first day the 'apply to transfer out' reminder goes out."""
    return transfer_apply_by(ends_on) - dt.timedelta(days=TRANSFER_REMINDER_DAYS)


def transfer_reminder_horizon(today: dt.date) -> dt.date:
    """Retentions whose apply-by day is on or before this are reminded `today`: the same
    rule as transfer_reminder_from, as a bound a query can filter the stored column with."""
    return today + dt.timedelta(days=TRANSFER_REMINDER_DAYS)


def retention_expired(ends_on: dt.date, today: dt.date) -> bool:
    """The deadline is the retention's last day; it has expired from the day after."""
    return deadline_state(ends_on, today) == DeadlineState.EXPIRED


def age_in_days(since: dt.datetime | None, now: dt.datetime) -> int:
    """Whole days an application has waited in the queue."""
    if since is None:
        return 0
    return max((now - since).days, 0)


def employer_link_expires(created: dt.datetime) -> dt.datetime:
    return created + dt.timedelta(days=EMPLOYER_LINK_DAYS)
