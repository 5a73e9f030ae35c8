"""Reads of the civil registration module. Every visibility rule lives here (DESIGN §5).

- A citizen sees only their own applications; anyone else's id is a 404.
- Officers (with a Disdukcapil case role) see the applications of their own unit; the head of
  Disdukcapil (no unit) sees every unit of the agency. Anyone else: 404.
- Personal data (NIK, KK, form answers, delivery address, files) is shown unmasked only to the
  officer the application is assigned to, and each such read is audited; other officers of the
  unit see a masked summary.
- The public verification page (QR) shows validity and masked data only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.accounts.roles import Role
from kotapintar.civil_registration import workflow
from kotapintar.civil_registration.models import (
    OPEN_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    CivilRegistrationPolicy,
    DocumentService,
    RejectionReason,
    Requirement,
)
from kotapintar.core.audit import audit_personal_data_read
from kotapintar.core.lookups import get_or_404
from kotapintar.core.models.files import StoredFile
from kotapintar.core.personal_data import mask_identity_number
from kotapintar.core.sla import SlaState, overdue_q, sla_state

Actor = User | AnonymousUser | None


# --- Configuration ---------------------------------------------------------------------------


def civil_registration_policy() -> CivilRegistrationPolicy:
    """The policy row (created with defaults on first use)."""
    policy = CivilRegistrationPolicy.objects.order_by("pk").first()
    if policy is None:
        policy = CivilRegistrationPolicy.objects.create()
    return policy


def service_list_active() -> QuerySet[DocumentService]:
    return DocumentService.objects.filter(is_active=True).prefetch_related("requirements")


def service_get_active(*, code: str) -> DocumentService:
    try:
        return service_list_active().get(code=code)
    except DocumentService.DoesNotExist:
        raise Http404 from None


def service_requirements(*, service: DocumentService) -> list[Requirement]:
    return list(service.requirements.select_related("substitute_for").order_by("order", "id"))


def rejection_reasons_active() -> QuerySet[RejectionReason]:
    return RejectionReason.objects.filter(is_active=True)


# --- Roles and scope -------------------------------------------------------------------------


def module_roles_of(user: Actor) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_civil_registration_roles", None)
    if cached is None:
        cached = frozenset(
            ModuleRoleGrant.objects.filter(user_id=user.pk).values_list("code", flat=True)
        )
        user.__dict__["_civil_registration_roles"] = cached
    return cached


def is_case_officer(user: Actor) -> bool:
    """A Disdukcapil officer who works on cases (operator, verifier or head) of an agency."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    assert isinstance(user, User)
    return (
        user.role != Role.CITIZEN
        and user.agency_id is not None
        and bool(module_roles_of(user) & workflow.CASE_ROLES)
    )


def _officer_scope(qs: QuerySet[Application], actor: Actor) -> QuerySet[Application]:
    if not is_case_officer(actor):
        return qs.none()
    assert isinstance(actor, User)
    if actor.unit_id is not None:
        return qs.filter(unit_id=actor.unit_id)
    assert actor.agency_id is not None
    return qs.filter(unit__agency_id=actor.agency_id)


def officer_in_scope(actor: Actor, application: Application) -> bool:
    return _officer_scope(Application.objects.filter(pk=application.pk), actor).exists()


# --- Citizen ---------------------------------------------------------------------------------


def application_list_for_citizen(*, actor: Actor) -> QuerySet[Application]:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Application.objects.none()
    return (
        Application.objects.filter(applicant_id=actor.pk)
        .select_related("service", "unit")
        .order_by("-submitted_at")
    )


def application_get_for_citizen(*, actor: Actor, application_id: uuid.UUID | str) -> Application:
    """The citizen's own application, else ``Http404`` (also for malformed ids)."""
    return get_or_404(application_list_for_citizen(actor=actor), pk=application_id)


def application_timeline(
    *, application: Application, public_only: bool = True
) -> QuerySet[ApplicationEvent]:
    events = application.events.select_related("actor").order_by("created_at", "id")
    return events.filter(is_public=True) if public_only else events


def application_documents(
    *, application: Application, include_superseded: bool = False
) -> QuerySet[ApplicationDocument]:
    docs = application.documents.select_related("requirement", "rejection_reason", "file")
    if not include_superseded:
        docs = docs.filter(is_superseded=False)
    return docs.order_by("requirement__order", "round", "created_at")


def application_sla(*, application: Application, now: datetime | None = None) -> SlaState:
    return sla_state(application, now=now or timezone.now())


# --- Officers --------------------------------------------------------------------------------


def application_queue_for_officer(
    *,
    actor: Actor,
    status: str | Iterable[str] | None = None,
    service_code: str | None = None,
    overdue: bool = False,
    mine: bool = False,
    unassigned: bool = False,
    now: datetime | None = None,
) -> QuerySet[Application]:
    """The unit's applications (newest first); personal data must not be shown from this list."""
    qs = _officer_scope(Application.objects.all(), actor).select_related(
        "service", "unit", "assigned_officer"
    )
    if status:
        qs = qs.filter(status=status) if isinstance(status, str) else qs.filter(status__in=status)
    if service_code:
        qs = qs.filter(service__code=service_code)
    if overdue:
        qs = qs.filter(overdue_q(now or timezone.now()), status__in=OPEN_STATUSES)
    if mine and actor is not None:
        qs = qs.filter(assigned_officer_id=actor.pk)
    if unassigned:
        qs = qs.filter(assigned_officer__isnull=True)
    return qs.order_by("-submitted_at")


def application_get_for_officer(*, actor: Actor, application_id: uuid.UUID | str) -> Application:
    return get_or_404(
        _officer_scope(Application.objects.all(), actor).select_related(
            "service", "unit", "assigned_officer", "delivery_village"
        ),
        pk=application_id,
    )


def can_see_personal_data(*, actor: Actor, application: Application) -> bool:
    """Only the officer the application is assigned to (OpenCRVS #10221 lesson)."""
    return (
        actor is not None
        and actor.is_authenticated
        and application.assigned_officer_id is not None
        and application.assigned_officer_id == actor.pk
        and is_case_officer(actor)
    )


@dataclass(frozen=True)
class OfficerView:
    """What an officer sees of an application. ``personal_data_visible`` tells which variant."""

    application: Application
    personal_data_visible: bool
    subject_name: str
    subject_nik: str
    subject_kk: str
    form_data: dict[str, Any]
    delivery_address: str
    nik_warnings: list[dict[str, str]] = field(default_factory=list)
    #: Every file of every round (replaced ones too); empty unless personal data is visible.
    documents: list[ApplicationDocument] = field(default_factory=list)


PERSONAL_FIELDS = (
    "subject_nik",
    "subject_kk",
    "form_data",
    "delivery_address",
    "subject_name",
    "documents",
)


def application_detail_for_officer(
    *, actor: Actor, application: Application, request: HttpRequest | None = None
) -> OfficerView:
    """The officer's view; unmasked (and audited) only for the assigned officer."""
    if not officer_in_scope(actor, application):
        raise Http404
    if can_see_personal_data(actor=actor, application=application):
        audit_personal_data_read(
            actor=actor, obj=application, fields=PERSONAL_FIELDS, request=request
        )
        return OfficerView(
            application=application,
            personal_data_visible=True,
            subject_name=application.subject_name,
            subject_nik=application.subject_nik,
            subject_kk=application.subject_kk,
            form_data=application.form_data,
            delivery_address=application.delivery_address,
            nik_warnings=list(application.nik_warnings),
            documents=list(application_documents(application=application, include_superseded=True)),
        )
    return OfficerView(
        application=application,
        personal_data_visible=False,
        subject_name=mask_name(application.subject_name),
        subject_nik=mask_identity_number(application.subject_nik),
        subject_kk=mask_identity_number(application.subject_kk),
        form_data={},
        delivery_address="",
        nik_warnings=list(application.nik_warnings),
    )


def overdue_counts_by_unit(*, actor: Actor, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open applications past their service time, per unit (no personal data)."""
    qs = application_queue_for_officer(actor=actor, overdue=True, now=now)
    return list(
        qs.order_by()
        .values("unit_id", "unit__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "unit__name")
    )


def overdue_counts_by_officer(*, actor: Actor, now: datetime | None = None) -> list[dict[str, Any]]:
    qs = application_queue_for_officer(actor=actor, overdue=True, now=now)
    return list(
        qs.order_by()
        .values("assigned_officer_id", "assigned_officer__full_name")
        .annotate(count=Count("pk"))
        .order_by("-count")
    )


def can_view_dashboard(actor: Actor) -> bool:
    roles = module_roles_of(actor)
    return bool(roles & {workflow.DASHBOARD, workflow.HEAD})


# --- Files -----------------------------------------------------------------------------------


def document_file_visible(user: Any, stored_file: StoredFile) -> bool:
    """``core:file`` policy: the applicant and the assigned officer only."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    linked = Application.objects.filter(
        Q(documents__file_id=stored_file.pk) | Q(signed_document_id=stored_file.pk)
    ).distinct()
    for application in linked:
        if application.applicant_id == user.pk:
            return True
        if can_see_personal_data(actor=user, application=application):
            return True
    return False


def mask_name(name: str) -> str:
    """``"Siti Budiarti"`` -> ``"S*** B*******"``: the first letter of each word."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in (name or "").split())
