"""Facts a school's own rules read (seeds 002 and 004): vetoes that block every step while
they stand, required experiences and volunteer hours. Recorded through
development.services.facts, which refuses with its own messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from development.forms import FACT_FORMS, VetoLiftForm
from development.models import Veto
from development.selectors import rules_for
from members.forms import add_service_errors
from members.models import Person
from members.scoping import scope_q

TITLES = {
    "veto": gettext_lazy("Record a veto"),
    "experience": gettext_lazy("Record an experience"),
    "volunteer": gettext_lazy("Record volunteer service"),
}


def _run(request, form) -> bool:
    try:
        form.submit()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("The changes were saved."))
    return True


@login_required
@require_http_methods(["GET", "POST"])
def fact_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in FACT_FORMS:
        raise Http404
    user = request.user
    person = get_object_or_404(
        Person.objects.filter(
            scope_q(user, "change_people"), removed_at__isnull=True
        ).select_related("unit"),
        pk=pk,
    )
    form = FACT_FORMS[kind](
        request.POST or None, person=person, user=user, rules=rules_for(person.unit)
    )
    if request.method == "POST" and form.is_valid() and _run(request, form):
        return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "development/fact.html",
        {"person": person, "form": form, "title": str(TITLES[kind]), "kind": kind},
    )


@login_required
@require_http_methods(["GET", "POST"])
def veto_lift(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    veto = get_object_or_404(
        Veto.objects.filter(
            scope_q(user, "change_people", field="person__unit__path")
        ).select_related("person__unit"),
        pk=pk,
    )
    form = VetoLiftForm(request.POST or None, veto=veto, user=user)
    if request.method == "POST" and form.is_valid() and _run(request, form):
        return redirect("person_detail", pk=veto.person_id)
    return render(
        request,
        "development/fact.html",
        {"person": veto.person, "form": form, "title": _("Lift the veto"), "veto": veto},
    )
