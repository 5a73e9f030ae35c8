"""Account e-mails, sent from background tasks enqueued after the transaction commits.

Tasks receive only the user id and the kind of message: links and tokens are made here, at
sending time, so no secret is ever stored in the task queue.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from kotapintar.accounts.models import User
from kotapintar.accounts.tokens import email_confirmation_token_make

logger = logging.getLogger(__name__)

#: kind -> template stem under ``accounts/email/``
EMAIL_KINDS = {
    "confirm_email": "confirm_email",
    "already_registered": "already_registered",
    "set_password": "set_password",
    "password_reset": "password_reset",
}


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _link_for(user: User, kind: str) -> str:
    if kind == "confirm_email":
        token = email_confirmation_token_make(user=user)
        return _absolute(reverse("accounts:confirm_email", kwargs={"token": token}))
    if kind in {"set_password", "password_reset"}:
        uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        return _absolute(
            reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
        )
    # "already_registered": point the owner to log in or reset the password.
    return _absolute(reverse("accounts:password_reset"))


@task()
def account_email_send(*, user_id: int, kind: str) -> None:
    """Render and send one account e-mail in the recipient's preferred language."""
    if kind not in EMAIL_KINDS:
        raise ValueError(f"Unknown account e-mail kind: {kind}")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("Account e-mail skipped: user %s no longer active", user_id)
        return
    stem = EMAIL_KINDS[kind]
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "link": _link_for(user, kind),
            "site_url": settings.SITE_URL,
            "login_url": _absolute(reverse("accounts:login")),
        }
        subject = render_to_string(f"accounts/email/{stem}_subject.txt", context)
        body = render_to_string(f"accounts/email/{stem}.txt", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=[user.email],
    )
