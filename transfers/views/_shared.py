"""What the transfer views share: 404 for anyone without the grant, one way to run a service
and turn its refusal into a message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest

from members.forms import add_service_errors
from members.scoping import has_any_grant

PER_PAGE = 50


def require_grant(user, perm: str) -> None:
    if not has_any_grant(user, perm):
        raise Http404


def run(request: HttpRequest, call: Callable, *, form=None, success: str = "") -> object | None:
    """Call the service; on refusal put its reasons on the form (or in messages) and return
    None. Outside scope is not found."""
    try:
        result = call()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        if form is not None:
            add_service_errors(form, exc)
        else:
            for message in exc.messages:
                messages.error(request, message)
        return None
    if success:
        messages.success(request, success)
    return result


def paginate(request: HttpRequest, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def person_search(queryset, q: str, limit: int = 20):
    """People by name or student number prefix, for choosing whom a page is about."""
    from django.db.models import Q

    q = (q or "").strip()
    if not q:
        return []
    return list(
        queryset.filter(Q(name__startswith=q) | Q(student_number__startswith=q))
        .select_related("unit")
        .order_by("name", "id")[:limit]
    )
