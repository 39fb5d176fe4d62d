"""A branch secretary's home: what is due this week and what is late."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from development.models import Step
from development.selectors import due_and_overdue
from members.models import Person, Stage
from members.models.people import PIPELINE_STAGES
from partyadmin.home import selectors
from partyadmin.home.views.common import home_context, people_link, scoped_people

DUE_HORIZON_DAYS = 7  # the branch home lists what is due this week


def _what_is_due(item) -> str:
    """The step whose date is the nearest: the next step, or the half-yearly assessment."""
    if item.step and item.due and (item.assessment_due is None or item.due <= item.assessment_due):
        return str(Step(item.step).label)
    return str(Step.ASSESSMENT.label)


@login_required
def home_branch(request: HttpRequest) -> HttpResponse:
    context = home_context(request, "branch")
    unit, today = context["unit"], context["today"]
    people = scoped_people(request, unit)
    due = due_and_overdue(people, today, horizon_days=DUE_HORIZON_DAYS)
    names = dict(Person.objects.filter(pk__in=[n.person_id for n in due]).values_list("pk", "name"))
    counts = selectors.stage_counts(people)
    context.update(
        late=[(n, names[n.person_id], _what_is_due(n)) for n in due if n.late],
        due_soon=[(n, names[n.person_id], _what_is_due(n)) for n in due if not n.late],
        horizon=today + dt.timedelta(days=DUE_HORIZON_DAYS),
        stage_counts=[
            (Stage(s).label, counts.get(s, 0), people_link(unit, s)) for s in PIPELINE_STAGES
        ],
    )
    return render(request, "home/branch.html", context)
