"""Rules a roster row's dates must keep: the pipeline's order and what a stage implies.

Pure functions over dates, so the preview and the confirm step judge a row the same way
and tests can call them directly. Each error names the column (field key) it is about.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from members.excel.columns import COLUMNS_BY_KEY
from members.models import Stage
from members.services.history import historical_stage_errors

# The ledger's steps in order, and the stage each one begins.
STEP_FIELDS = ("applied_on", "activist_on", "candidate_on", "joined_on", "full_member_on")
STEP_STAGE = {
    "applied_on": Stage.APPLICANT,
    "activist_on": Stage.ACTIVIST,
    "candidate_on": Stage.CANDIDATE,
    "joined_on": Stage.PROBATIONARY,
    "full_member_on": Stage.FULL,
}
STAGE_RANK = {
    Stage.APPLICANT: 0,
    Stage.ACTIVIST: 1,
    Stage.CANDIDATE: 2,
    Stage.PROBATIONARY: 3,
    Stage.FULL: 4,
}
MIN_AGE = 18
PAST_ONLY = (*STEP_FIELDS, "birth_date", "lost_contact_since")


def _header(key: str) -> str:
    return COLUMNS_BY_KEY[key].header


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def infer_stage(dates: dict[str, dt.date | None]) -> str:
    """The stage a new person's furthest ledger date implies, when the row names none."""
    for key in reversed(STEP_FIELDS):
        if dates.get(key):
            return STEP_STAGE[key]
    return Stage.APPLICANT


def stage_since(stage: str, dates: dict[str, dt.date | None]) -> dt.date | None:
    """The date a loaded stage began, from the ledger column that records it."""
    for key, step_stage in STEP_STAGE.items():
        if step_stage == stage:
            return dates.get(key)
    return None


def date_errors(
    dates: dict[str, dt.date | None], *, today: dt.date, birth: dt.date | None
) -> list[tuple[str, str, str]]:
    """(field, code, message) for dates in the future, steps out of order, and an
    application made before the age of 18."""
    errors: list[tuple[str, str, str]] = []
    for key in PAST_ONLY:
        value = dates.get(key) if key != "birth_date" else birth
        if value and value > today:
            errors.append(
                (key, "future_date", _("%(date)s is in the future.") % {"date": value.isoformat()})
            )
    latest: tuple[str, dt.date] | None = None
    for key in STEP_FIELDS:
        value = dates.get(key)
        if value is None:
            continue
        if latest and value < latest[1]:
            errors.append(
                (
                    key,
                    "date_order",
                    _("%(later)s (%(d2)s) is before %(earlier)s (%(d1)s).")
                    % {
                        "later": _header(key),
                        "d2": value.isoformat(),
                        "earlier": _header(latest[0]),
                        "d1": latest[1].isoformat(),
                    },
                )
            )
        else:
            latest = (key, value)
    applied = dates.get("applied_on")
    if applied and birth and applied < _years_after(birth, MIN_AGE):
        errors.append(
            (
                "applied_on",
                "under_age",
                _("On %(date)s the applicant was not yet %(age)d; one applies at %(age)d or older.")
                % {"date": applied.isoformat(), "age": MIN_AGE},
            )
        )
    return errors


def stage_errors(stage: str, dates: dict[str, dt.date | None]) -> list[tuple[str, str, str]]:
    """(field, code, message) where the dates do not fit `stage`: a step after the stage,
    or what members/services/history requires of a loaded stage."""
    errors: list[tuple[str, str, str]] = []
    rank = STAGE_RANK.get(Stage(stage))
    if rank is not None:
        for key in STEP_FIELDS:
            step_rank = STAGE_RANK[STEP_STAGE[key]]
            if dates.get(key) and step_rank > rank:
                errors.append(
                    (
                        key,
                        "step_after_stage",
                        _("A person who is %(stage)s cannot have a date in %(header)s.")
                        % {"stage": Stage(stage).label, "header": _header(key)},
                    )
                )
    for message in historical_stage_errors(
        stage=stage,
        since=None,  # future dates are judged per column above
        joined_on=dates.get("joined_on"),
        full_member_on=dates.get("full_member_on"),
    ):
        errors.append(("category", "stage_dates", message))
    return errors
