"""One page per step of one person: what the step needs today (met and unmet, from the
same rules the service applies), and its form. The service decides; a refusal comes back as
its messages on the form and nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from development import requirements
from development.forms import STEP_FORMS, SpecialCaseForm
from development.models import Approval, ApprovalStatus, Step
from development.selectors import load_files
from development.views.common import (
    MEETING_STEPS,
    NOTICE_STEPS,
    action_url,
    authority_refusal,
    step_perm,
    today,
)
from members.forms import add_service_errors
from members.models import Person
from members.scoping import scope_q


@login_required
@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = request.user
    if step not in Step.values:
        raise Http404
    # Granted scope only: a member's own record is readable, never a step page.
    person = get_object_or_404(
        Person.objects.filter(
            scope_q(user, step_perm(step)), removed_at__isnull=True
        ).select_related("unit"),
        pk=pk,
    )
    if step in NOTICE_STEPS or step in MEETING_STEPS:
        # Notices and meetings cover several people: their own pages.
        return redirect(action_url(person, step))
    form_class = STEP_FORMS.get(step)
    if form_class is None:
        raise Http404
    refusal = authority_refusal(user, person, step)
    form = None
    if not refusal:
        form = form_class(request.POST or None, request.FILES or None, person=person, user=user)
        if request.method == "POST" and form.is_valid():
            try:
                form.submit()
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(
                    request,
                    _("%(step)s: recorded for %(name)s.")
                    % {"step": Step(step).label, "name": person.name},
                )
                return redirect("person_detail", pk=person.pk)
    return _page(request, person, step, form, refusal)


def _page(request, person: Person, step: str, form, refusal: str, special_form=None):
    f = load_files(Person.objects.filter(pk=person.pk))[person.pk]
    # The requirements on the day the user gave (once the form has one), else today.
    on = today()
    if form is not None and form.is_bound and hasattr(form, "cleaned_data"):
        on = form.cleaned_data.get("on") or form.cleaned_data.get("start") or on
    checks = requirements.check(f, step, on, today())
    # While an approval is open, the committee may record a special case (6 months).
    approval = f.open_approval() if step in APPROVAL_DECISIONS and not refusal else None
    if approval is not None and not approval.special_case and special_form is None:
        special_form = SpecialCaseForm(person=person, user=request.user)
    return render(
        request,
        "development/step.html",
        {
            "person": person,
            "step": step,
            "step_label": Step(step).label,
            "form": form,
            "refusal": refusal,
            "checks": checks,
            "checks_on": on,
            "approval": approval,
            "special_form": special_form,
        },
    )


APPROVAL_DECISIONS = (Step.ADMISSION_APPROVAL, Step.CONVERSION_APPROVAL)


@login_required
@require_POST
def special_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the special case that gives the open approval up to 6 months."""
    user = request.user
    person = get_object_or_404(
        Person.objects.filter(
            scope_q(user, "change_people"), removed_at__isnull=True
        ).select_related("unit"),
        pk=pk,
    )
    approval = Approval.objects.filter(person=person, status=ApprovalStatus.OPEN).first()
    step = (
        Step.CONVERSION_APPROVAL
        if approval is not None and approval.purpose == "conversion"
        else Step.ADMISSION_APPROVAL
    )
    form = SpecialCaseForm(request.POST, person=person, user=user)
    if form.is_valid():
        try:
            form.submit()
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("The special case is on record."))
            return redirect("dev_step", pk=person.pk, step=step)
    refusal = authority_refusal(user, person, step)
    step_form = None if refusal else STEP_FORMS[step](person=person, user=user)
    return _page(request, person, step, step_form, refusal, special_form=None if refusal else form)
