"""People pages: the list, a person's page, create / edit / remove / restore, the ID-number
reveal, and a member's own record.

Views are thin: every queryset goes through `Person.objects.restrict` / `OrgUnit.objects.
restrict`, every change through members.services.people. Anything outside the user's scope
(for the permission the page needs) answers 404.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.filters import PeopleFilterForm, apply_people_filters, scope_units
from members.forms import PersonForm, PersonRemoveForm, PersonRestoreForm, add_service_errors
from members.models import BranchPost, Person
from members.scoping import has_any_grant, has_unit_perm
from members.services import people as people_services
from members.views.display import fact_groups, history
from partyadmin.home.branch_items import member_home

# The list's columns: (sort key, or "" when not sortable; the field that labels it).
LIST_COLUMNS = (
    ("name", "name"),
    ("student_number", "student_number"),
    ("unit", "unit"),
    ("stage", "stage"),
    ("grade", "grade"),
    ("expected_graduation", "expected_graduation"),
    ("whereabouts", "whereabouts"),
    ("", "id_number_masked"),
)


def _require_grant(user, perm: str) -> None:
    """Staff pages exist only for users holding `perm` somewhere; others get 404."""
    if not has_any_grant(user, perm):
        raise Http404


def _columns(sort: str, query: str) -> list[dict[str, str]]:
    """Header cells with links that sort by the column (again: reverse the direction)."""
    cells = []
    for key, field_name in LIST_COLUMNS:
        label = capfirst(str(Person._meta.get_field(field_name).verbose_name))
        if field_name == "unit":
            label = _("Unit")
        cell = {"key": key, "label": label, "url": "", "dir": ""}
        if key:
            current = sort.lstrip("-") == key
            descending = sort.startswith("-")
            cell["dir"] = ("desc" if descending else "asc") if current else ""
            target = f"-{key}" if current and not descending else key
            cell["url"] = "?" + "&".join(p for p in (query, f"sort={target}") if p)
        cells.append(cell)
    return cells


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_grant(user, "view_people")
    units = scope_units(user)
    form = PeopleFilterForm(request.GET, units=units)
    queryset = (
        Person.objects.restrict(user, "view_people", include_removed=True)
        .select_related("unit")
        .defer("id_number_encrypted", "remarks", "unit__created_at")
    )
    queryset, cleaned = apply_people_filters(queryset, form)

    paginator = Paginator(queryset, cleaned["per_page"])
    page = paginator.get_page(request.GET.get("page"))

    params = request.GET.copy()
    params.pop("page", None)
    filter_query = params.urlencode()
    params.pop("sort", None)
    unsorted_query = params.urlencode()
    export_url = ""
    if has_any_grant(user, "export_people"):
        export_url = reverse("people_export") + (f"?{filter_query}" if filter_query else "")
    return render(
        request,
        "members/people/list.html",
        {
            "form": form,
            "cleaned": cleaned,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "columns": _columns(cleaned["sort"], unsorted_query),
            "filter_query": filter_query,
            "export_url": export_url,
            "can_create": has_any_grant(user, "change_people"),
        },
    )


def _detail_context(request: HttpRequest, person: Person, *, compact: bool = False) -> dict:
    user = request.user
    today = timezone.localdate()
    changes = person.changes.select_related("actor")
    current = list(
        BranchPost.objects.filter(person=person, term_start__lte=today)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
        .select_related("unit")
    )
    return {
        "person": person,
        "groups": fact_groups(person, hide_empty=compact),
        "history": history(changes),
        "posts": current,
        "can_change": has_unit_perm(user, "change_people", person.unit),
        "can_reveal": bool(person.id_number_masked)
        and has_unit_perm(user, "view_id_number", person.unit),
        # education/: links to the member's check-in plan and dues (scope already cached).
        "can_checkins": person.is_member and has_unit_perm(user, "review_checkins", person.unit),
        "can_dues": person.is_member and has_unit_perm(user, "manage_dues", person.unit),
        # transfers/: start a transfer out or register a mobile member (no extra query).
        "can_transfer": person.is_member
        and person.removed_at is None
        and has_unit_perm(user, "manage_transfers", person.unit),
    }


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Through the scoping method: in scope, or the user's own record; otherwise 404.
    person = get_object_or_404(
        Person.objects.restrict(request.user, "view_people", include_removed=True).select_related(
            "unit"
        ),
        pk=pk,
    )
    return render(request, "members/people/detail.html", _detail_context(request, person))


@login_required
@require_GET
def my_record(request: HttpRequest) -> HttpResponse:
    """A member's own record: read-only and made for a phone."""
    person = (
        Person.objects.restrict(request.user, "view_people", include_removed=True)
        .filter(user_id=request.user.pk)
        .select_related("unit")
        .first()
    )
    if person is None:
        return render(request, "members/people/my_record.html", {"person": None})
    context = _detail_context(request, person, compact=True)
    # The member's home: what to upload and by when, applications to finish, notifications.
    context.update(member_home(request.user, person, timezone.localdate()))
    return render(request, "members/people/my_record.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_grant(user, "change_people")
    form = PersonForm(request.POST or None, user=user, initial=_create_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        unit = data.pop("unit")
        try:
            person = people_services.person_create(
                actor=user, unit=unit, id_number=form.cleaned_data["id_number"] or None, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("unit", _("You cannot add people to this unit."))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person.name})
            return redirect("person_detail", pk=person.pk)
    return render(request, "members/people/form.html", {"form": form, "person": None})


def _create_initial(request: HttpRequest) -> dict:
    unit = request.GET.get("unit")
    return {"unit": unit} if unit and unit.isdigit() else {}


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = get_object_or_404(
        Person.objects.restrict(user, "change_people").select_related("unit"), pk=pk
    )
    # The form validates on a copy: `person` keeps the stored values for the page heading.
    form = PersonForm(request.POST or None, instance=copy.copy(person), user=user)
    if request.method == "POST" and form.is_valid():
        id_number = form.cleaned_data["id_number"] or None  # empty keeps the number
        try:
            people_services.person_update(
                person=person,
                actor=user,
                data=form.service_data(),
                id_number=id_number,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("You cannot change this person."))
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("person_detail", pk=person.pk)
    return render(request, "members/people/form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.restrict(request.user, "change_people"), pk=pk)
    form = PersonRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people_services.person_remove(
                person=person, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was removed.") % {"name": person.name})
            return redirect("person_detail", pk=person.pk)
    return render(request, "members/people/remove.html", {"form": form, "person": person})


@login_required
@require_POST
def person_restore_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.restrict(request.user, "change_people", include_removed=True).filter(
            removed_at__isnull=False
        ),
        pk=pk,
    )
    form = PersonRestoreForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    people_services.person_restore(person=person, actor=request.user, reason=reason)
    messages.success(request, _("%(name)s was restored.") % {"name": person.name})
    return redirect("person_detail", pk=person.pk)


@never_cache
@login_required
@require_POST
def person_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    """The full ID number, for users granted view_id_number on the person's unit; the
    service records every reveal in the audit log. Anyone else gets 404."""
    person = get_object_or_404(
        Person.objects.restrict(request.user, "view_id_number", include_removed=True), pk=pk
    )
    try:
        value = people_services.person_reveal_id_number(person=person, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"id_number": value})
    return render(request, "members/people/id_number.html", {"person": person, "value": value})
