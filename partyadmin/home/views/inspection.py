"""The inspection of development work (检查指导制度, seed 002): a college committee inspects its
units' development work every quarter, the school its colleges every half-year — plan
execution, the quality and spread of new members, procedure. Per unit for the period:
applications, activists and development candidates determined, admissions, conversions, and
approvals past their clock; every number opens the people behind it (?cell=unit:measure)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from partyadmin.home import school_figures as figures
from partyadmin.home.views.charts import Series, bar_chart
from partyadmin.home.views.common import as_json, committee_or_school_context, scoped_people

PEOPLE_SHOWN = 200  # the drill-down list is capped; the count beside it is exact


def inspection_link(kind: str, unit_pk: int) -> str:
    """The inspection page of a home's unit, in that home's rhythm (quarter or half-year)."""
    return f"{reverse('home_inspection')}?{urlencode({'home': kind, 'unit': unit_pk})}"


def _link(kind: str, unit_pk: int, period: figures.Period, cell: str = "") -> str:
    params = {"home": kind, "unit": unit_pk, "period": period.code}
    if cell:
        params["cell"] = cell
    return f"{reverse('home_inspection')}?{urlencode(params)}"


@login_required
@require_GET
def home_inspection(request: HttpRequest) -> HttpResponse:
    context = committee_or_school_context(request)
    # The school inspects its colleges half-yearly; a committee its units quarterly.
    kind = context["home_kind"]
    unit, today = context["unit"], context["today"]
    period = figures.parse_period(request.GET.get("period", ""), today, half=kind == "school")
    people = scoped_people(request, unit)
    rows = figures.inspection(people, unit, period, today)
    measures = [(code, label) for code, label, _step in figures.MEASURES]
    table = [  # fmt: skip
        (
            row,
            [
                (row.counts[c], _link(kind, unit.pk, period, f"{row.unit.pk}:{c}"))
                for c, _l in measures
            ],
        )
        for row in rows
    ]
    chart = bar_chart(
        [r.unit.name for r in rows],
        [
            Series(str(label), [r.counts[code] for r in rows],
                   [_link(kind, unit.pk, period, f"{r.unit.pk}:{code}") for r in rows])
            for code, label in measures
        ],
    )  # fmt: skip
    context.update(
        home_kind=kind,
        period=period,
        previous_link=_link(kind, unit.pk, period.shifted(-1)),
        next_link=_link(kind, unit.pk, period.shifted(1)),
        measures=measures,
        table=table,
        inspection_chart=as_json(chart),
        **_cell(request, people, rows, period, today),
    )
    return render(request, "home/inspection.html", context)


def _cell(request, people, rows, period, today) -> dict:
    """The people behind the chosen number, if one is chosen (404 for a unit not shown)."""
    cell = request.GET.get("cell", "")
    if not cell:
        return {}
    unit_pk, _sep, measure = cell.partition(":")
    unit = next((r.unit for r in rows if str(r.unit.pk) == unit_pk), None)
    labels = dict((code, label) for code, label, _step in figures.MEASURES)
    if unit is None or measure not in labels:
        raise Http404
    chosen = figures.inspection_people(people, unit, measure, period, today)
    return {
        "cell_unit": unit,
        "cell_label": labels[measure],
        "cell_people": list(
            chosen.select_related("unit").order_by("unit__path", "name", "pk")[:PEOPLE_SHOWN]
        ),
    }
