"""Roster import and export views: thin, the rules live in members/excel/services.py and
members/excel/export.py. Anything outside the user's grants answers 404, not 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from members.excel import export, services, storage
from members.excel.columns import COLUMNS
from members.excel.forms import RosterUploadForm

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A page lists at most this many of each; the counts above the tables are always complete.
MAX_LISTED = {"errors": 5000, "notes": 1000, "changes": 1000}


@login_required
@require_GET
def export_people(request: HttpRequest) -> FileResponse:
    if not export.can_export(request.user):
        raise Http404
    out, filename = export.export_roster(request.user, request.GET)
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"  # personal data: no copies in caches
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if not services.can_import(request.user):
        raise Http404
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not form.is_valid():
            return _upload_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        report = services.import_upload(
            request.user,
            upload,
            size=upload.size,
            name=upload.name,
            ignore_unknown=form.cleaned_data["ignore_unknown"],
        )
        if report.token:
            return redirect("people_import_preview", token=report.token)
        if report.refused:
            return _upload_page(request, form, report=report, status=400)
        return _preview_page(request, report, form=RosterUploadForm(), status=400)
    return _upload_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    if not services.can_import(request.user):
        raise Http404
    pending = storage.load(token, uploader_id=request.user.pk)
    if pending is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "discard":
            services.import_discard(pending)
            messages.info(request, _("The upload was discarded; nothing was imported."))
            return redirect("people_import")
        if action != "confirm":
            return HttpResponse(status=400)
        report = services.import_confirm(request.user, pending)
        if report.applied:
            counts = report.counts
            messages.success(
                request,
                _("Imported %(file)s: %(new)d new, %(update)d updated, %(unchanged)d unchanged.")
                % {"file": report.filename, **counts},
            )
            return redirect("people_import")
        return _preview_page(request, report, status=409)
    return _preview_page(request, services.import_preview(request.user, pending))


def _upload_page(request, form, *, report=None, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "report": report,
        "columns": COLUMNS,
        "can_export": export.can_export(request.user),
    }
    return render(request, "members/excel/upload.html", context, status=status)


def _preview_page(request, report, *, form=None, status: int = 200) -> HttpResponse:
    changes = [plan for plan in report.plans if plan.action != "unchanged"]
    context = {
        "report": report,
        "counts": report.counts,
        "errors": report.errors[: MAX_LISTED["errors"]],
        "errors_hidden": max(len(report.errors) - MAX_LISTED["errors"], 0),
        "notes": report.notes[: MAX_LISTED["notes"]],
        "notes_hidden": max(len(report.notes) - MAX_LISTED["notes"], 0),
        "changes": changes[: MAX_LISTED["changes"]],
        "changes_hidden": max(len(changes) - MAX_LISTED["changes"], 0),
        "form": form,
    }
    return render(request, "members/excel/preview.html", context, status=status)
