"""A committee office's home: its queues with their clocks, and its branches."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from education.clock import compliance_period
from education.selectors import compliance
from members.models import OrgUnit
from members.scoping import has_any_grant
from partyadmin.home import school_figures, selectors
from partyadmin.home.views.charts import Series, bar_chart
from partyadmin.home.views.common import (
    as_json,
    funnel_context,
    home_context,
    scoped_people,
    with_days_left,
)
from partyadmin.home.views.inspection import inspection_link

PERM = "manage_transfers"


def compliance_link(
    start: dt.date, end: dt.date, unit: OrgUnit | None = None, *, silent: bool = False
) -> str:
    """The compliance page for the period: all branches in scope, or `unit`'s; with
    `silent`, only the silent ones (the branches behind a silent-branch count)."""
    params = {"start": start, "end": end, **({"silent": "on"} if silent else {})}
    page = reverse("compliance_unit", args=[unit.pk]) if unit else reverse("compliance")
    return f"{page}?{urlencode(params)}"


def queue_tiles(queues: school_figures.OfficeQueues, user) -> list[tuple[str, str, int, str, str]]:
    """(key, label, number, link, note) for each queue; every link is a list already scoped
    to the viewer's grants (the office's committee). A list the viewer may not open (an
    organizer holds no decision) is shown without its link. The approval roles are exactly
    those holding decide_retention (development.authority.APPROVAL_ROLES)."""
    letters = reverse("letter_list")
    tiles = [
        ("retention", _("Retention applications awaiting decision"), queues.retention_waiting,
         reverse("retention_queue"),
         _("oldest waiting %(days)s days") % {"days": queues.retention_oldest_days}
         if queues.retention_oldest_days is not None else ""),
        ("pre-review", _("Pre-reviews of admission"), queues.pre_reviews,
         reverse("dev_queue", kwargs={"kind": "pre_review"}), ""),
        ("admission-approval", _("Admissions awaiting approval"), queues.admission_approvals,
         reverse("dev_queue", kwargs={"kind": "approval"}), ""),
        ("conversion-approval", _("Conversions awaiting approval"), queues.conversion_approvals,
         reverse("dev_queue", kwargs={"kind": "conversion_approval"}), ""),
        ("approvals-overdue", _("Approvals past their 3-month clock"), queues.approvals_overdue,
         "#approvals", ""),
        ("letters-to-issue", _("Transfers waiting for a letter"), queues.letters_to_issue,
         f"{reverse('transfer_list')}?status=requested&direction=outgoing", ""),
        ("letters-overdue", _("Letters overdue for receipt"), queues.letters_overdue,
         f"{letters}?show=overdue", ""),
    ]  # fmt: skip
    decides, transfers = has_any_grant(user, "decide_retention"), has_any_grant(user, PERM)
    allowed = {"retention": decides, "pre-review": decides, "admission-approval": decides,
               "conversion-approval": decides, "letters-to-issue": transfers,
               "letters-overdue": transfers}  # fmt: skip
    return [
        (key, label, n, link if allowed.get(key, True) else "", note)
        for key, label, n, link, note in tiles
    ]


def branch_compliance_chart(rows, link: str) -> str:
    names = [r.branch.name for r in rows]
    return as_json(
        bar_chart(
            names,
            [
                Series(_("Targets missed"), [r.missed for r in rows], [link] * len(rows)),
                Series(_("Silent"), [int(r.silent) for r in rows], [link] * len(rows)),
            ],
            horizontal=True,
        )
    )


@login_required
def home_committee(request: HttpRequest) -> HttpResponse:
    context = home_context(request, "committee")
    unit, today = context["unit"], context["today"]
    people = scoped_people(request, unit)
    funnel = selectors.stage_funnel(people, unit)
    start, end = compliance_period(today)
    branches = OrgUnit.objects.restrict(request.user, "view_people").filter(
        path__startswith=unit.path, is_active=True
    )
    rows = compliance(branches, start, end, today)
    link = compliance_link(start, end)
    context.update(
        **funnel_context(funnel),
        approvals=with_days_left(selectors.open_approvals(people)[:50], today),
        queues=queue_tiles(
            school_figures.office_queues(people, unit, today, timezone.now()), request.user
        ),
        compliance_rows=rows,
        compliance_link=link,
        compliant=sum(1 for r in rows if r.ok),
        silent=sum(1 for r in rows if r.silent),
        compliance_chart=branch_compliance_chart(rows, link),
        inspection_link=inspection_link("committee", unit.pk),
    )
    return render(request, "home/committee.html", context)
