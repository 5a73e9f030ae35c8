"""The "My notifications" page and its mark-as-read actions (htmx-enhanced plain forms)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kotapintar.core.models.notifications import Notification
from kotapintar.core.notifications import (
    mark_all_read,
    mark_read,
    notification_for,
    notifications_for,
)

PAGE_SIZE = 20


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Mark one notification read, then open its link (or go back to the list)."""
    try:
        notification = notification_for(request.user, public_id=public_id)
    except Notification.DoesNotExist:
        raise Http404 from None  # another user's notification "does not exist"
    notification = mark_read(notification=notification)
    if getattr(request, "htmx", False):
        return render(
            request,
            "core/notifications_item.html",
            {"notification": notification, "page_number": _page_number(request)},
        )
    # The path was validated on creation; check again, a redirect is the risky part.
    if (
        request.POST.get("next") != "list"
        and notification.url
        and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}, require_https=False
        )
    ):
        return HttpResponseRedirect(notification.url)
    return HttpResponseRedirect(_list_url(request))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return HttpResponseRedirect(_list_url(request))


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.POST.get("page", "1")))
    except ValueError:
        return 1


def _list_url(request: HttpRequest) -> str:
    url = reverse("core:notifications")
    page = _page_number(request)
    return f"{url}?page={page}" if page > 1 else url
