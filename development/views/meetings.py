"""Branch general meetings (attendance of the voting full members, written opinions, a
separate vote on each person, the result explained with its numbers) and public notices
(start, end, places; objections recorded and resolved)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from development.forms import MeetingForm, NoticeForm, ObjectionForm, ResolveForm
from development.models import (
    BranchMeeting,
    NoticeObjection,
    ObjectionStatus,
    PublicNotice,
    Purpose,
)
from development.selectors import rules_for
from development.services.meetings import voting_member_ids
from development.views.common import today
from members.forms import add_service_errors
from members.models import OrgUnit
from members.scoping import has_unit_perm, scope_q


def _purpose(value: str) -> Purpose:
    if value not in Purpose.values:
        raise Http404
    return Purpose(value)


def _branch(user, pk: int) -> OrgUnit:
    return get_object_or_404(
        OrgUnit.objects.restrict(user, "change_people").filter(kind=OrgUnit.Kind.BRANCH), pk=pk
    )


def _chosen(request: HttpRequest) -> set[int]:
    return {int(v) for v in request.GET.getlist("person") if v.isdigit()}


def _submit(request, form, done_message: str):
    """Run the form's service; its refusals go on the form and nothing is written."""
    try:
        result = form.submit()
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, done_message)
    return result


# Meetings --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int, purpose: str) -> HttpResponse:
    purpose = _purpose(purpose)
    branch = _branch(request.user, pk)
    form = MeetingForm(
        request.POST or None,
        branch=branch,
        purpose=purpose,
        user=request.user,
        chosen=_chosen(request),
    )
    if request.method == "POST" and form.is_valid():
        meeting = _submit(request, form, _("The branch general meeting is on record."))
        if meeting is not None:
            return redirect("dev_meeting_detail", pk=meeting.pk)
    voters = voting_member_ids(branch, today())
    return render(
        request,
        "development/meeting_form.html",
        {
            "branch": branch,
            "purpose": purpose,
            "form": form,
            "voting_count": len(voters),
            "voters": voters,
        },
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        BranchMeeting.objects.filter(
            scope_q(request.user, "view_people", field="unit__path")
        ).select_related("unit", "actor"),
        pk=pk,
    )
    votes = list(meeting.votes.select_related("person").order_by("person__name", "id"))
    for vote in votes:
        vote.meeting = meeting  # explanation() reads the meeting's numbers, not again
    attendance = list(
        meeting.attendance.select_related("person").order_by("-has_vote", "person__name", "id")
    )
    return render(
        request,
        "development/meeting_detail.html",
        {"meeting": meeting, "votes": votes, "attendance": attendance},
    )


# Notices ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest, pk: int, purpose: str) -> HttpResponse:
    purpose = _purpose(purpose)
    branch = _branch(request.user, pk)
    rules = rules_for(branch)
    initial = {"places": "\n".join(rules.notice_places), "people": sorted(_chosen(request))}
    form = NoticeForm(
        request.POST or None, branch=branch, purpose=purpose, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        notice = _submit(request, form, _("The public notice is posted."))
        if notice is not None:
            return redirect("dev_notice_detail", pk=notice.pk)
    return render(
        request,
        "development/notice_form.html",
        {"branch": branch, "purpose": purpose, "form": form, "rules": rules},
    )


def _notice(user, pk: int, perm: str = "view_people") -> PublicNotice:
    return get_object_or_404(
        PublicNotice.objects.filter(scope_q(user, perm, field="unit__path")).select_related("unit"),
        pk=pk,
    )


def _notice_page(request, notice: PublicNotice, objection_form=None, resolve_forms=None):
    user = request.user
    can_change = has_unit_perm(user, "change_people", notice.unit)
    entries = list(notice.entries.select_related("person").order_by("person__name", "id"))
    objections = list(notice.objections.select_related("person").order_by("received_on", "id"))
    resolve_forms = resolve_forms or {}
    for objection in objections:
        objection.form = None
        if can_change and objection.status == ObjectionStatus.OPEN:
            objection.form = resolve_forms.get(objection.pk) or ResolveForm(
                objection=objection, user=user, prefix=f"o{objection.pk}"
            )
    if can_change and objection_form is None:
        objection_form = ObjectionForm(notice=notice, user=user)
    return render(
        request,
        "development/notice_detail.html",
        {
            "notice": notice,
            "entries": entries,
            "objections": objections,
            "objection_form": objection_form if can_change else None,
            "can_change": can_change,
        },
    )


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice_page(request, _notice(request.user, pk))


@login_required
@require_POST
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request.user, pk, "change_people")
    form = ObjectionForm(request.POST, notice=notice, user=request.user)
    if form.is_valid() and _submit(request, form, _("The objection is on record.")):
        return redirect("dev_notice_detail", pk=notice.pk)
    return _notice_page(request, notice, objection_form=form)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        NoticeObjection.objects.filter(
            scope_q(request.user, "change_people", field="notice__unit__path")
        ).select_related("notice__unit", "person"),
        pk=pk,
    )
    form = ResolveForm(request.POST, objection=objection, user=request.user, prefix=f"o{pk}")
    if form.is_valid() and _submit(request, form, _("The objection is resolved.")):
        return redirect("dev_notice_detail", pk=objection.notice_id)
    return _notice_page(request, objection.notice, resolve_forms={objection.pk: form})
