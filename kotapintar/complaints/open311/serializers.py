"""Our categories and complaints as Open311 records (plain data for ``renderers``).

Every record of a kind has the same keys (an unknown value is ``""``) so that clients can rely
on the shape. IDs are strings, datetimes ISO 8601 in WIB (``+07:00``), coordinates numbers.
Nothing about the reporter is ever part of a record: no name, e-mail, phone or account.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from kotapintar.complaints.models import (
    OPEN_STATUSES,
    Category,
    CategoryQuestion,
    Complaint,
    QuestionType,
    Status,
)

WIB = ZoneInfo("Asia/Jakarta")
DESCRIPTION_LIMIT = 4000

#: Datatypes whose answers are chosen from ``values``.
LIST_DATATYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTI})


def open311_datetime(value: datetime | None) -> str:
    """``2025-03-04T09:15:00+07:00``: whole seconds, always with the WIB offset."""
    if value is None:
        return ""
    return value.astimezone(WIB).replace(microsecond=0).isoformat()


def open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def service_record(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(_questions(category)),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group.name,
    }


def service_definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            _attribute(question, order)
            for order, question in enumerate(_questions(category), start=1)
        ],
    }


def _questions(category: Category) -> list[CategoryQuestion]:
    # ``categories_active`` prefetches the questions (ordered) and their options.
    return list(category.questions.all())


def _attribute(question: CategoryQuestion, order: int) -> dict[str, Any]:
    values = []
    if question.datatype in LIST_DATATYPES:
        values = [{"key": option.key, "name": option.name} for option in question.options.all()]
    return {
        "variable": True,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": question.description or _datatype_description(question.datatype),
        # The spec wants positive, unique orders; ours may repeat or start at 0.
        "order": order,
        "description": question.prompt,
        "values": values,
    }


def _datatype_description(datatype: str) -> str:
    descriptions: dict[str, str] = {
        QuestionType.STRING: _("Short text."),
        QuestionType.NUMBER: _("A number."),
        QuestionType.DATETIME: _("A date and time in ISO 8601, e.g. 2025-03-04T09:15:00+07:00."),
        QuestionType.TEXT: _("Text, line breaks allowed."),
        QuestionType.SINGLE: _("One key from the values."),
        QuestionType.MULTI: _("One or more keys from the values."),
    }
    return str(descriptions.get(datatype, ""))


#: The columns a request record is built from: ``complaints.values(*REQUEST_COLUMNS)`` (a list
#: of a thousand records is read without creating model instances).
REQUEST_COLUMNS = (
    "id",
    "reference",
    "status",
    "category__name",
    "category__code",
    "title",
    "description",
    "agency__name",
    "submitted_at",
    "updated_at",
    "closed_at",
    "resolved_at",
    "sla_due_at",
    "address",
    "village__name",
    "district__name",
    "latitude",
    "longitude",
)


def request_row(complaint: Complaint) -> dict[str, Any]:
    """The ``REQUEST_COLUMNS`` of one complaint instance (with category, agency, district and
    village loaded), as ``values()`` gives them."""
    return {
        "id": complaint.pk,
        "reference": complaint.reference,
        "status": complaint.status,
        "category__name": complaint.category.name,
        "category__code": complaint.category.code,
        "title": complaint.title,
        "description": complaint.description,
        "agency__name": complaint.agency.name if complaint.agency else None,
        "submitted_at": complaint.submitted_at,
        "updated_at": complaint.updated_at,
        "closed_at": complaint.closed_at,
        "resolved_at": complaint.resolved_at,
        "sla_due_at": complaint.sla_due_at,
        "address": complaint.address,
        "village__name": complaint.village.name if complaint.village else None,
        "district__name": complaint.district.name if complaint.district else None,
        "latitude": complaint.latitude,
        "longitude": complaint.longitude,
    }


def request_record(
    complaint: Complaint, *, media_url: Callable[[Complaint], str] | None = None
) -> dict[str, Any]:
    """One ``request`` of ``service_requests``. Needs category, agency, district, village."""
    return request_record_from_row(
        request_row(complaint),
        city=_city_name(),
        media_url=media_url(complaint) if media_url else "",
    )


def request_record_from_row(
    row: Mapping[str, Any], *, city: str, media_url: str = ""
) -> dict[str, Any]:
    """One ``request`` from the ``REQUEST_COLUMNS`` of a complaint; ``city`` ends the address."""
    status = row["status"]
    closed = status not in OPEN_STATUSES
    if closed:
        # For a closed request the spec wants the closing time.
        updated = row["closed_at"] or row["resolved_at"] or row["updated_at"]
    else:
        updated = row["updated_at"]
    return {
        "service_request_id": row["reference"],
        "status": open311_status(status),
        "status_notes": str(Status(status).label),
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": _description(row["title"], row["description"]),
        "agency_responsible": row["agency__name"] or "",
        "service_notice": "",
        "requested_datetime": open311_datetime(row["submitted_at"]),
        "updated_datetime": open311_datetime(updated),
        "expected_datetime": "" if closed else open311_datetime(row["sla_due_at"]),
        "address": _address(row, city),
        "address_id": "",
        "zipcode": "",
        "lat": row["latitude"],
        "long": row["longitude"],
        "media_url": media_url,
    }


def _description(title: str, description: str) -> str:
    text = f"{title}: {description}"
    if len(text) > DESCRIPTION_LIMIT:
        text = text[: DESCRIPTION_LIMIT - 1] + "…"
    return text


def _address(row: Mapping[str, Any], city: str) -> str:
    """Most specific first: the reporter's landmark, kelurahan, kecamatan, city."""
    parts = [row["address"].strip(), row["village__name"], row["district__name"], city]
    return ", ".join(part for part in parts if part)


def city_name() -> str:
    """The city's name as the last part of every address (read once per list)."""
    return _city_name()


def _city_name() -> str:
    from kotapintar.regions.selectors import deployment_city_name

    return deployment_city_name()


def public_photo_url_builder(base_url: str) -> Callable[[Complaint], str] | None:
    """``media_url`` of a record: the first public report photo, served by the citizen pages.

    ``complaints:public_photo`` (arguments ``reference`` and ``file_id``) serves the photos
    anyone may see of a public report; without that view ``media_url`` stays empty. Needs
    the photos prefetched into ``public_report_photos`` (see ``views``).
    """
    try:
        reverse(
            "complaints:public_photo",
            kwargs={"reference": "ADU-2222-2222", "file_id": uuid.UUID(int=0)},
        )
    except NoReverseMatch:
        return None

    def build(complaint: Complaint) -> str:
        photos = getattr(complaint, "public_report_photos", [])
        if not photos:
            return ""
        path = reverse(
            "complaints:public_photo",
            kwargs={"reference": complaint.reference, "file_id": photos[0].file_id},
        )
        return base_url.rstrip("/") + path

    return build


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "")).rstrip("/")
