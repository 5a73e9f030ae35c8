"""Open311 GeoReport v2 conformance (reference §1, §2b and acceptance tests 1-5, 7, 11, 12, 14, 20).

XML is checked with the standard library's parser and JSON by exact shapes. Texts are compared in
English (``OPEN311_LANGUAGE = "en"``) except where the test is about the Indonesian default.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone

from kotapintar.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    EventKind,
    Open311Client,
    PhotoKind,
    Privacy,
    QuestionType,
    Status,
)
from kotapintar.complaints.open311 import views as open311_views
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    CategoryGroupFactory,
    CategoryQuestionFactory,
    ComplaintFactory,
    Open311ClientFactory,
    QuestionOptionFactory,
)
from kotapintar.testing.factories import AgencyFactory, CityBoundaryFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
REQUEST_KEYS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.OPEN311_LANGUAGE = "en"
    settings.SITE_URL = "https://pengaduan.pemkomedan.go.id"


@pytest.fixture
def city() -> None:
    CityBoundaryFactory()


@pytest.fixture
def roads() -> Any:
    """A category with a required text question and a multiple-choice question."""
    group = CategoryGroupFactory(code="jalan", name="Jalan dan trotoar")
    category = CategoryFactory(
        code="jalan-rusak",
        name="Jalan rusak",
        group=group,
        description="Lubang dan kerusakan jalan.",
        keywords="lubang,aspal",
    )
    CategoryQuestionFactory(
        category=category,
        code="ukuran",
        prompt="Seberapa besar lubangnya?",
        datatype=QuestionType.STRING,
        required=True,
        order=0,
    )
    sides = CategoryQuestionFactory(
        category=category,
        code="lajur",
        prompt="Lajur mana yang terdampak?",
        description="Boleh lebih dari satu.",
        datatype=QuestionType.MULTI,
        required=False,
        order=0,
    )
    QuestionOptionFactory(question=sides, key="kiri", name="Kiri", order=1)
    QuestionOptionFactory(question=sides, key="kanan", name="Kanan", order=2)
    return category


def _complaint(**kwargs: Any) -> Complaint:
    return cast(Complaint, ComplaintFactory(**kwargs))


def _xml(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def _json(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def _errors_json(response: Any) -> list[dict[str, Any]]:
    body = _json(response)
    assert isinstance(body, list)
    for error in body:
        assert set(error) == {"code", "description"}
    return body


def _errors_xml(response: Any) -> list[tuple[str, str]]:
    root = _xml(response)
    assert root.tag == "errors"
    out = []
    for error in root:
        assert error.tag == "error"
        assert [child.tag for child in error] == ["code", "description"]
        out.append((error.findtext("code") or "", error.findtext("description") or ""))
    return out


# --- Discovery and services ---------------------------------------------------------------------


def test_discovery_is_offered_in_xml_and_json(client: Client) -> None:
    body = _json(client.get(f"{BASE}/discovery.json"))
    assert body == {
        "changeset": open311_views.CHANGESET,
        "contact": "https://pengaduan.pemkomedan.go.id",
        "key_service": (
            "API keys for submitting reports are issued by the city's administrators. "
            "Reading needs no key."
        ),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "https://pengaduan.pemkomedan.go.id/open311/v2",
                "changeset": open311_views.CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("url") == "https://pengaduan.pemkomedan.go.id/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_service_list_json_has_every_spec_field_with_string_codes(
    client: Client, roads: Any
) -> None:
    plain = CategoryFactory(code="sampah", name="Sampah", group=roads.group, keywords="")
    CategoryFactory(code="lama", name="Kategori lama", is_active=False)
    body = _json(client.get(f"{BASE}/services.json"))
    assert sorted(body, key=lambda s: s["service_code"]) == [
        {
            "service_code": "jalan-rusak",
            "service_name": "Jalan rusak",
            "description": "Lubang dan kerusakan jalan.",
            "metadata": True,
            "type": "realtime",
            "keywords": "lubang,aspal",
            "group": "Jalan dan trotoar",
        },
        {
            "service_code": plain.code,
            "service_name": "Sampah",
            "description": "Masalah di ruang publik.",
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": "Jalan dan trotoar",
        },
    ]


def test_service_list_xml_is_services_of_service_elements(client: Client, roads: Any) -> None:
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    [service] = list(root)
    assert service.tag == "service"
    assert [child.tag for child in service] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert service.findtext("metadata") == "true"
    assert service.findtext("service_code") == "jalan-rusak"


def test_service_definition_gives_questions_as_attributes(client: Client, roads: Any) -> None:
    body = _json(client.get(f"{BASE}/services/jalan-rusak.json"))
    assert body == {
        "service_code": "jalan-rusak",
        "attributes": [
            {
                "variable": True,
                "code": "ukuran",
                "datatype": "string",
                "required": True,
                "datatype_description": "Short text.",
                "order": 1,
                "description": "Seberapa besar lubangnya?",
                "values": [],
            },
            {
                "variable": True,
                "code": "lajur",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": "Boleh lebih dari satu.",
                "order": 2,
                "description": "Lajur mana yang terdampak?",
                "values": [{"key": "kiri", "name": "Kiri"}, {"key": "kanan", "name": "Kanan"}],
            },
        ],
    }


def test_service_definition_xml_nests_attributes_and_values(client: Client, roads: Any) -> None:
    root = _xml(client.get(f"{BASE}/services/jalan-rusak.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "jalan-rusak"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["ukuran", "lajur"]
    assert attributes[0].findtext("variable") == "true"
    assert attributes[0].findtext("required") == "true"
    assert attributes[1].findtext("order") == "2"
    assert [(v.findtext("key"), v.findtext("name")) for v in attributes[1].iter("value")] == [
        ("kiri", "Kiri"),
        ("kanan", "Kanan"),
    ]


@pytest.mark.parametrize("path", ["services/tidak-ada", "services/lama"])
def test_unknown_or_inactive_service_code_is_404_in_both_formats(client: Client, path: str) -> None:
    CategoryFactory(code="lama", is_active=False)
    json_response = client.get(f"{BASE}/{path}.json")
    assert json_response.status_code == 404
    assert _errors_json(json_response) == [{"code": 404, "description": "Unknown service_code."}]
    xml_response = client.get(f"{BASE}/{path}.xml")
    assert xml_response.status_code == 404
    assert _errors_xml(xml_response) == [("404", "Unknown service_code.")]


# --- GET requests: shapes -----------------------------------------------------------------------


def test_request_record_has_the_spec_fields_in_json(client: Client) -> None:
    agency = AgencyFactory(name="Dinas Sumber Daya Air, Bina Marga dan Bina Konstruksi")
    complaint = _complaint(
        status=Status.IN_PROGRESS,
        agency=agency,
        title="Lubang di depan sekolah",
        description="Dalam sekitar 20 cm.",
        address="Jl. Sisingamangaraja No. 5",
        submitted_at=datetime(2026, 11, 20, 2, 15, 30, 123456, tzinfo=UTC),
        sla_due_at=datetime(2026, 11, 27, 2, 15, 30, tzinfo=UTC),
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        updated_at=datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    )
    response = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-11-01T00:00:00+07:00", "end_date": "2026-11-29T00:00:00+07:00"},
    )
    assert response.status_code == 200
    assert _json(response) == [
        {
            "service_request_id": complaint.reference,
            "status": "open",
            "status_notes": "In progress",
            "service_name": complaint.category.name,
            "service_code": complaint.category.code,
            "description": "Lubang di depan sekolah: Dalam sekitar 20 cm.",
            "agency_responsible": "Dinas Sumber Daya Air, Bina Marga dan Bina Konstruksi",
            "service_notice": "",
            "requested_datetime": "2026-11-20T09:15:30+07:00",
            "updated_datetime": "2026-11-21T10:00:00+07:00",
            "expected_datetime": "2026-11-27T09:15:30+07:00",
            "address": "Jl. Sisingamangaraja No. 5, Pasar Baru, Medan Kota, Kota Medan",
            "address_id": "",
            "zipcode": "",
            "lat": 3.5952,
            "long": 98.6722,
            "media_url": "",
        }
    ]


def test_request_record_in_xml_has_the_same_fields_in_order(client: Client) -> None:
    complaint = _complaint(status=Status.CLOSED)
    root = _xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    [request] = list(root)
    assert request.tag == "request"
    assert [child.tag for child in request] == REQUEST_KEYS
    assert request.findtext("service_request_id") == complaint.reference
    assert request.findtext("status") == "closed"
    assert request.findtext("lat") == "3.5952"
    assert request.findtext("expected_datetime") == ""


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.RECEIVED, "open"),
        (Status.VERIFIED, "open"),
        (Status.DISPOSED, "open"),
        (Status.IN_PROGRESS, "open"),
        (Status.RESOLVED, "closed"),
        (Status.CLOSED, "closed"),
    ],
)
def test_our_statuses_map_to_open_or_closed(client: Client, status: str, expected: str) -> None:
    _complaint(status=status)
    [record] = _json(client.get(f"{BASE}/requests.json"))
    assert record["status"] == expected


def test_closed_request_updated_datetime_is_the_closing_time(client: Client) -> None:
    closed_at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    _complaint(status=Status.CLOSED, closed_at=closed_at)
    [record] = _json(client.get(f"{BASE}/requests.json"))
    assert record["updated_datetime"] == "2026-11-25T15:00:00+07:00"


def test_single_request_is_a_one_element_list_in_both_formats(client: Client) -> None:
    complaint = _complaint()
    body = _json(client.get(f"{BASE}/requests/{complaint.reference}.json"))
    assert isinstance(body, list)
    assert len(body) == 1
    assert list(body[0]) == REQUEST_KEYS
    assert body[0]["service_request_id"] == complaint.reference
    root = _xml(client.get(f"{BASE}/requests/{complaint.reference}.xml"))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [
        complaint.reference
    ]


def test_single_request_accepts_a_lower_case_reference(client: Client) -> None:
    complaint = _complaint()
    response = client.get(f"{BASE}/requests/{complaint.reference.lower()}.json")
    assert response.status_code == 200
    assert _json(response)[0]["service_request_id"] == complaint.reference


def test_empty_results_are_well_formed_in_both_formats(client: Client) -> None:
    assert _json(client.get(f"{BASE}/requests.json")) == []
    root = _xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    assert list(root) == []
    services = _xml(client.get(f"{BASE}/services.xml"))
    assert services.tag == "services"
    assert list(services) == []
    assert _json(client.get(f"{BASE}/services.json")) == []


def test_every_datetime_carries_the_wib_offset(client: Client) -> None:
    _complaint(status=Status.CLOSED, sla_due_at=timezone.now())
    _complaint(status=Status.DISPOSED, sla_due_at=timezone.now() + timedelta(days=3))
    records = _json(client.get(f"{BASE}/requests.json"))
    values = [
        r[key]
        for r in records
        for key in ("requested_datetime", "updated_datetime", "expected_datetime")
        if r[key]
    ]
    assert len(values) == 5
    for value in values:
        assert value.endswith("+07:00")
        assert datetime.fromisoformat(value).utcoffset() == timedelta(hours=7)


def test_expected_datetime_is_the_sla_due_date_of_an_open_request(client: Client) -> None:
    due = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
    complaint = _complaint(status=Status.DISPOSED, sla_due_at=due)
    [record] = _json(client.get(f"{BASE}/requests/{complaint.reference}.json"))
    assert record["expected_datetime"] == "2026-12-02T08:30:00+07:00"


# --- GET requests: filters ----------------------------------------------------------------------


def test_service_request_id_overrides_every_other_filter(client: Client) -> None:
    old_closed = _complaint(status=Status.CLOSED, submitted_at=timezone.now() - timedelta(days=400))
    other = _complaint()
    _complaint()
    body = _json(
        client.get(
            f"{BASE}/requests.json",
            {
                "service_request_id": f"{old_closed.reference},{other.reference}",
                "status": "open",
                "service_code": "tidak-ada",
                "start_date": "2026-01-01T00:00:00+07:00",
                "end_date": "2026-01-02T00:00:00+07:00",
            },
        )
    )
    assert sorted(r["service_request_id"] for r in body) == sorted(
        [old_closed.reference, other.reference]
    )


def test_comma_lists_may_arrive_percent_encoded(client: Client) -> None:
    a = _complaint()
    b = _complaint()
    _complaint()
    response = client.get(f"{BASE}/requests.json?service_request_id={a.reference}%2C{b.reference}")
    assert sorted(r["service_request_id"] for r in _json(response)) == sorted(
        [a.reference, b.reference]
    )
    codes = f"{a.category.code}%2C{b.category.code}"
    response = client.get(f"{BASE}/requests.json?service_code={codes}")
    assert len(_json(response)) == 2


def test_service_code_filter_takes_a_comma_list(client: Client) -> None:
    a = _complaint()
    b = _complaint()
    _complaint()
    body = _json(
        client.get(
            f"{BASE}/requests.json", {"service_code": f"{a.category.code},{b.category.code}"}
        )
    )
    assert sorted(r["service_request_id"] for r in body) == sorted([a.reference, b.reference])


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", {"open"}),
        ("closed", {"closed"}),
        ("open,closed", {"open", "closed"}),
        ("", {"open", "closed"}),
    ],
)
def test_status_filter_open_closed_both_and_empty(
    client: Client, status: str, expected: set[str]
) -> None:
    _complaint(status=Status.IN_PROGRESS)
    _complaint(status=Status.RESOLVED)
    body = _json(client.get(f"{BASE}/requests.json", {"status": status}))
    assert {r["status"] for r in body} == expected
    assert len(body) == len(expected)


def test_empty_status_is_exactly_like_no_status(client: Client) -> None:
    _complaint(status=Status.IN_PROGRESS)
    _complaint(status=Status.CLOSED)
    assert client.get(f"{BASE}/requests.json?status=").content == (
        client.get(f"{BASE}/requests.json").content
    )


def test_unknown_status_value_is_400(client: Client) -> None:
    response = client.get(f"{BASE}/requests.json", {"status": "diproses"})
    assert response.status_code == 400
    assert _errors_json(response) == [
        {"code": 400, "description": "status must be open, closed or both, separated by a comma."}
    ]


def test_without_dates_the_window_is_the_last_90_days(client: Client) -> None:
    now = timezone.now()
    recent = _complaint(submitted_at=now - timedelta(days=89))
    _complaint(submitted_at=now - timedelta(days=91))
    body = _json(client.get(f"{BASE}/requests.json"))
    assert [r["service_request_id"] for r in body] == [recent.reference]


def test_without_paging_at_most_the_limit_is_returned_newest_first(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(open311_views, "MAX_REQUESTS", 3)
    now = timezone.now()
    made = [_complaint(submitted_at=now - timedelta(hours=i)) for i in range(5)]
    body = _json(client.get(f"{BASE}/requests.json"))
    assert [r["service_request_id"] for r in body] == [c.reference for c in made[:3]]


def test_default_limit_is_1000() -> None:
    assert open311_views.MAX_REQUESTS == 1000


def test_page_and_page_size_extension(client: Client) -> None:
    now = timezone.now()
    made = [_complaint(submitted_at=now - timedelta(hours=i)) for i in range(5)]
    body = _json(client.get(f"{BASE}/requests.json", {"page": "2", "page_size": "2"}))
    assert [r["service_request_id"] for r in body] == [made[2].reference, made[3].reference]


@pytest.mark.parametrize(
    "query", [{"page": "0"}, {"page": "x"}, {"page_size": "1001"}, {"page_size": "0"}]
)
def test_bad_paging_is_400(client: Client, query: dict[str, str]) -> None:
    assert client.get(f"{BASE}/requests.json", query).status_code == 400


def test_a_range_over_90_days_is_refused(client: Client) -> None:
    response = client.get(
        f"{BASE}/requests.xml",
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-04-01T00:00:01+07:00"},
    )
    assert response.status_code == 400
    assert _errors_xml(response) == [
        ("400", "The range from start_date to end_date may not be longer than 90 days.")
    ]


def test_a_range_of_exactly_90_days_is_accepted(client: Client) -> None:
    response = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-04-01T00:00:00+07:00"},
    )
    assert response.status_code == 200


def test_end_before_start_and_unparsable_dates_are_400(client: Client) -> None:
    response = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
    )
    assert response.status_code == 400
    bad = client.get(f"{BASE}/requests.json", {"start_date": "kemarin"})
    assert bad.status_code == 400
    assert _errors_json(bad) == [
        {
            "code": 400,
            "description": (
                "start_date must be a date and time in ISO 8601, e.g. 2025-03-04T09:15:00+07:00."
            ),
        }
    ]


def test_start_date_without_offset_is_read_as_wib(client: Client) -> None:
    # 08:30 WIB is 01:30 UTC: a report at 01:00 UTC is before the window, 02:00 UTC inside.
    _complaint(submitted_at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    inside = _complaint(submitted_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    body = _json(
        client.get(
            f"{BASE}/requests.json",
            {"start_date": "2026-11-20T08:30:00", "end_date": "2026-11-21T00:00:00"},
        )
    )
    assert [r["service_request_id"] for r in body] == [inside.reference]


def test_dates_with_z_and_offsets_are_honoured(client: Client) -> None:
    inside = _complaint(submitted_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    body = _json(
        client.get(
            f"{BASE}/requests.json",
            {"start_date": "2026-11-20T01:30:00Z", "end_date": "2026-11-20T10:00:00+08:00"},
        )
    )
    assert [r["service_request_id"] for r in body] == [inside.reference]


def test_list_has_no_n_plus_one(client: Client, django_assert_max_num_queries: Any) -> None:
    for status in (Status.RECEIVED, Status.DISPOSED, Status.CLOSED):
        for _ in range(4):
            _complaint(status=status)
    with django_assert_max_num_queries(4):
        body = _json(client.get(f"{BASE}/requests.json"))
    assert len(body) == 12


# --- Visibility and privacy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "hidden",
    [
        {"privacy": Privacy.SECRET},
        {"is_hidden": True},
        {"from_banned_reporter": True},
        {"status": Status.REJECTED},
    ],
)
def test_non_public_reports_never_appear_and_are_404(
    client: Client, hidden: dict[str, Any]
) -> None:
    complaint = _complaint(**hidden)
    assert _json(client.get(f"{BASE}/requests.json")) == []
    by_id = client.get(f"{BASE}/requests.json", {"service_request_id": complaint.reference})
    assert _json(by_id) == []
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests/{complaint.reference}.{fmt}")
        assert response.status_code == 404
    assert _errors_json(client.get(f"{BASE}/requests/{complaint.reference}.json")) == [
        {"code": 404, "description": "Not found."}
    ]


def test_secret_report_404_is_identical_to_an_unknown_reference(client: Client) -> None:
    complaint = _complaint(privacy=Privacy.SECRET)
    secret = client.get(f"{BASE}/requests/{complaint.reference}.json")
    unknown = client.get(f"{BASE}/requests/ADU-2222-3333.json")
    assert (secret.status_code, secret.content) == (unknown.status_code, unknown.content)


@pytest.mark.parametrize("privacy", [Privacy.ANONYMOUS, Privacy.PUBLIC])
def test_reporter_identity_never_appears(client: Client, privacy: str) -> None:
    complaint = _complaint(
        privacy=privacy,
        reporter_name="Boru Siregar Nainggolan",
        reporter_email="boru.siregar@contoh.id",
        reporter_phone="081234567890",
    )
    assert complaint.reporter is not None
    for path in ("requests.json", "requests.xml", f"requests/{complaint.reference}.xml"):
        content = client.get(f"{BASE}/{path}").content.decode()
        assert complaint.reference in content
        for secret in (
            "Siregar",
            "boru.siregar",
            "081234567890",
            complaint.reporter.email,
            complaint.reporter.full_name,
            "requestor",
            "account_id",
        ):
            assert secret not in content


def test_html_in_a_description_is_plain_escaped_text(client: Client) -> None:
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)"> & =SUM(A1)'
    complaint = _complaint(title="Judul <b>tebal</b>", description=payload)
    xml_response = client.get(f"{BASE}/requests/{complaint.reference}.xml")
    assert b"<script>" not in xml_response.content
    assert b"&lt;script&gt;" in xml_response.content
    root = _xml(xml_response)
    assert root.findtext("request/description") == f"Judul <b>tebal</b>: {payload}"
    json_response = client.get(f"{BASE}/requests/{complaint.reference}.json")
    assert b"<" not in json_response.content
    assert b"\\u003cscript\\u003e" in json_response.content
    assert _json(json_response)[0]["description"] == f"Judul <b>tebal</b>: {payload}"


def test_full_utf8_survives_json_and_xml(client: Client) -> None:
    text = "Jalan Sutomo — 蘇東坡 Tuan Sitanggang, banjir 🌊 & <lumpur>"
    complaint = _complaint(title="Banjir", description=text)
    [record] = _json(client.get(f"{BASE}/requests/{complaint.reference}.json"))
    assert record["description"] == f"Banjir: {text}"
    root = _xml(client.get(f"{BASE}/requests/{complaint.reference}.xml"))
    assert root.findtext("request/description") == f"Banjir: {text}"


def test_control_characters_from_old_data_keep_the_xml_well_formed(client: Client) -> None:
    complaint = _complaint(title="Lampu", description="mati\x0btotal\x1f")
    root = _xml(client.get(f"{BASE}/requests/{complaint.reference}.xml"))
    assert root.findtext("request/description") == "Lampu: matitotal"


# --- jurisdiction_id, tokens, unknown paths, methods ------------------------------------------


@pytest.mark.parametrize("jurisdiction", ["12.71", "pengaduan.pemkomedan.go.id", ""])
def test_known_or_empty_jurisdiction_is_accepted(client: Client, jurisdiction: str) -> None:
    _complaint()
    response = client.get(f"{BASE}/requests.json", {"jurisdiction_id": jurisdiction})
    assert response.status_code == 200
    assert len(_json(response)) == 1


def test_configured_jurisdiction_ids_are_accepted(client: Client, settings: Any) -> None:
    settings.OPEN311_JURISDICTION_IDS = ["medan.go.id"]
    assert client.get(f"{BASE}/services.json?jurisdiction_id=medan.go.id").status_code == 200


@pytest.mark.parametrize("path", ["services.json", "requests.json", "discovery.json"])
def test_another_jurisdiction_is_404(client: Client, path: str) -> None:
    response = client.get(f"{BASE}/{path}", {"jurisdiction_id": "sfgov.org"})
    assert response.status_code == 404
    assert _errors_json(response) == [
        {"code": 404, "description": "This server does not serve that jurisdiction_id."}
    ]


def test_tokens_are_never_issued_so_every_token_is_404(client: Client) -> None:
    response = client.get(f"{BASE}/tokens/12345.json")
    assert response.status_code == 404
    assert _errors_json(response) == [{"code": 404, "description": "Unknown token."}]
    assert _errors_xml(client.get(f"{BASE}/tokens/12345.xml")) == [("404", "Unknown token.")]


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("nothing.json", "json"), ("requests.html", "xml"), ("requests/a/b.xml", "xml"), ("", "xml")],
)
def test_unknown_paths_are_404_in_the_spec_shape(client: Client, path: str, fmt: str) -> None:
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    if fmt == "json":
        assert _errors_json(response) == [{"code": 404, "description": "Not found."}]
    else:
        assert _errors_xml(response) == [("404", "Not found.")]


def test_error_descriptions_are_in_bahasa_indonesia_by_default(settings: Any) -> None:
    del settings.OPEN311_LANGUAGE
    client = Client()
    response = client.get(f"{BASE}/requests/ADU-2222-3333.json")
    assert _errors_json(response) == [{"code": 404, "description": "Data tidak ditemukan."}]


def test_other_methods_are_405_with_an_allow_header(client: Client) -> None:
    response = client.delete(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert _errors_json(response)[0]["code"] == 405


# --- POST requests ------------------------------------------------------------------------------


def _post(client: Client, fmt: str = "json", headers: dict[str, str] | None = None, **data: Any):
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers or {})


def _valid(api_key: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "api_key": api_key,
        "service_code": "jalan-rusak",
        "lat": "3.5952",
        "long": "98.6722",
        "description": "Lubang besar di depan sekolah, sudah dua minggu.",
        "attribute[ukuran]": "sebesar ban mobil",
        "attribute[lajur][]": ["kiri", "kanan"],
        "email": "warga@contoh.id",
        "first_name": "Sri",
        "last_name": "Rahayu",
        "phone": "081234567890",
    }
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.usefixtures("city")
def test_post_creates_a_report_and_returns_its_id_never_a_token(client: Client, roads: Any) -> None:
    app = Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    response = _post(client, **_valid("kunci-rahasia-aplikasi-1"))
    assert response.status_code == 200
    [item] = _json(response)
    complaint = Complaint.objects.get()
    assert item == {
        "service_request_id": complaint.reference,
        "service_notice": (
            f"Report received with number {complaint.reference}. "
            "It is checked within 3 working days."
        ),
        "account_id": "",
    }
    assert "token" not in item
    assert complaint.channel == Channel.OPEN311
    assert complaint.open311_client == app
    assert complaint.reporter is None
    assert complaint.category == roads
    assert complaint.answers == {"ukuran": "sebesar ban mobil", "lajur": ["kiri", "kanan"]}
    assert complaint.description == "Lubang besar di depan sekolah, sudah dua minggu."
    assert complaint.title == "Jalan rusak"
    assert complaint.reporter_email == "warga@contoh.id"
    assert complaint.reporter_name == "Sri Rahayu"
    assert (complaint.latitude, complaint.longitude) == (3.5952, 98.6722)
    # The new report is public right away: readable through the GET calls.
    [record] = _json(client.get(f"{BASE}/requests/{complaint.reference}.json"))
    assert record["status"] == "open"
    assert "warga@contoh.id" not in json.dumps(record)


@pytest.mark.usefixtures("city")
def test_post_in_xml_answers_service_requests_with_one_request(client: Client, roads: Any) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    response = _post(client, "xml", **_valid("kunci-rahasia-aplikasi-1", account_id="u-77"))
    root = _xml(response)
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [child.tag for child in request] == [
        "service_request_id",
        "service_notice",
        "account_id",
    ]
    assert request.findtext("service_request_id") == Complaint.objects.get().reference
    assert request.findtext("account_id") == "u-77"


@pytest.mark.usefixtures("city")
@pytest.mark.parametrize(
    ("api_key", "active", "description"),
    [
        (None, True, "An api_key is required to submit a report."),
        ("", True, "An api_key is required to submit a report."),
        ("salah", True, "The api_key is not valid."),
        ("kunci-rahasia-aplikasi-1", False, "The api_key is not valid."),
    ],
)
def test_post_without_a_valid_api_key_is_403_and_stores_nothing(
    client: Client, roads: Any, api_key: str | None, active: bool, description: str
) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1", is_active=active)
    data = _valid("x")
    data.pop("api_key")
    if api_key is not None:
        data["api_key"] = api_key
    response = _post(client, **data)
    assert response.status_code == 403
    assert _errors_json(response) == [{"code": 403, "description": description}]
    assert Complaint.objects.count() == 0


def test_get_calls_need_no_api_key(client: Client, roads: Any) -> None:
    _complaint()
    for path in ("services.xml", "services/jalan-rusak.xml", "requests.xml", "discovery.xml"):
        assert client.get(f"{BASE}/{path}").status_code == 200


@pytest.mark.usefixtures("city")
@pytest.mark.parametrize(
    ("changes", "status", "description"),
    [
        ({"service_code": None}, 400, "service_code is required."),
        ({"service_code": ""}, 400, "service_code is required."),
        ({"service_code": "tidak-ada"}, 404, "Unknown service_code."),
        ({"lat": None, "long": None}, 400, "A location is required: send lat and long."),
        (
            {"lat": None, "long": None, "address_string": "Jl. Sisingamangaraja 5"},
            400,
            "Reports need a point: send lat and long. An address alone cannot be placed on "
            "the map yet.",
        ),
        ({"long": None}, 400, "lat and long must be sent together."),
        ({"lat": "tiga"}, 400, "lat and long must be numbers (WGS84 degrees)."),
        ({"lat": "nan"}, 400, "lat and long must be numbers (WGS84 degrees)."),
        (
            {"lat": "91"},
            400,
            "lat must be between -90 and 90 and long between -180 and 180.",
        ),
        ({"description": "   \n "}, 400, "description is required: describe the problem."),
        ({"email": "bukan-email"}, 400, "email is not a valid e-mail address."),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url must be an http or https address."),
        ({"media_url": "file:///etc/passwd"}, 400, "media_url must be an http or https address."),
    ],
)
def test_post_bad_input_gets_a_clear_error_and_stores_nothing(
    client: Client, roads: Any, changes: dict[str, Any], status: int, description: str
) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    response = _post(client, **_valid("kunci-rahasia-aplikasi-1", **changes))
    assert response.status_code == status
    assert _errors_json(response) == [{"code": status, "description": description}]
    assert Complaint.objects.count() == 0


@pytest.mark.usefixtures("city")
@pytest.mark.parametrize(
    ("lat", "long"),
    [("3.6422", "98.8853"), ("0", "0"), ("98.6722", "3.5952")],
    ids=["kualanamu-airport", "null-island", "swapped"],
)
def test_post_outside_the_city_is_400_and_stores_nothing(
    client: Client, roads: Any, lat: str, long: str
) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    response = _post(client, **_valid("kunci-rahasia-aplikasi-1", lat=lat, long=long))
    assert response.status_code == 400
    [error] = _errors_json(response)
    assert error["code"] == 400
    assert error["description"]
    assert Complaint.objects.count() == 0


@pytest.mark.usefixtures("city")
def test_post_missing_a_required_attribute_is_400(client: Client, roads: Any) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    data = _valid("kunci-rahasia-aplikasi-1")
    del data["attribute[ukuran]"]
    response = _post(client, **data)
    assert response.status_code == 400
    [error] = _errors_json(response)
    assert error["code"] == 400
    assert Complaint.objects.count() == 0


@pytest.mark.usefixtures("city")
def test_post_with_an_unknown_option_key_is_400(client: Client, roads: Any) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    response = _post(
        client, **_valid("kunci-rahasia-aplikasi-1", **{"attribute[lajur][]": ["tengah"]})
    )
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


@pytest.mark.usefixtures("city")
def test_post_with_a_blocking_answer_is_400_with_the_options_message(client: Client) -> None:
    category = CategoryFactory(code="darurat", name="Darurat", is_emergency=True)
    danger = CategoryQuestionFactory(
        category=category,
        code="bahaya",
        prompt="Apakah ada orang dalam bahaya saat ini?",
        datatype=QuestionType.SINGLE,
        required=True,
    )
    QuestionOptionFactory(
        question=danger,
        key="ya",
        name="Ya",
        blocks_submission=True,
        blocking_message="Hubungi 112 sekarang.",
    )
    QuestionOptionFactory(question=danger, key="tidak", name="Tidak")
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    data = _valid("kunci-rahasia-aplikasi-1", service_code="darurat", **{"attribute[bahaya]": "ya"})
    del data["attribute[ukuran]"]
    del data["attribute[lajur][]"]
    response = _post(client, **data)
    assert response.status_code == 400
    assert _errors_json(response) == [{"code": 400, "description": "Hubungi 112 sekarang."}]
    assert Complaint.objects.count() == 0
    data["attribute[bahaya]"] = "tidak"
    ok = _post(client, **data)
    assert ok.status_code == 200
    assert _json(ok)[0]["service_notice"].startswith("In an emergency call 112")


@pytest.mark.usefixtures("city")
def test_description_of_4000_characters_is_accepted_and_4001_refused(
    client: Client, roads: Any
) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    too_long = _post(client, **_valid("kunci-rahasia-aplikasi-1", description="a" * 4001))
    assert too_long.status_code == 400
    assert Complaint.objects.count() == 0
    exact = _post(client, **_valid("kunci-rahasia-aplikasi-1", description="a" * 4000))
    assert exact.status_code == 200
    assert len(Complaint.objects.get().description) == 4000


@pytest.mark.usefixtures("city")
def test_an_identical_double_submit_gives_one_report(client: Client, roads: Any) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    first = _post(client, **_valid("kunci-rahasia-aplikasi-1"))
    second = _post(client, **_valid("kunci-rahasia-aplikasi-1"))
    assert first.status_code == second.status_code == 200
    assert _json(first)[0]["service_request_id"] == _json(second)[0]["service_request_id"]
    assert Complaint.objects.count() == 1


@pytest.mark.usefixtures("city")
def test_a_retry_in_the_next_time_slot_is_still_the_same_report(
    client: Client, roads: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kotapintar.complaints.open311 import services as open311_services

    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    start = timezone.now()
    first = _post(client, **_valid("kunci-rahasia-aplikasi-1"))
    later = start + timedelta(seconds=open311_services.DEDUP_SLOT_SECONDS)
    monkeypatch.setattr(open311_services.timezone, "now", lambda: later)
    second = _post(client, **_valid("kunci-rahasia-aplikasi-1"))
    assert _json(first)[0]["service_request_id"] == _json(second)[0]["service_request_id"]
    assert Complaint.objects.count() == 1


@pytest.mark.usefixtures("city")
def test_different_reports_from_the_same_client_are_kept_apart(client: Client, roads: Any) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    _post(client, **_valid("kunci-rahasia-aplikasi-1"))
    _post(client, **_valid("kunci-rahasia-aplikasi-1", description="Lubang kedua di seberang."))
    assert Complaint.objects.count() == 2


@pytest.mark.usefixtures("city")
def test_the_idempotency_key_header_gives_the_first_report_again(
    client: Client, roads: Any
) -> None:
    app = cast(Open311Client, Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1"))
    headers = {"Idempotency-Key": "kirim-123"}
    first = _post(client, headers=headers, **_valid("kunci-rahasia-aplikasi-1"))
    changed = _post(
        client, headers=headers, **_valid("kunci-rahasia-aplikasi-1", description="Beda teks.")
    )
    assert _json(first)[0]["service_request_id"] == _json(changed)[0]["service_request_id"]
    assert Complaint.objects.get().idempotency_key == "h:kirim-123"
    # The same key from another client is another submission.
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-2")
    other = _post(client, headers=headers, **_valid("kunci-rahasia-aplikasi-2"))
    assert _json(other)[0]["service_request_id"] != _json(first)[0]["service_request_id"]
    assert Complaint.objects.filter(open311_client=app).count() == 1


@pytest.mark.usefixtures("city")
def test_an_overlong_idempotency_key_is_400(client: Client, roads: Any) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    response = _post(
        client, headers={"Idempotency-Key": "k" * 79}, **_valid("kunci-rahasia-aplikasi-1")
    )
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


@pytest.mark.usefixtures("city")
def test_media_url_is_an_internal_note_and_never_published(
    client: Client, roads: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the server must not fetch media_url")

    monkeypatch.setattr(socket, "create_connection", no_network)
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    url = "http://169.254.169.254/latest/meta-data/foto.jpg"
    _post(client, **_valid("kunci-rahasia-aplikasi-1", media_url=url))
    _post(client, **_valid("kunci-rahasia-aplikasi-1", media_url=url))  # retry: one note
    complaint = Complaint.objects.get()
    [note] = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.NOTE)
    assert note.is_public is False
    assert url in note.message
    [record] = _json(client.get(f"{BASE}/requests/{complaint.reference}.json"))
    assert record["media_url"] == ""
    assert "169.254" not in client.get(f"{BASE}/requests.xml").content.decode()


@pytest.mark.usefixtures("city")
def test_too_many_submissions_from_one_device_are_429(
    client: Client, roads: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    limit = 10  # ComplaintPolicy.submissions_per_hour default
    for n in range(limit):
        response = _post(
            client, **_valid("kunci-rahasia-aplikasi-1", device_id="hp-1", description=f"Ke-{n}")
        )
        assert response.status_code == 200
    refused = _post(
        client, **_valid("kunci-rahasia-aplikasi-1", device_id="hp-1", description="Lagi")
    )
    assert refused.status_code == 429
    assert _errors_json(refused) == [
        {"code": 429, "description": "Too many requests. Please try again later."}
    ]
    assert Complaint.objects.count() == limit
    other_device = _post(
        client, **_valid("kunci-rahasia-aplikasi-1", device_id="hp-2", description="Lain")
    )
    assert other_device.status_code == 200


@pytest.mark.usefixtures("city")
def test_a_client_application_has_an_hourly_limit(
    client: Client, roads: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(open311_views, "CLIENT_SUBMISSIONS_PER_HOUR", 2)
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    codes = [
        _post(client, **_valid("kunci-rahasia-aplikasi-1", description=f"Laporan {n}")).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


@pytest.mark.usefixtures("city")
def test_post_needs_no_csrf_token(roads: Any) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    strict = Client(enforce_csrf_checks=True)
    assert _post(strict, **_valid("kunci-rahasia-aplikasi-1")).status_code == 200


def _stored_png(color: str) -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from kotapintar.core.uploads import store_upload

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    upload = SimpleUploadedFile(f"{color}.png", buffer.getvalue(), content_type="image/png")
    return store_upload(uploaded_file=upload, uploaded_by=None, allowed_kinds=frozenset({"image"}))


def test_media_url_is_the_first_public_report_photo(client: Client) -> None:
    complaint = _complaint()
    redacted = ComplaintPhoto.objects.create(
        complaint=complaint, file=_stored_png("black"), kind=PhotoKind.REPORT, is_redacted=True
    )
    first = ComplaintPhoto.objects.create(
        complaint=complaint, file=_stored_png("red"), kind=PhotoKind.REPORT
    )
    ComplaintPhoto.objects.create(
        complaint=complaint, file=_stored_png("blue"), kind=PhotoKind.REPORT
    )
    expected = (
        f"https://pengaduan.pemkomedan.go.id/pengaduan/{complaint.reference}/foto/{first.file_id}/"
    )
    [record] = _json(client.get(f"{BASE}/requests/{complaint.reference}.json"))
    assert record["media_url"] == expected
    assert str(redacted.file_id) not in expected
    [listed] = _json(client.get(f"{BASE}/requests.json"))
    assert listed["media_url"] == expected
    # The URL really serves the photo to an anonymous visitor.
    photo = client.get(expected.removeprefix("https://pengaduan.pemkomedan.go.id"))
    assert photo.status_code == 200


@pytest.mark.usefixtures("city")
def test_posted_utf8_text_comes_back_unchanged_in_json_and_xml(client: Client, roads: Any) -> None:
    Open311ClientFactory(raw_key="kunci-rahasia-aplikasi-1")
    text = "Parit di depan rumah Ompu Sitanggang 蘇 meluap 🌊 & <b>bau</b>"
    response = _post(client, **_valid("kunci-rahasia-aplikasi-1", description=text))
    reference = _json(response)[0]["service_request_id"]
    [record] = _json(client.get(f"{BASE}/requests/{reference}.json"))
    assert record["description"] == f"Jalan rusak: {text}"
    root = _xml(client.get(f"{BASE}/requests/{reference}.xml"))
    assert root.findtext("request/description") == f"Jalan rusak: {text}"


def test_list_records_equal_the_single_request_records_with_their_first_public_photo(
    client: Client,
) -> None:
    """The list is built from plain rows, the single request from the instance: same record."""
    from django.urls import reverse

    from kotapintar.complaints.models import ComplaintPhoto, PhotoKind
    from kotapintar.complaints.open311.serializers import site_url
    from kotapintar.complaints.tests.factories import jpeg_upload
    from kotapintar.core.uploads import store_upload

    def photo(complaint: Complaint, kind: str = PhotoKind.REPORT, **extra: Any) -> ComplaintPhoto:
        stored = store_upload(
            uploaded_file=jpeg_upload(), uploaded_by=None, allowed_kinds={"image"}
        )
        return ComplaintPhoto.objects.create(complaint=complaint, file=stored, kind=kind, **extra)

    with_photos = _complaint(status=Status.DISPOSED, agency=AgencyFactory(), address=" Jl. A ")
    photo(with_photos, is_redacted=True)
    first = photo(with_photos)
    photo(with_photos)
    after_only = _complaint(status=Status.CLOSED)
    photo(after_only, kind=PhotoKind.AFTER)
    plain = _complaint(status=Status.RECEIVED)

    listed = {r["service_request_id"]: r for r in _json(client.get(f"{BASE}/requests.json"))}
    assert set(listed) == {with_photos.reference, after_only.reference, plain.reference}
    for complaint in (with_photos, after_only, plain):
        single = _json(client.get(f"{BASE}/requests/{complaint.reference}.json"))
        assert listed[complaint.reference] == single[0]
    assert listed[with_photos.reference]["media_url"] == site_url() + reverse(
        "complaints:public_photo", args=[with_photos.reference, first.file_id]
    )
    assert listed[after_only.reference]["media_url"] == ""
    assert listed[with_photos.reference]["agency_responsible"] == with_photos.agency.name
