"""Error reports (DEBUG pages, error e-mails) without personal data.

Django's default filter hides settings whose names look secret and POST parameters marked
sensitive. Ours also hides the personal-data keys and masks any NIK/KK-like number or phone number
in request parameters and traceback variables, wherever it appears.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from kotapintar.core.logging import mask_text


class PersonalDataExceptionReporter(ExceptionReporter):
    """Masks personal data in the whole rendered report: exception text, URL, headers, frames."""

    # Masking only replaces digits inside already-escaped output, so it stays safe.
    def get_traceback_html(self) -> SafeString:
        return mark_safe(mask_text(super().get_traceback_html()))

    def get_traceback_text(self) -> SafeString:
        return mark_safe(mask_text(super().get_traceback_text()))


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|PERSONAL_DATA|DATABASE_URL|REDIS_URL",
        flags=re.IGNORECASE,
    )

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        parameters = super().get_post_parameters(request)
        if not isinstance(parameters, QueryDict):  # already a cleansed plain dict
            return {key: mask_text(str(value)) for key, value in parameters.items()}
        masked = QueryDict(mutable=True)
        for key, values in parameters.lists():
            masked.setlist(key, [mask_text(str(value)) for value in values])
        return masked

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [
            (name, mask_text(value if isinstance(value, str) else repr(value)))
            for name, value in variables
        ]
