"""A committee office's home: its queues with their clocks, and its branches."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partyadmin.home import selectors
from partyadmin.home.views.common import (
    funnel_context,
    home_context,
    scoped_people,
    with_days_left,
)


@login_required
def home_committee(request: HttpRequest) -> HttpResponse:
    context = home_context(request, "committee")
    unit = context["unit"]
    people = scoped_people(request, unit)
    funnel = selectors.stage_funnel(people, unit)
    context.update(
        **funnel_context(funnel),
        approvals=with_days_left(selectors.open_approvals(people)[:50], context["today"]),
    )
    return render(request, "home/committee.html", context)
