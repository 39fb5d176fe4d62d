"""The notification centre: the user's own notifications only (anyone else's is a 404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.models import Notification
from core.notifications import services
from core.notifications.registry import kind_of

PER_PAGE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Newest first, unread marked; a fixed number of queries whatever their number."""
    queryset = Notification.objects.filter(user_id=request.user.pk).order_by("-created_at", "-id")
    if request.GET.get("unread"):
        queryset = queryset.filter(read_at=None)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    items = [
        {
            "n": n,
            "text": kind_of(n.kind).render(n.subject, n.due_on),
            "has_link": bool(kind_of(n.kind).url_name and n.object_id),
        }
        for n in page.object_list
    ]
    return render(
        request,
        "core/notifications/list.html",
        {"page": page, "items": items, "unread_only": bool(request.GET.get("unread"))},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then go to the thing to act on (or back to the list)."""
    notification = get_object_or_404(Notification.objects.filter(user_id=request.user.pk), pk=pk)
    services.notification_mark_read(user=request.user, pk=notification.pk)
    link = kind_of(notification.kind).link(notification.object_id)
    return redirect(link or "notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    return redirect("notification_list")
