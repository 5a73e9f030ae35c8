"""Admin for users: staff accounts are created here through ``officer_create``.

NIK and phone are never shown in clear in the admin: lists and forms show them masked, and
they are not editable here (citizens edit their own profile).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseModelFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.accounts.roles import CITY_WIDE_ROLES, STAFF_ROLES, Role, module_role_choices
from kotapintar.accounts.services import officer_create, role_assignment_validate, user_set_role
from kotapintar.core.personal_data import mask_identity_number, mask_phone


def _raise_for_form(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ModuleRoleGrantForm(forms.ModelForm):
    class Meta:
        model = ModuleRoleGrant
        fields = ["code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are registered by the modules at start-up, so they are read per form.
        self.fields["code"] = forms.ChoiceField(
            label=_("role"), choices=[("", "---------"), *module_role_choices()]
        )


class ModuleRoleGrantInline(admin.TabularInline):
    model = ModuleRoleGrant
    form = ModuleRoleGrantForm
    extra = 0
    readonly_fields = ["granted_at"]


class OfficerCreationForm(forms.ModelForm):
    """Staff account creation: no password here, the person sets it from an e-mailed link."""

    class Meta:
        model = User
        fields = ["email", "full_name", "role", "agency", "unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff_roles = STAFF_ROLES | CITY_WIDE_ROLES
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [c for c in Role.choices if c[0] in staff_roles]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            _validate_role_assignment(self, cleaned)
        return cleaned


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = [
            "email",
            "password",
            "full_name",
            "role",
            "agency",
            "unit",
            "preferred_language",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "role" in cleaned:
            _validate_role_assignment(self, cleaned)
        return cleaned


def _validate_role_assignment(form: forms.BaseForm, cleaned: dict[str, Any]) -> None:
    """The one role/agency/unit rule of the services, shown on the admin form's fields."""
    try:
        role_assignment_validate(
            role=cleaned["role"], agency=cleaned.get("agency"), unit=cleaned.get("unit")
        )
    except ValidationError as exc:
        _raise_for_form(form, exc)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = OfficerCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "role",
        "agency",
        "masked_nik",
        "masked_phone",
        "is_active",
    ]
    list_filter = ["role", "is_active", "is_staff", "agency"]
    search_fields = ["email", "full_name"]
    list_select_related = ["agency"]
    readonly_fields = [
        "masked_nik",
        "masked_phone",
        "email_verified_at",
        "last_login",
        "date_joined",
    ]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "preferred_language")}),
        (_("Personal data (masked)"), {"fields": ("masked_nik", "masked_phone")}),
        (_("Role and placement"), {"fields": ("role", "agency", "unit")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("email_verified_at", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "role", "agency", "unit")}),
    )
    inlines = [ModuleRoleGrantInline]

    @admin.display(description=_("NIK"))
    def masked_nik(self, obj: User) -> str:
        return mask_identity_number(obj.nik) if obj.nik else "–"

    @admin.display(description=_("phone number"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone) if obj.phone else "–"

    def get_inline_instances(self, request: HttpRequest, obj: Model | None = None) -> list[Any]:
        # On "add" the account is created by a service; module roles are granted afterwards.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        assert isinstance(request.user, User)
        return officer_create(
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            agency=data.get("agency"),
            unit=data.get("unit"),
            created_by=request.user,
            request=request,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            return  # saved by officer_create in save_form
        placement = ("role", "agency", "unit")
        if not set(placement) & set(form.changed_data):
            obj.save()
            return
        new_role, new_agency, new_unit = obj.role, obj.agency, obj.unit
        original = User.objects.get(pk=obj.pk)
        obj.role, obj.agency, obj.unit = original.role, original.agency, original.unit
        obj.save()
        assert isinstance(request.user, User)
        user_set_role(
            user=obj,
            role=new_role,
            agency=new_agency,
            unit=new_unit,
            actor=request.user,
            request=request,
        )
        obj.refresh_from_db()

    def save_related(
        self, request: HttpRequest, form: Any, formsets: list[BaseModelFormSet], change: bool
    ) -> None:
        if change:
            super().save_related(request, form, formsets, change)
