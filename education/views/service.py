"""Volunteer service, the graduates' "five ones", and assigned work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from education import selectors
from education.forms import (
    FiveOnesForm,
    ReasonForm,
    VolunteerForm,
    WorkDoneForm,
    WorkForm,
    YearForm,
)
from education.models import FiveOne, VolunteerService, WorkAssignment, WorkStatus
from education.services import service as services
from education.views._common import require_grant, run
from education.views.meetings import _flash
from members.models import Person
from members.models.people import MEMBER_STAGES
from members.scoping import has_any_grant, scope_q

RECORD = "record_meetings"


@login_required
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, "view_people")
    rows = (
        VolunteerService.objects.filter(
            scope_q(request.user, "view_people", field="person__unit__path")
        )
        .select_related("person", "person__unit")
        .order_by("-on", "-id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "education/volunteer_list.html",
        {"page": page, "can_create": has_any_grant(request.user, RECORD)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create_view(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, RECORD)
    form = VolunteerForm(request.POST or None, user=request.user)
    record = lambda: services.volunteer_service_record(actor=request.user, **form.cleaned_data)  # noqa: E731
    if request.method == "POST" and form.is_valid() and run(form, record):
        messages.success(request, _("The volunteer service is recorded."))
        return redirect("volunteer_list")
    return render(
        request,
        "education/simple_form.html",
        {"form": form, "title": _("Record volunteer service"), "back": "volunteer_list"},
    )


def _graduates(user, year: int, perm: str = "view_people") -> list[Person]:
    return list(
        Person.objects.restrict(user, perm)
        .filter(stage__in=MEMBER_STAGES, expected_graduation__year=year)
        .select_related("unit")
        .order_by("unit__path", "name", "pk")
    )


@login_required
@require_GET
def five_ones_view(request: HttpRequest) -> HttpResponse:
    """The graduating members of a year and which of the five ones each has done."""
    require_grant(request.user, "view_people")
    year = YearForm(request.GET).year_or_current()
    people = _graduates(request.user, year)
    done = selectors.five_ones(people)
    rows = [(p, [(item, done[p.pk][item]) for item in FiveOne.values]) for p in people]
    can_record = has_any_grant(request.user, RECORD)
    return render(
        request,
        "education/five_ones.html",
        {
            "year": year,
            "rows": rows,
            "items": FiveOne.choices,
            "form": FiveOnesForm(people=_graduates(request.user, year, RECORD))
            if can_record
            else None,
            "year_form": YearForm(request.GET),
        },
    )


@login_required
@require_POST
def five_ones_record_view(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, RECORD)
    year = YearForm(request.POST).year_or_current()
    people = {p.pk: p for p in _graduates(request.user, year, RECORD)}
    form = FiveOnesForm(request.POST, people=people.values())
    if form.is_valid():
        data = dict(form.cleaned_data)
        person = people[data.pop("person")]
        run(form, lambda: services.five_ones_record(person=person, actor=request.user, **data))
    _flash(request, form, _("The activity is recorded."))
    return redirect(f"{reverse('five_ones')}?year={year}")


@login_required
@require_GET
def work_list(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, "view_people")
    rows = (
        WorkAssignment.objects.filter(
            scope_q(request.user, "view_people", field="person__unit__path")
        )
        .select_related("person", "person__unit")
        .order_by("status", "-assigned_on", "-id")
    )
    status = request.GET.get("status", "")
    if status in WorkStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "education/work_list.html",
        {
            "page": page,
            "can_create": has_any_grant(request.user, RECORD),
            "done_form": WorkDoneForm(initial={"on": timezone.localdate()}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_create_view(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, RECORD)
    form = WorkForm(
        request.POST or None, user=request.user, initial={"assigned_on": timezone.localdate()}
    )
    assign = lambda: services.work_assign(actor=request.user, **form.cleaned_data)  # noqa: E731
    if request.method == "POST" and form.is_valid() and run(form, assign):
        messages.success(request, _("The work is assigned."))
        return redirect("work_list")
    return render(
        request,
        "education/simple_form.html",
        {"form": form, "title": _("Assign work"), "back": "work_list"},
    )


def _work(request: HttpRequest, pk: int) -> WorkAssignment:
    return get_object_or_404(
        WorkAssignment.objects.filter(scope_q(request.user, RECORD, field="person__unit__path")),
        pk=pk,
    )


@login_required
@require_POST
def work_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work(request, pk)
    form = WorkDoneForm(request.POST)
    if form.is_valid():
        run(
            form,
            lambda: services.work_mark_done(work=work, actor=request.user, **form.cleaned_data),
        )
    _flash(request, form, _("The work is marked done."))
    return redirect("work_list")


@login_required
@require_POST
def work_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        run(
            form,
            lambda: services.work_reopen(
                work=work, reason=form.cleaned_data["reason"], actor=request.user
            ),
        )
    _flash(request, form, _("The work is open again."))
    return redirect("work_list")
