"""Lapse notifications and reminders (registered with core.notifications.registry).

The lapse job itself (members.services.lapses.lapse_sweep) notifies the branch of each case
at five and six months and the member at six; the source here reminds the branch when a
member suspended for lost contact reaches the two years after which removal is due.
"""

import datetime as dt

from django.db.models import Value
from django.utils.translation import gettext_lazy as _

from core.notifications.registry import (
    event_key,
    handlers,
    register_kind,
    register_source,
    reminder_rows,
)
from core.sqltools import AddMonths
from members import lapse_clock
from members.models import LapseCase, LapseCount, LapseStatus

CASE = "lapse_case_detail"
MINE = "my_lapse_case"

register_kind(
    "lapse_warning", _("%(subject)s: five months without taking part; six on %(due)s"), CASE
)
register_kind(
    "lapse_lapsed", _("%(subject)s: six months reached on %(due)s; the branch must act"), CASE
)
register_kind(
    "lapse_member",
    _(
        "Your Party membership is at risk: six months reached on %(due)s. "
        "Please answer your branch."
    ),
    MINE,
)
register_kind("lapse_answer", _("%(subject)s answered their lapse case"), CASE)
register_kind(
    "lapse_approve",
    _("%(subject)s: the branch meeting decided removal on %(due)s; approval needed"),
    CASE,
)
register_kind(
    "lapse_step_notice",
    _("Written notice from your branch (%(due)s): please read and answer"),
    MINE,
)
register_kind("lapse_step_talk", _("Your branch recorded a talk with you (%(due)s)"), MINE)
register_kind("lapse_step_suspension", _("Your Party membership was suspended on %(due)s"), MINE)
register_kind(
    "lapse_step_removal_decision",
    _("Your branch meeting decided on %(due)s to remove you; you may answer"),
    MINE,
)
register_kind("lapse_step_removal_approval", _("Your removal was approved on %(due)s"), MINE)
register_kind(
    "lapse_step_removal_refused",
    _("The higher organization did not approve your removal (%(due)s)"),
    MINE,
)
register_kind("lapse_step_closed", _("Your lapse case was closed (%(due)s)"), MINE)
register_kind(
    "lost_contact_removal_due",
    _("%(subject)s: two years after suspension on %(due)s, removal may be decided"),
    CASE,
)

LOOKAHEAD_DAYS = 30


def _lost_contact_removal_due(today: dt.date):
    """Suspended for lost contact, two years reached (or within a month), still untraceable."""
    cut = lapse_clock.cutoff(
        today + dt.timedelta(days=LOOKAHEAD_DAYS), 12 * lapse_clock.REMOVE_AFTER_SUSPENSION_YEARS
    )
    cases = LapseCase.objects.filter(
        count=LapseCount.LOST_CONTACT,
        status=LapseStatus.SUSPENDED,
        closed_at=None,
        suspended_on__lte=cut,
        person__lost_contact=True,
    )
    q, user = handlers("handle_lapses", "person__unit")
    return reminder_rows(
        cases.filter(q),
        user=user,
        key=event_key("lost_contact_removal", "pk", Value("due")),
        object_id="pk",
        subject="person__name",
        due=AddMonths("suspended_on", 12 * lapse_clock.REMOVE_AFTER_SUSPENSION_YEARS),
    )


register_source("lost_contact_removal_due", kind="lost_contact_removal_due",
                rows=_lost_contact_removal_due)  # fmt: skip
