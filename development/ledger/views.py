"""Development ledger import views: thin, the rules live in development/ledger/service.py.
Anyone without `import_people` somewhere, or with another user's token, gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from development.ledger import service
from development.ledger.columns import STEP_COLUMNS
from development.ledger.forms import LedgerUploadForm

# A page lists at most this many of each; the counts above the tables are always complete.
MAX_LISTED = {"errors": 5000, "notes": 1000, "rows": 1000}


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    if not service.can_import_ledger(request.user):
        raise Http404
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not form.is_valid():
            return _upload_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        report = service.ledger_upload(
            request.user,
            upload,
            size=upload.size,
            name=upload.name,
            ignore_unknown=form.cleaned_data["ignore_unknown"],
        )
        if report.token:
            return redirect("dev_ledger_preview", token=report.token)
        return _upload_page(request, form, report=report, status=400)
    return _upload_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def ledger_preview(request: HttpRequest, token: str) -> HttpResponse:
    if not service.can_import_ledger(request.user):
        raise Http404
    pending = service.ledger_load(token, request.user)
    if pending is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "discard":
            service.ledger_discard(pending)
            messages.info(request, _("The upload was discarded; nothing was imported."))
            return redirect("dev_ledger_import")
        if action == "confirm":
            report = service.ledger_confirm(request.user, pending)
        elif action == "confirm_valid":
            if request.POST.get("accept_subset") != "yes":
                report = service.ledger_preview(request.user, pending)
                report.refused = service.ImportRefused(
                    "not_accepted",
                    _("Tick the box to confirm that the rows with errors are left out."),
                )
                return _preview_page(request, report, status=400)
            report = service.ledger_confirm(
                request.user, pending, subset=request.POST.get("fingerprint", "")
            )
        else:
            return HttpResponse(status=400)
        if report.applied:
            counts = report.counts
            text = _(
                "Imported %(file)s: %(new)d new people, %(load)d histories loaded, "
                "%(steps)d steps recorded."
            ) % {"file": report.filename, **counts}
            if report.subset:
                text += " " + _("%(n)d rows with errors were left out.") % {
                    "n": counts["error_rows"]
                }
            messages.success(request, text)
            return redirect("dev_ledger_import")
        return _preview_page(request, report, status=409)
    return _preview_page(request, service.ledger_preview(request.user, pending))


def _upload_page(request, form, *, report=None, status: int = 200) -> HttpResponse:
    context = {"form": form, "report": report, "step_columns": STEP_COLUMNS}
    return render(request, "development/ledger/upload.html", context, status=status)


def _preview_page(request, report, *, status: int = 200) -> HttpResponse:
    rows = [plan for plan in report.plans if plan.action != "unchanged"]
    context = {
        "report": report,
        "counts": report.counts,
        "errors": report.errors[: MAX_LISTED["errors"]],
        "errors_hidden": max(len(report.errors) - MAX_LISTED["errors"], 0),
        "notes": report.notes[: MAX_LISTED["notes"]],
        "notes_hidden": max(len(report.notes) - MAX_LISTED["notes"], 0),
        "rows": rows[: MAX_LISTED["rows"]],
        "rows_hidden": max(len(rows) - MAX_LISTED["rows"], 0),
        "form": LedgerUploadForm(),
    }
    return render(request, "development/ledger/preview.html", context, status=status)
