"""Account pages: thin views that parse input, call one service and render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kotapintar.accounts.forms import (
    AccountPasswordResetForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResendConfirmationForm,
)
from kotapintar.accounts.models import User
from kotapintar.accounts.ratelimit import client_ip, rate_limit_hit
from kotapintar.accounts.services import (
    user_confirm_email,
    user_password_changed,
    user_password_set_via_link,
    user_register_citizen,
    user_resend_confirmation,
    user_update_profile,
)
from kotapintar.accounts.tokens import email_confirmation_token_user
from kotapintar.core.i18n import language_cookie_set
from kotapintar.core.personal_data import mask_identity_number, mask_phone

#: Registrations (and confirmation re-sends) allowed per client IP and window.
REGISTRATION_LIMIT = getattr(settings, "ACCOUNTS_REGISTRATION_LIMIT", 5)
REGISTRATION_WINDOW = getattr(settings, "ACCOUNTS_REGISTRATION_WINDOW_SECONDS", 60 * 60)


def apply_language(response: HttpResponseBase, language: str) -> HttpResponseBase:
    """Make ``language`` the UI language from the next request on (like Django's set_language)."""
    translation.activate(language)
    return language_cookie_set(response, language)


def _rate_limited(request: HttpRequest, scope: str) -> bool:
    return rate_limit_hit(
        scope=scope,
        key=client_ip(request),
        limit=REGISTRATION_LIMIT,
        window_seconds=REGISTRATION_WINDOW,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/rate_limited.html", status=429)


def _add_service_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@sensitive_post_parameters("password1", "password2", "phone")
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, "register"):
            return _too_many(request)
        try:
            # None for an address already registered: same answer, the owner gets an e-mail.
            user_register_citizen(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                phone=form.cleaned_data["phone"],
                preferred_language=translation.get_language() or settings.LANGUAGE_CODE,
                request=request,
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            return redirect("accounts:confirmation_sent")
    return render(request, "accounts/register.html", {"form": form})


def confirmation_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/confirmation_sent.html")


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: link scanners that prefetch URLs change nothing."""
    user = email_confirmation_token_user(token)
    if user is None:
        return render(request, "accounts/confirm_email_invalid.html", status=400)
    if request.method == "POST":
        user_confirm_email(user=user, request=request)
        messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
        return redirect("accounts:login")
    return render(request, "accounts/confirm_email.html")


@require_http_methods(["GET", "POST"])
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, "resend-confirmation"):
            return _too_many(request)
        user_resend_confirmation(email=form.cleaned_data["email"], request=request)
        return redirect("accounts:confirmation_sent")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["email_unconfirmed"] = bool(
            form is not None and form.has_error(NON_FIELD_ERRORS, "email_unconfirmed")
        )
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        return apply_language(response, form.get_user().preferred_language)  # type: ignore[return-value]


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user_password_changed(user=form.user, request=self.request)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = AccountPasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user_password_set_via_link(user=form.user, request=self.request)
        return response


@login_required
@sensitive_post_parameters("new_phone", "new_nik")
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    assert isinstance(user, User)
    initial = {"full_name": user.full_name, "preferred_language": user.preferred_language}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_update_profile(user=user, request=request, **form.service_kwargs())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return apply_language(redirect("accounts:profile"), user.preferred_language)
    context = {
        "form": form,
        "masked_nik": mask_identity_number(user.nik) if user.nik else "",
        "masked_phone": mask_phone(user.phone) if user.phone else "",
    }
    return render(request, "accounts/profile.html", context)
