"""What may be uploaded. The type is decided from the file's name and its first bytes together;
the browser's claimed content type is ignored. Nothing that a browser could run (HTML, SVG,
scripts) is accepted."""

import datetime
import secrets
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .vocabularies import AttachmentKind

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    kind: str
    content_type: str
    signatures: tuple[bytes, ...]  # accepted first bytes; empty means "checked as UTF-8 text"
    max_size: int


ZIP = (b"PK\x03\x04",)
FILE_TYPES = {
    ".png": FileType(AttachmentKind.IMAGE, "image/png", (b"\x89PNG\r\n\x1a\n",), 5 * MB),
    ".jpg": FileType(AttachmentKind.IMAGE, "image/jpeg", (b"\xff\xd8\xff",), 5 * MB),
    ".jpeg": FileType(AttachmentKind.IMAGE, "image/jpeg", (b"\xff\xd8\xff",), 5 * MB),
    ".webp": FileType(AttachmentKind.IMAGE, "image/webp", (b"RIFF",), 5 * MB),
    ".pdf": FileType(AttachmentKind.DOCUMENT, "application/pdf", (b"%PDF-",), 20 * MB),
    ".docx": FileType(
        AttachmentKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
        20 * MB,
    ),
    ".xlsx": FileType(
        AttachmentKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ZIP,
        20 * MB,
    ),
    ".pptx": FileType(
        AttachmentKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP,
        20 * MB,
    ),
    ".odt": FileType(
        AttachmentKind.DOCUMENT, "application/vnd.oasis.opendocument.text", ZIP, 20 * MB
    ),
    ".ods": FileType(
        AttachmentKind.DOCUMENT, "application/vnd.oasis.opendocument.spreadsheet", ZIP, 20 * MB
    ),
    ".odp": FileType(
        AttachmentKind.DOCUMENT, "application/vnd.oasis.opendocument.presentation", ZIP, 20 * MB
    ),
    ".txt": FileType(AttachmentKind.DOCUMENT, "text/plain; charset=utf-8", (), 2 * MB),
    ".csv": FileType(AttachmentKind.DOCUMENT, "text/csv; charset=utf-8", (), 20 * MB),
}


def allowed_extensions() -> str:
    return ", ".join(sorted(FILE_TYPES))


def check_upload(upload) -> FileType:
    """The file's type if it may be stored; otherwise a ValidationError saying why."""
    name = (upload.name or "").lower()
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    file_type = FILE_TYPES.get(suffix)
    if file_type is None:
        raise ValidationError(
            _("Files of this type cannot be uploaded. Allowed: %s.") % allowed_extensions()
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if upload.size > file_type.max_size:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit for this type is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(file_type.max_size)}
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if file_type.signatures:
        matches = any(head.startswith(signature) for signature in file_type.signatures)
        if suffix == ".webp":
            matches = matches and head[8:12] == b"WEBP"
    else:
        matches = b"\x00" not in head and _is_utf8_prefix(head)
    if not matches:
        raise ValidationError(
            _(
                "The file's content does not match its name (%s). Upload the file in its real "
                "format."
            )
            % suffix
        )
    return file_type


def check_attachment(upload, *, alt_text: str) -> FileType:
    """What a case's file or image must be: an allowed file, and an image with a description
    for those who cannot see it. Errors are keyed by the field they are about."""
    try:
        file_type = check_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    if file_type.kind == AttachmentKind.IMAGE and not (alt_text or "").strip():
        raise ValidationError({"alt_text": [_("Describe the image for those who cannot see it.")]})
    return file_type


# A file the author chose in the editor, kept while they fix what was refused (an image without
# a description), so they need not choose it again. Bound to the session and to the case.
HELD_SESSION_KEY = "held-uploads"
HELD_DIRECTORY = "held"


def hold_upload(session: SessionBase, upload: UploadedFile, *, case_id: int | None) -> str:
    """Keep an upload server-side; the token names it in the next request."""
    token = secrets.token_urlsafe(16)
    name = (upload.name or "file")[-255:]
    path = default_storage.save(f"{HELD_DIRECTORY}/{token}", upload)
    held = dict(session.get(HELD_SESSION_KEY, {}))
    held[token] = {"path": path, "name": name, "case": case_id}
    session[HELD_SESSION_KEY] = held
    return token


def held_upload(session: SessionBase, token: str, *, case_id: int | None) -> UploadedFile | None:
    """The upload kept under this token for this case, or None."""
    entry = session.get(HELD_SESSION_KEY, {}).get(token)
    if entry is None or entry["case"] != case_id or not default_storage.exists(entry["path"]):
        return None
    with default_storage.open(entry["path"], "rb") as handle:
        return SimpleUploadedFile(entry["name"], handle.read())


def release_upload(session: SessionBase, token: str) -> None:
    """Forget a kept upload and delete its file (it was stored, or it is no longer wanted)."""
    held = dict(session.get(HELD_SESSION_KEY, {}))
    entry = held.pop(token, None)
    if entry is None:
        return
    session[HELD_SESSION_KEY] = held
    default_storage.delete(entry["path"])


def discard_held_uploads(older_than: datetime.timedelta) -> int:
    """Delete kept uploads nobody came back for (the author left the editor, or saved without
    the file): those stored longer ago than `older_than`. Returns how many were deleted."""
    try:
        _folders, names = default_storage.listdir(HELD_DIRECTORY)
    except FileNotFoundError:
        return 0
    limit = timezone.now() - older_than
    deleted = 0
    for name in names:
        path = f"{HELD_DIRECTORY}/{name}"
        if default_storage.get_modified_time(path) < limit:
            default_storage.delete(path)
            deleted += 1
    return deleted


def _is_utf8_prefix(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut off at the end of the sample is still valid text.
        return error.start >= len(data) - 3
    return True
