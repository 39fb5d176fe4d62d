"""Building workbooks and zip files in tests, and uploading them through the views."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

Rows = Sequence[Sequence[Any]]


def xlsx(sheets: dict[str, Rows] | Rows) -> bytes:
    """An .xlsx with one sheet per entry (title → rows); a bare list is one sheet 'Sheet1'."""
    if not isinstance(sheets, dict):
        sheets = {"Sheet1": sheets}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_xlsx(content: bytes) -> list[list[Any]]:
    """The first sheet's values, as openpyxl reads them (None for empty cells), every row as
    wide as the widest."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    width = max((len(row) for row in rows), default=0)
    return [row + [None] * (width - len(row)) for row in rows]


def zip_bytes(entries: Iterable[tuple[str, bytes]], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in entries:
            z.writestr(name, data)
    return out.getvalue()


def entries_of(content: bytes) -> dict[str, bytes]:
    """The entries of a zip (an .xlsx), in order."""
    source = zipfile.ZipFile(io.BytesIO(content))
    return {info.filename: source.read(info.filename) for info in source.infolist()}


def with_entries(
    content: bytes, extra: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    """A copy of an .xlsx with entries added or replaced."""
    entries = {**entries_of(content), **(replace or {})}
    return zip_bytes([*entries.items(), *(extra or {}).items()])


def declare_size(content: bytes, name: str, size: int) -> bytes:
    """Rewrite the zip's central directory so that `name` claims `size` uncompressed bytes
    (what a zip bomb does: the directory lies, or tells the truth about something huge)."""
    data = bytearray(content)
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, start + 24, size)
            return bytes(data)
        start += 4
    raise AssertionError(f"{name} is not in the zip")


def upload(client, content: bytes, name: str = "roster.xlsx", **data):
    """POST a file to the import view."""
    payload = {"file": SimpleUploadedFile(name, content), **data}
    return client.post(reverse("people_import"), payload)


def token_of(response) -> str:
    match = re.search(r"/people/import/([A-Za-z0-9_-]{32})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def preview_url(token: str) -> str:
    return reverse("people_import_preview", args=[token])


def error_cells(report) -> list[tuple[str, int | None, str, str]]:
    """(sheet, row, column letter, code) of every error in a report."""
    return [(e.sheet, e.row, e.column, e.code) for e in report.errors]
