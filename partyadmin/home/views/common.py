"""Home pages by role: the organization department sees the school, a committee office its
committee, a branch its branch, a member their own record. Which homes a user has follows
from where their grants sit in the tree, never from a role name; each page takes ?unit= to
look at another unit of its kind inside the viewer's scope (404 outside it)."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import OrgUnit, Person, Stage
from members.models.people import PIPELINE_STAGES
from members.scoping import granted_paths
from partyadmin.home import selectors

K = OrgUnit.Kind
# Which units each home is about, and which homes a grant on a unit of each kind opens.
HOME_UNIT_KINDS = {
    "school": (K.SCHOOL,),
    "committee": (K.COMMITTEE, K.GENERAL_BRANCH),
    "branch": (K.BRANCH,),
}
HOMES_BY_GRANT_KIND = {
    K.SCHOOL: ("school", "committee", "branch"),
    K.COMMITTEE: ("committee", "branch"),
    K.GENERAL_BRANCH: ("committee", "branch"),
    K.BRANCH: ("branch",),
    K.GROUP: ("branch",),
}
HOME_LABELS = {
    "school": gettext_lazy("Whole school"),
    "committee": gettext_lazy("Committee"),
    "branch": gettext_lazy("Branch"),
    "member": gettext_lazy("My record"),
}


def available_homes(user) -> list[str]:
    """The homes a user may open, widest first (one indexed query, then the cached scope)."""
    paths = granted_paths(user, "view_people")
    kinds = set(OrgUnit.objects.filter(path__in=paths).values_list("kind", flat=True))
    homes = [h for h in HOME_UNIT_KINDS if any(h in HOMES_BY_GRANT_KIND[k] for k in kinds)]
    if getattr(user, "person", None) is not None:
        homes.append("member")
    return homes


@login_required
def home(request: HttpRequest) -> HttpResponse:
    homes = available_homes(request.user)
    if not homes or homes[0] == "member":
        return redirect("my_record")
    return redirect(f"home_{homes[0]}")


def people_link(unit: OrgUnit, stage: str | None = None) -> str:
    params = {"unit": unit.pk}
    if stage:
        params["stage"] = stage
    return f"{reverse('people_list')}?{urlencode(params)}"


def home_context(request: HttpRequest, kind: str) -> dict:
    """The unit the page is about (?unit=, or the viewer's first unit of that kind), the
    other units of that kind they may switch to, and the tabs of their other homes."""
    user = request.user
    homes = available_homes(user)
    if kind not in homes:
        raise Http404
    units = list(
        OrgUnit.objects.restrict(user, "view_people")
        .filter(kind__in=HOME_UNIT_KINDS[kind], is_active=True)
        .order_by("path")
    )
    if not units:
        raise Http404
    wanted = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == wanted), None) if wanted else units[0]
    if unit is None:
        raise Http404
    return {
        "unit": unit,
        "units": units,
        "home_kind": kind,
        "tabs": [(h, HOME_LABELS[h], _home_url(h)) for h in homes],
        "today": timezone.localdate(),
    }


def _home_url(kind: str) -> str:
    return reverse("my_record") if kind == "member" else reverse(f"home_{kind}")


def scoped_people(request: HttpRequest, unit: OrgUnit):
    return Person.objects.restrict(request.user, "view_people").filter(
        unit__path__startswith=unit.path
    )


def funnel_chart(rows: list[selectors.FunnelRow]) -> dict:
    """An ECharts option (stacked bars per unit) plus the link behind every bar."""
    stages = list(PIPELINE_STAGES)
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 16, "bottom": 8, "top": 40, "containLabel": True},
            "xAxis": {"type": "value"},
            "yAxis": {"type": "category", "inverse": True, "data": [r.unit.name for r in rows]},
            "series": [
                {
                    "name": str(Stage(stage).label),
                    "type": "bar",
                    "stack": "people",
                    "data": [r.counts.get(stage, 0) for r in rows],
                }
                for stage in stages
            ],
        },
        "links": [[people_link(r.unit, stage) for r in rows] for stage in stages],
    }


def quarter_chart(quarters: list[tuple[selectors.Quarter, int, int]]) -> dict:
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 16, "bottom": 8, "top": 40, "containLabel": True},
            "xAxis": {"type": "category", "data": [q.label for q, _a, _c in quarters]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {"name": _("admitted"), "type": "bar", "data": [a for _q, a, _c in quarters]},
                {"name": _("converted"), "type": "bar", "data": [c for _q, _a, c in quarters]},
            ],
        },
        "links": [],
    }


def as_json(chart: dict) -> str:
    # Inside <script type="application/json">: "</" must not close the element.
    return json.dumps(chart, ensure_ascii=False).replace("</", "<\\/")


def funnel_context(funnel: list[selectors.FunnelRow]) -> dict:
    """The funnel as a chart and as a table whose every number links to its people."""
    return {
        "stages": [(s, Stage(s).label) for s in PIPELINE_STAGES],
        "funnel_rows": [
            (row, [(row.counts.get(s, 0), people_link(row.unit, s)) for s in PIPELINE_STAGES])
            for row in funnel
        ],
        "funnel_chart": as_json(funnel_chart(funnel)),
    }


def with_days_left(approvals, today: dt.date) -> list:
    rows = list(approvals)
    for approval in rows:
        approval.days_left = (approval.due_on - today).days
    return rows


def committee_or_school_context(request: HttpRequest) -> dict:
    """For pages a committee and the school both open (inspection, retained graduates):
    ?home=school|committee, by default the widest home the viewer has; then home_context."""
    homes = available_homes(request.user)
    kind = request.GET.get("home") or ("school" if "school" in homes else "committee")
    if kind not in ("school", "committee"):
        raise Http404
    return home_context(request, kind)
