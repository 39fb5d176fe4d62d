"""The dates of retained graduates (留校党员, seed 000), computed in one place.

Retention lasts at most two years (《中国共产党党员教育管理工作条例》 2019); the graduate must
apply to transfer out one month before the retention deadline (seed 000); an employer's
upload link for the two-way examination report lasts a fixed number of days.
"""

from __future__ import annotations

import datetime as dt

from development.clock import add_months, add_years

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


def age_in_days(since: dt.datetime | None, now: dt.datetime) -> int:
    """Whole days an application has waited in the queue."""
    if since is None:
        return 0
    return max((now - since).days, 0)


def employer_link_expires(created: dt.datetime) -> dt.datetime:
    return created + dt.timedelta(days=EMPLOYER_LINK_DAYS)
