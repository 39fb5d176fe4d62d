"""Meetings, attendance and leave pages. Thin: querysets through the scoping method, changes
through education.services.meetings; anything outside scope answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from education import selectors
from education.forms import (
    AttachForm,
    AttendanceCorrectForm,
    AttendanceForm,
    LeaveDecisionForm,
    LeaveRequestForm,
    MeetingPlanForm,
    PeriodForm,
    ReasonForm,
    YearForm,
)
from education.models import TARGETS, LeaveRequest, LeaveStatus, Meeting, MeetingKind, MeetingStatus
from education.services import meetings as services
from education.views._common import require_grant, run
from members.models import OrgUnit, Person
from members.scoping import has_any_grant, has_unit_perm, scope_q

RECORD = "record_meetings"
PAGE_SIZE = 50


def _meeting(request: HttpRequest, pk: int, perm: str = "view_people") -> Meeting:
    return get_object_or_404(
        selectors.meetings_for(request.user, perm).select_related("unit", "branch"), pk=pk
    )


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, "view_people")
    meetings = selectors.meetings_for(request.user).select_related("unit")
    kind = request.GET.get("kind", "")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    status = request.GET.get("status", "")
    if status in MeetingStatus.values:
        meetings = meetings.filter(status=status)
    page = Paginator(meetings.order_by("-held_on", "-start_time", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "education/meetings/list.html",
        {
            "page": page,
            "kinds": MeetingKind.choices,
            "statuses": MeetingStatus.choices,
            "kind": kind,
            "status": status,
            "can_plan": has_any_grant(request.user, RECORD),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    require_grant(request.user, RECORD)
    form = MeetingPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = run(form, lambda: services.meeting_plan(actor=request.user, **form.cleaned_data))
        if meeting is not None:
            messages.success(request, _("The meeting is planned."))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "education/meetings/form.html", {"form": form})


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    can_record = has_unit_perm(request.user, RECORD, meeting.unit)
    leaves = list(meeting.leaves.select_related("person", "decided_by").order_by("requested_at"))
    attendance = list(meeting.attendance.select_related("person").order_by("person__name"))
    attachments = list(meeting.attachments.select_related("document"))
    return render(
        request,
        "education/meetings/detail.html",
        {
            "meeting": meeting,
            "leaves": leaves,
            "attendance": attendance,
            "attachments": attachments,
            "can_record": can_record,
            "attach_form": AttachForm(),
            "cancel_form": ReasonForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Planned: record it as held. Held: correct one person's attendance."""
    meeting = _meeting(request, pk, RECORD)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Http404
    people = list(selectors.expected_attendees(meeting))
    if meeting.status == MeetingStatus.HELD:
        return _correct(request, meeting, people)
    leaves = {
        leave.person_id: leave
        for leave in meeting.leaves.filter(status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED])
    }
    form = AttendanceForm(request.POST or None, request.FILES or None, people=people, leaves=leaves)
    if request.method == "POST" and form.is_valid():
        done = run(
            form,
            lambda: services.meeting_record(
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                attendance=form.attendance(),
                files=form.cleaned_data["files"],
                actor=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("The meeting and its attendance are recorded."))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(
        request,
        "education/meetings/record.html",
        {"meeting": meeting, "form": form, "leaves": leaves},
    )


def _correct(request: HttpRequest, meeting: Meeting, people: list[Person]) -> HttpResponse:
    recorded = {a.person_id: a.person for a in meeting.attendance.select_related("person")}
    form = AttendanceCorrectForm(request.POST or None, people=recorded.values())
    if request.method == "POST" and form.is_valid():
        person = recorded[form.cleaned_data["person"]]
        done = run(
            form,
            lambda: services.attendance_correct(
                meeting=meeting,
                person=person,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("The attendance is corrected."))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "education/meetings/correct.html", {"meeting": meeting, "form": form})


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, RECORD)
    form = ReasonForm(request.POST)
    if form.is_valid():
        run(
            form,
            lambda: services.meeting_cancel(
                meeting=meeting, reason=form.cleaned_data["reason"], actor=request.user
            ),
        )
    _flash(request, form, _("The meeting is cancelled."))
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_attach(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, RECORD)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        run(
            form,
            lambda: services.meeting_attach(
                meeting=meeting, files=form.cleaned_data["files"], actor=request.user
            ),
        )
    _flash(request, form, _("The attachments are kept."))
    return redirect("meeting_detail", pk=meeting.pk)


def _flash(request: HttpRequest, form, success: str) -> None:
    if form.is_valid() and not form.errors:
        messages.success(request, success)
        return
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@login_required
@require_POST
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    leave = get_object_or_404(
        LeaveRequest.objects.filter(
            meeting__in=selectors.meetings_for(request.user, RECORD).values("pk")
        ),
        pk=pk,
    )
    form = LeaveDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        run(
            form,
            lambda: services.leave_decide(
                leave=leave, approve=approve, note=form.cleaned_data["note"], actor=request.user
            ),
        )
    _flash(request, form, _("The leave request is decided."))
    return redirect("meeting_detail", pk=leave.meeting_id)


@login_required
@require_GET
def leave_register(request: HttpRequest) -> HttpResponse:
    """The discipline committee member's register of leave (seed 000: 纪检委员存档备查)."""
    require_grant(request.user, RECORD)
    form = YearForm(request.GET)
    year = form.year_or_current()
    page = Paginator(selectors.leave_register(request.user, RECORD, year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "education/leaves/register.html", {"page": page, "year": year, "form": form}
    )


# A member's own page -----------------------------------------------------------------------


def _own_person(request: HttpRequest) -> Person | None:
    return (
        Person.objects.filter(user_id=request.user.pk, removed_at__isnull=True)
        .select_related("unit")
        .first()
    )


@login_required
@require_GET
def my_meetings(request: HttpRequest) -> HttpResponse:
    """A member's meetings on a phone: what is coming, leave asked for, what was recorded."""
    person = _own_person(request)
    if person is None:
        return render(request, "education/my_meetings.html", {"person": None})
    today = timezone.localdate()
    upcoming = list(selectors.upcoming_for_member(person, today).select_related("unit"))
    leaves = {
        leave.meeting_id: leave
        for leave in person.meeting_leaves.filter(meeting__in=[m.pk for m in upcoming]).order_by(
            "requested_at"
        )
    }
    rows = [(m, leaves.get(m.pk)) for m in upcoming]
    recent = list(
        person.meeting_attendance.select_related("meeting").order_by("-meeting__held_on")[:20]
    )
    return render(
        request,
        "education/my_meetings.html",
        {"person": person, "rows": rows, "recent": recent, "form": LeaveRequestForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = _own_person(request)
    if person is None:
        raise Http404
    meeting = get_object_or_404(selectors.upcoming_for_member(person, timezone.localdate()), pk=pk)
    form = LeaveRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        leave = run(
            form,
            lambda: services.leave_request(
                meeting=meeting, reason=form.cleaned_data["reason"], actor=request.user
            ),
        )
        if leave is not None:
            messages.success(request, _("Your leave request was sent to the branch secretary."))
            return redirect("my_meetings")
    return render(request, "education/leave_form.html", {"meeting": meeting, "form": form})


@login_required
@require_POST
def leave_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = _own_person(request)
    if person is None:
        raise Http404
    leave = get_object_or_404(LeaveRequest.objects.filter(person=person), pk=pk)
    form = ReasonForm({"reason": "-"})
    form.is_valid()
    run(form, lambda: services.leave_withdraw(leave=leave, actor=request.user))
    _flash(request, form, _("Your leave request is withdrawn."))
    return redirect("my_meetings")


# Compliance ------------------------------------------------------------------------------

# Who sees compliance: report readers over their whole scope, and whoever keeps a branch's
# meetings (the secretary and the branch committee, record_meetings) over the branches they
# keep. The per-college overview is a report: only view_reports holders get it.
REPORTS = "view_reports"
COMPLIANCE_PERMS = (REPORTS, RECORD)


def _compliance_units(user):
    """Active units the user may see compliance for: either permission's scope."""
    q = Q(pk__in=[])
    for perm in COMPLIANCE_PERMS:
        q |= scope_q(user, perm, field="path")
    return OrgUnit.objects.filter(q, is_active=True)


def _compliance_page(request: HttpRequest, branches, unit: OrgUnit | None) -> HttpResponse:
    form = PeriodForm(request.GET)
    start, end = form.period()
    today = timezone.localdate()
    rows = selectors.compliance(branches, start, end, today)
    reports = [r for r in rows if has_unit_perm(request.user, REPORTS, r.branch)]
    silent_only = request.GET.get("silent") == "on"  # the branches behind a silent count
    if silent_only:
        rows = [r for r in rows if r.silent]
    return render(
        request,
        "education/compliance.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "rows": rows,
            "silent_only": silent_only,
            "unit": unit,
            "show_colleges": has_any_grant(request.user, REPORTS),
            "colleges": selectors.by_college(reports) if reports else [],
            "kinds": [MeetingKind(k) for k in TARGETS],
        },
    )


@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """Each branch (and, for report readers, each college) in scope against the frequency
    targets, for any period."""
    if not any(has_any_grant(request.user, perm) for perm in COMPLIANCE_PERMS):
        raise Http404
    return _compliance_page(request, _compliance_units(request.user), None)


@login_required
@require_GET
def compliance_unit(request: HttpRequest, pk: int) -> HttpResponse:
    """The branches of one unit in scope (a branch, or a committee's branches); 404 outside."""
    unit = get_object_or_404(_compliance_units(request.user), pk=pk)
    branches = _compliance_units(request.user).filter(path__startswith=unit.path)
    return _compliance_page(request, branches, unit)
