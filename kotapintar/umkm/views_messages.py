"""What the UMKM views tell the user after a button that calls one service and redirects."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@contextmanager
def report_outcome(request: HttpRequest, *, success: StrOrPromise) -> Iterator[None]:
    """Wrap one service call: if the service refuses (``ValidationError``) its reasons become
    one error message, otherwise ``success`` is shown. The caller redirects either way::

        with report_outcome(request, success=_("The review is moderated.")):
            services.review_moderate(actor=actor, review=review, approve=True, request=request)
    """
    try:
        yield
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
