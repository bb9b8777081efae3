"""Files inside the case editor: uploading while writing keeps the text, a refused file is
explained beside its field and kept for the next try, and the formatting preview."""

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases.models import Attachment, Case
from cases.uploads import HELD_SESSION_KEY
from tests import factories
from tests.case_editor_helpers import edit_data, full_create_data
from tests.test_attachments import pdf, png, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(owner, member):
    return factories.CaseFactory(organisation=owner, created_by=member, title="Utkast med filer")


def edit_url(case: Case) -> str:
    return reverse("case-edit", kwargs={"slug": case.slug})


def upload_data(case: Case, **changes) -> dict:
    data = edit_data(case, **changes)
    del data["save"]
    return {**data, "upload": "1"}


def test_an_image_without_description_is_explained_beside_it_and_kept(
    client, member, draft, settings
):
    client.force_login(member)
    data = upload_data(draft, problem="Tekst jeg skrev før jeg lastet opp")
    response = client.post(edit_url(draft), {**data, "attachment-file": png("kart.png")})

    assert response.status_code == 200
    page = response.content.decode()
    # The error is in the files section, on the description field, and in its own summary.
    section = page[page.index('id="vedlegg-felt"') :]
    # The address ends in #vedlegg: that names the summary of the file's errors, to land on.
    assert '<div class="ds-error-summary" role="alert" tabindex="-1" autofocus' in section
    assert 'id="vedlegg"' in section
    assert 'id="id_attachment-alt_text_error"' in section
    assert 'aria-describedby="id_attachment-alt_text_helptext id_attachment-alt_text_error"' in (
        section
    )
    assert 'href="#id_attachment-alt_text"' in section
    # The text typed is on the page again, and the chosen file is kept under a token.
    assert "Tekst jeg skrev før jeg lastet opp" in page
    assert "kart.png" in section
    token = response.context["attachment_form"]["held"].value()
    assert token
    assert f'value="{token}"' in section
    assert not Attachment.objects.exists()

    # The author adds only the description; the kept file is stored with it.
    response = client.post(
        edit_url(draft),
        {**data, "attachment-held": token, "attachment-alt_text": "Kart over sonene"},
    )
    assert response.status_code == 302
    assert response.url == edit_url(draft) + "#vedlegg"
    attachment = Attachment.objects.get()
    assert (attachment.case, attachment.original_name) == (draft, "kart.png")
    assert attachment.alt_text == "Kart over sonene"
    draft.refresh_from_db()
    assert draft.problem == "Tekst jeg skrev før jeg lastet opp"
    # The kept copy is gone: only the stored attachment remains.
    assert len(stored_files(settings)) == 1
    assert client.session[HELD_SESSION_KEY] == {}


def test_a_kept_file_is_only_for_its_own_case_and_session(client, member, editor, owner, draft):
    other = factories.CaseFactory(organisation=owner, created_by=member)
    client.force_login(member)
    response = client.post(
        edit_url(draft), {**upload_data(draft), "attachment-file": png("kart.png")}
    )
    token = response.context["attachment_form"]["held"].value()

    elsewhere = client.post(
        edit_url(other),
        {**upload_data(other), "attachment-held": token, "attachment-alt_text": "Kart"},
    )
    assert elsewhere.status_code == 200
    assert elsewhere.context["attachment_form"].errors["file"]

    # A colleague's session knows nothing of it.
    colleague = Client()
    colleague.force_login(editor)
    theirs = colleague.post(
        edit_url(draft),
        {**upload_data(draft), "attachment-held": token, "attachment-alt_text": "Kart"},
    )
    assert theirs.context["attachment_form"].errors["file"]
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("skript.html", b"<script>alert(1)</script>", "Files of this type cannot be uploaded"),
        ("tom.pdf", b"", "empty"),
        ("falsk.pdf", b"GIF89a not a pdf", "does not match its name"),
    ],
)
def test_a_refused_file_is_explained_beside_the_file_field(
    client, member, draft, name, content, message, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(member)
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        edit_url(draft),
        {
            **upload_data(draft, title="Ny tittel"),
            "attachment-file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    errors = response.context["attachment_form"].errors["file"]
    assert any(message in error for error in errors)
    assert 'id="id_attachment-file_error"' in response.content.decode()
    # Nothing kept, nothing stored, and the text not saved yet but still on the page.
    assert not response.context["attachment_form"]["held"].value()
    assert not stored_files(settings)
    assert "Ny tittel" in response.content.decode()


def test_uploading_on_a_new_case_saves_it_as_a_draft_and_comes_back_to_the_files(
    client, member, owner
):
    client.force_login(member)
    data = full_create_data(owner)
    del data["save"]
    response = client.post(
        reverse("case-create"), {**data, "upload": "1", "attachment-file": pdf("plan.pdf")}
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == edit_url(case) + "#vedlegg"
    assert case.status == "draft"
    assert case.title == data["title"]
    assert Attachment.objects.get().case == case


def test_saving_with_a_chosen_file_uploads_it_too(client, member, draft):
    client.force_login(member)
    response = client.post(
        edit_url(draft), {**edit_data(draft, title="Med fil"), "attachment-file": pdf()}
    )
    assert response.status_code == 302
    assert Attachment.objects.get().case == draft


def test_removing_a_file_in_the_editor_saves_the_text_first(client, member, draft):
    client.force_login(member)
    client.post(edit_url(draft), {**upload_data(draft), "attachment-file": pdf()})
    attachment = Attachment.objects.get()

    data = edit_data(draft, summary="Skrevet før fjerning")
    del data["save"]
    response = client.post(edit_url(draft), {**data, "remove_attachment": str(attachment.pk)})

    assert response.status_code == 302
    assert response.url == edit_url(draft) + "#vedlegg"
    assert not Attachment.objects.exists()
    draft.refresh_from_db()
    assert draft.summary == "Skrevet før fjerning"


def test_the_files_are_in_the_form_before_its_buttons(client, member, draft):
    client.force_login(member)
    page = client.get(edit_url(draft)).content.decode()
    form = page[page.index('<form method="post" enctype="multipart/form-data"') :]
    form = form[: form.index("</form>")]
    assert form.index('id="vedlegg"') < form.index('name="submit"')
    assert "<fieldset" in form[form.index('id="vedlegg"') - 80 : form.index('id="vedlegg"')]
    # Enter in a text field saves; it never presses a file's button.
    assert form.index('name="save"') < form.index('name="upload"')


# --- the formatting preview -------------------------------------------------------------------


def test_the_preview_renders_markdown_through_the_sanitiser(client, member):
    client.force_login(member)
    response = client.post(
        reverse("text-preview"),
        {"text": "## Mål\n\n- **én**\n\n<script>alert(1)</script> [x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h4>Mål</h4>" in html
    assert "<strong>én</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


def test_the_preview_is_for_those_who_may_write_cases(client, user):
    url = reverse("text-preview")
    assert client.post(url, {"text": "x"}).status_code == 302  # to the login page
    client.force_login(user)  # no organisation
    assert client.post(url, {"text": "x"}).status_code == 404
    assert client.get(url).status_code == 405


def test_the_preview_needs_the_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(reverse("text-preview"), {"text": "x"}).status_code == 403


def test_kept_files_nobody_came_back_for_are_deleted_after_a_day(client, member, draft, settings):
    client.force_login(member)
    data = upload_data(draft)
    for name in ("gammel.png", "ny.png"):
        client.post(edit_url(draft), {**data, "attachment-file": png(name)})
    held = {entry["name"]: entry["path"] for entry in client.session[HELD_SESSION_KEY].values()}
    old = Path(settings.MEDIA_ROOT) / held["gammel.png"]
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    os.utime(old, (two_days_ago, two_days_ago))

    out = StringIO()
    call_command("discard_held_uploads", stdout=out)

    assert out.getvalue().strip() == "Deleted 1 kept uploads."
    assert not old.exists()
    assert (Path(settings.MEDIA_ROOT) / held["ny.png"]).exists()
