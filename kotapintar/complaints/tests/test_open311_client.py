"""An existing, unmodified Open311 client library against our server (acceptance test 1).

``georeport`` (PyPI, Apache-2.0) is a GeoReport v2 client: it appends the ``.json``/``.xml``
suffix, sends ``jurisdiction_id`` when configured, parses XML with ``xmltodict`` and indexes a
single request's list with ``[0]``. It has no POST call; posting is covered in test_open311.py.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

from kotapintar.complaints.models import Complaint, Privacy, QuestionType, Status
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    CategoryQuestionFactory,
    ComplaintFactory,
    QuestionOptionFactory,
)

georeport = pytest.importorskip("georeport", reason="georeport is in requirements-extra.txt")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data() -> dict[str, Any]:
    category = CategoryFactory(code="lampu-jalan", name="Lampu jalan mati")
    question = CategoryQuestionFactory(
        category=category,
        code="tiang",
        prompt="Berapa tiang yang mati?",
        datatype=QuestionType.SINGLE,
        required=True,
    )
    QuestionOptionFactory(question=question, key="satu", name="Satu")
    QuestionOptionFactory(question=question, key="banyak", name="Lebih dari satu")
    open_one = cast(Complaint, ComplaintFactory(category=category, status=Status.IN_PROGRESS))
    closed_one = cast(Complaint, ComplaintFactory(category=category, status=Status.CLOSED))
    secret = cast(Complaint, ComplaintFactory(category=category, privacy=Privacy.SECRET))
    return {"open": open_one, "closed": closed_one, "secret": secret}


@pytest.mark.parametrize("output_format", ["json", "xml"])
@pytest.mark.parametrize("jurisdiction", [None, "12.71"])
def test_an_unmodified_client_library_reads_everything(
    live_server: Any, data: dict[str, Any], output_format: str, jurisdiction: str | None
) -> None:
    client = georeport.GeoReport(
        f"{live_server.url}/open311/v2",
        jurisdiction=jurisdiction,
        output_format=output_format,
    )

    services = client.get_service_list()
    if output_format == "xml":
        services = [services] if isinstance(services, dict) else services
    assert [s["service_code"] for s in services] == ["lampu-jalan"]
    assert services[0]["metadata"] in (True, "true")

    definition = client.get_service_definition("lampu-jalan")
    attributes = definition["attributes"]
    attribute = attributes[0] if output_format == "json" else attributes["attribute"]
    assert attribute["code"] == "tiang"
    values = attribute["values"] if output_format == "json" else attribute["values"]["value"]
    assert [v["key"] for v in values] == ["satu", "banyak"]

    requests = client.get_service_requests(status="open,closed", service_code="lampu-jalan")
    assert sorted(r["service_request_id"] for r in requests) == sorted(
        [data["open"].reference, data["closed"].reference]
    )
    only_open = client.get_service_requests(status="open")
    if output_format == "xml":
        only_open = [only_open]  # xmltodict gives one element as a dict
    assert [r["service_request_id"] for r in only_open] == [data["open"].reference]

    one = client.get_service_request(data["open"].reference)
    assert one["service_request_id"] == data["open"].reference
    assert one["status"] == "open"
    assert one["requested_datetime"].endswith("+07:00")


def test_the_client_library_sees_a_secret_report_as_not_found(
    live_server: Any, data: dict[str, Any]
) -> None:
    import requests

    client = georeport.GeoReport(f"{live_server.url}/open311/v2")
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_request(data["secret"].reference)
    assert raised.value.response.status_code == 404
    assert raised.value.response.json()[0]["code"] == 404


def test_the_client_library_reads_an_empty_list(live_server: Any) -> None:
    client = georeport.GeoReport(f"{live_server.url}/open311/v2")
    assert client.get_service_requests() == []
