"""The committee office's queues for pre-review and approval, with their clocks.

Thin: who may see a queue and who is in it is development.queues; users without approval
authority on any committee get 404, like any page outside their scope.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from development.queues import QUEUE_LABELS, QueueKind, office_queue


@login_required
@require_GET
def dev_queue(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in {k.value for k in QueueKind}:
        raise Http404
    today = timezone.localdate()
    rows = office_queue(request.user, kind, today)
    if rows is None:
        raise Http404
    return render(
        request,
        "development/office/queue.html",
        {
            "kind": kind,
            "title": QUEUE_LABELS[QueueKind(kind)],
            "tabs": [(k.value, label) for k, label in QUEUE_LABELS.items()],
            "rows": rows,
            "today": today,
            "overdue": sum(1 for r in rows if r.overdue),
        },
    )
