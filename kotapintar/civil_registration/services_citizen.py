"""Citizen-side writes that wrap the core services: the online switch (T22) and the receipt token.

``application_submit_online`` refuses while the policy has online applications switched off (the
pages then show the outage notice and the offline alternatives) and gives every new application
a verification token, so that the QR code on the receipt can be checked on the public
verification page from the first day (the same token later verifies the issued document).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kotapintar.civil_registration.models import Application
from kotapintar.civil_registration.selectors import civil_registration_policy
from kotapintar.civil_registration.services import application_submit
from kotapintar.core.audit import audit_record


class OnlineServiceClosed(ValidationError):
    """Online applications are switched off by the policy (outage or maintenance)."""


def online_service_open() -> bool:
    return civil_registration_policy().online_service_available


@transaction.atomic
def application_submit_online(**kwargs: Any) -> Application:
    """``services.application_submit`` when online applications are open; else nothing stored."""
    if not online_service_open():
        raise OnlineServiceClosed(
            _("Online applications are closed at the moment. Use an office counter instead."),
            code="service_closed",
        )
    application = application_submit(**kwargs)
    if not application.verification_token:
        application.verification_token = secrets.token_urlsafe(24)
        application.save(update_fields=["verification_token", "updated_at"])
    return application


def verification_viewed(
    *, application_id: str | None, outcome: str, request: HttpRequest | None = None
) -> None:
    """Audit one look-up of the public QR verification page (no personal data in the entry)."""
    audit_record(
        actor=getattr(request, "user", None),
        action="civil_registration.verification_view",
        object_type="civil_registration.application" if application_id else None,
        object_id=application_id,
        after={"outcome": outcome},
        request=request,
        summary=f"Public verification page: {outcome}",
    )
