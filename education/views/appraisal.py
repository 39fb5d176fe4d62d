"""The annual democratic appraisal and the outstanding-graduate selection."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from education import clock, selectors
from education.forms import AppraisalOpenForm, RatingsForm, YearForm
from education.models import Appraisal, AppraisalStatus, GraduateNomination
from education.services import appraisal as services
from education.views._common import require_grant, run
from education.views.meetings import _flash
from members.models import Person
from members.models.people import MEMBER_STAGES
from members.scoping import has_any_grant, has_unit_perm, scope_q

RECORD = "record_meetings"


def _appraisals(user, perm: str = "view_people"):
    return Appraisal.objects.filter(scope_q(user, perm, field="branch__path"))


@login_required
@require_GET
def appraisal_list(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, "view_people")
    rows = (
        _appraisals(request.user).select_related("branch").order_by("-year", "branch__path")[:200]
    )
    return render(
        request,
        "education/appraisals/list.html",
        {"rows": rows, "can_open": has_any_grant(request.user, RECORD)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_open_view(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, RECORD)
    form = AppraisalOpenForm(
        request.POST or None, user=request.user, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST" and form.is_valid():
        appraisal = run(
            form, lambda: services.appraisal_open(actor=request.user, **form.cleaned_data)
        )
        if appraisal is not None:
            messages.success(request, _("The appraisal is open."))
            return redirect("appraisal_detail", pk=appraisal.pk)
    return render(
        request,
        "education/simple_form.html",
        {"form": form, "title": _("Open a democratic appraisal"), "back": "appraisal_list"},
    )


def _detail(request: HttpRequest, appraisal: Appraisal, form=None) -> HttpResponse:
    entries = list(appraisal.entries.select_related("person"))
    summaries = selectors.attendance_summaries([e.person_id for e in entries], appraisal.year)
    can_rate = appraisal.status == AppraisalStatus.OPEN and has_unit_perm(
        request.user, RECORD, appraisal.branch
    )
    rated = sum(1 for e in entries if not e.probationary)
    return render(
        request,
        "education/appraisals/detail.html",
        {
            "appraisal": appraisal,
            "rows": [(e, summaries.get(e.person_id)) for e in entries],
            "form": (form or RatingsForm(entries=entries)) if can_rate else None,
            "rated": rated,
            "quota": clock.excellent_quota(rated),
        },
    )


@login_required
@require_GET
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = get_object_or_404(_appraisals(request.user).select_related("branch"), pk=pk)
    return _detail(request, appraisal)


@login_required
@require_POST
def appraisal_rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = get_object_or_404(_appraisals(request.user, RECORD).select_related("branch"), pk=pk)
    entries = list(appraisal.entries.select_related("person"))
    form = RatingsForm(request.POST, entries=entries)
    if form.is_valid() and run(
        form,
        lambda: services.appraisal_rate(
            appraisal=appraisal, ratings=form.ratings(), actor=request.user
        ),
    ):
        messages.success(request, _("The ratings are saved."))
        return redirect("appraisal_detail", pk=appraisal.pk)
    return _detail(request, appraisal, form)


@login_required
@require_POST
def appraisal_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = get_object_or_404(_appraisals(request.user, RECORD), pk=pk)
    form = forms.Form(request.POST)
    form.is_valid()
    run(form, lambda: services.appraisal_close(appraisal=appraisal, actor=request.user))
    _flash(request, form, _("The appraisal is concluded."))
    return redirect("appraisal_detail", pk=appraisal.pk)


class NominationForm(forms.Form):
    person = forms.TypedChoiceField(label=gettext_lazy("Graduate"), coerce=int)
    citation = forms.CharField(
        label=gettext_lazy("Deeds"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, f"{p.name}（{p.unit.name}）") for p in people]


def _nominees(user, year: int) -> dict[int, Person]:
    people = (
        Person.objects.restrict(user, RECORD)
        .filter(stage__in=MEMBER_STAGES, expected_graduation__year=year)
        .select_related("unit")
        .order_by("name", "pk")
    )
    return {p.pk: p for p in people}


@login_required
@require_GET
def nomination_list(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, "view_people")
    year = YearForm(request.GET).year_or_current()
    rows = (
        GraduateNomination.objects.filter(
            scope_q(request.user, "view_people", field="person__unit__path"), year=year
        )
        .select_related("person", "person__unit")
        .order_by("person__unit__path", "person__name")
    )
    return render(
        request,
        "education/appraisals/nominations.html",
        {
            "rows": rows,
            "year": year,
            "can_nominate": has_any_grant(request.user, RECORD),
            "year_form": YearForm(request.GET),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination_create_view(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, RECORD)
    year = YearForm(request.GET or request.POST).year_or_current()
    people = _nominees(request.user, year)
    form = NominationForm(request.POST or None, people=people.values())
    if request.method == "POST" and form.is_valid():
        person = people[form.cleaned_data["person"]]
        if run(
            form,
            lambda: services.nomination_create(
                person=person, year=year, citation=form.cleaned_data["citation"], actor=request.user
            ),
        ):
            messages.success(request, _("The graduate is nominated."))
            return redirect("nomination_list")
    return render(
        request,
        "education/simple_form.html",
        {"form": form, "title": _("Nominate an outstanding graduate"), "back": "nomination_list"},
    )


@login_required
@require_POST
def nomination_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_object_or_404(
        GraduateNomination.objects.filter(
            scope_q(request.user, "change_people", field="person__unit__path")
        ),
        pk=pk,
    )
    form = forms.Form(request.POST)
    form.is_valid()
    selected = request.POST.get("decision") == "select"
    run(
        form,
        lambda: services.nomination_decide(
            nomination=nomination, selected=selected, actor=request.user
        ),
    )
    _flash(request, form, _("The nomination is decided."))
    return redirect("nomination_list")
