from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404

from core.audit import audit_record
from core.models import AuditEvent, Document
from core.uploads import CONTENT_TYPES, document_path


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A stored document, for people whose scope covers its unit or whom it is about; 404
    for everyone else and for files that are gone. Every read is in the audit log."""
    document = get_object_or_404(Document.objects.restrict(request.user), pk=pk)
    path = document_path(document)
    if not path.is_file():
        raise Http404
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        target=document,
        summary=f"{document.kind} {document.original_name}",
    )
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        content_type=CONTENT_TYPES[document.file_type],
        as_attachment=not (document.is_image or document.file_type == Document.FileType.PDF),
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
