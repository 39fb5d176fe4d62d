"""The legal clocks of the development pipeline (发展党员工作细则 2014), computed in one place.

Every date rule of DESIGN §3 is a function here, so the services, the due-date lists, the
reminders and the importer all agree on the same day boundaries.
"""

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

MIN_AGE = 18
TALK_WITHIN_MONTHS = 1
ACTIVIST_MIN_YEARS = 1  # "more than one year" as an activist before candidacy
ASSESSMENT_EVERY_MONTHS = 6
TRAINING_MIN_DAYS = 3
TRAINING_MIN_HOURS = 24
NOTICE_WORKING_DAYS = 5
APPROVAL_WITHIN_MONTHS = 3
APPROVAL_SPECIAL_MONTHS = 6
PROBATION_YEARS = 1
EXTENSION_MIN_MONTHS = 6
EXTENSION_MAX_MONTHS = 12
# DESIGN §3: "member applies in writing when probation ends"; accepted in its last month.
CONVERSION_APPLY_MONTHS_BEFORE = 1


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month `months` later; the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def age_on(birth: dt.date, day: dt.date) -> int:
    had_birthday = (day.month, day.day) >= (birth.month, birth.day)
    return day.year - birth.year - (0 if had_birthday else 1)


def adult_from(birth: dt.date) -> dt.date:
    """The first day a person born on `birth` is 18 (29 February birthdays: 1 March)."""
    try:
        return birth.replace(year=birth.year + MIN_AGE)
    except ValueError:
        return dt.date(birth.year + MIN_AGE, 3, 1)


def talk_due(applied_on: dt.date) -> dt.date:
    """The talk with an applicant is due within one month of receiving the application."""
    return add_months(applied_on, TALK_WITHIN_MONTHS)


def candidate_earliest(activist_on: dt.date) -> dt.date:
    """Candidacy needs *more than* one year as an activist: the day after the anniversary."""
    return add_years(activist_on, ACTIVIST_MIN_YEARS) + dt.timedelta(days=1)


def assessments_due(activist_on: dt.date, until: dt.date) -> list[dt.date]:
    """Half-yearly assessment due dates from activist determination up to `until`."""
    due, n = [], 1
    while (day := add_months(activist_on, ASSESSMENT_EVERY_MONTHS * n)) <= until:
        due.append(day)
        n += 1
    return due


def activist_earliest(applied_on: dt.date, min_wait_months: int | None) -> dt.date:
    """A school's minimum wait between application and activist (off when None)."""
    return add_months(applied_on, min_wait_months or 0)


def assessment_next_due(activist_on: dt.date, done: int) -> dt.date:
    """When the next half-yearly assessment falls due, `done` having been recorded."""
    return add_months(activist_on, ASSESSMENT_EVERY_MONTHS * (done + 1))


def training_sufficient(
    days: float,
    hours: float,
    min_days: float = TRAINING_MIN_DAYS,
    min_hours: float = TRAINING_MIN_HOURS,
) -> bool:
    """At least 3 days or 24 class hours; a school may set higher thresholds."""
    return days >= min_days or hours >= min_hours


def working_days_end(
    start: dt.date, working_days: int, holidays: Iterable[dt.date] = ()
) -> dt.date:
    """The last day of a notice that runs `working_days` working days from `start`
    (counting `start` itself if it is a working day)."""
    closed = set(holidays)
    day, counted = start, 0
    while True:
        if day.weekday() < 5 and day not in closed:
            counted += 1
            if counted == working_days:
                return day
        day += dt.timedelta(days=1)


def meeting_earliest(notice_end: dt.date) -> dt.date:
    """A branch meeting may follow a public notice only once it has run its full course."""
    return notice_end + dt.timedelta(days=1)


def approval_due(meeting_on: dt.date, special: bool = False) -> dt.date:
    return add_months(meeting_on, APPROVAL_SPECIAL_MONTHS if special else APPROVAL_WITHIN_MONTHS)


def probation_end(meeting_on: dt.date, extension_months: int = 0) -> dt.date:
    """Probation is one year from the branch meeting that admitted the member, plus any
    extension; Party standing counts from this day."""
    return add_months(add_years(meeting_on, PROBATION_YEARS), extension_months)


def conversion_apply_from(probation_ends: dt.date) -> dt.date:
    """The written conversion application is made when probation ends: in its last month."""
    return add_months(probation_ends, -CONVERSION_APPLY_MONTHS_BEFORE)


def extension_allowed(months: int) -> bool:
    return EXTENSION_MIN_MONTHS <= months <= EXTENSION_MAX_MONTHS


def days_short(today: dt.date, earliest: dt.date) -> int:
    """How many days are still missing before `earliest` (0 when it has come)."""
    return max(0, (earliest - today).days)


def days_late(today: dt.date, due: dt.date) -> int:
    """How many days after `due` `today` is (0 on the due day and before it)."""
    return max(0, (today - due).days)


@dataclass(frozen=True)
class VoteResult:
    voting_members: int  # full members with voting rights who should attend
    present: int
    written: int  # written opinions sent in before the meeting
    votes_for: int
    quorum: bool
    passed: bool


def branch_meeting_result(
    *, voting_members: int, present: int, written_for: int, written: int, votes_for: int
) -> VoteResult:
    """DESIGN §3: more than half of the voting full members must be present; the votes for
    (written opinions sent in before the meeting count) must be more than half of all
    voting full members who should attend, not of those present."""
    quorum = present * 2 > voting_members
    total_for = votes_for + written_for
    passed = quorum and total_for * 2 > voting_members
    return VoteResult(voting_members, present, written, total_for, quorum, passed)
