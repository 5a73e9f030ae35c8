"""The "My notifications" page: own rows only, pagination, mark-as-read with and without htmx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kotapintar.core.models.notifications import Notification
from kotapintar.core.notifications import notify
from kotapintar.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/notifikasi/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make(recipient: Any, count: int = 1, **kwargs: Any) -> list[Notification]:
    base = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    rows = []
    for i in range(count):
        notification = notify(
            recipient=recipient,
            kind="complaint.status_changed",
            title=kwargs.get("title", f"Pemberitahuan {i + 1}"),
            body=kwargs.get("body", "Isi pemberitahuan."),
            url=kwargs.get("url", f"/pengaduan/KP-{i + 1}/"),
            channels=("in_app",),
        )
        # Distinct, increasing creation times make the order deterministic.
        Notification.objects.filter(pk=notification.pk).update(
            created_at=base + timedelta(minutes=i)
        )
        rows.append(notification)
    return rows


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_urls_reverse_under_the_core_namespace() -> None:
    assert reverse("core:notifications") == LIST_URL
    assert reverse("core:notifications_read_all") == "/notifikasi/baca-semua/"
    public_id = "2f1b6c0e-8d3a-4c49-9f7e-0a1b2c3d4e5f"
    assert reverse("core:notification_read", args=[public_id]) == f"/notifikasi/{public_id}/baca/"


def test_list_requires_login(client: Client) -> None:
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_list_shows_own_notifications_newest_first_unread_in_bold() -> None:
    user, other = UserFactory(), UserFactory()
    first, second = make(user, 2)
    make(other, 1, title="Rahasia orang lain")
    second.read_at = timezone.now()
    second.save(update_fields=["read_at"])
    with override("en"):
        response = logged_in(user).get(LIST_URL)
    assert response.status_code == 200
    page = list(response.context["page_obj"])
    assert page == [second, first]
    html = response.content.decode()
    assert "Rahasia orang lain" not in html
    assert html.count("notification-unread") == 1
    assert f'id="notification-{first.public_id}"' in html
    assert "Notifikasi saya" in html
    # The header badge shows the unread count from the context processor.
    assert '<span class="badge" aria-label="1 belum dibaca">1</span>' in html


def test_titles_and_bodies_are_escaped() -> None:
    user = UserFactory()
    make(user, 1, title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
    html = logged_in(user).get(LIST_URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_list_is_paginated_by_twenty() -> None:
    user = UserFactory()
    make(user, 25)
    client = logged_in(user)
    first_page = client.get(LIST_URL).context["page_obj"]
    second_page = client.get(LIST_URL, {"page": 2}).context["page_obj"]
    assert len(first_page) == 20
    assert [n.title for n in second_page] == [f"Pemberitahuan {i}" for i in range(5, 0, -1)]
    assert client.get(LIST_URL, {"page": "abc"}).context["page_obj"].number == 1


def test_empty_list_says_so() -> None:
    with override("en"):
        html = logged_in(UserFactory()).get(LIST_URL).content.decode()
    assert "Belum ada notifikasi." in html


def test_list_query_count_does_not_grow_with_rows(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    user = UserFactory()
    make(user, 3)
    client = logged_in(user)
    client.get(LIST_URL)  # warm the city-name cache
    # session, user, page count, page rows, unread count (header badge).
    with django_assert_num_queries(5):
        assert client.get(LIST_URL).status_code == 200
    make(user, 22)
    with django_assert_num_queries(5):
        assert client.get(LIST_URL).status_code == 200


def test_opening_a_notification_marks_it_read_and_redirects_to_its_url() -> None:
    user = UserFactory()
    (notification,) = make(user, 1, url="/pengaduan/KP-77/")
    response = logged_in(user).post(
        reverse("core:notification_read", args=[notification.public_id])
    )
    assert response.status_code == 302
    assert response["Location"] == "/pengaduan/KP-77/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_as_read_without_js_returns_to_the_same_list_page() -> None:
    user = UserFactory()
    (notification,) = make(user, 1)
    response = logged_in(user).post(
        reverse("core:notification_read", args=[notification.public_id]),
        {"next": "list", "page": "2"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?page=2"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notification_without_url_redirects_to_the_list() -> None:
    user = UserFactory()
    (notification,) = make(user, 1, url="")
    response = logged_in(user).post(
        reverse("core:notification_read", args=[notification.public_id])
    )
    assert response["Location"] == LIST_URL


def test_mark_as_read_with_htmx_returns_the_updated_item() -> None:
    user = UserFactory()
    (notification,) = make(user, 1)
    response = logged_in(user).post(
        reverse("core:notification_read", args=[notification.public_id]),
        {"next": "list"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<article class="card notification" ')
    assert f'id="notification-{notification.public_id}"' in html
    assert "notification-unread" not in html
    assert "hx-post" not in html  # no mark-as-read button any more
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_is_404_and_stays_unread() -> None:
    owner, intruder = UserFactory(), UserFactory()
    (notification,) = make(owner, 1)
    response = logged_in(intruder).post(
        reverse("core:notification_read", args=[notification.public_id])
    )
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_requires_post() -> None:
    user = UserFactory()
    (notification,) = make(user, 1)
    response = logged_in(user).get(reverse("core:notification_read", args=[notification.public_id]))
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_all_marks_only_own_notifications() -> None:
    user, other = UserFactory(), UserFactory()
    make(user, 3)
    (others,) = make(other, 1)
    with override("en"):
        response = logged_in(user).post(reverse("core:notifications_read_all"), follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    assert Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count() == 0
    others.refresh_from_db()
    assert others.read_at is None
    assert "Semua notifikasi sudah ditandai dibaca." in response.content.decode()


def test_read_all_requires_login(client: Client) -> None:
    (notification,) = make(UserFactory(), 1)
    response = client.post(reverse("core:notifications_read_all"))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous_pages_get_a_zero_count_without_a_query(
    rf: Any, django_assert_num_queries: Callable[..., Any]
) -> None:
    from django.contrib.auth.models import AnonymousUser

    from kotapintar.core.context_processors import platform

    request = rf.get("/")
    request.user = AnonymousUser()
    platform(request)  # warm the city-name cache
    with django_assert_num_queries(0):
        assert platform(request)["unread_notification_count"] == 0


def test_unread_count_in_the_context_is_counted_once_per_page(
    rf: Any, django_assert_num_queries: Callable[..., Any]
) -> None:
    from kotapintar.core.context_processors import platform

    user = UserFactory()
    make(user, 2)
    request = rf.get("/")
    request.user = user
    count = platform(request)["unread_notification_count"]
    with django_assert_num_queries(1):
        assert count() == 2
        assert count() == 2
