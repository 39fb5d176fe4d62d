"""Evidence uploads: checked by what the bytes are, never by the name, then kept privately.

`inspect_upload` decides what a file really is (JPEG, PNG, WebP, PDF or .docx) from its magic
bytes and by decoding it: an image must decode within DOCUMENT_MAX_PIXELS (no decompression
bomb), a PDF must look like one and carry no scripts, a .docx must be a small, macro-free Word
archive. Anything else (an executable renamed .jpg, a truncated photo, a zip bomb) is refused
with a message that says why, and nothing is stored.

`document_store` keeps a checked file under MEDIA_ROOT/documents/<year>/<random>.<ext>, a name
the server made (MEDIA_ROOT is outside the web root and MEDIA_URL is not routed), and records a
`core.Document` that says whose it is and which unit's scope it belongs to. Files are read back
only through `core.views.document_download`, which checks that scope.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.models import AuditEvent, Document

FileType = Document.FileType
CONTENT_TYPES = {
    FileType.JPEG: "image/jpeg",
    FileType.PNG: "image/png",
    FileType.WEBP: "image/webp",
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
IMAGE_TYPES = (FileType.JPEG, FileType.PNG, FileType.WEBP)
ALL_TYPES = tuple(FileType)
PDF_SCRIPT_MARKERS = (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile")
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


@dataclass(frozen=True)
class Inspected:
    file_type: str
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return "jpg" if self.file_type == FileType.JPEG else str(self.file_type)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_type]


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType.WEBP
    if head.startswith(b"%PDF-"):
        return FileType.PDF
    if head.startswith(b"PK\x03\x04"):
        return FileType.DOCX
    return None


def _type_names(allowed) -> str:
    return "、".join(str(FileType(t).label) for t in allowed)


def inspect_upload(file, allowed: tuple[str, ...] = ALL_TYPES) -> Inspected:
    """What `file` really is, or ValidationError saying why it is refused."""
    size = file.size if getattr(file, "size", None) is not None else _size_of(file)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; at most %(max)s can be uploaded.")
            % {"size": _mib(size), "max": _mib(settings.DOCUMENT_MAX_BYTES)},
            code="too_large",
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    file_type = _sniff(head)
    if file_type is None or file_type not in allowed:
        if head.startswith(EXECUTABLE_MAGIC):
            message = _("This file is a program, not a document, whatever its name says.")
        else:
            message = _("This kind of file cannot be uploaded here. Allowed: %(types)s.") % {
                "types": _type_names(allowed)
            }
        raise ValidationError(message, code="type")
    {
        FileType.PDF: _check_pdf,
        FileType.DOCX: _check_docx,
    }.get(file_type, _check_image)(file, file_type)
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return Inspected(file_type=file_type, size=size, sha256=digest.hexdigest())


def _size_of(file) -> int:
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _check_image(file, file_type: str) -> None:
    """Decode the picture: the header's dimensions first (a bomb declares a huge canvas in a
    few bytes), then every pixel, so a truncated or forged file is caught here."""
    from PIL import Image, UnidentifiedImageError

    damaged = ValidationError(
        _("The picture is damaged or is not really a %(type)s image.")
        % {"type": FileType(file_type).label},
        code="damaged",
    )
    try:
        with Image.open(file) as image:
            width, height = image.size
            if width * height > settings.DOCUMENT_MAX_PIXELS:
                raise ValidationError(
                    _("The picture is %(w)s × %(h)s pixels, too large to accept.")
                    % {"w": width, "h": height},
                    code="bomb",
                )
            expected = {FileType.JPEG: "JPEG", FileType.PNG: "PNG", FileType.WEBP: "WEBP"}
            if image.format != expected[file_type]:
                raise damaged
            image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(_("The picture is too large to accept."), code="bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise damaged from None
    finally:
        file.seek(0)


def _check_pdf(file, file_type: str) -> None:
    data = file.read(settings.DOCUMENT_MAX_BYTES + 1)
    file.seek(0)
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("The PDF is incomplete or damaged."), code="damaged")
    if any(marker in data for marker in PDF_SCRIPT_MARKERS):
        raise ValidationError(
            _("The PDF contains scripts or embedded files; print it to a plain PDF first."),
            code="active",
        )


def _check_docx(file, file_type: str) -> None:
    not_docx = ValidationError(_("This archive is not a Word document (.docx)."), code="type")
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            names = {info.filename for info in entries}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise not_docx
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise ValidationError(
                    _("The document contains macros; save it as an ordinary .docx."),
                    code="macros",
                )
            _check_unpacked_size(archive, entries)
    except zipfile.BadZipFile:
        raise not_docx from None
    finally:
        file.seek(0)


def _check_unpacked_size(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Decompress every entry, bounded: a declared size can lie, the real one cannot."""
    limit = settings.DOCUMENT_MAX_UNCOMPRESSED_BYTES
    bomb = ValidationError(
        _("The document would take more than %(max)s once unpacked; it is refused.")
        % {"max": _mib(limit)},
        code="bomb",
    )
    if len(entries) > 2000 or sum(info.file_size for info in entries) > limit:
        raise bomb
    total = 0
    for info in entries:
        with archive.open(info) as member:
            while chunk := member.read(1024 * 1024):
                total += len(chunk)
                if total > limit:
                    raise bomb


def documents_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "documents"


def document_path(document: Document) -> Path:
    return documents_root() / document.stored_name


def _safe_original_name(name: str, extension: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')[:100]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'document'}.{extension}"


@transaction.atomic
def document_store(
    *,
    file,
    kind: str,
    unit,
    person=None,
    actor,
    allowed: tuple[str, ...] = ALL_TYPES,
) -> Document:
    """Check `file` and keep it as evidence of `kind` in `unit`'s scope. The caller's service
    checks that `actor` may add evidence there; `actor=None` is the system or a token link."""
    inspected = inspect_upload(file, allowed)
    stored_name = f"{timezone.now():%Y}/{secrets.token_hex(16)}.{inspected.extension}"
    path = documents_root() / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    with open(temporary, "wb") as out:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            out.write(chunk)
    os.replace(temporary, path)
    # A rolled-back transaction leaves the file without its row; prune_orphans sweeps those.
    document = Document.objects.create(
        kind=kind,
        unit=unit,
        person=person,
        file_type=inspected.file_type,
        original_name=_safe_original_name(getattr(file, "name", ""), inspected.extension),
        stored_name=stored_name,
        size=inspected.size,
        sha256=inspected.sha256,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=document,
        summary=f"{kind} {document.original_name}",
        detail={"size": inspected.size, "type": inspected.file_type, "sha256": inspected.sha256},
    )
    return document


def documents_follow(*, person, from_unit, to_unit, actor, target, also=None) -> list[int]:
    """A person's file follows them when they move: a document's unit decides who may read
    it, so the documents about `person` that `from_unit` held (development steps, check-ins,
    lapse evidence), and `also` (a queryset of documents filed elsewhere that belong with
    them), are re-homed to `to_unit` in one UPDATE, audited on `target`. Documents held above
    the old unit (a college's) stay where they are. The caller's service checks the move and
    runs this in its transaction."""
    if from_unit == to_unit and also is None:
        return []
    wanted = Q(person=person, unit=from_unit)
    if also is not None:
        wanted |= Q(pk__in=also.values("pk"))
    ids = sorted(Document.objects.filter(wanted).exclude(unit=to_unit).values_list("pk", flat=True))
    if not ids:
        return ids
    Document.objects.filter(pk__in=ids).update(unit=to_unit)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=target,
        summary=f"{person.name} documents {from_unit.name} → {to_unit.name}",
        detail={"documents": ids, "from_unit": from_unit.pk, "to_unit": to_unit.pk},
    )
    return ids


def prune_orphans(older_than_seconds: int = 3600) -> int:
    """Delete stored files that no Document names (their transaction rolled back)."""
    root = documents_root()
    if not root.exists():
        return 0
    known = set(Document.objects.values_list("stored_name", flat=True))
    cutoff = timezone.now().timestamp() - older_than_seconds
    removed = 0
    for path in root.glob("*/*"):
        name = f"{path.parent.name}/{path.name}"
        if name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class DocumentField(forms.FileField):
    """A file field that refuses what `inspect_upload` refuses, with its message."""

    default_error_messages = {"invalid": gettext_lazy("No file was submitted.")}

    def __init__(self, *args, allowed: tuple[str, ...] = ALL_TYPES, **kwargs) -> None:
        self.allowed = allowed
        super().__init__(*args, **kwargs)
        accept = ",".join(CONTENT_TYPES[t] for t in allowed)
        self.widget.attrs.setdefault("accept", accept)

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if isinstance(data, UploadedFile):
            inspect_upload(data, self.allowed)
        return data


class MultipleDocumentInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(DocumentField):
    """Several files at once (photos of a handwritten application), at most DOCUMENT_MAX_FILES."""

    def __init__(self, *args, max_files: int | None = None, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleDocumentInput())
        self.max_files = max_files
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        limit = self.max_files or settings.DOCUMENT_MAX_FILES
        if len(files) > limit:
            raise ValidationError(
                _("At most %(max)s files can be uploaded at once; %(count)s were chosen.")
                % {"max": limit, "count": len(files)},
                code="too_many",
            )
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(DocumentsField, self).clean(f, initial) for f in files]
