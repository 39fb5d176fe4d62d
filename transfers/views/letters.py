"""Letter pages: the list with overdue receipts flagged, the PDF, the receipt, the re-issue,
and a committee's letter particulars."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pdf import pdf_response, render_pdf
from members.models import OrgUnit
from members.scoping import has_unit_perm
from transfers import selectors
from transfers.forms import IssuerForm, ReceiptForm, ReissueForm
from transfers.models import LetterStatus
from transfers.services import letters as services
from transfers.services._common import today
from transfers.views._shared import paginate, require_grant, run

PERM = "manage_transfers"


@login_required
@require_GET
def letter_list(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, PERM)
    day = today()
    queryset = selectors.letters_for(request.user).select_related("transfer", "committee")
    show = request.GET.get("show", "")
    if show == "overdue":
        queryset = selectors.overdue_letters(queryset, day)
    elif show in LetterStatus.values:
        queryset = queryset.filter(status=show)
    page = paginate(request, queryset)
    for letter in page.object_list:
        letter.flags = services.letter_flags(letter, day)
    overdue = selectors.overdue_letters(selectors.letters_for(request.user), day).count()
    return render(
        request,
        "transfers/letters.html",
        {"page": page, "show": show, "statuses": LetterStatus.choices, "overdue": overdue},
    )


def _get_letter(request: HttpRequest, pk: int, perm: str):
    return get_object_or_404(
        selectors.letters_for(request.user, perm).select_related(
            "transfer__person", "transfer__unit", "committee"
        ),
        pk=pk,
    )


@login_required
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _get_letter(request, pk, "issue_letters")
    printed = services.letter_printout(letter=letter, actor=request.user)
    issuer = services.issuer_for(letter.committee)
    data = render_pdf(
        "transfers/pdf/letter.html",
        {"p": printed, "issuer_name": issuer.formal_name or letter.committee.name},
    )
    return pdf_response(data, f"介绍信-{letter.serial}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def letter_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _get_letter(request, pk, PERM)
    form = ReceiptForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "received_on": today(),
            "receipt_from": letter.transfer.other_committee or letter.heading,
        },
    )
    if request.method == "POST" and form.is_valid():
        done = run(
            request,
            lambda: services.letter_register_receipt(
                letter=letter,
                received_on=form.cleaned_data["received_on"],
                receipt_from=form.cleaned_data["receipt_from"],
                file=form.cleaned_data["file"] or None,
                actor=request.user,
            ),
            form=form,
        )
        if done is not None:
            messages.success(
                request,
                _("The receipt of letter %(serial)s was registered; the letter is closed.")
                % {"serial": letter.serial},
            )
            return redirect("transfer_detail", pk=letter.transfer_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "transfers/letter_receipt.html", {"form": form, "letter": letter}, status=status
    )


@login_required
@require_POST
def letter_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _get_letter(request, pk, "issue_letters")
    form = ReissueForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("transfer_detail", pk=letter.transfer_id)
    new = run(
        request,
        lambda: services.letter_reissue(
            letter=letter, validity_days=form.cleaned_data["validity_days"], actor=request.user
        ),
    )
    if new is not None:
        messages.success(
            request,
            _("Letter %(old)s was re-issued as %(new)s.")
            % {"old": letter.serial, "new": new.serial},
        )
    return redirect("transfer_detail", pk=letter.transfer_id)


@login_required
@require_http_methods(["GET", "POST"])
def issuer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(
        OrgUnit.objects.restrict(request.user, "issue_letters").filter(
            kind__in=(OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.SCHOOL)
        ),
        pk=pk,
    )
    issuer = services.issuer_for(committee)
    form = IssuerForm(request.POST or None, instance=issuer)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in IssuerForm.Meta.fields}
        saved = run(
            request,
            lambda: services.issuer_update(committee=committee, actor=request.user, **fields),
            form=form,
            success=_("The letter particulars were saved."),
        )
        if saved is not None:
            return redirect("issuer_edit", pk=committee.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "transfers/issuer.html",
        {
            "form": form,
            "committee": committee,
            "can_issue": has_unit_perm(request.user, "issue_letters", committee),
        },
        status=status,
    )
