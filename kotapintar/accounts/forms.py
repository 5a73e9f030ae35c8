"""Account forms: parse and validate input; the writes happen in ``accounts.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.accounts.phone import IndonesianMobileField
from kotapintar.accounts.services import user_password_reset_request
from kotapintar.core.personal_data import NikFormField


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As written on your identity card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = IndonesianMobileField(
        label=_("Mobile phone number (optional)"),
        help_text=_("For status messages about your requests, e.g. 0812 3456 7890."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits and not a common password."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"].strip()).lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2",
                ValidationError(_("The two passwords do not match."), code="password_mismatch"),
            )
        elif password1:
            # An unsaved user lets the similarity validator compare with name and address.
            probe = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user=probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class LoginForm(AuthenticationForm):
    """E-mail + password; refuses accounts whose e-mail address is not confirmed yet."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is not correct."),
        "email_unconfirmed": _(
            "Your e-mail address is not confirmed yet. Open the link in the message we sent you."
        ),
        "locked_out": _("Too many failed attempts. Please try again later."),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(
                    self.error_messages["locked_out"], code="locked_out"
                ) from None
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.email_verified_at is None:
            raise ValidationError(
                self.error_messages["email_unconfirmed"], code="email_unconfirmed"
            )


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ProfileForm(forms.Form):
    """Own profile. NIK and phone are never pre-filled: blank "new" fields keep the values."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    new_phone = IndonesianMobileField(
        label=_("New mobile phone number"),
        help_text=_("Leave empty to keep the current number."),
    )
    remove_phone = forms.BooleanField(label=_("Remove my phone number"), required=False)
    new_nik = NikFormField(
        label=_("New NIK"),
        required=False,
        help_text=_("16 digits, as on your KTP-el or family card. Leave empty to keep it."),
    )
    remove_nik = forms.BooleanField(label=_("Remove my NIK"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_nik"].widget.attrs.update({"autocomplete": "off", "inputmode": "numeric"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove_phone") and cleaned.get("new_phone"):
            self.add_error(
                "remove_phone",
                ValidationError(
                    _("Either enter a new number or remove it, not both."), code="conflict"
                ),
            )
        if cleaned.get("remove_nik") and cleaned.get("new_nik"):
            self.add_error(
                "remove_nik",
                ValidationError(
                    _("Either enter a new NIK or remove it, not both."), code="conflict"
                ),
            )
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        """Map the form onto ``user_update_profile``: None = keep, "" = remove."""
        data = self.cleaned_data
        phone: str | None = "" if data.get("remove_phone") else (data.get("new_phone") or None)
        nik: str | None = "" if data.get("remove_nik") else (data.get("new_nik") or None)
        return {
            "full_name": data["full_name"],
            "phone": phone,
            "nik": nik,
            "preferred_language": data["preferred_language"],
        }


class AccountPasswordResetForm(PasswordResetForm):
    """Queues the reset e-mail through a task after commit (same answer for unknown e-mail)."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        user_password_reset_request(email=self.cleaned_data["email"])
