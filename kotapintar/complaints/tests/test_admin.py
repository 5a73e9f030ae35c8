"""Admin: configuration editable, policy singleton, Open311 key shown once, reports read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kotapintar.complaints.models import ComplaintPolicy, Open311Client, Status
from kotapintar.complaints.services import open311_client_by_key
from kotapintar.complaints.tests.factories import CategoryFactory, ComplaintFactory
from kotapintar.testing.factories import CityAdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_city(client: Client) -> Client:
    client.force_login(CityAdminFactory())
    return client


@pytest.mark.parametrize(
    "name",
    [
        "complaintpolicy",
        "categorygroup",
        "category",
        "categoryquestion",
        "routingrule",
        "responsetemplate",
        "bannedreporter",
        "open311client",
        "complaint",
    ],
)
def test_every_complaint_model_has_a_working_changelist(
    admin_client_city: Client, name: str
) -> None:
    response = admin_client_city.get(reverse(f"admin:complaints_{name}_changelist"))
    assert response.status_code == 200


def test_policy_cannot_be_added_twice_or_deleted(admin_client_city: Client) -> None:
    policy = ComplaintPolicy.objects.create()
    assert admin_client_city.get(reverse("admin:complaints_complaintpolicy_add")).status_code == 403
    delete = reverse("admin:complaints_complaintpolicy_delete", args=[policy.pk])
    assert admin_client_city.post(delete, {"post": "yes"}).status_code == 403
    assert ComplaintPolicy.objects.count() == 1


def test_adding_an_open311_client_shows_the_raw_key_once(admin_client_city: Client) -> None:
    response = admin_client_city.post(
        reverse("admin:complaints_open311client_add"),
        {"name": "Aplikasi Warga", "contact_email": "dev@contoh.id"},
        follow=True,
    )
    assert response.status_code == 200
    client_row = Open311Client.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) >= 1
    key = shown[0].rsplit(": ", 1)[1]
    assert open311_client_by_key(key) == client_row
    assert key not in client_row.key_hash
    again = admin_client_city.get(
        reverse("admin:complaints_open311client_change", args=[client_row.pk])
    )
    assert key not in again.content.decode()


def test_complaint_is_read_only_with_masked_reporter(admin_client_city: Client) -> None:
    complaint = ComplaintFactory(
        status=Status.RECEIVED, privacy="anonim", reporter_name="Siti Rahmawati Lubis"
    )
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    page = admin_client_city.get(url).content.decode()
    assert "Siti Rahmawati" not in page
    response = admin_client_city.post(url, {"status": Status.CLOSED})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert admin_client_city.get(reverse("admin:complaints_complaint_add")).status_code == 403


def test_category_page_lists_its_questions(admin_client_city: Client) -> None:
    category = CategoryFactory()
    url = reverse("admin:complaints_category_change", args=[category.pk])
    assert admin_client_city.get(url).status_code == 200
