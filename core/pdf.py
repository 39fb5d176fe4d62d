"""PDF documents (notices, letters, records) from Django templates through WeasyPrint.

Every PDF extends templates/pdf/base.html, whose stylesheet names the Noto CJK faces that
Debian's fonts-noto-cjk installs, so Chinese text is set in a real CJK font instead of
falling back to boxes. WeasyPrint is imported on first use: pages that never print do not
pay for loading it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

# The faces fontconfig knows from fonts-noto-cjk; the first that exists is used.
CJK_FONT_FAMILY = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", serif'


def render_pdf(template_name: str, context: dict, request: HttpRequest | None = None) -> bytes:
    """Render `template_name` (which extends pdf/base.html) to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(
        template_name, {"cjk_font_family": CJK_FONT_FAMILY, **context}, request=request
    )
    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf()


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """A PDF answer with a download name that keeps Chinese characters (RFC 6266)."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
