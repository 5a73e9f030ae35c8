"""Writes of the Dinas workspace that the core services do not cover: editing and deleting a
coaching programme. Same habits as ``umkm.services``: keyword-only, atomic, Dinas role checked,
row locked, validated before anything changes, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.core.audit import audit_record
from kotapintar.umkm.models import EnrolmentStatus, Programme, ProgrammeType
from kotapintar.umkm.services import _require_dinas


@transaction.atomic
def programme_update(
    *,
    actor: User,
    programme: Programme,
    name: str,
    type: str,
    start_date: date,
    end_date: date,
    quota: int = 0,
    description: str = "",
    location: str = "",
    request: Any = None,
) -> Programme:
    """Change a programme; the quota may not drop below the businesses already enrolled."""
    _require_dinas(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    errors: dict[str, list[ValidationError]] = {}
    if not (name or "").strip():
        errors["name"] = [ValidationError(_("Name the programme."), code="required")]
    if type not in ProgrammeType.values:
        errors["type"] = [ValidationError(_("Choose a programme type."), code="invalid_choice")]
    if end_date < start_date:
        errors["end_date"] = [
            ValidationError(_("The end date is before the start date."), code="invalid")
        ]
    enrolled = programme.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).count()
    if quota and quota < enrolled:
        errors["quota"] = [
            ValidationError(
                _("%(count)s businesses are already enrolled: the quota cannot be lower."),
                code="quota_below_enrolled",
                params={"count": enrolled},
            )
        ]
    if errors:
        raise ValidationError(errors)
    before = {
        "name": programme.name,
        "type": programme.type,
        "start_date": programme.start_date.isoformat(),
        "end_date": programme.end_date.isoformat(),
        "quota": programme.quota,
    }
    programme.name = name.strip()
    programme.type = type
    programme.start_date = start_date
    programme.end_date = end_date
    programme.quota = quota
    programme.description = (description or "").strip()
    programme.location = (location or "").strip()
    programme.save()
    audit_record(
        actor=actor,
        action="umkm.programme_update",
        obj=programme,
        before=before,
        after={
            "name": programme.name,
            "type": programme.type,
            "start_date": programme.start_date.isoformat(),
            "end_date": programme.end_date.isoformat(),
            "quota": programme.quota,
        },
        request=request,
        summary="Programme changed",
    )
    return programme


@transaction.atomic
def programme_delete(*, actor: User, programme: Programme, request: Any = None) -> None:
    """Delete a programme nobody is enrolled in (with enrolments it is history: kept)."""
    _require_dinas(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.enrolments.exists() or programme.milestones.exists():
        raise ValidationError(
            _("Businesses are enrolled in this programme: it cannot be deleted."),
            code="has_enrolments",
        )
    audit_record(
        actor=actor,
        action="umkm.programme_delete",
        obj=programme,
        before={"name": programme.name},
        request=request,
        summary="Programme deleted",
    )
    programme.delete()
