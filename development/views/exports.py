"""The development ledger and the filing forms as Excel downloads, and the page that offers
them. Thin: who is in each file and how it is written is development.exports; users who may
export nobody get 404, like any page outside their scope."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from development import exports
from members.excel.export import can_export
from members.models import OrgUnit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BadSelection(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _units(user):
    return OrgUnit.objects.restrict(user, "export_people").exclude(kind=OrgUnit.Kind.GROUP)


def _date(value: str, label: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(_("%(field)s: write the date as YYYY-MM-DD.") % {"field": label})
        return None


def _selection(request: HttpRequest) -> exports.Selection:
    """The unit (within the user's export scope) and period asked for, or BadSelection."""
    errors: list[str] = []
    unit = None
    raw = request.GET.get("unit", "")
    if raw:
        unit = _units(request.user).filter(pk=raw).first() if raw.isdigit() else None
        if unit is None:
            errors.append(_("Choose a unit you may export."))
    since = _date(request.GET.get("since", ""), _("From"), errors)
    until = _date(request.GET.get("until", ""), _("Until"), errors)
    if since and until and until < since:
        errors.append(_("The period ends before it starts."))
    if errors:
        raise BadSelection(errors)
    return exports.Selection(unit=unit, since=since, until=until)


def _download(out, filename: str) -> FileResponse:
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"  # personal data: no copies in caches
    return response


def _page(request: HttpRequest, errors: list[str] | None = None, status: int = 200):
    return render(
        request,
        "development/exports.html",
        {
            "units": _units(request.user).order_by("path"),
            "forms": list(exports.FILING_FORMS.values()),
            "errors": errors or [],
            "params": request.GET,
        },
        status=status,
    )


@login_required
@require_GET
def dev_exports(request: HttpRequest) -> HttpResponse:
    if not can_export(request.user):
        raise Http404
    return _page(request)


@login_required
@require_GET
def dev_ledger_export(request: HttpRequest) -> HttpResponse:
    if not can_export(request.user):
        raise Http404
    try:
        selection = _selection(request)
    except BadSelection as bad:
        return _page(request, bad.errors, status=400)
    return _download(*exports.export_ledger(request.user, selection))


@login_required
@require_GET
def dev_filing_export(request: HttpRequest, kind: str) -> HttpResponse:
    form = exports.FILING_FORMS.get(kind)
    if form is None or not can_export(request.user):
        raise Http404
    try:
        selection = _selection(request)
    except BadSelection as bad:
        return _page(request, bad.errors, status=400)
    return _download(*exports.export_filing(request.user, form, selection))
