"""Mobile-member pages: the ledger (per branch, late verifications flagged), registering a
member as away, and each entry's verification, help pairing and end."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.filters import scope_units
from transfers import selectors
from transfers.excel import export_mobile
from transfers.forms import EndForm, MobileForm, VerifyForm
from transfers.models import MobileMember
from transfers.services import mobile as services
from transfers.services._common import today
from transfers.views._shared import paginate, require_grant, run
from transfers.views.transfers import _choose_page, _chosen_person

PERM = "manage_transfers"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ledger(request: HttpRequest):
    """The open ledger entries the user may see, narrowed to a unit and to late ones."""
    user = request.user
    require_grant(user, PERM)
    units = scope_units(user, PERM)
    queryset = selectors.mobile_for(user).filter(ended_on__isnull=True)
    unit_id = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == unit_id), None)
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    late_only = request.GET.get("late") == "1"
    if late_only:
        queryset = selectors.late_mobile(queryset, today())
    return queryset, units, unit, late_only


@login_required
@require_GET
def mobile_list(request: HttpRequest) -> HttpResponse:
    day = today()
    queryset, units, unit, late_only = _ledger(request)
    page = paginate(request, queryset.select_related("person", "unit", "helper"))
    for entry in page.object_list:
        entry.late = services.verification_late(entry, day)
    return render(
        request,
        "transfers/mobile_list.html",
        {
            "page": page,
            "units": units,
            "unit": unit,
            "late_only": late_only,
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def mobile_export(request: HttpRequest) -> FileResponse:
    queryset, _units, _unit, _late = _ledger(request)
    out, filename = export_mobile(request.user, queryset, today())
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def mobile_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_grant(user, PERM)
    members = selectors.members_for(user)
    person = _chosen_person(request, members)
    if person is None:
        return _choose_page(request, _("Register a mobile member"), members)
    form = MobileForm(
        request.POST or None, initial={"contact": person.mobile, "started_on": today()}
    )
    if request.method == "POST" and form.is_valid():
        entry = run(
            request,
            lambda: services.mobile_register(person=person, actor=user, **form.cleaned_data),
            form=form,
            success=_("%(name)s is in the mobile-member ledger.") % {"name": person.name},
        )
        if entry is not None:
            return redirect("mobile_detail", pk=entry.pk)
    return render(
        request,
        "transfers/mobile_form.html",
        {"form": form, "person": person},
        status=400 if request.method == "POST" else 200,
    )


def _get_entry(request: HttpRequest, pk: int) -> MobileMember:
    return get_object_or_404(
        selectors.mobile_for(request.user).select_related("person", "unit", "helper"), pk=pk
    )


class PairChoiceForm(forms.Form):
    helper = forms.ModelChoiceField(label=_("helper (1+1 / 1+n)"), queryset=None, required=False)

    def __init__(self, *args, entry: MobileMember, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Members of the same branch who are at school: a branch is small.
        self.fields["helper"].queryset = (
            selectors.members_for(user)
            .filter(unit__path__startswith=entry.unit.path)
            .exclude(pk=entry.person_id)
            .exclude(pk__in=MobileMember.objects.filter(ended_on__isnull=True).values("person_id"))
            .order_by("name")
        )


@login_required
@require_GET
def mobile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_entry(request, pk)
    return render(
        request,
        "transfers/mobile_detail.html",
        {
            "entry": entry,
            "late": services.verification_late(entry),
            "verifications": entry.verifications.select_related("actor"),
            "helped": MobileMember.objects.filter(helper_id=entry.helper_id, ended_on__isnull=True)
            .exclude(pk=entry.pk)
            .select_related("person")
            if entry.helper_id
            else [],
            "verify_form": VerifyForm(initial={"on": today(), "contact": entry.contact}),
            "pair_form": PairChoiceForm(
                entry=entry, user=request.user, initial={"helper": entry.helper_id}
            ),
            "end_form": EndForm(),
        },
    )


def _errors_to_messages(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@login_required
@require_POST
def mobile_verify(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_entry(request, pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.mobile_verify(entry=entry, actor=request.user, **form.cleaned_data),
            success=_("The verification was recorded."),
        )
    else:
        _errors_to_messages(request, form)
    return redirect("mobile_detail", pk=entry.pk)


@login_required
@require_POST
def mobile_pair(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_entry(request, pk)
    form = PairChoiceForm(request.POST, entry=entry, user=request.user)
    if form.is_valid():
        run(
            request,
            lambda: services.mobile_pair(
                entry=entry, helper=form.cleaned_data["helper"], actor=request.user
            ),
            success=_("The help pairing was saved."),
        )
    else:
        _errors_to_messages(request, form)
    return redirect("mobile_detail", pk=entry.pk)


@login_required
@require_POST
def mobile_end(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_entry(request, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.mobile_end(entry=entry, actor=request.user, **form.cleaned_data),
            success=_("%(name)s is no longer away.") % {"name": entry.person.name},
        )
    else:
        _errors_to_messages(request, form)
    return redirect("mobile_detail", pk=entry.pk)
