"""Files and images on cases: what may be uploaded, who may download it, and moderation."""

import struct
import zlib
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Attachment, Case, CaseEvent, CaseRevision
from cases.vocabularies import CaseStatus
from tests import factories

pytestmark = pytest.mark.django_db


# The personas (owner, member, editor, outsider, moderator) come from conftest.py.


@pytest.fixture
def draft(owner, member):
    return factories.CaseFactory(organisation=owner, created_by=member, title="Utkast med filer")


@pytest.fixture
def live(owner):
    return factories.CaseFactory(organisation=owner, published=True, title="Publisert med filer")


# --- files ------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bytes() -> bytes:
    """A valid 1×1 red RGB PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(name="diagram.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf(name="rapport.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def upload(client, case, file, **fields):
    return client.post(
        reverse("attachment-add", kwargs={"slug": case.slug}), {"file": file, **fields}
    )


def download(client, attachment):
    response = client.get(attachment.get_absolute_url())
    # Reading streaming_content closes the response through the test client, which keeps the
    # test's database connection open; closing it again here would not.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def approve_pending_revision(client, moderator, case):
    revision = CaseRevision.objects.get(case=case, status=CaseRevision.Status.PENDING)
    client.force_login(moderator)
    response = factories.approve_on_page(
        client, reverse("moderation-revision", kwargs={"pk": revision.pk})
    )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == CaseRevision.Status.APPROVED
    client.logout()


# --- uploading to a draft ---------------------------------------------------------------------


def test_png_with_alt_text_is_stored_under_a_random_name(client, member, draft, settings):
    client.force_login(member)
    response = upload(client, draft, png(), title="Diagram", alt_text="Et rødt punkt")

    assert response.status_code == 302
    assert response.url.endswith(reverse("case-edit", kwargs={"slug": draft.slug}) + "#vedlegg")
    attachment = Attachment.objects.get()
    assert attachment.case == draft
    assert attachment.kind == "image"
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "diagram.png"
    assert attachment.title == "Diagram"
    assert attachment.alt_text == "Et rødt punkt"
    assert attachment.size == len(png_bytes())
    assert attachment.uploaded_by == member
    assert attachment.pending is False
    name = attachment.file.name
    assert name.startswith(f"attachments/{draft.pk}/")
    assert name.endswith(".png")
    assert "diagram" not in name
    assert len(Path(name).stem) == 32  # a uuid4 in hex
    files = stored_files(settings)
    assert len(files) == 1
    assert files[0].read_bytes() == png_bytes()
    event = draft.events.get()
    assert event.kind == CaseEvent.Kind.EDITED
    assert event.changes == {"attachments": [[], [attachment.pk]]}


def test_two_uploads_of_the_same_name_get_different_stored_names(client, member, draft):
    client.force_login(member)
    upload(client, draft, png(), alt_text="En")
    upload(client, draft, png(), alt_text="To")
    first, second = Attachment.objects.all()
    assert first.file.name != second.file.name
    assert first.original_name == second.original_name == "diagram.png"


def test_image_is_served_to_members_with_nosniff_and_a_sandbox(client, member, editor, draft):
    client.force_login(member)
    upload(client, draft, png(), alt_text="Et rødt punkt")
    attachment = Attachment.objects.get()
    for user in (member, editor):
        client.force_login(user)
        response, body = download(client, attachment)
        assert response.status_code == 200
        assert body == png_bytes()
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        csp = response["Content-Security-Policy"]
        assert "sandbox" in csp
        assert "default-src 'none'" in csp
        assert not response["Content-Disposition"].startswith("attachment")
        assert "private" in response["Cache-Control"]


def test_moderators_may_download_from_a_draft(client, member, moderator, draft):
    client.force_login(member)
    upload(client, draft, pdf())
    client.force_login(moderator)
    response, body = download(client, Attachment.objects.get())
    assert response.status_code == 200
    assert body == PDF


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_a_draft_file_is_404_for_others(client, request, member, draft, persona):
    client.force_login(member)
    upload(client, draft, png(), alt_text="Et rødt punkt")
    upload(client, draft, pdf())
    client.logout()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for attachment in Attachment.objects.all():
        response, body = download(client, attachment)
        assert response.status_code == 404
        assert PDF not in body
        assert png_bytes() not in body


def test_pdf_is_served_as_a_download(client, member, draft):
    client.force_login(member)
    upload(client, draft, pdf(), title="Sluttrapport")
    attachment = Attachment.objects.get()
    assert attachment.kind == "document"
    assert attachment.content_type == "application/pdf"
    response, body = download(client, attachment)
    assert response.status_code == 200
    assert body == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "rapport.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_files_of_a_published_case_are_public(client, member, draft):
    client.force_login(member)
    upload(client, draft, pdf())
    Case.objects.filter(pk=draft.pk).update(
        status=CaseStatus.PUBLISHED, published_at=timezone.now()
    )
    client.logout()
    response, body = download(client, Attachment.objects.get())
    assert response.status_code == 200
    assert body == PDF
    assert "no-store" not in response.get("Cache-Control", "")


def test_outsider_cannot_upload(client, outsider, draft, live, settings):
    client.force_login(outsider)
    for case in (draft, live):
        response = upload(client, case, pdf())
        assert response.status_code == 404
    assert not Attachment.all_objects.exists()
    assert stored_files(settings) == []


def test_anonymous_cannot_upload(client, draft, settings):
    response = upload(client, draft, pdf())
    assert response.status_code == 302
    assert "next=" in response.url
    assert not Attachment.all_objects.exists()
    assert stored_files(settings) == []


# --- refused uploads --------------------------------------------------------------------------


BIG_PDF_SIZE = 20 * 1024 * 1024 + 1


@pytest.mark.parametrize(
    ("name", "content", "fields"),
    [
        ("side.html", b"<!doctype html><script>alert(1)</script>", {}),
        ("side.htm", b"<html><body>hei</body></html>", {}),
        (
            "tegning.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            {"alt_text": "Tegning"},
        ),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00", {}),
        ("script.js", b"alert(1)", {}),
        ("uten-endelse", b"%PDF-1.4 ...", {}),
        ("photo.png", b"<html><script>alert(1)</script></html>", {"alt_text": "Foto"}),
        ("photo.jpg", png_bytes(), {"alt_text": "Foto"}),
        ("rapport.pdf", b"<html>not a pdf</html>", {}),
        ("rapport.pdf", lambda: b"%PDF-" + b"0" * (BIG_PDF_SIZE - 5), {}),
        ("bilde.png", lambda: png_bytes()[:8] + b"\x00" * (5 * 1024 * 1024), {"alt_text": "Stort"}),
        ("tom.pdf", b"", {}),
        ("diagram.png", png_bytes(), {}),
        ("diagram.png", png_bytes(), {"alt_text": "   "}),
        ("notat.txt", b"\xff\xfe\x00b\x00i\x00n", {}),
    ],
    ids=[
        "html",
        "htm",
        "svg",
        "exe",
        "js",
        "no-extension",
        "png-that-is-html",
        "jpg-that-is-png",
        "pdf-that-is-html",
        "pdf-over-20mb",
        "png-over-5mb",
        "empty",
        "image-without-alt-text",
        "image-with-blank-alt-text",
        "txt-that-is-binary",
    ],
)
def test_refused_uploads_store_nothing(client, member, draft, settings, name, content, fields):
    if callable(content):
        content = content()
    client.force_login(member)
    response = upload(client, draft, SimpleUploadedFile(name, content), **fields)

    assert response.status_code == 302
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels
    assert set(levels) == {"error"}
    assert not Attachment.all_objects.exists()
    assert stored_files(settings) == []
    assert not draft.events.exists()


def test_refused_upload_says_why(client, member, draft):
    client.force_login(member)
    response = upload(client, draft, SimpleUploadedFile("side.html", b"<p>hei</p>"))
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels == ["error"]
    response = client.get(response.url)
    assert ".pdf" in response.content.decode()


def test_the_browser_content_type_is_ignored(client, member, draft):
    client.force_login(member)
    upload(
        client,
        draft,
        SimpleUploadedFile("rapport.pdf", PDF, content_type="text/html"),
    )
    assert Attachment.objects.get().content_type == "application/pdf"


def test_a_text_file_is_stored_as_utf8_text(client, member, draft):
    client.force_login(member)
    upload(client, draft, SimpleUploadedFile("notat.txt", "Blåbær og æøå".encode()))
    attachment = Attachment.objects.get()
    assert attachment.content_type == "text/plain; charset=utf-8"
    response, body = download(client, attachment)
    assert response["Content-Disposition"].startswith("attachment")
    assert body.decode() == "Blåbær og æøå"


# --- uploads to a published case wait for a moderator -----------------------------------------


def test_upload_to_a_published_case_waits_for_approval(client, editor, moderator, live):
    client.force_login(editor)
    response = upload(client, live, png(), title="Nytt bilde", alt_text="Et rødt punkt")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.pending is True
    revision = CaseRevision.objects.get(case=live)
    assert revision.status == CaseRevision.Status.PENDING
    assert revision.data["attachments"] == [attachment.pk]

    # The authors see it waiting; the public does not see it at all.
    response, body = download(client, attachment)
    assert response.status_code == 200
    assert attachment.get_absolute_url() in client.get(live.get_absolute_url()).content.decode()
    client.logout()
    page = client.get(live.get_absolute_url()).content.decode()
    assert attachment.get_absolute_url() not in page
    assert "Et rødt punkt" not in page
    response, body = download(client, attachment)
    assert response.status_code == 404
    assert body != png_bytes()

    approve_pending_revision(client, moderator, live)

    attachment.refresh_from_db()
    assert attachment.pending is False
    page = client.get(live.get_absolute_url()).content.decode()
    assert attachment.get_absolute_url() in page
    assert 'alt="Et rødt punkt"' in page
    response, body = download(client, attachment)
    assert response.status_code == 200
    assert body == png_bytes()


def test_upload_joins_a_pending_text_edit(client, editor, moderator, live):
    client.force_login(editor)
    services.case_update(actor=editor, case=live, data={"title": "Ny tittel"})
    upload(client, live, pdf())
    attachment = Attachment.objects.get()
    revision = CaseRevision.objects.get()
    assert revision.data["title"] == "Ny tittel"
    assert revision.data["attachments"] == [attachment.pk]
    approve_pending_revision(client, moderator, live)
    live.refresh_from_db()
    assert live.title == "Ny tittel"
    attachment.refresh_from_db()
    assert attachment.pending is False


def test_a_rejected_upload_never_becomes_public(client, editor, moderator, live):
    client.force_login(editor)
    upload(client, live, pdf())
    attachment = Attachment.objects.get()
    revision = CaseRevision.objects.get()
    client.force_login(moderator)
    client.post(
        reverse("moderation-revision", kwargs={"pk": revision.pk}),
        {"action": "reject", "reason": "Feil fil"},
    )
    client.logout()
    response, _body = download(client, attachment)
    assert response.status_code == 404
    assert Attachment.all_objects.get().deleted_at is not None


def test_removing_a_file_from_a_published_case_waits_for_approval(
    client, editor, moderator, draft, owner
):
    client.force_login(editor)
    upload(client, draft, pdf(), title="Sluttrapport")
    attachment = Attachment.objects.get()
    Case.objects.filter(pk=draft.pk).update(
        status=CaseStatus.PUBLISHED, published_at=timezone.now()
    )

    response = client.post(
        reverse("attachment-remove", kwargs={"slug": draft.slug, "pk": attachment.pk})
    )
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.deleted_at is None
    revision = CaseRevision.objects.get(case=draft)
    assert revision.data["attachments"] == []

    client.logout()
    assert "Sluttrapport" in client.get(draft.get_absolute_url()).content.decode()
    response, body = download(client, attachment)
    assert response.status_code == 200
    assert body == PDF

    approve_pending_revision(client, moderator, draft)

    attachment = Attachment.all_objects.get(pk=attachment.pk)
    assert attachment.deleted_at is not None
    assert "Sluttrapport" not in client.get(draft.get_absolute_url()).content.decode()
    response, _body = download(client, attachment)
    assert response.status_code == 404


def test_removing_a_file_from_a_draft_is_immediate(client, member, draft):
    client.force_login(member)
    upload(client, draft, pdf())
    attachment = Attachment.objects.get()
    client.post(reverse("attachment-remove", kwargs={"slug": draft.slug, "pk": attachment.pk}))
    assert not Attachment.objects.exists()
    assert Attachment.all_objects.get().deleted_at is not None
    response, _body = download(client, attachment)
    assert response.status_code == 404


def test_outsider_cannot_remove_a_file(client, outsider, member, live):
    client.force_login(member)
    upload(client, live, pdf())
    attachment = Attachment.objects.get()
    client.force_login(outsider)
    response = client.post(
        reverse("attachment-remove", kwargs={"slug": live.slug, "pk": attachment.pk})
    )
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_files_of_a_deleted_draft_are_gone(client, editor, draft):
    client.force_login(editor)
    upload(client, draft, pdf())
    attachment = Attachment.objects.get()
    client.post(reverse("case-delete", kwargs={"slug": draft.slug}))
    response, _body = download(client, attachment)
    assert response.status_code == 404


def test_files_of_an_archived_case_are_hidden_from_the_public(client, editor, draft):
    client.force_login(editor)
    upload(client, draft, pdf())
    attachment = Attachment.objects.get()
    Case.objects.filter(pk=draft.pk).update(
        status=CaseStatus.PUBLISHED, published_at=timezone.now()
    )
    client.post(reverse("case-archive", kwargs={"slug": draft.slug}), {"reason": "Gammel"})
    assert download(client, attachment)[0].status_code == 200
    client.logout()
    assert download(client, attachment)[0].status_code == 404
