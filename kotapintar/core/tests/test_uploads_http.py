"""Uploads over HTTP: early 413s, streaming per-file limit, no temp leftovers; serving files."""

from __future__ import annotations

import io
import sys
import types
import uuid
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.files.uploadhandler import StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import include, path, reverse
from django.utils.translation import override
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.core.models.files import StoredFile
from kotapintar.core.tests.test_uploads_samples import (
    MB,
    jpeg_bytes,
    pdf_bytes,
    stored_paths,
    upload,
)
from kotapintar.core.tests.test_uploads_samples import (
    use_private_storage as _use_private_storage,
)
from kotapintar.core.upload_handlers import UploadSizeLimitHandler, limit_upload_size
from kotapintar.core.uploads import (
    SecureFileField,
    register_file_access_policy,
    store_upload,
    unregister_file_access_policy,
    validate_upload,
)
from kotapintar.testing.factories import OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

# --- a test-only upload view and URLconf (the project's URLs stay available) ----------------

view_calls: list[str] = []


class _UploadForm(forms.Form):
    document = SecureFileField()


def _upload_view(request: HttpRequest) -> HttpResponse:
    view_calls.append(request.method or "")
    form = _UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    user = request.user if request.user.is_authenticated else None
    stored = store_upload(uploaded_file=form.cleaned_data["document"], uploaded_by=user)
    return JsonResponse({"id": str(stored.pk)}, status=201)


@limit_upload_size(max_file_bytes=MB)
def _small_upload_view(request: HttpRequest) -> HttpResponse:
    return _upload_view(request)


class _ApiUploadView(APIView):
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser]

    def post(self, request: Request) -> Response:
        uploaded = request.FILES["document"]
        result = validate_upload(uploaded)
        return Response({"name": uploaded.name, "content_type": result.content_type})


urlpatterns = [
    path("uji-unggah/", _upload_view),
    path("uji-unggah-api/", _ApiUploadView.as_view()),
    path("uji-unggah-kecil/", _small_upload_view),
    path("", include("config.urls")),
]

use_test_urls = pytest.mark.urls(__name__)


class CountingStream:
    """A ``wsgi.input`` that records how much of the body the server read."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._buffer.read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self._buffer.readline(size)
        self.bytes_read += len(line)
        return line


@pytest.fixture
def storage_dir(settings: Any, tmp_path: Path) -> Path:
    return _use_private_storage(settings, tmp_path)


@pytest.fixture
def upload_temp_dir(settings: Any, tmp_path: Path) -> Path:
    """Django's temporary upload folder; small memory limit so uploads go to disk."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    view_calls.clear()
    return folder


def _multipart(name: str, content: bytes) -> bytes:
    return encode_multipart(BOUNDARY, {"document": upload(name, content)})


# --- size limits -------------------------------------------------------------------------------


@use_test_urls
def test_six_mb_file_is_refused_413_while_streaming_and_leaves_no_temp_file(
    client: Client, storage_dir: Path, upload_temp_dir: Path
) -> None:
    body = _multipart("besar.jpg", b"\xff\xd8\xff" + b"\x00" * (6 * MB))
    stream = CountingStream(body)

    with override("en"):
        response = client.generic(
            "POST", "/uji-unggah/", body, MULTIPART_CONTENT, **{"wsgi.input": stream}
        )

    assert response.status_code == 413
    assert "Berkas terlalu besar. Batas per berkas adalah 5 MB." in response.content.decode()
    assert response["Connection"] == "close"
    assert view_calls == []
    assert stream.bytes_read < 5 * MB + 512 * 1024  # stopped at the limit, not at the end
    assert list(upload_temp_dir.iterdir()) == []
    assert StoredFile.objects.count() == 0
    assert stored_paths(storage_dir) == []


@use_test_urls
def test_file_too_large_answer_is_json_for_api_clients(
    client: Client, upload_temp_dir: Path
) -> None:
    body = _multipart("besar.pdf", b"%PDF-" + b"\x00" * (6 * MB))
    with override("en"):
        response = client.generic(
            "POST", "/uji-unggah/", body, MULTIPART_CONTENT, HTTP_ACCEPT="application/json"
        )
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "file_too_large",
            "message": "Berkas terlalu besar. Batas per berkas adalah 5 MB.",
        }
    }


@use_test_urls
def test_view_can_lower_the_streaming_limit(client: Client, upload_temp_dir: Path) -> None:
    body = _multipart("sedang.jpg", b"\xff\xd8\xff" + b"\x00" * (2 * MB))
    with override("en"):
        response = client.generic("POST", "/uji-unggah-kecil/", body, MULTIPART_CONTENT)
    assert response.status_code == 413
    assert "Batas per berkas adalah 1 MB." in response.content.decode()
    assert view_calls == []
    assert list(upload_temp_dir.iterdir()) == []


@use_test_urls
def test_25_mb_request_is_refused_413_without_reading_the_body(
    client: Client, upload_temp_dir: Path
) -> None:
    stream = CountingStream(b"x" * 1024)
    with override("en"):
        response = client.generic(
            "POST",
            "/uji-unggah/",
            b"",
            MULTIPART_CONTENT,
            CONTENT_LENGTH=str(25 * MB),
            **{"wsgi.input": stream},
        )
    assert response.status_code == 413
    assert "The submission is too large. The limit per submission is 20 MB." in (
        response.content.decode()
    )
    assert stream.bytes_read == 0
    assert view_calls == []


@use_test_urls
def test_chunked_body_without_content_length_is_never_read(
    client: Client, storage_dir: Path, upload_temp_dir: Path
) -> None:
    body = _multipart("besar.jpg", b"\xff\xd8\xff" + b"\x00" * (6 * MB))
    stream = CountingStream(body)
    response = client.generic(
        "POST",
        "/uji-unggah/",
        body,
        MULTIPART_CONTENT,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream},
    )
    # Django (WSGI) reads no body without a Content-Length: the form just has no file.
    assert response.status_code == 400
    assert response.json()["errors"]["document"][0]["code"] == "required"
    assert stream.bytes_read == 0
    assert list(upload_temp_dir.iterdir()) == []
    assert stored_paths(storage_dir) == []


@use_test_urls
def test_accepted_upload_leaves_no_temp_file(
    client: Client, storage_dir: Path, upload_temp_dir: Path
) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/uji-unggah/", {"document": upload("foto.jpg", jpeg_bytes((600, 400), gps=True))}
    )
    assert response.status_code == 201
    stored = StoredFile.objects.get(pk=response.json()["id"])
    assert stored.uploaded_by == user
    assert stored_paths(storage_dir) == [stored.storage_name]
    assert list(upload_temp_dir.iterdir()) == []


@use_test_urls
def test_rejected_upload_shows_the_reason_and_leaves_nothing(
    client: Client, storage_dir: Path, upload_temp_dir: Path
) -> None:
    with override("en"):
        response = client.post(
            "/uji-unggah/", {"document": upload("foto.jpg", b"<html><script></script></html>")}
        )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "document": [
                {
                    "message": "Jenis berkas ini tidak diterima. "
                    "Unggah gambar JPEG atau PNG, atau dokumen PDF.",
                    "code": "type_not_allowed",
                }
            ]
        }
    }
    assert StoredFile.objects.count() == 0
    assert stored_paths(storage_dir) == []
    assert list(upload_temp_dir.iterdir()) == []


@use_test_urls
def test_drf_view_still_receives_the_files_parsed_by_the_middleware(
    client: Client, upload_temp_dir: Path
) -> None:
    response = client.post("/uji-unggah-api/", {"document": upload("akta.jpg", pdf_bytes())})
    assert response.status_code == 200
    assert response.json() == {"name": "akta.jpg", "content_type": "application/pdf"}


@use_test_urls
def test_drf_view_gets_413_for_a_file_over_the_limit(client: Client, upload_temp_dir: Path) -> None:
    body = _multipart("besar.pdf", b"%PDF-" + b"\x00" * (6 * MB))
    response = client.generic("POST", "/uji-unggah-api/", body, MULTIPART_CONTENT)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert list(upload_temp_dir.iterdir()) == []


def test_handler_stops_a_file_once_it_passes_the_limit() -> None:
    handler = UploadSizeLimitHandler(max_file_bytes=100, max_request_bytes=1000)
    handler.new_file("document", "a.jpg", "image/jpeg", None)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(StopUpload) as excinfo:
        handler.receive_data_chunk(b"x" * 60, 60)
    assert excinfo.value.connection_reset is True
    assert handler.exceeded == ("file", 100)


def test_handler_refuses_a_part_that_declares_a_size_over_the_limit() -> None:
    handler = UploadSizeLimitHandler(max_file_bytes=100, max_request_bytes=1000)
    with pytest.raises(StopUpload):
        handler.new_file("document", "a.jpg", "image/jpeg", 5000)
    assert handler.exceeded == ("file", 100)


def test_handler_counts_all_files_of_a_request() -> None:
    handler = UploadSizeLimitHandler(max_file_bytes=100, max_request_bytes=150)
    handler.new_file("a", "a.jpg", "image/jpeg", None)
    handler.receive_data_chunk(b"x" * 90, 0)
    handler.new_file("b", "b.jpg", "image/jpeg", None)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 90, 0)
    assert handler.exceeded == ("request", 150)


# --- serving -------------------------------------------------------------------------------------


def _store_pdf(owner: Any, name: str = "akta.jpg") -> StoredFile:
    return store_upload(uploaded_file=upload(name, pdf_bytes()), uploaded_by=owner)


@pytest.fixture
def audit_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace kotapintar.core.audit with a recorder (works before and after it lands)."""
    calls: list[dict[str, Any]] = []
    fake = types.ModuleType("kotapintar.core.audit")

    def audit_record(**kwargs: Any) -> None:
        calls.append(kwargs)

    fake.audit_record = audit_record
    monkeypatch.setitem(sys.modules, "kotapintar.core.audit", fake)
    return calls


def test_file_url_is_under_berkas() -> None:
    file_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert reverse("core:file", args=[file_id]) == f"/berkas/{file_id}/"


def test_uploader_downloads_own_file_as_a_safe_attachment(
    client: Client, storage_dir: Path, audit_calls: list[dict[str, Any]]
) -> None:
    citizen = UserFactory()
    stored = _store_pdf(citizen)
    client.force_login(citizen)

    response = client.get(reverse("core:file", args=[stored.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="akta.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert audit_calls == []  # citizens' own downloads are not staff reads


def test_other_citizen_gets_404(client: Client, storage_dir: Path) -> None:
    stored = _store_pdf(UserFactory())
    client.force_login(UserFactory())
    assert client.get(reverse("core:file", args=[stored.pk])).status_code == 404


def test_unknown_file_id_gets_404(client: Client) -> None:
    client.force_login(UserFactory())
    assert client.get(reverse("core:file", args=[uuid.uuid4()])).status_code == 404


def test_anonymous_visitor_is_sent_to_login_whether_or_not_the_file_exists(
    client: Client, storage_dir: Path
) -> None:
    stored = _store_pdf(UserFactory())
    existing = client.get(reverse("core:file", args=[stored.pk]))
    missing = client.get(reverse("core:file", args=[uuid.uuid4()]))
    assert existing.status_code == missing.status_code == 302
    assert existing["Location"].split("?")[0] == missing["Location"].split("?")[0]
    assert existing["Location"].startswith(reverse("accounts:login"))


def test_officer_without_a_policy_gets_404_and_nothing_is_audited(
    client: Client, storage_dir: Path, audit_calls: list[dict[str, Any]]
) -> None:
    stored = _store_pdf(UserFactory())
    client.force_login(OfficerFactory())
    assert client.get(reverse("core:file", args=[stored.pk])).status_code == 404
    assert audit_calls == []


def test_officer_granted_by_a_policy_downloads_and_the_read_is_audited(
    client: Client, storage_dir: Path, audit_calls: list[dict[str, Any]]
) -> None:
    stored = _store_pdf(UserFactory())
    other = _store_pdf(UserFactory())
    officer = OfficerFactory()

    def assigned_officer_policy(user: Any, stored_file: StoredFile) -> bool:
        return user == officer and stored_file.pk == stored.pk

    register_file_access_policy(assigned_officer_policy)
    try:
        client.force_login(officer)
        response = client.get(reverse("core:file", args=[stored.pk]))
        denied = client.get(reverse("core:file", args=[other.pk]))
    finally:
        unregister_file_access_policy(assigned_officer_policy)

    assert response.status_code == 200
    assert denied.status_code == 404
    assert len(audit_calls) == 1
    call = audit_calls[0]
    assert call["actor"] == officer
    assert call["action"] == "file.download"
    assert call["obj"] == stored
    assert call["request"].path == f"/berkas/{stored.pk}/"


def test_broken_policy_denies_instead_of_failing(client: Client, storage_dir: Path) -> None:
    stored = _store_pdf(UserFactory())

    def broken_policy(user: Any, stored_file: StoredFile) -> bool:
        raise KeyError("bug")

    register_file_access_policy(broken_policy)
    try:
        client.force_login(OfficerFactory())
        response = client.get(reverse("core:file", args=[stored.pk]))
    finally:
        unregister_file_access_policy(broken_policy)
    assert response.status_code == 404


def test_staff_download_reaches_the_real_audit_log(
    client: Client, storage_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        from kotapintar.core import audit
    except ImportError:
        pytest.skip("TODO(uploads): kotapintar.core.audit has not landed yet")
    calls: list[dict[str, Any]] = []
    real = audit.audit_record

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(audit, "audit_record", spy)
    officer = OfficerFactory()
    stored = _store_pdf(officer)  # the uploader may always fetch; still a staff read
    client.force_login(officer)
    assert client.get(reverse("core:file", args=[stored.pk])).status_code == 200
    assert [c["action"] for c in calls] == ["file.download"]


def test_post_to_the_file_url_is_not_allowed(client: Client, storage_dir: Path) -> None:
    citizen = UserFactory()
    stored = _store_pdf(citizen)
    client.force_login(citizen)
    assert client.post(reverse("core:file", args=[stored.pk])).status_code == 405
