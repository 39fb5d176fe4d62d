"""Checks an upload must pass before openpyxl is allowed to open it.

An .xlsx is a zip archive. We look at the bytes, not the name: the zip signature, the
parts an Excel workbook has, no macros, and sizes small enough that opening it cannot
exhaust memory or disk (a "zip bomb" declares or hides a huge uncompressed size).
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
MAX_RATIO = 100  # uncompressed / compressed, per entry and overall
RATIO_FLOOR = 1024 * 1024  # small entries may compress well; only big ones are judged
MAX_ENTRIES = 10_000
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPES = (
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "application/vnd.ms-office.vbaProject",
)
CHUNK = 1024 * 1024


class ImportRefused(Exception):
    """The whole file is refused; nothing is stored or written."""

    def __init__(self, code: str, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def check_xlsx(stream: BinaryIO, size: int) -> None:
    """Raise ImportRefused unless `stream` is a plain .xlsx within the configured limits.

    Reads at most the declared uncompressed size (itself capped), and leaves the stream
    at position 0 for openpyxl."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportRefused(
            "too_large",
            _("The file is %(size)s; at most %(max)s can be imported.")
            % {"size": _mib(size), "max": _mib(settings.IMPORT_MAX_BYTES)},
        )
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(OLE_MAGIC):
        raise ImportRefused(
            "not_xlsx",
            _(
                "This is an old-style .xls file or a password-protected workbook. "
                "Open it in Excel or WPS and save it as an unprotected .xlsx workbook."
            ),
        )
    if not head.startswith(ZIP_MAGIC):
        raise ImportRefused("not_xlsx", _("This is not an Excel workbook (.xlsx)."))
    try:
        with zipfile.ZipFile(stream) as archive:
            _check_archive(archive)
    except zipfile.BadZipFile as exc:
        raise ImportRefused("not_xlsx", _("This is not an Excel workbook (.xlsx).")) from exc
    finally:
        stream.seek(0)


def _check_archive(archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    names = {info.filename for info in entries}
    if len(entries) > MAX_ENTRIES:
        raise _bomb()
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ImportRefused("not_xlsx", _("This is not an Excel workbook (.xlsx)."))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _macros()
    if any(info.flag_bits & 0x1 for info in entries):
        raise ImportRefused(
            "not_xlsx", _("The workbook is encrypted; save it without a password first.")
        )

    # 1. What the directory declares, before anything is decompressed.
    declared = sum(info.file_size for info in entries)
    compressed = sum(info.compress_size for info in entries)
    if declared > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise _bomb()
    if declared > RATIO_FLOOR and declared > MAX_RATIO * max(compressed, 1):
        raise _bomb()
    for info in entries:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb()

    # 2. The content types say what kind of workbook this is.
    content_types = _read_entry(archive, archive.getinfo("[Content_Types].xml"))
    if any(t.encode() in content_types for t in MACRO_TYPES):
        raise _macros()
    if XLSX_MAIN.encode() not in content_types:
        raise ImportRefused(
            "not_xlsx",
            _("This is not an ordinary Excel workbook (.xlsx); save it as one and try again."),
        )

    # 3. What the entries really hold: a declared size can lie, so decompress each one
    # (bounded) and count. XML with a DOCTYPE has no business in a workbook: refuse it
    # rather than let a parser expand entities.
    for info in entries:
        _read_entry(archive, info)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Decompress one entry, never past its declared size; return its first 64 KiB."""
    total = 0
    head = b""
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                if len(head) < 65536:
                    head += chunk[: 65536 - len(head)]
                total += len(chunk)
                if total > info.file_size:
                    raise _bomb()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ImportRefused("not_xlsx", _("The workbook is damaged and cannot be read.")) from exc
    if info.filename.endswith((".xml", ".rels")) and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
        raise ImportRefused("not_xlsx", _("The workbook contains XML this importer refuses."))
    return head


def _bomb() -> ImportRefused:
    return ImportRefused(
        "zip_bomb",
        _(
            "The workbook would take more than %(max)s once unpacked, or is compressed far "
            "more than a real roster can be. It is refused."
        )
        % {"max": _mib(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)},
    )


def _macros() -> ImportRefused:
    return ImportRefused(
        "macros",
        _(
            "The workbook contains macros. Save it as an ordinary .xlsx workbook "
            "(without macros) and upload that."
        ),
    )
