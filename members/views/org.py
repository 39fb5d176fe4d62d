"""Organization-tree pages: the tree of the user's scope, a unit's page, and the changes
that members.services.org and members.services.access make (create, edit, move, committee
posts, roles). Units outside the user's scope for the needed permission answer 404."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.forms import (
    BranchPostEndForm,
    BranchPostForm,
    OrgUnitForm,
    OrgUnitMoveForm,
    RoleGrantForm,
    add_service_errors,
)
from members.models import BranchPost, OrgUnit, Person, RoleGrant
from members.scoping import has_any_grant, has_unit_perm
from members.selectors import Warning, branch_warnings
from members.services import access as access_services
from members.services import org as org_services


@dataclass
class TreeNode:
    unit: OrgUnit
    level: int
    own_people: int = 0
    people: int = 0  # the whole subtree (of what the user may see)
    warnings: list[Warning] = field(default_factory=list)
    can_manage: bool = False


@dataclass
class TreeEvent:
    """One step of rendering nested lists from a flat, path-ordered list of units."""

    kind: str  # "open" (<ul>), "item" (<li>…), "end" (</li>), "close" (</ul>)
    node: TreeNode | None = None


def _warnings_by_unit(units: list[OrgUnit]) -> dict[int, list[Warning]]:
    found: dict[int, list[Warning]] = {}
    for warning in branch_warnings(units, timezone.localdate()):
        found.setdefault(warning.unit_id, []).append(warning)
    return found


def build_tree(user, units: list[OrgUnit], counts: dict[int, int]) -> list[TreeNode]:
    """Nodes in path order with their level among the visible units (a unit whose parent is
    not visible starts a new root) and people counts summed over each subtree."""
    nodes: list[TreeNode] = []
    stack: list[TreeNode] = []
    for unit in units:
        while stack and not unit.path.startswith(stack[-1].unit.path):
            stack.pop()
        own = counts.get(unit.pk, 0)
        node = TreeNode(
            unit=unit,
            level=len(stack),
            own_people=own,
            people=own,
            can_manage=has_unit_perm(user, "manage_tree", unit),
        )
        for ancestor in stack:
            ancestor.people += own
        stack.append(node)
        nodes.append(node)
    return nodes


def tree_events(nodes: list[TreeNode]) -> list[TreeEvent]:
    events: list[TreeEvent] = []
    level = -1
    for node in nodes:
        if node.level > level:
            events.append(TreeEvent("open"))
        else:
            events.append(TreeEvent("end"))
            for _step in range(level - node.level):
                events += [TreeEvent("close"), TreeEvent("end")]
        events.append(TreeEvent("item", node))
        level = node.level
    if nodes:
        events.append(TreeEvent("end"))
        for _step in range(level):
            events += [TreeEvent("close"), TreeEvent("end")]
        events.append(TreeEvent("close"))
    return events


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_any_grant(user, "view_people"):
        raise Http404
    # One query for the units, one aggregate for the people, one for the committee posts.
    units = list(OrgUnit.objects.restrict(user, "view_people").order_by("path"))
    counts = dict(
        Person.objects.restrict(user, "view_people")
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("id"))
    )
    nodes = build_tree(user, units, counts)
    by_unit = _warnings_by_unit(units)
    for node in nodes:
        node.warnings = by_unit.get(node.unit.pk, [])
    return render(
        request,
        "members/org/tree.html",
        {
            "events": tree_events(nodes),
            "nodes": nodes,
            "warning_count": sum(len(w) for w in by_unit.values()),
        },
    )


def _unit_or_404(user, perm: str, pk: int) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.restrict(user, perm), pk=pk)


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _unit_or_404(user, "view_people", pk)
    visible = OrgUnit.objects.restrict(user, "view_people")
    today = timezone.localdate()
    posts = list(BranchPost.objects.filter(unit=unit).select_related("person"))
    return render(
        request,
        "members/org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": list(visible.filter(pk__in=unit.ancestor_ids[:-1]).order_by("path")),
            "children": list(visible.filter(parent=unit).order_by("name", "id")),
            "people_count": Person.objects.restrict(user, "view_people")
            .filter(unit__path__startswith=unit.path)
            .count(),
            "current_posts": [p for p in posts if p.term_start <= today and not _ended(p, today)],
            "past_posts": [p for p in posts if _ended(p, today)],
            "future_posts": [p for p in posts if p.term_start > today],
            "warnings": _warnings_by_unit([unit]).get(unit.pk, []),
            "can_manage": has_unit_perm(user, "manage_tree", unit),
            "can_roles": has_unit_perm(user, "manage_roles", unit),
            "can_add_people": has_unit_perm(user, "change_people", unit),
            "end_form": BranchPostEndForm(),
        },
    )


def _ended(post: BranchPost, today) -> bool:
    return post.term_end is not None and post.term_end < today


@login_required
@require_http_methods(["GET", "POST"])
def unit_create_view(request: HttpRequest) -> HttpResponse:
    """A child unit under `?parent=<pk>`, which must be within the user's manage_tree scope.
    Without a parent, the page offers the units the user may add to."""
    user = request.user
    if not has_any_grant(user, "manage_tree"):
        raise Http404
    parent_id = request.GET.get("parent", "")
    if not parent_id.isdigit():
        parents = OrgUnit.objects.restrict(user, "manage_tree").filter(is_active=True)
        return render(
            request,
            "members/org/unit_parent_choice.html",
            {"parents": parents.exclude(kind=OrgUnit.Kind.GROUP).order_by("path")},
        )
    parent = _unit_or_404(user, "manage_tree", int(parent_id))
    form = OrgUnitForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            unit = org_services.org_unit_create(
                name=data.pop("name"), kind=data.pop("kind"), parent=parent, actor=user, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": unit.name})
            return redirect("org_unit_detail", pk=unit.pk)
    return render(
        request, "members/org/unit_form.html", {"form": form, "parent": parent, "unit": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _unit_or_404(user, "manage_tree", pk)
    form = OrgUnitForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in form.fields}
        try:
            org_services.org_unit_update(unit=unit, actor=user, **changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("org_unit_detail", pk=unit.pk)
        unit.refresh_from_db()  # the failed change may have been set on the instance
    return render(
        request, "members/org/unit_form.html", {"form": form, "parent": unit.parent, "unit": unit}
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _unit_or_404(user, "manage_tree", pk)
    form = OrgUnitMoveForm(request.POST or None, unit=unit, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.org_unit_move(
                unit=unit, new_parent=form.cleaned_data["new_parent"], actor=user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("new_parent", _("You cannot move units there."))
        else:
            messages.success(request, _("%(name)s was moved.") % {"name": unit.name})
            return redirect("org_unit_detail", pk=unit.pk)
    return render(request, "members/org/unit_move.html", {"form": form, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def post_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _unit_or_404(user, "manage_tree", pk)
    if unit.kind != OrgUnit.Kind.BRANCH:
        raise Http404  # committee posts belong to Party branches
    form = BranchPostForm(request.POST or None, unit=unit, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.branch_post_assign(unit=unit, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The post was added."))
            return redirect("org_unit_detail", pk=unit.pk)
    return render(request, "members/org/post_form.html", {"form": form, "unit": unit})


@login_required
@require_POST
def post_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    seat = get_object_or_404(
        BranchPost.objects.filter(
            unit__in=OrgUnit.objects.restrict(user, "manage_tree")
        ).select_related("unit", "person"),
        pk=pk,
    )
    form = BranchPostEndForm(request.POST)
    if form.is_valid():
        try:
            org_services.branch_post_end(seat=seat, on=form.cleaned_data["on"], actor=user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The term was ended."))
    else:
        messages.error(request, _("Give the date the term ends."))
    return redirect("org_unit_detail", pk=seat.unit_id)


@login_required
@require_http_methods(["GET", "POST"])
def roles_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Roles granted on this unit: grant one by user name, or revoke one."""
    user = request.user
    unit = _unit_or_404(user, "manage_roles", pk)
    form = RoleGrantForm(request.POST if "grant" in request.POST else None, unit=unit, actor=user)
    if request.method == "POST" and "revoke" in request.POST:
        grant = get_object_or_404(
            RoleGrant.objects.filter(unit=unit, revoked_at__isnull=True).select_related("user"),
            pk=request.POST.get("revoke") if request.POST["revoke"].isdigit() else None,
        )
        access_services.role_revoke(grant=grant, actor=user)
        messages.success(
            request,
            _("%(user)s is no longer %(role)s here.")
            % {"user": grant.user.username, "role": grant.get_role_display()},
        )
        return redirect("org_roles", pk=unit.pk)
    if request.method == "POST" and form.is_valid():
        grantee = form.cleaned_data["username"]
        try:
            grant = access_services.role_grant(
                user=grantee, unit=unit, role=form.cleaned_data["role"], actor=user
            )
        except PermissionDenied:
            form.add_error("role", _("You cannot grant this role here."))
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s of %(unit)s.")
                % {"user": grantee.username, "role": grant.get_role_display(), "unit": unit.name},
            )
            return redirect("org_roles", pk=unit.pk)
    grants = (
        RoleGrant.objects.filter(unit=unit, revoked_at__isnull=True)
        .select_related("user", "granted_by")
        .order_by("role", "user__username")
    )
    return render(request, "members/org/roles.html", {"unit": unit, "form": form, "grants": grants})
