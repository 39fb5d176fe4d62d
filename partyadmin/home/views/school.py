"""The organization department's home: the whole school at a glance."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partyadmin.home import selectors
from partyadmin.home.views.common import (
    as_json,
    funnel_context,
    home_context,
    quarter_chart,
    scoped_people,
    with_days_left,
)


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
    )
    return render(request, "home/school.html", context)
