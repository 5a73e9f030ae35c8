import sys
from typing import Any

from django.test import RequestFactory

from kotapintar.core.error_reporting import (
    PersonalDataExceptionReporter,
    PersonalDataExceptionReporterFilter,
)


def _report_for_failure_with_nik(*, html: bool = False) -> str:
    request = RequestFactory().post(
        "/akun/profil/?nik=1271011708850001", {"nik": "1271011708850001", "name": "Ani"}
    )
    nik_in_a_variable = "NIK 1271011708850001"
    try:
        raise ValueError(nik_in_a_variable)
    except ValueError:
        reporter = PersonalDataExceptionReporter(request, *sys.exc_info())
        return reporter.get_traceback_html() if html else reporter.get_traceback_text()


def test_error_report_masks_nik_in_message_url_post_data_and_variables() -> None:
    for html in (False, True):
        report = _report_for_failure_with_nik(html=html)
        assert "1271011708850001" not in report
        assert "1271********0001" in report


def test_error_report_hides_personal_data_keys(settings: Any) -> None:
    settings.PERSONAL_DATA_HASH_KEY = "very-secret-hash-key"
    safe = PersonalDataExceptionReporterFilter().get_safe_settings()
    assert safe["PERSONAL_DATA_HASH_KEY"] != "very-secret-hash-key"
    assert "very-secret" not in str(safe)
