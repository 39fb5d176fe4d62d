"""Dues pages: the units of the user's scope, a unit's monthly sheet, a member's dues, and
Excel import (preview, then all or nothing) and export. Thin: education.services.dues and
education.dues_excel decide; anything outside the user's scope answers 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from development.clock import add_months
from education import cadence, dues_excel, selectors
from education.forms import DuesAccountForm, DuesPaymentForm, DuesUploadForm
from education.models import DuesBasis
from education.services import dues as services
from members.excel import storage
from members.forms import add_service_errors
from members.models import OrgUnit, Person
from members.scoping import has_any_grant

PERM = services.PERM
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_grant(user) -> None:
    if not has_any_grant(user, PERM):
        raise Http404


def _month_param(request: HttpRequest) -> dt.date:
    return cadence.parse_month(request.GET.get("month", "")) or cadence.first_of_month(
        services.today()
    )


@login_required
@require_GET
def dues_index(request: HttpRequest) -> HttpResponse:
    _require_grant(request.user)
    units = OrgUnit.objects.restrict(request.user, PERM).filter(
        kind=OrgUnit.Kind.BRANCH, is_active=True
    )
    return render(
        request,
        "education/dues/index.html",
        {"units": units, "month": cadence.first_of_month(services.today())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dues_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user, PERM), pk=pk)
    month = _month_param(request)
    errors: list[str] = []
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("person") if i.isdigit()]
        people = Person.objects.restrict(request.user, PERM).filter(
            pk__in=ids, unit__path__startswith=unit.path
        )
        try:
            paid_on = dt.date.fromisoformat(request.POST.get("paid_on", ""))
        except ValueError:
            errors = [_("Give the date the dues were paid.")]
        else:
            try:
                created = services.dues_record_many(
                    entries=[services.Entry(p, month, paid_on) for p in people],
                    actor=request.user,
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Recorded %(n)s payments.") % {"n": len(created)})
                return redirect(
                    f"{reverse('dues_sheet', kwargs={'pk': unit.pk})}?month={month:%Y-%m}"
                )
    rows = selectors.dues_sheet(request.user, unit, month)
    context = {
        "unit": unit,
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "rows": rows,
        "total_due": sum((r.due for r in rows), Decimal(0)),
        "total_paid": sum((r.payment.amount for r in rows if r.payment), Decimal(0)),
        "paid_count": sum(1 for r in rows if r.paid),
        "errors": errors,
        "today": services.today(),
    }
    return render(request, "education/dues/sheet.html", context, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def dues_person(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.restrict(request.user, PERM).select_related("unit", "dues_account"), pk=pk
    )
    account = getattr(person, "dues_account", None)  # a missing one-to-one reads as None
    account_form = DuesAccountForm(
        initial={"basis": account.basis if account else DuesBasis.STUDENT,
                 "monthly_income": account.monthly_income if account else None}
    )  # fmt: skip
    payment_form = DuesPaymentForm(initial={"paid_on": services.today()})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "account":
                account_form = DuesAccountForm(request.POST)
                if account_form.is_valid():
                    services.dues_account_set(
                        person=person, actor=request.user, **account_form.cleaned_data
                    )
                    messages.success(request, _("The dues basis is saved."))
                    return redirect("dues_person", pk=person.pk)
            elif action == "pay":
                payment_form = DuesPaymentForm(request.POST)
                if payment_form.is_valid():
                    data = payment_form.cleaned_data
                    first = cadence.parse_month(data["first_month"])
                    last = cadence.parse_month(data["last_month"]) if data["last_month"] else None
                    if first is None or (data["last_month"] and last is None):
                        payment_form.add_error("first_month", _("Give months like 2026-03."))
                    else:
                        created = services.dues_record(
                            person=person, first_month=first, last_month=last,
                            paid_on=data["paid_on"], note=data["note"], actor=request.user,
                        )  # fmt: skip
                        messages.success(request, _("Recorded %(n)s months.") % {"n": len(created)})
                        return redirect("dues_person", pk=person.pk)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(account_form if action == "account" else payment_form, exc)
        status = 400
    person.refresh_from_db(fields=["dues_paid_through"])
    payments = list(person.dues_payments.all())
    return render(
        request,
        "education/dues/person.html",
        {
            "person": person,
            "monthly": services.dues_of(person),
            "first_month": services.first_owed_month(person),
            "payments": payments,
            "unpaid": services.unpaid_months(
                person, {p.month for p in payments}, on=services.today()
            ),
            "account_form": account_form,
            "payment_form": payment_form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dues_import(request: HttpRequest) -> HttpResponse:
    _require_grant(request.user)
    form = DuesUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = dues_excel.import_upload(request.user, upload, size=upload.size, name=upload.name)
        if report.token:
            return redirect("dues_import_preview", token=report.token)
    status = 400 if request.method == "POST" else 200
    return render(request, "education/dues/import.html", {"form": form, "report": report,
                  "headers": dues_excel.HEADERS}, status=status)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def dues_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    _require_grant(request.user)
    pending = storage.load(token, uploader_id=request.user.pk)
    if pending is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            storage.delete(pending)
            messages.info(request, _("The upload was discarded; nothing was imported."))
            return redirect("dues_import")
        report = dues_excel.import_confirm(request.user, pending)
        if report.applied:
            messages.success(
                request, _("Imported %(n)s dues payments from %(file)s.")
                % {"n": len(report.rows), "file": report.filename},
            )  # fmt: skip
            return redirect("dues_import")
        return render(request, "education/dues/preview.html", {"report": report}, status=409)
    report = dues_excel.import_preview(request.user, pending)
    return render(request, "education/dues/preview.html", {"report": report})


@login_required
@require_GET
def dues_export(request: HttpRequest) -> FileResponse:
    _require_grant(request.user)
    out, filename = dues_excel.export_dues(request.user, request.GET)
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response
