from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.roles import CITY_WIDE_ROLES, STAFF_ROLES, Role
from kotapintar.core.fields import EncryptedTextField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.CITY_ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person using the platform: a citizen, or a civil servant with a staff role.

    Logs in with the e-mail address. NIK and phone are personal data: stored encrypted, the
    NIK with a blind index (``nik_hash``) for lookups. Write them through
    ``accounts.services`` so that normalisation and the index stay consistent.
    """

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = EncryptedTextField(_("phone number"), blank=True, default="")
    nik = EncryptedTextField(_("NIK"), blank=True, default="")
    nik_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    unit = models.ForeignKey(
        "agencies.ServiceUnit",
        verbose_name=_("service unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    email_verified_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    preferred_language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        default="id",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True) | models.Q(agency__isnull=False),
                name="user_unit_requires_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_agency_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_city_wide(self) -> bool:
        return self.role in CITY_WIDE_ROLES


class ModuleRoleGrant(models.Model):
    """A module-specific role granted to a user (codes are registered by the modules)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="module_roles")
    code = models.CharField(_("role"), max_length=60)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("module role")
        verbose_name_plural = _("module roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="unique_module_role_per_user")
        ]

    def __str__(self) -> str:
        return self.code
