"""The graduation campaign pages: the list (and setting one up), a year's deadlines and
progress per branch and general branch, the seed-003 forms, the delayed/incomplete list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.models import OrgUnit
from members.scoping import has_unit_perm
from transfers import clock, selectors
from transfers.excel import FORMS, export_form
from transfers.forms import CampaignCreateForm, CampaignForm, ExceptionForm
from transfers.services import campaign as services
from transfers.services._common import today
from transfers.views._shared import person_search, require_grant, run

PERM = "manage_transfers"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEADLINE_LABELS = (
    ("roster_due", gettext_lazy("graduate Party member roster due")),
    ("destinations_due", gettext_lazy("destinations and transfer registration due")),
    ("summaries_due", gettext_lazy("general-branch summaries due")),
    ("archive_due", gettext_lazy("materials archived by")),
)


def _setup_units(user):
    return OrgUnit.objects.restrict(user, services.SETUP_PERM).filter(
        kind__in=(OrgUnit.Kind.SCHOOL, OrgUnit.Kind.COMMITTEE)
    )


def _people_behind(request: HttpRequest, campaign, progress: list) -> dict:
    """?unit=&show=: the people behind one number of the progress table. The unit must be
    one of the table's rows (so in the viewer's scope); anything else is 404."""
    measure, unit_id = request.GET.get("show", ""), request.GET.get("unit", "")
    if not measure and not unit_id:
        return {}
    row = next((r for r in progress if str(r.unit.pk) == unit_id), None)
    if row is None or measure not in selectors.CAMPAIGN_MEASURES:
        raise Http404
    people = selectors.campaign_people(request.user, campaign, row.unit, measure)
    return {"behind": {"row": row, "measure": MEASURE_LABELS[measure], "people": people}}


MEASURE_LABELS = {
    "graduates": gettext_lazy("graduates"),
    "started": gettext_lazy("destination reported"),
    "completed": gettext_lazy("transfer completed"),
    "exceptions": gettext_lazy("delayed or incomplete"),
    "unreported": gettext_lazy("not yet reported"),
}


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_grant(user, PERM)
    units = _setup_units(user)
    form = CampaignCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        campaign = run(
            request,
            lambda: services.campaign_create(
                unit=form.cleaned_data["unit"], year=form.cleaned_data["year"], actor=user
            ),
            form=form,
        )
        if campaign is not None:
            return redirect("campaign_detail", pk=campaign.pk)
    campaigns = selectors.campaigns_for(user).select_related("unit")
    return render(
        request,
        "transfers/campaigns.html",
        {"campaigns": campaigns, "form": form if units.exists() else None},
        status=400 if request.method == "POST" else 200,
    )


def _get_campaign(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.campaigns_for(request.user).select_related("unit"), pk=pk)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = _get_campaign(request, pk)
    day = today()
    deadlines = [
        {
            "key": key,
            "label": label,
            "due": getattr(campaign, key),
            "passed": clock.deadline_passed(getattr(campaign, key), day),
        }
        for key, label in DEADLINE_LABELS
    ]
    q = request.GET.get("q", "")
    found = person_search(selectors.graduates(user, campaign), q) if q else []
    progress = selectors.campaign_progress(user, campaign)
    return render(
        request,
        "transfers/campaign.html",
        {
            "campaign": campaign,
            "deadlines": deadlines,
            "progress": progress,
            **_people_behind(request, campaign, progress),
            "exceptions": selectors.campaign_exceptions(user, campaign).select_related(
                "person", "person__unit"
            ),
            "forms": FORMS,
            "can_edit": has_unit_perm(user, services.SETUP_PERM, campaign.unit),
            "q": q,
            "found": found,
            "exception_form": ExceptionForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = get_object_or_404(
        selectors.campaigns_for(user, services.SETUP_PERM)
        .filter(unit__in=_setup_units(user))
        .select_related("unit"),
        pk=pk,
    )
    form = CampaignForm(request.POST or None, instance=campaign)
    form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        dates = {name: form.cleaned_data[name] for name in services.DEADLINES}
        saved = run(
            request,
            lambda: services.campaign_update(campaign=campaign, actor=user, **dates),
            form=form,
            success=_("The deadlines were saved."),
        )
        if saved is not None:
            return redirect("campaign_detail", pk=campaign.pk)
    return render(
        request,
        "transfers/campaign_edit.html",
        {"form": form, "campaign": campaign},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def campaign_export(request: HttpRequest, pk: int) -> FileResponse:
    campaign = _get_campaign(request, pk)
    form = request.GET.get("form", "roster")
    if form not in FORMS:
        raise Http404
    out, filename = export_form(request.user, campaign, form)
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def campaign_exception(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = _get_campaign(request, pk)
    form = ExceptionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("campaign_detail", pk=campaign.pk)
    person = get_object_or_404(selectors.graduates(user, campaign), pk=form.cleaned_data["person"])
    run(
        request,
        lambda: services.exception_record(
            campaign=campaign,
            person=person,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            new_graduation=form.cleaned_data["new_graduation"],
            actor=user,
        ),
        success=_("%(name)s was added to the list.") % {"name": person.name},
    )
    return redirect("campaign_detail", pk=campaign.pk)
