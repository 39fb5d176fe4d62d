"""A person's full-process record (全程纪实), as a page and as a PDF, and the public notice
(公示) as a PDF. Scope: view_people on the person or the notice's unit; a member reads their
own record. Anything else answers 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.audit import audit_record
from core.models import AuditEvent
from core.pdf import pdf_response, render_pdf
from development.models import PublicNotice
from development.notice_sheet import notice_sheet
from development.record import full_record
from development.selectors import next_steps
from members.models import Person
from members.scoping import has_unit_perm, scope_q


def _person(request: HttpRequest, pk: int) -> Person:
    # Through the scoping method: in scope, or the user's own record; otherwise 404.
    return get_object_or_404(
        Person.objects.restrict(request.user, "view_people", include_removed=True).select_related(
            "unit"
        ),
        pk=pk,
    )


def _record_context(request: HttpRequest, person: Person) -> dict:
    today = timezone.localdate()
    return {
        "person": person,
        "rec": full_record(person, request.user, today),
        "next": next_steps([person], today).get(person.pk),
        "today": today,
        "staff": has_unit_perm(request.user, "view_people", person.unit),
    }


@login_required
@require_GET
def dev_record(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return render(request, "development/record.html", _record_context(request, person))


@login_required
@require_GET
def dev_record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    data = render_pdf("development/pdf/record.html", _record_context(request, person), request)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        target=person,
        summary=f"{person.name} 全程纪实 PDF",
    )
    return pdf_response(data, f"{person.name}-发展党员全程纪实.pdf")


@login_required
@require_GET
def dev_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(
        PublicNotice.objects.filter(
            scope_q(request.user, "view_people", field="unit__path")
        ).select_related("unit"),
        pk=pk,
    )
    sheet = notice_sheet(notice, timezone.localdate())
    data = render_pdf("development/pdf/notice.html", {"sheet": sheet}, request)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        target=notice,
        summary=f"{notice.unit.name} 公示 PDF: {len(sheet.rows)}",
    )
    return pdf_response(data, f"{sheet.title}.pdf")
