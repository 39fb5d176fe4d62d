"""A branch secretary's home: what is due this week and what is late, and every queue the
branch must act on (check-ins, leave, lapses, letters, meetings owed), each item one click
from its action."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from development.models import Step
from development.selectors import due_and_overdue
from members.models import Person, Stage
from members.models.people import PIPELINE_STAGES
from partyadmin.home import branch_items, selectors
from partyadmin.home.views.common import as_json, home_context, people_link, scoped_people

DUE_HORIZON_DAYS = 7  # the branch home lists what is due this week


def _what_is_due(item) -> str:
    """The step whose date is the nearest: the next step, or the half-yearly assessment."""
    if item.step and item.due and (item.assessment_due is None or item.due <= item.assessment_due):
        return str(Step(item.step).label)
    return str(Step.ASSESSMENT.label)


def _work(request: HttpRequest, unit, today: dt.date) -> dict:
    """The branch's queues; a family is None when the viewer may not act on it here."""
    user = request.user
    return {
        "checkins": branch_items.checkins_to_review(user, unit),
        "checkins_late": branch_items.checkins_late(user, unit, today),
        "leaves": branch_items.leave_awaiting_decision(user, unit),
        "lapses": branch_items.lapses(user, unit),
        "letters": branch_items.letters(user, unit, today),
        "compliance": branch_items.compliance(unit, today),
    }


def compliance_chart(compliance: branch_items.Compliance) -> dict:
    """An ECharts option: per kind of meeting, the calendar units held, missed and still to
    hold this year (stacked bars); a missed or pending bar opens the form to plan one."""
    kinds = compliance.kinds
    plan = reverse("meeting_create")
    series = [
        (_("held"), "#2e7d32", [k.met for k in kinds], ""),
        (_("missed"), "#c62828", [len(k.missed) for k in kinds], plan),
        (_("still to hold"), "#e0a100", [k.pending for k in kinds], plan),
    ]
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 16, "bottom": 8, "top": 40, "containLabel": True},
            "xAxis": {"type": "value", "minInterval": 1},
            "yAxis": {"type": "category", "inverse": True, "data": [k.label for k in kinds]},
            "series": [
                {"name": name, "type": "bar", "stack": "units", "color": color, "data": data}
                for name, color, data, _link in series
            ],
        },
        "links": [[link] * len(kinds) if link else [] for _n, _c, _d, link in series],
    }


def _chart_json(compliance: branch_items.Compliance | None) -> str:
    return as_json(compliance_chart(compliance)) if compliance else ""


@login_required
def home_branch(request: HttpRequest) -> HttpResponse:
    context = home_context(request, "branch")
    unit, today = context["unit"], context["today"]
    people = scoped_people(request, unit)
    due = due_and_overdue(people, today, horizon_days=DUE_HORIZON_DAYS)
    names = dict(Person.objects.filter(pk__in=[n.person_id for n in due]).values_list("pk", "name"))
    counts = selectors.stage_counts(people)
    work = _work(request, unit, today)
    context.update(
        late=[(n, names[n.person_id], _what_is_due(n)) for n in due if n.late],
        due_soon=[(n, names[n.person_id], _what_is_due(n)) for n in due if not n.late],
        horizon=today + dt.timedelta(days=DUE_HORIZON_DAYS),
        stage_counts=[
            (Stage(s).label, counts.get(s, 0), people_link(unit, s)) for s in PIPELINE_STAGES
        ],
        **work,
        compliance_chart=as_json(compliance_chart(work["compliance"]))
        if work["compliance"]
        else "",
    )
    return render(request, "home/branch.html", context)
