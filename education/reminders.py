"""Education's reminders (core.notifications.registry): check-ins missing past their due date
and silent branches (DESIGN §5, §6), each source one set-based INSERT … SELECT.

- `checkin_late`: an open plan with a check-in missing (or sent back) past its due date, to
  the graduate and to `review_checkins` holders of the graduate's unit (and of the branch
  above a Party group). The key names the plan and the due date of the last period that
  has ended with something missing (selectors.with_last_late_due, from education/cadence.py):
  another period ending late is a new event; the same one found again tomorrow is not.
- `branch_silent`: a branch with no meeting held, check-in sent or dues paid for a month
  (selectors.silent_units, from education/clock.py), to `record_meetings` holders of the
  branch and of its committee (directly above it, or above its general branch). The key
  names the branch and its last day of activity: it stays one event while the branch stays
  silent, and going silent again after new activity is a new one.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, Value
from django.db.models.functions import NullIf
from django.utils.translation import gettext_lazy as _

from core.notifications.registry import (
    event_key,
    handlers,
    parent_handlers,
    register_kind,
    register_source,
    reminder_rows,
)
from education import clock
from education.models import CheckinPlan, PlanStatus
from education.selectors import checkins as checkin_selectors
from education.selectors import life
from members.models import OrgUnit

REVIEW = "review_checkins"
RECORD = "record_meetings"

register_kind(
    "checkin_late", _("%(subject)s: a check-in due by %(due)s is missing"), "checkin_plan_detail"
)
# The graduate's own page takes no id: the notification centre shows it without a link.
register_kind("checkin_late_mine", _("Your check-in due by %(due)s is missing: please send it"))
register_kind(
    "branch_silent",
    _("%(subject)s: no meeting, check-in or dues payment for a month (last activity: %(due)s)"),
    "compliance_unit",
)


# ---- check-ins ----------------------------------------------------------------------------


def _late_plans(today: dt.date):
    plans = CheckinPlan.objects.filter(status=PlanStatus.OPEN, person__removed_at__isnull=True)
    return checkin_selectors.with_last_late_due(plans, today).filter(r_late__gt=0)


def _late_rows(plans, *, user: str):
    return reminder_rows(
        plans,
        user=user,
        key=event_key("checkin_late", "pk", F("r_due")),
        object_id="pk",
        subject="person__name",
        due=F("r_last_due"),
    )


def checkin_late_mine(today: dt.date):
    """To the graduate (those with an account)."""
    return _late_rows(_late_plans(today).filter(person__user__isnull=False), user="person__user_id")


def checkin_late_review(today: dt.date):
    """To the reviewers of the graduate's own unit."""
    q, user = handlers(REVIEW, "person__unit")
    return _late_rows(_late_plans(today).filter(q), user=user)


def checkin_late_review_group(today: dt.date):
    """To the reviewers of the branch, for graduates kept in one of its Party groups."""
    q, user = parent_handlers(REVIEW, "person__unit")
    return _late_rows(_late_plans(today).filter(q), user=user)


# ---- silent branches ----------------------------------------------------------------------


def _silent(today: dt.date):
    # A branch set up less than a month ago has not had its month yet.
    started = clock.day_starts(clock.silent_since(today))
    branches = OrgUnit.objects.filter(is_active=True, created_at__lt=started)
    return life.silent_units(branches, today).annotate(r_last=life.last_activity_sql(today))


def _silent_rows(branches, *, user: str):
    return reminder_rows(
        branches,
        user=user,
        key=event_key("branch_silent", "pk", F("r_last")),
        object_id="pk",
        subject="name",
        due=NullIf(F("r_last"), Value(life.NO_DATE)),
    )


def _holders(rel: str) -> tuple[Q, str]:
    """record_meetings holders on the unit at `rel` from the branch ("" is the branch)."""
    perms = f"{rel}orgunituserobjectpermission"
    return Q(**{f"{perms}__permission__codename": RECORD}), f"{perms}__user_id"


def branch_silent(today: dt.date):
    """To those who keep the branch's meetings."""
    q, user = _holders("")
    return _silent_rows(_silent(today).filter(q), user=user)


def branch_silent_committee(today: dt.date):
    """To the committee's, when the branch sits right under it."""
    q, user = _holders("parent__")
    committee = Q(parent__kind=OrgUnit.Kind.COMMITTEE)
    return _silent_rows(_silent(today).filter(q, committee), user=user)


def branch_silent_committee_above(today: dt.date):
    """To the committee's, when the branch sits under a general branch."""
    q, user = _holders("parent__parent__")
    committee = Q(
        parent__kind=OrgUnit.Kind.GENERAL_BRANCH, parent__parent__kind=OrgUnit.Kind.COMMITTEE
    )
    return _silent_rows(_silent(today).filter(q, committee), user=user)


register_source("checkin_late", kind="checkin_late_mine", rows=checkin_late_mine)
register_source("checkin_late_review", kind="checkin_late", rows=checkin_late_review)
register_source("checkin_late_review_group", kind="checkin_late", rows=checkin_late_review_group)
register_source("branch_silent", kind="branch_silent", rows=branch_silent)
register_source("branch_silent_committee", kind="branch_silent", rows=branch_silent_committee)
register_source(
    "branch_silent_committee_above", kind="branch_silent", rows=branch_silent_committee_above
)
