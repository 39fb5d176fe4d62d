"""Transfer pages: the list, start (outgoing) and register (incoming), a transfer's page
and its actions. Thin: scoping in transfers.selectors, rules in transfers.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.models import Person
from members.models.people import MEMBER_STAGES
from members.scoping import has_unit_perm
from transfers import selectors
from transfers.forms import (
    CancelForm,
    CompleteForm,
    IncomingForm,
    LetterIssueForm,
    OnlineForm,
    TransferStartForm,
)
from transfers.models import Direction, Reach, TransferStatus
from transfers.services import letters as letter_services
from transfers.services import transfers as services
from transfers.services._common import today
from transfers.views._shared import paginate, person_search, require_grant, run

PERM = "manage_transfers"


@login_required
@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, PERM)
    queryset = selectors.transfers_for(request.user).select_related("person", "unit")
    status = request.GET.get("status", "")
    if status in TransferStatus.values:
        queryset = queryset.filter(status=status)
    direction = request.GET.get("direction", "")
    if direction in Direction.values:
        queryset = queryset.filter(direction=direction)
    return render(
        request,
        "transfers/list.html",
        {
            "page": paginate(request, queryset),
            "statuses": TransferStatus.choices,
            "status": status,
            "directions": Direction.choices,
            "direction": direction,
        },
    )


def _chosen_person(request: HttpRequest, queryset) -> Person | None:
    pk = request.GET.get("person") or request.POST.get("person")
    if not pk:
        return None
    if not str(pk).isdigit():
        return None
    return get_object_or_404(queryset.select_related("unit"), pk=pk)


def _choose_page(request, title: str, queryset) -> HttpResponse:
    q = request.GET.get("q", "")
    return render(
        request,
        "transfers/choose_person.html",
        {"title": title, "q": q, "found": person_search(queryset, q)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_grant(user, PERM)
    members = selectors.members_for(user)
    person = _chosen_person(request, members)
    if person is None:
        return _choose_page(request, _("Start a transfer"), members)
    form = TransferStartForm(request.POST or None, initial={"contact": person.mobile})
    if request.method == "POST" and form.is_valid():
        transfer = run(
            request,
            lambda: services.transfer_start(person=person, actor=user, **form.cleaned_data),
            form=form,
            success=_("The transfer of %(name)s was started.") % {"name": person.name},
        )
        if transfer is not None:
            return redirect("transfer_detail", pk=transfer.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "transfers/start.html", {"form": form, "person": person}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_incoming(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_grant(user, PERM)
    people = Person.objects.restrict(user, PERM).exclude(stage__in=MEMBER_STAGES)
    person = _chosen_person(request, people)
    if person is None:
        return _choose_page(request, _("Register an incoming transfer"), people)
    form = IncomingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        transfer = run(
            request,
            lambda: services.transfer_register_incoming(
                person=person, actor=user, **form.cleaned_data
            ),
            form=form,
            success=_("The incoming transfer of %(name)s was registered.") % {"name": person.name},
        )
        if transfer is not None:
            return redirect("transfer_detail", pk=transfer.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "transfers/incoming.html", {"form": form, "person": person}, status=status
    )


def _get_transfer(request: HttpRequest, pk: int, perm: str = PERM):
    return get_object_or_404(
        selectors.transfers_for(request.user, perm).select_related("person", "unit", "created_by"),
        pk=pk,
    )


@login_required
@require_GET
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _get_transfer(request, pk)
    user = request.user
    letters = list(transfer.letters.select_related("issued_by", "receipt_by").order_by("-id"))
    can_issue = has_unit_perm(user, "issue_letters", transfer.unit)
    for letter in letters:
        letter.flags = letter_services.letter_flags(letter)
    return render(
        request,
        "transfers/detail.html",
        {
            "transfer": transfer,
            "events": transfer.events.select_related("actor"),
            "letters": letters,
            "can_issue": can_issue,
            "letter_due": transfer.needs_letter and transfer.status == TransferStatus.REQUESTED,
            "can_online": transfer.is_open,
            "can_complete": transfer.is_open
            and not (
                transfer.direction == Direction.OUTGOING and transfer.reach == Reach.OUT_OF_PROVINCE
            ),
            "online_form": OnlineForm(),
            "complete_form": CompleteForm(),
            "cancel_form": CancelForm(),
        },
    )


def _action(request: HttpRequest, pk: int, form_class, call, success: str) -> HttpResponse:
    transfer = _get_transfer(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        run(request, lambda: call(transfer, form.cleaned_data), success=success)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("transfer_detail", pk=transfer.pk)


@login_required
@require_POST
def transfer_online(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        OnlineForm,
        lambda t, d: services.transfer_record_online(
            transfer=t, reference=d["reference"], on=d["on"], actor=request.user
        ),
        _("The online system's reference was recorded."),
    )


@login_required
@require_POST
def transfer_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        CompleteForm,
        lambda t, d: services.transfer_complete(
            transfer=t, on=d["on"], evidence=d["evidence"], actor=request.user
        ),
        _("The transfer was completed."),
    )


@login_required
@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        CancelForm,
        lambda t, d: services.transfer_cancel(transfer=t, reason=d["reason"], actor=request.user),
        _("The transfer was cancelled."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    transfer = _get_transfer(request, pk, "issue_letters")
    committee = letter_services.issuing_committee(transfer.unit)
    issuer = letter_services.issuer_for(committee)
    initial = {
        "validity_days": letter_services.default_validity(issuer, transfer, today()),
        "dues_paid_through": transfer.person.dues_paid_through,
        "member_contact": transfer.contact,
    }
    form = LetterIssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        letter = run(
            request,
            lambda: letter_services.letter_issue(
                transfer=transfer, actor=user, **form.cleaned_data
            ),
            form=form,
        )
        if letter is not None:
            messages.success(
                request, _("Letter %(serial)s was issued.") % {"serial": letter.serial}
            )
            return redirect("transfer_detail", pk=transfer.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "transfers/letter_issue.html",
        {"form": form, "transfer": transfer, "committee": committee, "issuer": issuer},
        status=status,
    )
