"""The organization department's home: the whole school at a glance."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from education.clock import compliance_period
from education.selectors import by_college, compliance
from members.models import OrgUnit
from members.models.lapses import LapseCount
from partyadmin.home import school_figures as figures
from partyadmin.home import selectors
from partyadmin.home.views.charts import Series, bar_chart
from partyadmin.home.views.committee import compliance_link
from partyadmin.home.views.common import (
    as_json,
    funnel_context,
    home_context,
    quarter_chart,
    scoped_people,
    with_days_left,
)
from partyadmin.home.views.inspection import inspection_link
from transfers.selectors import campaign_progress, campaigns_for


def _retained_link(unit: OrgUnit, category: str, bucket: str = "") -> str:
    params = {"unit": unit.pk, "category": category}
    if bucket:
        params["bucket"] = bucket
    return f"{reverse('home_retained')}?{urlencode(params)}"


def retained_context(people, unit: OrgUnit, today: dt.date) -> dict:
    """Retained graduates by category (rows) and deadline bucket (columns), as a stacked
    chart and a table; every number opens the people behind it."""
    grid = figures.retained_grid(people, today)
    buckets, categories = figures.DEADLINE_BUCKETS, figures.RETAINED_CATEGORIES
    rows = [
        (code, label,
         [(grid.get((code, b), 0), _retained_link(unit, code, b)) for b, _l in buckets],
         sum(grid.get((code, b), 0) for b, _l in buckets))
        for code, label in categories
    ]  # fmt: skip
    chart = bar_chart(
        [str(label) for _c, label in categories],
        [
            Series(str(b_label), [grid.get((c, b), 0) for c, _l in categories],
                   [_retained_link(unit, c, b) for c, _l in categories])
            for b, b_label in buckets
        ],
        stacked=True,
    )  # fmt: skip
    return {
        "retained_buckets": buckets,
        "retained_rows": rows,
        "retained_total": sum(grid.values()),
        "retained_chart": as_json(chart),
    }


def campaign_context(request: HttpRequest, unit: OrgUnit, today: dt.date) -> dict:
    """This year's graduation campaign per college (transfers.selectors.campaign_progress)."""
    campaign = (
        campaigns_for(request.user)
        .filter(year=today.year)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    if campaign is None:
        return {"campaign": None}
    rows = [p for p in campaign_progress(request.user, campaign) if p.unit.parent_id == unit.pk]
    link = reverse("campaign_detail", args=[campaign.pk])

    def people(measure: str) -> list[str]:  # each bar opens the people behind it
        return [f"{link}?{urlencode({'unit': p.unit.pk, 'show': measure})}#people" for p in rows]

    chart = bar_chart(
        [p.unit.name for p in rows],
        [
            Series(_("transfer completed"), [p.completed for p in rows], people("completed")),
            Series(_("under way"), [p.started - p.completed for p in rows], people("started")),
            Series(_("delayed or incomplete"), [p.exceptions for p in rows], people("exceptions")),
            Series(_("not reported"), [p.unreported for p in rows], people("unreported")),
        ],
        horizontal=True,
        stacked=True,
    )
    return {
        "campaign": campaign,
        "campaign_rows": rows,
        "campaign_link": link,
        "campaign_chart": as_json(chart),
    }


def lapse_context(people) -> dict:
    lapses = figures.lapse_figures(people)
    base = reverse("lapse_list")
    tiles = [
        (code, label, lapses.by_count.get(code, 0), f"{base}?{urlencode({'count': code})}")
        for code, label in LapseCount.choices
    ]
    return {
        "lapses": lapses,
        "lapse_tiles": tiles,
        "lapse_warnings_link": f"{base}?status=warning",
    }


def silent_context(request: HttpRequest, unit: OrgUnit, today: dt.date) -> dict:
    start, end = compliance_period(today)
    branches = OrgUnit.objects.restrict(request.user, "view_people").filter(
        path__startswith=unit.path, is_active=True
    )
    colleges = by_college(compliance(branches, start, end, today))
    link = compliance_link(start, end)
    links = [compliance_link(start, end, c.college, silent=True) for c in colleges]
    for college, silent_link in zip(colleges, links, strict=True):
        college.silent_link = silent_link
    chart = bar_chart(
        [c.college.name for c in colleges],
        [Series(_("Silent branches"), [c.silent for c in colleges], links)],
        horizontal=True,
    )
    return {
        "colleges": colleges,
        "silent_total": sum(c.silent for c in colleges),
        "compliance_link": link,
        "silent_chart": as_json(chart),
    }


@login_required
def home_school(request: HttpRequest) -> HttpResponse:
    context = home_context(request, "school")
    unit, today = context["unit"], context["today"]
    people = scoped_people(request, unit)
    funnel = selectors.stage_funnel(people, unit)
    quarters = selectors.admissions_by_quarter(people, today)
    approvals = with_days_left(selectors.open_approvals(people)[:20], today)
    context.update(
        **funnel_context(funnel),
        quarters=quarters,
        quarter_chart=as_json(quarter_chart(quarters)),
        approvals=approvals,
        overdue_approvals=sum(1 for a in approvals if a.due_on < today),
        lost_contact=selectors.lost_contact_count(people),
        **retained_context(people, unit, today),
        **campaign_context(request, unit, today),
        **lapse_context(people),
        **silent_context(request, unit, today),
        inspection_link=inspection_link("school", unit.pk),
    )
    return render(request, "home/school.html", context)
