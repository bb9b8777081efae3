"""A request body larger than any form could need is refused from its Content-Length, before
a byte of it is read: Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE) leave out multipart file
parts, and CSRF checking would otherwise read the whole body of an anonymous upload first."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from cases.middleware import request_size_limit
from cases.uploads import FILE_TYPES

MB = 1024 * 1024


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def multipart(size: int) -> tuple[bytes, str]:
    boundary = "grense"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="stor.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"0" * (size - len(head) - len(tail)) + tail
    return body, f"multipart/form-data; boundary={boundary}"


def post(client: Client, path: str, body: bytes, content_type: str, claimed: int | None = None):
    stream = CountingStream(body)
    environ = {
        "wsgi.input": stream,
        "CONTENT_LENGTH": str(claimed or len(body)),
        "CONTENT_TYPE": content_type,
    }
    response = client.generic("POST", path, **environ)
    return response, stream


def test_the_limit_is_a_little_above_the_largest_attachment(settings):
    settings.REQUEST_MAX_BYTES = None
    largest = max(file_type.max_size for file_type in FILE_TYPES.values())
    assert largest < request_size_limit() <= largest + 2 * MB


@pytest.mark.django_db
def test_an_anonymous_60_mb_upload_is_refused_unread(published_case):
    # With CSRF checked as in production, where checking reads the posted form.
    client = Client(enforce_csrf_checks=True)
    body, content_type = multipart(60 * MB)
    path = reverse("attachment-add", kwargs={"slug": published_case.slug})
    response, stream = post(client, path, body, content_type)
    assert response.status_code == 413
    assert stream.bytes_read == 0
    assert "Content-Security-Policy" in response
    assert response["X-Content-Type-Options"] == "nosniff"
    text = response.content.decode()
    assert "for stort" in text
    assert "too large" in text
    assert "20 MB" in text


@pytest.mark.django_db
def test_a_claimed_length_is_enough_to_refuse():
    client = Client(enforce_csrf_checks=True)
    # What a slow sender announces counts, however little it has sent yet.
    response, stream = post(client, reverse("login"), b"username=a", "text/plain", 60 * MB)
    assert response.status_code == 413
    assert stream.bytes_read == 0


@pytest.mark.django_db
def test_the_api_answers_413_in_json(client):
    body, content_type = multipart(60 * MB)
    response, stream = post(client, "/api/v1/cases/", body, content_type)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "request_too_large"
    assert response.json()["detail"]
    assert stream.bytes_read == 0


@pytest.mark.django_db
def test_an_upload_of_the_largest_allowed_size_still_gets_through(client, editor, published_case):
    largest = max(file_type.max_size for file_type in FILE_TYPES.values())
    client.force_login(editor)
    body, content_type = multipart(largest + 2000)
    path = reverse("attachment-add", kwargs={"slug": published_case.slug})
    response, stream = post(client, path, body, content_type)
    # Read in full and answered by the view (which names the file's own problems, if any).
    assert response.status_code == 302
    assert stream.bytes_read == len(body)
