"""Public complaint pages: list and map, report page, public photos, tracking, area follow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from kotapintar.complaints import selectors, views_public
from kotapintar.complaints.models import (
    AreaSubscription,
    ComplaintFollower,
    ComplaintPhoto,
    PhotoKind,
    Privacy,
    Status,
)
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    ComplaintEventFactory,
    ComplaintFactory,
    jpeg_upload,
)
from kotapintar.core.uploads import store_upload
from kotapintar.testing.factories import (
    AgencyFactory,
    CitizenFactory,
    CityBoundaryFactory,
    DistrictFactory,
    VillageFactory,
)
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _city(settings: Any, tmp_path: Path) -> None:
    CityBoundaryFactory.create()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def _photo(complaint: Any, kind: str = PhotoKind.REPORT, **extra: Any) -> ComplaintPhoto:
    stored = store_upload(
        uploaded_file=jpeg_upload(), uploaded_by=complaint.reporter, allowed_kinds={"image"}
    )
    return ComplaintPhoto.objects.create(complaint=complaint, file=stored, kind=kind, **extra)


# --- List and map ------------------------------------------------------------------------------


def test_public_list_shows_public_reports_and_never_secret_hidden_rejected_or_banned(
    client: Client,
) -> None:
    shown = ComplaintFactory.create(title="Lampu jalan mati")
    anonymous = ComplaintFactory.create(title="Sampah menumpuk", privacy=Privacy.ANONYMOUS)
    ComplaintFactory.create(title="Rahasia sekali", privacy=Privacy.SECRET)
    ComplaintFactory.create(title="Disembunyikan", is_hidden=True)
    ComplaintFactory.create(title="Spam ditolak", status=Status.REJECTED)
    ComplaintFactory.create(title="Dari pelapor diblokir", from_banned_reporter=True)

    response = client.get(reverse("complaints:public_list"))

    assert response.status_code == 200
    listed = [c.reference for c in response.context["page"].object_list]
    assert listed == [anonymous.reference, shown.reference]
    html = response.content.decode()
    for title in ("Rahasia sekali", "Disembunyikan", "Spam ditolak", "Dari pelapor diblokir"):
        assert title not in html


def test_public_list_filters_by_category_kecamatan_status_and_dates(client: Client) -> None:
    road = CategoryFactory.create(code="jalan")
    other_district = DistrictFactory.create(code="12.71.02", name="Medan Area")
    match = ComplaintFactory.create(category=road, status=Status.IN_PROGRESS)
    ComplaintFactory.create(category=road, status=Status.CLOSED)
    ComplaintFactory.create(category=road, district=other_district, status=Status.IN_PROGRESS)
    ComplaintFactory.create(status=Status.IN_PROGRESS)
    ComplaintFactory.create(
        category=road,
        status=Status.IN_PROGRESS,
        submitted_at=timezone.now() - timedelta(days=40),
    )
    today = timezone.localdate()

    response = client.get(
        reverse("complaints:public_list"),
        {
            "kategori": "jalan",
            "kecamatan": "12.71.01",
            "status": "open",
            "dari": (today - timedelta(days=7)).isoformat(),
            "sampai": today.isoformat(),
        },
    )

    assert [c.reference for c in response.context["page"].object_list] == [match.reference]


def test_public_list_paginates_by_20_with_a_bounded_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    category = CategoryFactory.create()
    district = DistrictFactory.create()
    village = VillageFactory.create(district=district)
    reporter = CitizenFactory.create()
    for _ in range(45):
        ComplaintFactory.create(
            category=category, district=district, village=village, reporter=reporter
        )
    client.get(reverse("complaints:public_list"))  # warm caches (sessions, regions)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("complaints:public_list"), {"page": 3})

    assert len(response.context["page"].object_list) == 5
    assert response.context["page"].paginator.count == 45


def test_public_list_query_count_does_not_grow_with_the_page(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(20):
        ComplaintFactory.create()  # each with its own category, kecamatan and kelurahan
    with django_assert_max_num_queries(8):
        response = client.get(reverse("complaints:public_list"))
    assert len(response.context["page"].object_list) == 20


def test_map_data_returns_only_public_fields_of_public_reports(client: Client) -> None:
    reporter = CitizenFactory.create(full_name="Budi Santoso", email="budi@contoh.id")
    public = ComplaintFactory.create(reporter=reporter, title="<b>Lubang</b>")
    ComplaintFactory.create(privacy=Privacy.SECRET)

    response = client.get(reverse("complaints:public_map_data"))

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    assert data["clustered"] is False
    assert data["markers"] == [
        {
            "reference": public.reference,
            "title": "<b>Lubang</b>",
            "lat": 3.5952,
            "lon": 98.6722,
            "status": "diterima",
            "status_label": str(Status.RECEIVED.label),
            "category": public.category.name,
            "url": f"/pengaduan/{public.reference}/",
        }
    ]
    body = response.content.decode()
    assert "Budi" not in body
    assert "budi@contoh.id" not in body


def test_map_data_is_clustered_by_grid_cell_above_the_marker_limit(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MAP_MARKER_LIMIT", 2)
    for _ in range(3):
        ComplaintFactory.create(latitude=3.5952, longitude=98.6722)
    ComplaintFactory.create(latitude=3.6500, longitude=98.7000)

    data = client.get(reverse("complaints:public_map_data")).json()

    assert data["count"] == 4
    assert data["clustered"] is True
    assert data["clusters"] == [
        {"lat": 3.6, "lon": 98.67, "count": 3},
        {"lat": 3.65, "lon": 98.7, "count": 1},
    ]


def test_list_and_map_render_without_a_tile_server_setting(client: Client, settings: Any) -> None:
    settings.COMPLAINTS_MAP_TILE_URL = ""
    response = client.get(reverse("complaints:public_list"))
    assert response.status_code == 200
    assert 'data-tile-url=""' in response.content.decode()


# --- Report page -------------------------------------------------------------------------------


def test_public_report_page_shows_the_report_to_everyone(client: Client) -> None:
    complaint = ComplaintFactory.create(status=Status.DISPOSED)
    actors = Actors.around(citizen=complaint.reporter, agency=complaint.agency)
    assert_permission_matrix(
        Client,
        reverse("complaints:public_detail", args=[complaint.reference]),
        "get",
        {
            "anonymous": 200,
            "citizen": 200,
            "other_citizen": 200,
            "officer_other_agency": 200,
            "officer": 200,
            "admin": 200,
        },
        actors,
    )


@pytest.mark.parametrize(
    "hidden",
    [{"privacy": Privacy.SECRET}, {"is_hidden": True}, {"status": Status.REJECTED}],
    ids=["rahasia", "hidden", "rejected"],
)
def test_non_public_report_page_is_404_except_for_its_reporter_and_handling_staff(
    hidden: dict[str, Any],
) -> None:
    values = {"status": Status.DISPOSED, "agency": AgencyFactory.create(), **hidden}
    complaint = ComplaintFactory.create(**values)
    actors = Actors.around(citizen=complaint.reporter, agency=complaint.agency)
    responses = assert_permission_matrix(
        Client,
        reverse("complaints:public_detail", args=[complaint.reference]),
        "get",
        {
            "anonymous": 404,
            "citizen": 200,
            "other_citizen": 404,
            "officer_other_agency": 404,
            "officer": 200,
            "admin": 200,
        },
        actors,
    )
    assert responses["citizen"]["Cache-Control"] == "private, no-store"


def test_unknown_reference_is_404(client: Client) -> None:
    response = client.get(reverse("complaints:public_detail", args=["ADU-2345-6789"]))
    assert response.status_code == 404


def test_anonim_reporter_never_appears_in_public_html(client: Client) -> None:
    reporter = CitizenFactory.create(full_name="Siti Rahmawati Nasution", email="siti@contoh.id")
    complaint = ComplaintFactory.create(
        reporter=reporter, privacy=Privacy.ANONYMOUS, reporter_name=reporter.full_name
    )

    html = client.get(reverse("complaints:public_detail", args=[complaint.reference])).content
    listing = client.get(reverse("complaints:public_list")).content
    map_data = client.get(reverse("complaints:public_map_data")).content

    for body in (html, listing, map_data):
        text = body.decode()
        assert "Siti" not in text
        assert "Nasution" not in text
        assert "siti@contoh.id" not in text
    with translation.override("id"):
        assert gettext("Anonymous") in html.decode()


def test_publik_report_shows_only_first_name_and_initial(client: Client) -> None:
    reporter = CitizenFactory.create(full_name="Budi Santoso", email="budi@contoh.id")
    complaint = ComplaintFactory.create(reporter=reporter, reporter_name="Budi Santoso")

    html = client.get(reverse("complaints:public_detail", args=[complaint.reference])).content

    text = html.decode()
    assert "Budi S." in text
    assert "Santoso" not in text
    assert "budi@contoh.id" not in text


def test_html_and_script_in_title_and_description_are_escaped(client: Client) -> None:
    complaint = ComplaintFactory.create(
        title='<script>alert("t")</script>',
        description='<img src=x onerror=alert(1)> <a href="javascript:alert(2)">x</a>',
    )
    ComplaintEventFactory.create(complaint=complaint, message="<script>alert('e')</script>")

    detail = client.get(reverse("complaints:public_detail", args=[complaint.reference]))
    listing = client.get(reverse("complaints:public_list"))

    for response in (detail, listing):
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    html = detail.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(&#x27;e&#x27;)&lt;/script&gt;" in html


def test_report_page_shows_the_public_timeline_but_not_internal_notes(client: Client) -> None:
    complaint = ComplaintFactory.create()
    ComplaintEventFactory.create(complaint=complaint, message="Tim sudah ke lokasi.")
    ComplaintEventFactory.create(
        complaint=complaint, message="Catatan internal rahasia", is_public=False
    )

    html = client.get(reverse("complaints:public_detail", args=[complaint.reference])).content

    assert "Tim sudah ke lokasi." in html.decode()
    assert "Catatan internal rahasia" not in html.decode()


# --- Public photos -----------------------------------------------------------------------------


def test_public_photo_of_a_public_report_is_served_inline_to_anonymous_visitors(
    client: Client,
) -> None:
    complaint = ComplaintFactory.create()
    photo = _photo(complaint)

    page = client.get(reverse("complaints:public_detail", args=[complaint.reference]))
    url = reverse("complaints:public_photo", args=[complaint.reference, photo.file_id])
    response = client.get(url)

    assert url in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    ("complaint_values", "photo_values"),
    [
        ({"privacy": Privacy.SECRET}, {}),
        ({"is_hidden": True}, {}),
        ({}, {"is_redacted": True}),
        ({}, {"kind": PhotoKind.INFO}),
    ],
    ids=["rahasia", "hidden-report", "redacted-photo", "additional-info-photo"],
)
def test_public_photo_is_404_when_not_public(
    client: Client, complaint_values: dict[str, Any], photo_values: dict[str, Any]
) -> None:
    complaint = ComplaintFactory.create(**complaint_values)
    photo = _photo(complaint, **photo_values)

    response = client.get(
        reverse("complaints:public_photo", args=[complaint.reference, photo.file_id])
    )

    assert response.status_code == 404


def test_public_photo_of_another_report_is_404(client: Client) -> None:
    complaint = ComplaintFactory.create()
    other_photo = _photo(ComplaintFactory.create())
    response = client.get(
        reverse("complaints:public_photo", args=[complaint.reference, other_photo.file_id])
    )
    assert response.status_code == 404


# --- Follow ------------------------------------------------------------------------------------


def test_citizen_supports_a_public_report(client: Client) -> None:
    complaint = ComplaintFactory.create()
    supporter = CitizenFactory.create()
    client.force_login(supporter)

    response = client.post(reverse("complaints:follow", args=[complaint.reference]))

    assert response.status_code == 302
    assert response["Location"] == f"/pengaduan/{complaint.reference}/"
    assert ComplaintFollower.objects.filter(complaint=complaint, user=supporter).count() == 1
    complaint.refresh_from_db()
    assert complaint.supporter_count == 1
    page = client.get(response["Location"])
    assert page.context["is_follower"] is True


def test_anonymous_visitor_cannot_follow_and_nothing_changes(client: Client) -> None:
    complaint = ComplaintFactory.create()
    response = client.post(reverse("complaints:follow", args=[complaint.reference]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert ComplaintFollower.objects.count() == 0


def test_secret_report_cannot_be_followed(client: Client) -> None:
    complaint = ComplaintFactory.create(privacy=Privacy.SECRET)
    client.force_login(CitizenFactory.create())
    response = client.post(reverse("complaints:follow", args=[complaint.reference]))
    assert response.status_code == 404
    assert ComplaintFollower.objects.count() == 0


# --- Tracking ----------------------------------------------------------------------------------


def test_tracking_a_public_report_without_login_shows_its_public_summary(client: Client) -> None:
    complaint = ComplaintFactory.create(title="Drainase tersumbat")
    typed = complaint.reference.lower().replace("-", " ")

    response = client.get(reverse("complaints:track"), {"nomor": typed})

    assert response.status_code == 200
    assert response.context["complaint"] == complaint
    assert "Drainase tersumbat" in response.content.decode()


def test_tracking_a_secret_report_shows_only_status_and_dates(client: Client) -> None:
    complaint = ComplaintFactory.create(
        privacy=Privacy.SECRET,
        title="Pungli di kantor kelurahan",
        description="Petugas meminta uang tambahan.",
        address="Jl. Rahasia 1",
    )

    response = client.get(reverse("complaints:track"), {"nomor": complaint.reference})

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["tracked"].status == Status.RECEIVED
    assert complaint.reference in html
    for secret in ("Pungli", "Petugas meminta", "Jl. Rahasia", complaint.category.name):
        assert secret not in html


def test_tracking_an_unknown_or_malformed_number(client: Client) -> None:
    unknown = client.get(reverse("complaints:track"), {"nomor": "ADU-2345-6789"})
    malformed = client.get(reverse("complaints:track"), {"nomor": "<script>"})
    assert unknown.status_code == 200
    assert unknown.context["tracked"] is None
    assert malformed.context["form"].errors.as_data()["nomor"][0].code == "invalid_reference"
    assert "<script>" not in malformed.content.decode()


def test_tracking_is_rate_limited(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views_public, "TRACK_LIMIT", 2)
    url = reverse("complaints:track")
    statuses = [client.get(url, {"nomor": "ADU-2345-6789"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# --- Following an area -------------------------------------------------------------------------


def test_citizen_follows_a_kelurahan_and_unsubscribes_by_token_without_login(
    client: Client,
) -> None:
    village = VillageFactory.create()
    citizen = CitizenFactory.create()
    client.force_login(citizen)

    response = client.post(
        reverse("complaints:area_subscribe"),
        {"kecamatan": village.district_id, "kelurahan": village.code},
    )

    assert response.status_code == 302
    subscription = AreaSubscription.objects.get(user=citizen)
    assert subscription.village == village
    anonymous = Client()
    url = reverse("complaints:area_unsubscribe", args=[subscription.unsubscribe_token])
    assert anonymous.get(url).status_code == 200
    assert AreaSubscription.objects.count() == 1  # a link scanner's GET changes nothing
    assert anonymous.post(url).status_code == 200
    assert AreaSubscription.objects.count() == 0


def test_area_subscription_rejects_a_kelurahan_of_another_kecamatan(client: Client) -> None:
    village = VillageFactory.create()
    other = DistrictFactory.create(code="12.71.02", name="Medan Area")
    client.force_login(CitizenFactory.create())

    response = client.post(
        reverse("complaints:area_subscribe"), {"kecamatan": other.code, "kelurahan": village.code}
    )

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["kelurahan"][0].code == "village_mismatch"
    assert AreaSubscription.objects.count() == 0


def test_area_subscription_needs_login(client: Client) -> None:
    response = client.get(reverse("complaints:area_subscribe"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
