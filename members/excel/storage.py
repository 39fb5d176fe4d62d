"""Pending imports: an uploaded workbook waiting for its uploader to confirm it.

No database table: each pending import is a folder MEDIA_ROOT/imports/<token>/ holding the
workbook and a small meta.json (uploader id, original name, time, options). Only the
uploader can read it back; anyone else, or a malformed token, gets nothing (the views
answer 404). Folders are deleted after confirm or discard, and left-overs after a day.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from members.excel.safety import ImportRefused

WORKBOOK = "upload.xlsx"
META = "meta.json"
LOCK = "confirming"
MAX_AGE_SECONDS = 24 * 60 * 60
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class PendingImport:
    token: str
    folder: Path
    uploader_id: int
    original_name: str
    uploaded_at: str
    ignore_unknown: bool
    kind: str = "roster"

    @property
    def workbook_path(self) -> Path:
        return self.folder / WORKBOOK


def imports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def safe_name(name: str) -> str:
    """The uploaded file's own name, for display and evidence only (never a path)."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return base[:100] or "upload.xlsx"


def store(
    stream: BinaryIO,
    *,
    uploader_id: int,
    original_name: str,
    ignore_unknown: bool,
    kind: str = "roster",
) -> str:
    """Save a checked workbook; return its token. `kind` keeps a development ledger's
    upload from being opened as a roster, and the other way round."""
    prune()
    token = secrets.token_urlsafe(24)  # 32 characters
    folder = imports_root() / token
    folder.mkdir(parents=True, mode=0o700)
    stream.seek(0)
    with open(folder / WORKBOOK, "wb") as out:
        shutil.copyfileobj(stream, out)
    meta = {
        "uploader": uploader_id,
        "original_name": safe_name(original_name),
        "uploaded_at": timezone.now().isoformat(),
        "ignore_unknown": ignore_unknown,
        "kind": kind,
    }
    (folder / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def load(token: str, *, uploader_id: int, kind: str = "roster") -> PendingImport | None:
    """The pending import if `token` names one of `kind` that this user uploaded; else None."""
    if not TOKEN_RE.match(token or ""):
        return None
    folder = imports_root() / token
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("uploader") != uploader_id or not (folder / WORKBOOK).is_file():
        return None
    if meta.get("kind", "roster") != kind:
        return None
    return PendingImport(
        token=token,
        folder=folder,
        uploader_id=uploader_id,
        original_name=meta.get("original_name", WORKBOOK),
        uploaded_at=meta.get("uploaded_at", ""),
        ignore_unknown=bool(meta.get("ignore_unknown")),
        kind=kind,
    )


def lock(pending: PendingImport) -> bool:
    """Claim the import for one confirming request; False if another one holds it."""
    try:
        fd = os.open(pending.folder / LOCK, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def unlock(pending: PendingImport) -> None:
    (pending.folder / LOCK).unlink(missing_ok=True)


def delete(pending: PendingImport) -> None:
    shutil.rmtree(pending.folder, ignore_errors=True)


def prune(max_age: int = MAX_AGE_SECONDS) -> None:
    """Delete pending imports nobody confirmed within `max_age` seconds."""
    root = imports_root()
    if not root.is_dir():
        return
    cutoff = time.time() - max_age
    for folder in root.iterdir():
        if folder.is_dir() and TOKEN_RE.match(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def sha256_of(stream: BinaryIO) -> str:
    """The file's digest (how a re-import of the same file is recognised), read in chunks."""
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


class _Report(Protocol):
    applied: bool
    refused: object


R = TypeVar("R", bound=_Report)


def confirm_locked(
    pending: PendingImport, make_report: Callable[..., R], write: Callable[[], R]
) -> R:
    """Run an importer's `write` (re-plan and write in one transaction) while holding the
    stored import's lock, so a double-click or a second tab cannot write it twice; the stored
    file is deleted once its rows are written, and kept for another try otherwise."""
    if not lock(pending):
        report = make_report(filename=pending.original_name, token=pending.token)
        report.refused = ImportRefused("busy", _("This import is already being confirmed."))
        return report
    try:
        report = write()
    finally:
        unlock(pending)
    if report.applied:
        delete(pending)
    return report
