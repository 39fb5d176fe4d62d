"""Lapse-case pages: the branch's list and case page (steps with evidence), the higher
organization's approval, and the member's own case with the form to answer.

Cases are read through LapseCase.objects.restrict (handle_lapses or approve_removal on the
member's unit); the member's page only through their own account. Anything else: 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members import lapse_clock
from members.forms import add_service_errors
from members.lapse_forms import LapseAnswerForm, LapseApprovalForm, LapseFilterForm, LapseStepForm
from members.models import LapseCase, LapseStatus
from members.scoping import has_any_grant, has_unit_perm
from members.services import lapses as services

PER_PAGE = 50
STEP_SERVICES = {
    "notice": services.lapse_notice_record,
    "talk": services.lapse_talk_record,
    "suspend": services.lapse_suspend,
    "removal_decision": services.lapse_removal_decide,
}


def _cases(user, perm: str = "handle_lapses"):
    return LapseCase.objects.restrict(user, perm).select_related("person__unit")


@login_required
@require_GET
def lapse_list(request: HttpRequest) -> HttpResponse:
    """Every case in the user's scope, open ones first by default; a fixed number of queries
    whatever the number of cases (one count, one page, one tally by status)."""
    if not has_any_grant(request.user, "handle_lapses"):
        raise Http404
    form = LapseFilterForm(request.GET)
    cleaned = form.cleaned_data if form.is_valid() else {"status": "", "count": ""}
    queryset = _cases(request.user).order_by("lapses_on", "id")
    tally_qs = queryset
    if cleaned["count"]:
        queryset = queryset.filter(count=cleaned["count"])
        tally_qs = queryset
    if cleaned["status"] == "":
        queryset = queryset.filter(closed_at=None)
    elif cleaned["status"] != "all":
        queryset = queryset.filter(status=cleaned["status"])
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    tally = dict(
        tally_qs.filter(closed_at=None).values_list("status").annotate(n=Count("id")).order_by()
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "members/lapses/list.html",
        {
            "form": form,
            "page": page,
            "tally": [(s, tally.get(s.value, 0)) for s in LapseStatus if s.value in tally],
            "query": params.urlencode(),
        },
    )


def _steps(case: LapseCase):
    return case.steps.select_related("actor", "evidence")


@login_required
@require_GET
def lapse_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = get_object_or_404(_cases(user), pk=pk)
    return _render_case(request, case, LapseStepForm(), LapseApprovalForm())


def _render_case(request, case, step_form, approval_form, status: int = 200) -> HttpResponse:
    user = request.user
    unit = case.person.unit
    context = {
        "case": case,
        "person": case.person,
        "steps": _steps(case),
        "step_form": step_form,
        "approval_form": approval_form,
        "can_act": case.is_open and has_unit_perm(user, "handle_lapses", unit),
        "can_approve": case.status == LapseStatus.REMOVAL_DECIDED
        and has_unit_perm(user, "approve_removal", unit),
        "warns_on": lapse_clock.reaches(case.gap_since, lapse_clock.WARNING_MONTHS),
    }
    return render(request, "members/lapses/detail.html", context, status=status)


@login_required
@require_POST
def lapse_case_act(request: HttpRequest, pk: int) -> HttpResponse:
    """A branch step on the case (written notice, talk, suspension, removal decision, or
    closing it with a reason)."""
    user = request.user
    case = get_object_or_404(_cases(user), pk=pk)
    form = LapseStepForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "close":
                services.lapse_close(case=case, reason=data["note"], on=data["on"], actor=user)
            else:
                STEP_SERVICES[data["action"]](
                    case=case,
                    on=data["on"],
                    note=data["note"],
                    evidence=data["evidence"],
                    actor=user,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The step was recorded."))
            return redirect("lapse_case_detail", pk=case.pk)
    return _render_case(request, case, form, LapseApprovalForm(), status=400)


@login_required
@require_POST
def lapse_case_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The higher organization approves or refuses the branch meeting's removal decision."""
    user = request.user
    case = get_object_or_404(_cases(user, "approve_removal"), pk=pk)
    form = LapseApprovalForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.lapse_removal_approve(
                case=case,
                on=data["on"],
                approve=data["decision"] == "approve",
                note=data["note"],
                evidence=data["evidence"],
                actor=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("lapse_case_detail", pk=case.pk)
    return _render_case(request, case, LapseStepForm(), form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def my_lapse_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's own case: what the branch recorded, and a form to answer."""
    case = get_object_or_404(
        LapseCase.objects.filter(person__user_id=request.user.pk).select_related("person__unit"),
        pk=pk,
    )
    form = LapseAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lapse_answer(
                case=case,
                text=form.cleaned_data["text"],
                evidence=form.cleaned_data["evidence"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your answer was sent to your branch."))
            return redirect("my_lapse_case", pk=case.pk)
    return render(
        request,
        "members/lapses/mine.html",
        {"case": case, "steps": _steps(case), "form": form},
    )
