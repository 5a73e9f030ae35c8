"""Account writes: registration, e-mail confirmation, profile, officers and roles.

Every service is atomic, writes an audit entry, and sends e-mail only after commit through the
``account_email_send`` task. Personal data (NIK, phone) reaches the audit log masked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.accounts.phone import normalize_indonesian_mobile
from kotapintar.accounts.roles import CITY_WIDE_ROLES, STAFF_ROLES, Role
from kotapintar.accounts.tasks import account_email_send
from kotapintar.agencies.models import Agency, ServiceUnit
from kotapintar.core.audit import audit_record
from kotapintar.core.personal_data import (
    identity_blind_index,
    mask_identity_number,
    mask_phone,
)

LANGUAGES = ("id", "en")


def _email_after_commit(*, user: User, kind: str) -> None:
    user_id = user.pk
    transaction.on_commit(lambda: account_email_send.enqueue(user_id=user_id, kind=kind))


def _normalize_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def role_assignment_validate(*, role: str, agency: Agency | None, unit: ServiceUnit | None) -> None:
    """The one rule for role/agency/unit combinations (used by services and the admin form).

    Raises ``ValidationError`` keyed by field so forms can show it next to the right input.
    """
    errors: dict[str, ValidationError] = {}
    if role not in Role.values:
        errors["role"] = ValidationError(_("Unknown role."), code="invalid_role")
    if role in STAFF_ROLES and agency is None:
        errors["agency"] = ValidationError(
            _("Agency staff roles require an agency."), code="agency_required"
        )
    if unit is not None and (agency is None or unit.agency_id != agency.pk):
        errors["unit"] = ValidationError(
            _("The service unit must belong to the selected agency."), code="unit_not_in_agency"
        )
    if role == Role.CITIZEN and (agency is not None or unit is not None):
        errors["agency"] = ValidationError(
            _("Citizens are not attached to an agency."), code="citizen_with_agency"
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_register_citizen(
    *,
    email: str,
    full_name: str,
    password: str,
    phone: str = "",
    preferred_language: str = "id",
    request: HttpRequest | None = None,
) -> User | None:
    """Create a citizen account waiting for e-mail confirmation.

    Returns ``None`` when the address is already registered: nothing is created and the owner
    is told by e-mail instead, so the caller's response never reveals registered addresses.
    """
    email = _normalize_email(email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        _email_after_commit(user=existing, kind="already_registered")
        return None
    user = User(
        email=email,
        full_name=full_name.strip(),
        phone=normalize_indonesian_mobile(phone) if phone else "",
        role=Role.CITIZEN,
        preferred_language=preferred_language if preferred_language in LANGUAGES else "id",
    )
    validate_password(password, user=user)
    user.set_password(password)
    try:
        with transaction.atomic():  # savepoint: a concurrent twin registration may win
            user.save()
    except IntegrityError:
        return None
    audit_record(
        actor=user,
        action="accounts.user_registered",
        obj=user,
        after={"role": user.role, "phone": mask_phone(user.phone) if user.phone else ""},
        request=request,
        summary="Citizen registered; e-mail confirmation pending",
    )
    _email_after_commit(user=user, kind="confirm_email")
    return user


@transaction.atomic
def user_resend_confirmation(*, email: str, request: HttpRequest | None = None) -> None:
    """Send a fresh confirmation link if the address belongs to an unconfirmed account.

    Silent otherwise: the caller shows the same answer either way.
    """
    user = User.objects.filter(
        email__iexact=_normalize_email(email), is_active=True, email_verified_at__isnull=True
    ).first()
    if user is not None:
        _email_after_commit(user=user, kind="confirm_email")


@transaction.atomic
def user_confirm_email(*, user: User, request: HttpRequest | None = None) -> User:
    """Mark the e-mail address as confirmed (idempotent)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified_at is not None:
        return user
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    audit_record(
        actor=user,
        action="accounts.email_confirmed",
        obj=user,
        request=request,
        summary="E-mail address confirmed",
    )
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    full_name: str,
    phone: str | None = None,
    nik: str | None = None,
    preferred_language: str | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Update a user's own profile.

    ``phone``/``nik``: ``None`` keeps the stored value, ``""`` removes it, anything else is
    validated, normalised and stored encrypted (the NIK together with its blind index).
    ``nik`` must already be a normalised 16-digit NIK (``NikFormField`` does that).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    update_fields: list[str] = []

    full_name = full_name.strip()
    if not full_name:
        raise ValidationError(
            {"full_name": ValidationError(_("Enter your full name."), code="required")}
        )
    if full_name != user.full_name:
        before["full_name"], after["full_name"] = user.full_name, full_name
        user.full_name = full_name
        update_fields.append("full_name")

    if phone is not None:
        new_phone = normalize_indonesian_mobile(phone) if phone else ""
        if new_phone != user.phone:
            before["phone"] = mask_phone(user.phone) if user.phone else ""
            after["phone"] = mask_phone(new_phone) if new_phone else ""
            user.phone = new_phone
            update_fields.append("phone")

    if nik is not None:
        if nik and (len(nik) != 16 or not nik.isdigit()):
            raise ValidationError(
                {"nik": ValidationError(_("A NIK has exactly 16 digits."), code="invalid_nik")}
            )
        if nik != user.nik:
            before["nik"] = mask_identity_number(user.nik) if user.nik else ""
            after["nik"] = mask_identity_number(nik) if nik else ""
            user.nik = nik
            user.nik_hash = identity_blind_index(nik) if nik else ""
            update_fields += ["nik", "nik_hash"]

    if preferred_language is not None and preferred_language != user.preferred_language:
        if preferred_language not in LANGUAGES:
            raise ValidationError(
                {
                    "preferred_language": ValidationError(
                        _("Unknown language."), code="invalid_language"
                    )
                }
            )
        before["preferred_language"] = user.preferred_language
        after["preferred_language"] = preferred_language
        user.preferred_language = preferred_language
        update_fields.append("preferred_language")

    if update_fields:
        user.save(update_fields=update_fields)
        audit_record(
            actor=actor or user,
            action="accounts.profile_updated",
            obj=user,
            before=before,
            after=after,
            request=request,
            summary="Profile updated",
        )
    return user


def _is_staff_flag(*, role: str, user: User | None = None) -> bool:
    # Django admin access follows the city-administrator role; superusers keep theirs.
    return role == Role.CITY_ADMIN or bool(user and user.is_superuser)


@transaction.atomic
def officer_create(
    *,
    email: str,
    full_name: str,
    role: str,
    agency: Agency | None,
    unit: ServiceUnit | None = None,
    created_by: User,
    request: HttpRequest | None = None,
) -> User:
    """Create a staff account (officer, coordinator, agency head, analyst, city admin).

    The account has no usable password: the person receives a set-password e-mail, and using
    that link also proves the address (see ``user_password_set_via_link``).
    """
    if role not in STAFF_ROLES | CITY_WIDE_ROLES:
        raise ValidationError(
            {"role": ValidationError(_("Choose a staff role."), code="invalid_role")}
        )
    role_assignment_validate(role=role, agency=agency, unit=unit)
    email = _normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _("A user with this e-mail address already exists."), code="email_taken"
                )
            }
        )
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        agency=agency,
        unit=unit,
        is_staff=_is_staff_flag(role=role),
    )
    user.set_unusable_password()
    user.save()
    audit_record(
        actor=created_by,
        action="accounts.officer_created",
        obj=user,
        after={
            "role": role,
            "agency": agency.pk if agency else None,
            "unit": unit.pk if unit else None,
        },
        request=request,
        summary="Staff account created",
    )
    _email_after_commit(user=user, kind="set_password")
    return user


@transaction.atomic
def user_set_role(
    *,
    user: User,
    role: str,
    agency: Agency | None = None,
    unit: ServiceUnit | None = None,
    actor: User,
    request: HttpRequest | None = None,
) -> User:
    """Change a user's base role and agency/unit placement."""
    role_assignment_validate(role=role, agency=agency, unit=unit)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"role": user.role, "agency": user.agency_id, "unit": user.unit_id}
    after = {
        "role": role,
        "agency": agency.pk if agency else None,
        "unit": unit.pk if unit else None,
    }
    if before == after:
        return user
    user.role, user.agency, user.unit = role, agency, unit
    user.is_staff = _is_staff_flag(role=role, user=user)
    user.save(update_fields=["role", "agency", "unit", "is_staff"])
    audit_record(
        actor=actor,
        action="accounts.role_changed",
        obj=user,
        before=before,
        after=after,
        request=request,
        summary="Role changed",
    )
    return user


@transaction.atomic
def user_password_set_via_link(*, user: User, request: HttpRequest | None = None) -> None:
    """After a password was set through an e-mailed link: the address is proven, record it."""
    user = User.objects.select_for_update().get(pk=user.pk)
    fields = []
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        fields.append("email_verified_at")
        user.save(update_fields=fields)
    audit_record(
        actor=user,
        action="accounts.password_reset",
        obj=user,
        request=request,
        summary="Password set through an e-mailed link",
    )


def user_password_changed(*, user: User, request: HttpRequest | None = None) -> None:
    """Audit a password change made while logged in (Django's view does the write)."""
    audit_record(
        actor=user,
        action="accounts.password_changed",
        obj=user,
        request=request,
        summary="Password changed",
    )


@transaction.atomic
def user_password_reset_request(*, email: str) -> None:
    """Queue a reset e-mail for every active account with this address (normally one).

    Accounts without a usable password (new staff) are included so that an expired
    set-password link can be renewed; the caller answers the same whether or not one exists.
    """
    for user in User.objects.filter(email__iexact=_normalize_email(email), is_active=True):
        _email_after_commit(user=user, kind="password_reset")
