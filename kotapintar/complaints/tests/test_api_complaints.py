"""/api/v1/complaints/…: public list and detail, submission, my reports, staff queue and actions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from rest_framework.test import APIClient

from kotapintar.accounts.models import User
from kotapintar.agencies.models import Agency
from kotapintar.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    EventKind,
    Privacy,
    Status,
)
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    ComplaintEventFactory,
    ComplaintFactory,
)
from kotapintar.testing.factories import (
    AgencyFactory,
    CitizenFactory,
    CityBoundaryFactory,
    CoordinatorFactory,
    DistrictFactory,
    OfficerFactory,
)
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"
LIST_KEYS = [
    "reference",
    "category",
    "title",
    "status",
    "status_label",
    "open",
    "latitude",
    "longitude",
    "address",
    "district",
    "village",
    "agency",
    "supporter_count",
    "submitted_at",
    "updated_at",
    "due_at",
]


def _complaint(**kwargs: Any) -> Complaint:
    return cast(Complaint, ComplaintFactory(**kwargs))


def _user(factory: Any, **kwargs: Any) -> User:
    return cast(User, factory(**kwargs))


@pytest.fixture
def api() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def _as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


# --- Public list and detail ---------------------------------------------------------------------


def test_public_list_shows_only_public_reports_without_reporter(api: APIClient) -> None:
    public = _complaint(title="Lampu mati", reporter_name="Budi Santoso")
    _complaint(privacy=Privacy.SECRET)
    _complaint(is_hidden=True)
    _complaint(from_banned_reporter=True)
    _complaint(status=Status.REJECTED)
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert set(body) == {"count", "next", "previous", "results"}
    [item] = body["results"]
    assert list(item) == LIST_KEYS
    assert item["reference"] == public.reference
    assert item["status"] == "diterima"
    assert item["status_label"] == "Received"
    assert item["open"] is True
    assert item["district"] == {"code": "12.71.01", "name": "Medan Kota"}
    assert "Budi" not in response.content.decode()


def test_public_list_filters(api: APIClient) -> None:
    roads = CategoryFactory(code="jalan")
    lights = CategoryFactory(code="lampu")
    other_district = DistrictFactory(code="12.71.02", name="Medan Area")
    a = _complaint(category=roads, status=Status.IN_PROGRESS)
    b = _complaint(category=lights, status=Status.CLOSED)
    c = _complaint(
        category=CategoryFactory(code="sampah"),
        district=other_district,
        submitted_at=datetime(2026, 1, 10, 3, 0, tzinfo=UTC),
    )

    def refs(**query: str) -> list[str]:
        response = api.get(URL, query)
        assert response.status_code == 200, response.json()
        return sorted(r["reference"] for r in response.json()["results"])

    assert refs(category="jalan,lampu") == sorted([a.reference, b.reference])
    assert refs(district="12.71.02") == [c.reference]
    assert refs(status="open") == sorted([a.reference, c.reference])
    assert refs(status="closed") == [b.reference]
    assert refs(status="diproses") == [a.reference]
    assert refs(date_from="2026-01-10", date_to="2026-01-10") == [c.reference]
    assert refs(status="") == sorted([a.reference, b.reference, c.reference])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "hilang"}, "status"),
        ({"district": "medan"}, "district"),
        ({"date_from": "kemarin"}, "date_from"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
    ],
)
def test_bad_filters_are_400_in_the_api_error_shape(
    api: APIClient, query: dict[str, str], field: str
) -> None:
    response = api.get(URL, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]


def test_public_list_has_no_n_plus_one(api: APIClient, django_assert_max_num_queries: Any) -> None:
    for status in (Status.RECEIVED, Status.DISPOSED, Status.CLOSED):
        for _ in range(5):
            _complaint(status=status)
    with django_assert_max_num_queries(3):
        response = api.get(URL)
    assert response.json()["count"] == 15


def test_detail_shows_public_timeline_and_anonymous_reporter(api: APIClient) -> None:
    complaint = _complaint(privacy=Privacy.ANONYMOUS, reporter_name="Rina Siregar")
    ComplaintEventFactory(complaint=complaint, message="Tim sudah ke lokasi.")
    ComplaintEventFactory(
        complaint=complaint, kind=EventKind.NOTE, message="Catatan internal", is_public=False
    )
    response = api.get(f"{URL}{complaint.reference}/")
    assert response.status_code == 200
    body = response.json()
    assert body["reporter"] == "Anonymous"
    assert [e["message"] for e in body["timeline"]] == ["Tim sudah ke lokasi."]
    assert "Siregar" not in response.content.decode()
    assert "Catatan internal" not in response.content.decode()


def test_secret_report_is_404_for_everyone_but_its_reporter_and_handlers() -> None:
    agency = cast(Agency, AgencyFactory())
    citizen = _user(CitizenFactory)
    complaint = _complaint(
        privacy=Privacy.SECRET, reporter=citizen, status=Status.DISPOSED, agency=agency
    )
    actors = Actors.around(citizen=citizen, agency=agency)
    actors.add("coordinator", _user(CoordinatorFactory))
    assert_permission_matrix(
        APIClient,
        f"{URL}{complaint.reference}/",
        "get",
        {
            "anonymous": 404,
            "citizen": 200,
            "other_citizen": 404,
            "officer_other_agency": 404,
            "officer": 200,
            "admin": 200,
            "coordinator": 200,
        },
        actors,
    )


def test_unknown_and_malformed_references_are_404(api: APIClient) -> None:
    assert api.get(f"{URL}ADU-2222-3333/").status_code == 404
    response = api.get(f"{URL}bukan-nomor/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Submission ---------------------------------------------------------------------------------


@pytest.fixture
def category() -> Any:
    CityBoundaryFactory()
    return CategoryFactory(code="jalan-rusak", name="Jalan rusak")


def _payload(**extra: Any) -> dict[str, Any]:
    data = {
        "category": "jalan-rusak",
        "title": "Lubang di depan sekolah",
        "description": "Lubang sedalam 20 cm di lajur kiri.",
        "latitude": 3.5952,
        "longitude": 98.6722,
        "privacy": "anonim",
    }
    data.update(extra)
    return data


def test_citizen_submits_and_a_retry_with_the_same_key_gives_the_same_report(
    category: Any,
) -> None:
    citizen = _user(CitizenFactory)
    client = _as(citizen)
    first = client.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="klik-1")
    assert first.status_code == 201, first.json()
    again = client.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="klik-1")
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    complaint = Complaint.objects.get()
    assert complaint.reporter == citizen
    assert complaint.channel == Channel.API
    assert complaint.privacy == Privacy.ANONYMOUS
    assert first.json()["reporter"] == citizen.full_name  # the reporter sees their own name
    assert first.json()["status"] == "diterima"


def test_a_multipart_submission_stores_the_photos(category: Any) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    def png(color: str) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
        return SimpleUploadedFile(f"{color}.png", buffer.getvalue(), content_type="image/png")

    client = _as(_user(CitizenFactory))
    data = {key: value for key, value in _payload().items() if key not in ("latitude", "longitude")}
    data.update({"latitude": "3.5952", "longitude": "98.6722", "photos": [png("red"), png("blue")]})
    response = client.post(URL, data, format="multipart")
    assert response.status_code == 201, response.json()
    assert Complaint.objects.get().photos.count() == 2


def test_a_non_image_photo_is_400_and_stores_nothing(category: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _as(_user(CitizenFactory))
    fake = SimpleUploadedFile("foto.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    data = {**_payload(), "photos": [fake]}
    response = client.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


def test_submission_needs_a_logged_in_citizen(api: APIClient, category: Any) -> None:
    assert api.post(URL, _payload(), format="json").status_code == 401
    officer = _user(OfficerFactory)
    response = _as(officer).post(URL, _payload(), format="json")
    assert response.status_code == 403
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"latitude": 3.6422, "longitude": 98.8853},  # Kualanamu airport
        {"description": "   "},
        {"category": "tidak-ada"},
        {"title": "warga@contoh.id"},
        {"latitude": "tiga"},
    ],
)
def test_bad_submissions_are_400_and_store_nothing(category: Any, changes: dict[str, Any]) -> None:
    client = _as(_user(CitizenFactory))
    response = client.post(URL, _payload(**changes), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert Complaint.objects.count() == 0


def test_submissions_over_the_hourly_limit_are_429(category: Any) -> None:
    client = _as(_user(CitizenFactory))
    codes = [
        client.post(URL, _payload(title=f"Lubang {n}"), format="json").status_code
        for n in range(11)
    ]
    assert codes == [201] * 10 + [429]
    assert Complaint.objects.count() == 10


def test_my_reports_lists_only_mine_including_secret_ones() -> None:
    citizen = _user(CitizenFactory)
    mine = [
        _complaint(reporter=citizen, privacy=Privacy.SECRET),
        _complaint(reporter=citizen, status=Status.REJECTED),
    ]
    _complaint()
    response = _as(citizen).get(f"{URL}mine/")
    assert response.status_code == 200
    assert sorted(r["reference"] for r in response.json()["results"]) == sorted(
        c.reference for c in mine
    )


def test_my_reports_needs_login(api: APIClient) -> None:
    assert api.get(f"{URL}mine/").status_code == 401


# --- Staff --------------------------------------------------------------------------------------


def test_staff_queue_is_scoped_to_the_officers_agency() -> None:
    agency = cast(Agency, AgencyFactory())
    ours = _complaint(status=Status.DISPOSED, agency=agency, privacy=Privacy.SECRET)
    _complaint(status=Status.DISPOSED)
    officer = _user(OfficerFactory, agency=agency)
    response = _as(officer).get(f"{URL}queue/")
    assert response.status_code == 200
    assert [r["reference"] for r in response.json()["results"]] == [ours.reference]
    coordinator = _user(CoordinatorFactory)
    assert _as(coordinator).get(f"{URL}queue/").json()["count"] == 2


def test_staff_queue_is_refused_to_citizens(api: APIClient) -> None:
    assert _as(_user(CitizenFactory)).get(f"{URL}queue/").status_code == 403
    assert api.get(f"{URL}queue/").status_code == 401


def test_staff_queue_has_no_n_plus_one(django_assert_max_num_queries: Any) -> None:
    for _ in range(10):
        _complaint(status=Status.DISPOSED)
    client = _as(_user(CoordinatorFactory))
    with django_assert_max_num_queries(6):
        response = client.get(f"{URL}queue/")
    assert response.json()["count"] == 10


def test_coordinator_verifies_and_a_denied_officer_changes_nothing() -> None:
    complaint = _complaint(status=Status.RECEIVED)
    officer = _user(OfficerFactory)
    denied = _as(officer).post(f"{URL}{complaint.reference}/verify/")
    # The officer's agency does not hold the report: it does not exist for them.
    assert denied.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    coordinator = _user(CoordinatorFactory)
    response = _as(coordinator).post(f"{URL}{complaint.reference}/verify/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "diverifikasi"
    complaint.refresh_from_db()
    assert complaint.status == Status.VERIFIED
    assert ComplaintEvent.objects.filter(complaint=complaint, to_status=Status.VERIFIED).exists()


def test_an_officer_of_the_agency_may_not_verify() -> None:
    agency = cast(Agency, AgencyFactory())
    complaint = _complaint(status=Status.DISPOSED, agency=agency)
    officer = _user(OfficerFactory, agency=agency)
    response = _as(officer).post(f"{URL}{complaint.reference}/verify/")
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPOSED


def test_coordinator_disposes_to_an_agency() -> None:
    complaint = _complaint(status=Status.VERIFIED)
    agency = cast(Agency, AgencyFactory(code="dinas-pu"))
    coordinator = _user(CoordinatorFactory)
    response = _as(coordinator).post(
        f"{URL}{complaint.reference}/dispose/", {"agency": "dinas-pu"}, format="json"
    )
    assert response.status_code == 200, response.json()
    complaint.refresh_from_db()
    assert (complaint.status, complaint.agency) == (Status.DISPOSED, agency)
    unknown = _as(coordinator).post(
        f"{URL}{complaint.reference}/dispose/", {"agency": "tidak-ada"}, format="json"
    )
    assert unknown.status_code == 400


def test_agency_officer_resolves_with_a_response() -> None:
    agency = cast(Agency, AgencyFactory())
    complaint = _complaint(status=Status.IN_PROGRESS, agency=agency)
    officer = _user(OfficerFactory, agency=agency)
    empty = _as(officer).post(f"{URL}{complaint.reference}/resolve/", {}, format="json")
    assert empty.status_code == 400
    response = _as(officer).post(
        f"{URL}{complaint.reference}/resolve/",
        {"response": "Lubang sudah ditambal."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.resolution_note == "Lubang sudah ditambal."


def test_citizens_cannot_take_staff_actions() -> None:
    citizen = _user(CitizenFactory)
    complaint = _complaint(reporter=citizen)
    for action in ("verify", "dispose", "resolve"):
        response = _as(citizen).post(f"{URL}{complaint.reference}/{action}/", {}, format="json")
        assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
