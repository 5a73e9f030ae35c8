"""The anonymous page cache shares only what is the same for every anonymous visitor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from kotapintar.core.page_cache import cache_anonymous_page
from kotapintar.testing.factories import CitizenFactory

calls: list[str] = []


@cache_anonymous_page(60)
def _page(request: HttpRequest) -> HttpResponse:
    calls.append(request.path)
    return HttpResponse(f"page {len(calls)}")


@cache_anonymous_page(60)
def _page_with_form(request: HttpRequest) -> HttpResponse:
    calls.append(request.path)
    return HttpResponse(f"form with token {get_token(request)}")


def _get(path: str = "/halaman/", *, user: Any = None, **cookies: str) -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.COOKIES.update(cookies)
    return request


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    calls.clear()


def test_second_anonymous_visitor_gets_the_shared_page() -> None:
    first = _page(_get())
    second = _page(_get())
    assert first.content == second.content == b"page 1"
    assert second["X-Page-Cache"] == "hit"
    assert calls == ["/halaman/"]


def test_query_strings_are_cached_apart() -> None:
    _page(_get("/halaman/?page=1"))
    assert _page(_get("/halaman/?page=2")).content == b"page 2"


@pytest.mark.django_db
def test_logged_in_visitors_always_get_a_fresh_page() -> None:
    _page(_get())
    response = _page(_get(user=CitizenFactory.create()))
    assert response.content == b"page 2"
    assert not response.has_header("X-Page-Cache")


def test_a_visitor_with_a_session_or_messages_cookie_is_not_served_from_the_cache() -> None:
    _page(_get())
    assert _page(_get(sessionid="abc")).content == b"page 2"
    assert _page(_get(messages="abc")).content == b"page 3"


def test_pages_that_used_a_csrf_token_are_never_shared() -> None:
    _page_with_form(_get())
    _page_with_form(_get())
    assert calls == ["/halaman/", "/halaman/"]


@pytest.mark.django_db
def test_public_complaint_list_is_shared_without_queries(
    client: Client, django_assert_num_queries: Any
) -> None:
    first = client.get("/pengaduan/")
    assert first.status_code == 200
    assert "csrfmiddlewaretoken" not in first.content.decode()
    with django_assert_num_queries(0):
        second = Client().get("/pengaduan/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_language_switch_sets_the_cookie_and_returns_to_the_page(client: Client) -> None:
    response = client.get(
        "/bahasa/", {"language": "en"}, HTTP_REFERER="http://testserver/pengaduan/"
    )
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/pengaduan/"
    assert response.cookies["django_language"].value == "en"


def test_language_switch_refuses_unknown_languages_and_foreign_referers(client: Client) -> None:
    response = client.get("/bahasa/", {"language": "xx"}, HTTP_REFERER="https://jahat.example/")
    assert response["Location"] == "/"
    assert "django_language" not in response.cookies
