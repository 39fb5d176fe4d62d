"""The retained graduates behind one number of the school home's grid (category × deadline
bucket), scoped to the viewer like every home figure."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from partyadmin.home import school_figures as figures
from partyadmin.home.views.common import committee_or_school_context, scoped_people

PEOPLE_SHOWN = 500


@login_required
@require_GET
def home_retained(request: HttpRequest) -> HttpResponse:
    context = committee_or_school_context(request)
    category = request.GET.get("category", "")
    bucket = request.GET.get("bucket", "")
    categories = dict(figures.RETAINED_CATEGORIES)
    buckets = dict(figures.DEADLINE_BUCKETS)
    if (category and category not in categories) or (bucket and bucket not in buckets):
        raise Http404
    people = figures.retained_people(
        scoped_people(request, context["unit"]), context["today"], category, bucket
    )
    context.update(
        category_label=categories.get(category, ""),
        bucket_label=buckets.get(bucket, ""),
        people=list(
            people.select_related("unit").order_by("unit__path", "name", "pk")[:PEOPLE_SHOWN]
        ),
    )
    return render(request, "home/retained.html", context)
