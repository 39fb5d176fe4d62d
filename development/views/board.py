"""The branch secretary's pipeline board: people of a unit by stage, each with the next step,
its due date, due-soon and overdue marks, and the next action one click away."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from development.models import BranchMeeting, PublicNotice
from development.requirements import ACTIVE_STAGES
from development.selectors import next_steps
from development.views.common import Card, action_url, optional_url, today
from members.filters import unit_label
from members.models import OrgUnit, Person, Stage
from members.scoping import has_unit_perm

# A column shows at most this many people (the most recent in the stage first); the count
# above it is the whole number. Keeps the board a fixed number of queries at any size.
COLUMN_LIMIT = 100
RECENT = 10


def _chosen_unit(units: list[OrgUnit], wanted: str | None) -> OrgUnit:
    by_id = {str(u.pk): u for u in units}
    if wanted in by_id:
        return by_id[wanted]
    # By default the first unit of their scope in tree order (a secretary's own branch).
    return units[0]


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = list(OrgUnit.objects.restrict(user, "view_people").order_by("path"))
    if not units:
        raise Http404
    unit = _chosen_unit(units, request.GET.get("unit"))
    base_depth = min(u.depth for u in units)
    people = Person.objects.restrict(user, "view_people").filter(
        unit__path__startswith=unit.path, stage__in=ACTIVE_STAGES
    )
    counts = dict(people.order_by().values_list("stage").annotate(n=Count("id")))
    shown: list[Person] = []
    for stage in ACTIVE_STAGES:
        shown += list(
            people.filter(stage=stage)
            .select_related("unit")
            .defer("id_number_encrypted", "remarks")
            .order_by("-stage_since", "name", "id")[:COLUMN_LIMIT]
        )
    steps = next_steps(shown, today())
    columns = {stage: [] for stage in ACTIVE_STAGES}
    for person in shown:
        can_act = has_unit_perm(user, "change_people", person.unit)
        nxt = steps[person.pk]
        url = action_url(person, nxt.step) if can_act else ""
        columns[person.stage].append(Card(person, nxt, url))
    cards = [card for column in columns.values() for card in column]
    # The unit's latest notices and meetings, to get back to them (objections, results).
    notices = list(
        PublicNotice.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .annotate(people=Count("entries", distinct=True))
        .order_by("-start", "-id")[:RECENT]
    )
    meetings = list(
        BranchMeeting.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .annotate(people=Count("votes", distinct=True))
        .order_by("-held_on", "-id")[:RECENT]
    )
    return render(
        request,
        "development/board.html",
        {
            "unit": unit,
            "units": [(u, unit_label(u, base_depth)) for u in units],
            "columns": [
                {
                    "stage": stage,
                    "label": Stage(stage).label,
                    "count": counts.get(stage, 0),
                    "cards": sorted(columns[stage], key=lambda c: c.urgency),
                    "truncated": counts.get(stage, 0) > len(columns[stage]),
                }
                for stage in ACTIVE_STAGES
            ],
            "late": sum(1 for c in cards if c.late),
            "due_soon": sum(1 for c in cards if c.due_soon),
            "limit": COLUMN_LIMIT,
            "notices": notices,
            "meetings": meetings,
            "can_meet": unit.kind == OrgUnit.Kind.BRANCH
            and has_unit_perm(user, "change_people", unit),
            "queue_pre_review": optional_url("dev_queue", kind="pre_review"),
            "queue_approval": optional_url("dev_queue", kind="approval"),
        },
    )
