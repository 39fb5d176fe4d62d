"""Retention pages: the graduate's own page and application form (made for a phone), the
branch's and the office's lists, the office's queue and decision, the PDF for signature,
and the two-way examination with the employer's single-use upload link.

Views are thin: objects are found through scoped querysets (outside scope: 404) and every
change goes through transfers.services.retention.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pdf import pdf_response, render_pdf
from members.forms import add_service_errors
from members.models import OrgUnit, Person
from members.scoping import has_any_grant, has_unit_perm, scope_q
from transfers import clock
from transfers.forms import ApplicationForm, DecisionForm, ExaminationForm, ReportForm
from transfers.models import (
    ApplicationStatus,
    Examination,
    Retention,
    RetentionApplication,
)
from transfers.selectors import (
    applications_in_scope,
    own_applications,
    retained_graduates,
    retention_queue,
)
from transfers.services import retention as services


def _require_grant(user, perm: str) -> None:
    if not has_any_grant(user, perm):
        raise Http404


def _own_or_scope(user, perm: str, field: str = "person__unit__path") -> Q:
    return scope_q(user, perm, field=field) | Q(person__user_id=user.pk)


def _application(request: HttpRequest, pk: int, perm: str, *, own: bool = True):
    q = (
        _own_or_scope(request.user, perm)
        if own
        else scope_q(request.user, perm, field="person__unit__path")
    )
    return get_object_or_404(
        RetentionApplication.objects.filter(q, person__removed_at__isnull=True).select_related(
            "person__unit", "unit", "decided_by"
        ),
        pk=pk,
    )


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# The graduate ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def retention_mine(request: HttpRequest) -> HttpResponse:
    """The graduate's own page: their applications with every decision and comment, their
    retention (branch, contact, deadline) and two-way examination. POST starts a draft."""
    person = Person.objects.filter(user_id=request.user.pk, removed_at__isnull=True).first()
    if request.method == "POST":
        if person is None:
            raise Http404
        try:
            application = services.application_start(person=person, actor=request.user)
        except ValidationError as exc:
            _flash_errors(request, exc)
            return redirect("retention_mine")
        return redirect("retention_edit", pk=application.pk)
    applications = list(own_applications(request.user)) if person else []
    retention = (
        Retention.objects.filter(person=person, status=Retention.Status.ACTIVE)
        .select_related("branch", "contact_person")
        .first()
        if person
        else None
    )
    examinations = list(Examination.objects.filter(person=person)) if person else []
    can_start = (
        person is not None
        and person.is_member
        and retention is None
        and not any(a.status in services.OPEN_STATUSES for a in applications)
    )
    return render(
        request,
        "transfers/retention/mine.html",
        {
            "person": person,
            "applications": applications,
            "retention": retention,
            "retention_state": clock.deadline_state(retention.ends_on, timezone.localdate())
            if retention
            else "",
            "examinations": examinations,
            "can_start": can_start,
        },
    )


@login_required
@require_POST
def retention_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch starts an application for a graduating member in its scope."""
    person = get_object_or_404(Person.objects.restrict(request.user, "change_people"), pk=pk)
    try:
        application = services.application_start(person=person, actor=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
        return redirect("person_detail", pk=person.pk)
    return redirect("retention_edit", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def retention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill in, save as a draft, and submit. A submitted application is locked."""
    application = _application(request, pk, "change_people")
    if not application.is_editable:
        messages.info(request, _("This application is submitted and locked."))
        return redirect("retention_detail", pk=application.pk)
    # The form validates on a copy: `application` keeps what is stored.
    form = ApplicationForm(
        request.POST or None, request.FILES or None, instance=copy.copy(application)
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_save(
                application=application,
                data=form.service_data(),
                files=form.cleaned_data.get("evidence") or [],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if request.POST.get("action") != "submit":
                messages.success(request, _("The draft was saved."))
                return redirect("retention_edit", pk=application.pk)
            try:
                services.application_submit(application=application, actor=request.user)
            except ValidationError as exc:
                problems = exc.messages
            else:
                messages.success(
                    request, _("The application was submitted to the committee office.")
                )
                return redirect("retention_detail", pk=application.pk)
            form = ApplicationForm(instance=application)
    return render(
        request,
        "transfers/retention/edit.html",
        {
            "form": form,
            "application": application,
            "documents": list(application.documents.all()),
            "problems": problems,
            "latest_max_end": clock.retention_latest_end(application.starts_on)
            if application.starts_on
            else None,
        },
    )


@login_required
@require_POST
def retention_document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "change_people")
    document_id = request.POST.get("document", "")
    try:
        services.application_document_remove(
            application=application,
            document_id=int(document_id) if document_id.isdigit() else 0,
            actor=request.user,
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    except PermissionDenied as exc:
        raise Http404 from exc
    if application.is_editable:
        return redirect("retention_edit", pk=application.pk)
    return redirect("retention_detail", pk=application.pk)


@login_required
@require_GET
def retention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "view_people")
    user = request.user
    person = application.person
    is_own = person.user_id == user.pk
    retention = (
        Retention.objects.filter(application=application)
        .select_related("branch", "contact_person")
        .first()
    )
    return render(
        request,
        "transfers/retention/detail.html",
        {
            "application": application,
            "person": person,
            "events": list(application.events.select_related("actor")),
            "documents": list(application.documents.all()),
            "retention": retention,
            "can_edit": application.is_editable
            and (is_own or has_unit_perm(user, "change_people", person.unit)),
            "can_decide": application.status == ApplicationStatus.SUBMITTED
            and has_unit_perm(user, "decide_retention", person.unit),
            "problems": services.application_problems(application)
            if application.is_editable
            else [],
        },
    )


@login_required
@require_GET
def retention_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The application on the college's template, for the applicant, the branch and the
    committee to sign."""
    application = _application(request, pk, "view_people")
    committee = (
        OrgUnit.objects.filter(pk__in=application.unit.ancestor_ids, kind=OrgUnit.Kind.COMMITTEE)
        .order_by("-depth")
        .first()
    )
    data = render_pdf(
        "transfers/retention/application_pdf.html",
        {
            "application": application,
            "person": application.person,
            "committee": committee,
            "retention": Retention.objects.filter(application=application).first(),
        },
    )
    return pdf_response(data, f"党员留校申请书-{application.person.name}.pdf")


# Branch and office ---------------------------------------------------------------------


@login_required
@require_GET
def retention_list(request: HttpRequest) -> HttpResponse:
    _require_grant(request.user, "view_people")
    status = request.GET.get("status", "")
    if status not in ApplicationStatus.values:
        status = ""
    page = Paginator(applications_in_scope(request.user, status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "transfers/retention/list.html",
        {
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "can_decide": has_any_grant(request.user, "decide_retention"),
        },
    )


@login_required
@require_GET
def retained_list(request: HttpRequest) -> HttpResponse:
    """Retained graduates of the user's scope with their deadlines: who must apply to
    transfer out now, whose retention has expired."""
    _require_grant(request.user, "view_people")
    state = request.GET.get("state", "")
    states = (
        (clock.DeadlineState.APPLY_NOW, _("apply to transfer out now")),
        (clock.DeadlineState.EXPIRED, _("retention has expired")),
        (clock.DeadlineState.RUNNING, _("running")),
    )
    if state not in dict(states):
        state = ""
    rows = retained_graduates(request.user, timezone.localdate(), state)
    return render(
        request,
        "transfers/retention/retained.html",
        {"rows": rows, "state": state, "states": states},
    )


@login_required
@require_GET
def retention_queue_view(request: HttpRequest) -> HttpResponse:
    """Submitted applications awaiting the committee office, the longest waiting first."""
    _require_grant(request.user, "decide_retention")
    return render(
        request, "transfers/retention/queue.html", {"rows": retention_queue(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def retention_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "decide_retention", own=False)
    form = DecisionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_decide(
                application=application,
                decision=data["decision"],
                note=data["note"],
                branch=data["branch"],
                contact_person=data["contact_person"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The decision was recorded; the graduate can see it."))
            return redirect("retention_queue")
    return render(
        request,
        "transfers/retention/decide.html",
        {
            "form": form,
            "application": application,
            "person": application.person,
            "documents": list(application.documents.all()),
            "events": list(application.events.select_related("actor")),
        },
    )


# Two-way examination -----------------------------------------------------------------------


def _examination(request: HttpRequest, pk: int, perm: str, *, own: bool = True) -> Examination:
    q = (
        _own_or_scope(request.user, perm)
        if own
        else scope_q(request.user, perm, field="person__unit__path")
    )
    return get_object_or_404(
        Examination.objects.filter(q).select_related("person__unit", "report"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def examination_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.restrict(request.user, "change_people").select_related("unit"), pk=pk
    )
    form = ExaminationForm(request.POST or None, initial={"opened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            examination = services.examination_open(
                person=person,
                employer=form.cleaned_data["employer"],
                employer_contact=form.cleaned_data["employer_contact"],
                on=form.cleaned_data["opened_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("examination_detail", pk=examination.pk)
    return render(
        request, "transfers/retention/examination_open.html", {"form": form, "person": person}
    )


@login_required
@require_GET
def examination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    examination = _examination(request, pk, "view_people")
    person = examination.person
    can_branch = has_unit_perm(request.user, "change_people", person.unit)
    waiting = examination.is_open and examination.report_id is None
    return render(
        request,
        "transfers/retention/examination.html",
        {
            "examination": examination,
            "person": person,
            "form": ReportForm() if waiting else None,
            "can_link": waiting and can_branch,
        },
    )


@login_required
@require_POST
def examination_upload(request: HttpRequest, pk: int) -> HttpResponse:
    examination = _examination(request, pk, "change_people")
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.examination_report_upload(
                examination=examination, file=form.cleaned_data["report"], actor=request.user
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The employer's assessment report is on file."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("examination_detail", pk=examination.pk)


@never_cache
@login_required
@require_POST
def examination_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A new single-use link for the employer, shown this once."""
    examination = _examination(request, pk, "change_people", own=False)
    try:
        link, token = services.employer_link_create(examination=examination, actor=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
        return redirect("examination_detail", pk=examination.pk)
    except PermissionDenied as exc:
        raise Http404 from exc
    url = request.build_absolute_uri(reverse("employer_upload", kwargs={"token": token}))
    return render(
        request,
        "transfers/retention/examination_link.html",
        {"examination": examination, "link": link, "url": url},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def employer_upload(request: HttpRequest, token: str) -> HttpResponse:
    """The employer's page: no account; an unknown, used or expired link is 404."""
    try:
        link = services.employer_link_valid(token)
    except services.LinkInvalid as exc:
        raise Http404 from exc
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.employer_link_upload(token=token, file=form.cleaned_data["report"])
        except services.LinkInvalid as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "transfers/retention/employer_done.html", {"link": link})
    return render(
        request,
        "transfers/retention/employer_upload.html",
        {"form": form, "examination": link.examination, "person": link.examination.person},
    )
