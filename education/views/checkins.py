"""Check-in pages: the graduate's own (from a phone), the branch's review queue and late
list, a person's plan, opening a plan by hand, and a school's rules. Views are thin: the
services decide and record; anything outside the user's scope answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from education import selectors
from education.forms import CheckinReturnForm, CheckinSubmitForm, PlanOpenForm, RuleForm
from education.models import (
    Checkin,
    CheckinCategory,
    CheckinKind,
    CheckinPlan,
    CheckinStatus,
    PlanStatus,
)
from education.services import checkins as services
from members.forms import add_service_errors
from members.models import OrgUnit, Person
from members.scoping import has_any_grant, has_unit_perm, scope_q

REVIEW = services.REVIEW_PERM
QUEUE_PAGE = 100


def _require_grant(user, perm: str) -> None:
    if not has_any_grant(user, perm):
        raise Http404


def _own_person(user) -> Person | None:
    return Person.objects.filter(user_id=user.pk, removed_at__isnull=True).first()


def _board_context(plan: CheckinPlan) -> list:
    checkins = plan.checkins.prefetch_related("documents")
    return selectors.plan_board(plan, list(checkins), services.today())


def _submit_forms(boards) -> None:
    """One upload form per period the graduate can act on."""
    for board in boards:
        allowed = services.allowed_types(board.kind)
        for slot in board.open_slots:
            slot.form = CheckinSubmitForm(
                initial={"kind": board.kind, "period": slot.period.index},
                allowed=allowed,
                prefix=f"{board.kind}-{slot.period.index}",
            )


# ---- the graduate ------------------------------------------------------------------------


@login_required
@require_GET
def checkin_mine(request: HttpRequest) -> HttpResponse:
    person = _own_person(request.user)
    plan = None
    boards: list = []
    if person is not None:
        plan = person.checkin_plans.filter(status=PlanStatus.OPEN).first()
    if plan is not None:
        boards = _board_context(plan)
        _submit_forms(boards)
    return render(
        request,
        "education/checkins/mine.html",
        {"person": person, "plan": plan, "boards": boards},
    )


@login_required
@require_POST
def checkin_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        CheckinPlan.objects.select_related("person"), pk=pk, person__user_id=request.user.pk
    )
    prefix = request.POST.get("prefix", "")
    kind = request.POST.get(f"{prefix}-kind" if prefix else "kind", "")
    form = CheckinSubmitForm(
        request.POST,
        request.FILES,
        allowed=services.allowed_types(kind),
        prefix=prefix or None,
    )
    if form.is_valid():
        try:
            services.checkin_submit(
                plan=plan,
                kind=form.cleaned_data["kind"],
                period_index=form.cleaned_data["period"],
                text=form.cleaned_data["text"],
                files=form.uploads(),
                actor=request.user,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sent. Your branch will review it."))
            return redirect("checkin_mine")
    # Show the page again with this form's errors in place of its empty form.
    boards = _board_context(plan)
    _submit_forms(boards)
    shown = False
    for board in boards:
        for slot in board.open_slots:
            if slot.form.prefix == prefix:
                slot.form, shown = form, True
    # A period that cannot take a check-in has no form on the page: say why at the top.
    unplaced = [] if shown else [e for errors in form.errors.values() for e in errors]
    context = {"person": plan.person, "plan": plan, "boards": boards, "unplaced": unplaced}
    return render(request, "education/checkins/mine.html", context, status=400)


# ---- the branch --------------------------------------------------------------------------


@login_required
@require_GET
def checkin_queue(request: HttpRequest) -> HttpResponse:
    _require_grant(request.user, REVIEW)
    page = Paginator(selectors.review_queue(request.user), QUEUE_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "education/checkins/queue.html", {"queue": page, "page": page})


def _scoped_checkin(user, pk: int) -> Checkin:
    return get_object_or_404(
        Checkin.objects.filter(scope_q(user, REVIEW, field="plan__person__unit__path"))
        .select_related("plan__person__unit", "reviewed_by")
        .prefetch_related("documents"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin_review(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = _scoped_checkin(request.user, pk)
    form = CheckinReturnForm()
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.checkin_accept(checkin=checkin, actor=request.user)
                messages.success(request, _("Accepted."))
                return redirect("checkin_queue")
            if action == "return":
                form = CheckinReturnForm(request.POST)
                if form.is_valid():
                    services.checkin_return(
                        checkin=checkin, reason=form.cleaned_data["reason"], actor=request.user
                    )
                    messages.success(request, _("Sent back with the reason."))
                    return redirect("checkin_queue")
            else:
                errors = [_("Choose accept or send back.")]
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors = exc.messages
        status = 400
    events = checkin.events.select_related("actor")
    return render(
        request,
        "education/checkins/review.html",
        {
            "checkin": checkin,
            "form": form,
            "events": events,
            "errors": errors,
            "can_review": checkin.status == CheckinStatus.SUBMITTED,
        },
        status=status,
    )


@login_required
@require_GET
def checkin_late(request: HttpRequest) -> HttpResponse:
    _require_grant(request.user, REVIEW)
    branches = selectors.late_by_branch(request.user, services.today())
    return render(
        request,
        "education/checkins/late.html",
        {"branches": branches, "today": services.today()},
    )


@login_required
@require_GET
def checkin_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        CheckinPlan.objects.filter(
            scope_q(request.user, REVIEW, field="person__unit__path")
        ).select_related("person__unit", "opened_by"),
        pk=pk,
    )
    boards = _board_context(plan)
    return render(
        request,
        "education/checkins/plan.html",
        {"plan": plan, "boards": boards, "late": sum(b.late for b in boards)},
    )


@login_required
@require_POST
def checkin_plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        CheckinPlan.objects.filter(scope_q(request.user, REVIEW, field="person__unit__path")),
        pk=pk,
    )
    try:
        services.checkin_plan_close(
            plan=plan, reason=request.POST.get("reason", ""), actor=request.user
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("checkin_plan_detail", pk=plan.pk)
    messages.success(request, _("The check-in plan is closed."))
    return redirect("checkin_plan_detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.restrict(request.user, REVIEW), pk=pk)
    initial = {}
    if person.whereabouts in CheckinCategory.values:
        initial["category"] = person.whereabouts
    form = PlanOpenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.checkin_plan_open(
                person=person, actor=request.user, **form.cleaned_data
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The check-in plan is open."))
            return redirect("checkin_plan_detail", pk=plan.pk)
    plans = person.checkin_plans.all()
    return render(
        request,
        "education/checkins/plan_new.html",
        {"person": person, "form": form, "plans": plans},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin_rules(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(
        OrgUnit.objects.restrict(request.user, services.RULES_PERM),
        pk=pk,
        kind=OrgUnit.Kind.SCHOOL,
    )
    if not has_unit_perm(request.user, services.RULES_PERM, school):
        raise Http404
    current = {
        c: {item["kind"]: item for item in services.rules_for(school.pk, c)}
        for c in CheckinCategory.values
    }
    rows = []
    for category in CheckinCategory:
        for kind in CheckinKind:
            item = current[category].get(kind)
            initial = {"enabled": bool(item), "every": item and item["every"],
                       "unit": item and item["unit"]}  # fmt: skip
            prefix = f"{category}-{kind}"
            form = RuleForm(request.POST or None, prefix=prefix, initial=initial)
            rows.append({"category": category, "kind": kind, "form": form})
    errors: list[str] = []
    valid = request.method == "POST" and all([r["form"].is_valid() for r in rows])
    if valid:
        rules = [
            (r["category"], r["kind"], r["form"].cleaned_data["unit"],
             r["form"].cleaned_data["every"])
            for r in rows
            if r["form"].cleaned_data["enabled"]
        ]  # fmt: skip
        try:
            services.checkin_rules_set(school=school, rules=rules, actor=request.user)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The check-in rules are saved; new plans use them."))
            return redirect("checkin_rules", pk=school.pk)
    return render(
        request,
        "education/checkins/rules.html",
        {"school": school, "rows": rows, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )
