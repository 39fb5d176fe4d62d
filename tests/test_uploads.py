"""Evidence uploads: type by content, size, decompression bombs, private storage, scoped reads."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import AuditEvent, Document
from core.uploads import (
    DocumentsField,
    document_path,
    document_store,
    inspect_upload,
    prune_orphans,
)
from members.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt: str = "JPEG", size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge canvas."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    "data, name, file_type",
    [
        (image_bytes("JPEG"), "a.jpg", "jpeg"),
        (image_bytes("PNG"), "a.png", "png"),
        (image_bytes("WEBP"), "a.webp", "webp"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "r.pdf", "pdf"),
        (docx_bytes(), "心得体会.docx", "docx"),
        # The name does not matter, the bytes do.
        (image_bytes("PNG"), "renamed.pdf", "png"),
    ],
)
def test_accepted_by_content(data, name, file_type):
    assert inspect_upload(upload(data, name)).file_type == file_type


@pytest.mark.parametrize(
    "data, code",
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "type"),  # a Windows program renamed .jpg
        (b"\x7fELF" + b"\x00" * 200, "type"),
        (b"just some text", "type"),
        (b"", "empty"),
        (image_bytes("JPEG")[:200], "damaged"),  # a truncated photo
        (b"\xff\xd8\xff\xe0" + b"garbage" * 50, "damaged"),  # JPEG magic, no picture
        (png_bomb(100_000, 100_000), "bomb"),
        (b"%PDF-1.4\n/OpenAction << /S /JavaScript /JS (app.alert(1)) >>\n%%EOF", "active"),
        (b"%PDF-1.4\nno end", "damaged"),
        (docx_bytes({"word/vbaProject.bin": b"x"}), "macros"),
        (docx_bytes({"big.xml": b"0" * (60 * 1024 * 1024)}), "bomb"),
    ],
)
def test_refused_with_a_reason(data, code):
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload(data))
    assert error.value.code == code
    assert error.value.messages[0]


def test_a_zip_that_is_not_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.exe", b"MZ")
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload(out.getvalue(), "a.docx"))
    assert error.value.code == "type"


def test_size_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload(image_bytes("PNG", (300, 300)) + b"\x00" * 2000))
    assert error.value.code == "too_large"


def test_allowed_types_narrow_what_a_field_takes():
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload(docx_bytes(), "a.docx"), allowed=("jpeg", "png"))
    assert "JPEG" in error.value.messages[0]


def test_documents_field_caps_the_count(settings):
    settings.DOCUMENT_MAX_FILES = 2
    field = DocumentsField()
    files = [upload(image_bytes(), f"{i}.jpg") for i in range(3)]
    with pytest.raises(ValidationError) as error:
        field.clean(files)
    assert error.value.code == "too_many"
    assert len(field.clean(files[:2])) == 2


def test_stored_privately_under_a_server_name(school, media):
    document = document_store(
        file=upload(image_bytes(), "../../etc/passwd.jpg"),
        kind="test",
        unit=school.branch_a1,
        person=school.alice,
        actor=None,
    )
    path = document_path(document)
    assert path.is_file() and str(path).startswith(str(media))
    assert "passwd" not in document.stored_name and ".." not in document.stored_name
    assert document.original_name == "passwd.jpg"
    assert document.file_type == "jpeg" and len(document.sha256) == 64


def test_nothing_is_stored_when_refused(school, media):
    with pytest.raises(ValidationError):
        document_store(file=upload(b"MZ" * 100), kind="t", unit=school.branch_a1, actor=None)
    assert Document.objects.count() == 0
    assert not (media / "documents").exists() or not any((media / "documents").rglob("*.*"))


def test_orphans_of_rolled_back_transactions_are_pruned(school, media):
    document = document_store(
        file=upload(image_bytes()), kind="t", unit=school.branch_a1, actor=None
    )
    orphan = document_path(document).parent / "deadbeef.jpg"
    orphan.write_bytes(b"x")
    assert prune_orphans(older_than_seconds=-1) == 1
    assert not orphan.exists() and document_path(document).exists()


def test_download_checks_scope(client, school):
    document = document_store(
        file=upload(image_bytes()), kind="t", unit=school.branch_a1, person=school.alice, actor=None
    )
    url = reverse("document_download", kwargs={"pk": document.pk})
    inside = make_user("in", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    outside = make_user("out", role=Role.BRANCH_SECRETARY, unit=school.branch_b1)
    client.force_login(outside)
    assert client.get(url).status_code == 404
    client.force_login(inside)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == document_path(document).read_bytes()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, actor=inside).count() == 1


def test_the_person_it_is_about_may_read_it(client, school):
    member = make_user("member")
    school.alice.user = member
    school.alice.save(update_fields=["user"])
    document = document_store(
        file=upload(image_bytes()), kind="t", unit=school.branch_a1, person=school.alice, actor=None
    )
    other = document_store(
        file=upload(image_bytes()), kind="t", unit=school.branch_a1, person=school.bob, actor=None
    )
    client.force_login(member)
    assert client.get(reverse("document_download", kwargs={"pk": document.pk})).status_code == 200
    assert client.get(reverse("document_download", kwargs={"pk": other.pk})).status_code == 404


def test_anonymous_is_sent_to_login(client, school):
    document = document_store(
        file=upload(image_bytes()), kind="t", unit=school.branch_a1, actor=None
    )
    response = client.get(reverse("document_download", kwargs={"pk": document.pk}))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_persons_documents_follow_them_to_their_new_branch(client, school):
    """Moving a person (person_update) re-homes what their old branch held about them, so
    the new branch can read their file; the college's and other people's documents stay."""
    from members.services.people import person_update

    def doc(unit, person):
        return document_store(
            file=upload(image_bytes()), kind="t", unit=unit, person=person, actor=None
        )

    theirs, colleges, neighbours = (
        doc(school.branch_a1, school.alice),
        doc(school.college_a, school.alice),
        doc(school.branch_a1, school.bob),
    )
    new_secretary = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a2)
    client.force_login(new_secretary)
    url = reverse("document_download", args=[theirs.pk])
    assert client.get(url).status_code == 404  # not theirs yet
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    person_update(person=school.alice, actor=office, data={"unit": school.branch_a2})
    units = dict(Document.objects.values_list("pk", "unit"))
    assert units[theirs.pk] == school.branch_a2.pk
    assert units[colleges.pk] == school.college_a.pk
    assert units[neighbours.pk] == school.branch_a1.pk
    assert client.get(url).status_code == 200
    moved = AuditEvent.objects.filter(summary__contains="documents").get()
    assert moved.detail["documents"] == [theirs.pk] and moved.actor == office
