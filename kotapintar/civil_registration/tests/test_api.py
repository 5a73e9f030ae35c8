"""/api/v1/civil-registration/…: services (public), the citizen's applications (submit with
files, idempotency, resubmit, cancel, 404 for anyone else's), the officers' queue, case page,
claim and document checks, with the permission matrix and "refused changed nothing" checks."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kotapintar.accounts.models import User
from kotapintar.civil_registration.models import (
    Application,
    ApplicationDocument,
    DocumentService,
    DocumentStatus,
    RejectionReason,
    Status,
)
from kotapintar.civil_registration.services import (
    application_claim,
    application_return,
    document_verify,
)
from kotapintar.civil_registration.tests.factories import (
    KK,
    NIK,
    World,
    jpeg_upload,
    pdf_upload,
    required_uploads,
    submit,
)
from kotapintar.civil_registration.tests.helpers import side_effects
from kotapintar.core.models.audit import AuditEntry
from kotapintar.testing.factories import CityAdminFactory
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

BASE = "/api/v1/civil-registration/"
MASKED_NIK = "1271********0001"


def _as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _client() -> APIClient:
    return APIClient()


def _form(service_code: str = "ktp-el-hilang", **overrides: Any) -> dict[str, Any]:
    service = DocumentService.objects.get(code=service_code)
    data: dict[str, Any] = {
        "service": service_code,
        "subject_name": "Budi Santoso",
        "subject_nik": NIK,
        "subject_kk": KK,
        "truth_declared": "true",
        "district": "12.71.01",
    }
    for code, upload in required_uploads(service).items():
        data[f"documents.{code}"] = upload
    data.update(overrides)
    return data


def _actors(world: World) -> Actors:
    actors = Actors(
        users={
            "anonymous": None,
            "citizen": world.citizen,
            "other_citizen": world.other_citizen,
            "operator": world.operator,
            "verifier": world.verifier,
            "other_unit_verifier": world.other_unit_verifier,
            "dashboard": world.dashboard,
            "admin": cast(User, CityAdminFactory()),
        }
    )
    return actors


# --- Services -----------------------------------------------------------------------------------


def test_services_are_public_and_free(world: World) -> None:
    response = _client().get(f"{BASE}services/")
    assert response.status_code == 200
    codes = [s["code"] for s in response.json()]
    assert len(codes) == 15 and "akta-kelahiran" in codes
    assert all(s["free_of_charge"] is True for s in response.json())
    assert "fee" not in json.dumps(response.json())


def test_service_detail_lists_requirements_with_substitutes(world: World) -> None:
    response = _client().get(f"{BASE}services/akta-kelahiran/")
    assert response.status_code == 200
    body = response.json()
    assert body["event_kind"] == "birth"
    requirements = {r["code"]: r for r in body["requirements"]}
    assert requirements["sptjm_kelahiran"]["substitute_for"] == "surat_keterangan_kelahiran"
    assert requirements["kk"]["substitute_for"] is None
    assert [f["key"] for f in body["form_fields"]][:2] == ["birth_place", "sex"]


def test_unknown_service_is_404_in_the_error_shape(world: World) -> None:
    response = _client().get(f"{BASE}services/tidak-ada/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Submission --------------------------------------------------------------------------------


def test_submit_with_files_and_retry_gives_one_application(world: World) -> None:
    client = _as(world.citizen)
    response = client.post(
        f"{BASE}applications/", _form(), format="multipart", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "diajukan" and body["reference"].startswith("DKP-")
    assert body["subject_nik"] == MASKED_NIK
    assert body["unit"]["code"] == "loket-127101"
    assert sorted(d["requirement"] for d in body["documents"]) == ["kk", "surat_kehilangan"]
    before = side_effects()
    again = client.post(
        f"{BASE}applications/", _form(), format="multipart", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert side_effects() == before
    assert Application.objects.filter(applicant=world.citizen).count() == 1


def test_idempotency_key_as_a_field(world: World) -> None:
    client = _as(world.citizen)
    first = client.post(
        f"{BASE}applications/", _form(idempotency_key="field-key"), format="multipart"
    )
    second = client.post(
        f"{BASE}applications/", _form(idempotency_key="field-key"), format="multipart"
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


def test_birth_application_with_pdf_and_json_form(world: World) -> None:
    service = DocumentService.objects.get(code="akta-kelahiran")
    data = _form(
        "akta-kelahiran",
        subject_name="Putri Santoso",
        subject_nik="",
        subject_has_no_nik="true",
        relationship="child",
        event_date="2026-11-20",
        form_data=json.dumps(
            {
                "birth_place": "Medan",
                "sex": "P",
                "mother_name": "Siti Aminah",
                "mother_nik": "1271016503900003",
                "mother_birth_date": "1990-03-25",
                "father_name": "Budi Santoso",
            }
        ),
    )
    data["documents.kk"] = pdf_upload("kk.pdf")
    response = _as(world.citizen).post(f"{BASE}applications/", data, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["event_date"] == "2026-11-20" and body["is_late"] is False
    assert body["subject_nik"] == ""
    assert len(body["documents"]) == len(required_uploads(service))


def test_invalid_submission_stores_nothing(world: World) -> None:
    before = side_effects()
    data = _form(subject_nik="1271011708850", truth_declared="false")
    del data["documents.kk"]
    response = _as(world.citizen).post(f"{BASE}applications/", data, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert {"subject_nik", "truth_declared"} <= set(error["fields"])
    assert NIK[:13] not in json.dumps(error)
    assert side_effects() == before


def test_bad_form_data_json_is_a_field_error(world: World) -> None:
    before = side_effects()
    response = _as(world.citizen).post(
        f"{BASE}applications/", _form(form_data="{oops"), format="multipart"
    )
    assert response.status_code == 400
    assert "form_data" in response.json()["error"]["fields"]
    assert side_effects() == before


def test_second_open_application_is_refused_with_the_reference(world: World) -> None:
    open_one = submit(world)
    before = side_effects()
    response = _as(world.citizen).post(f"{BASE}applications/", _form(), format="multipart")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert open_one.reference in fields["subject_nik"][0]
    assert side_effects() == before


def test_only_citizens_submit(world: World) -> None:
    before = side_effects()
    response = _as(world.operator).post(f"{BASE}applications/", _form(), format="multipart")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert side_effects() == before


def test_anonymous_cannot_submit(world: World) -> None:
    response = _client().post(f"{BASE}applications/", _form(), format="multipart")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_token_authentication(world: World) -> None:
    token = Token.objects.create(user=world.citizen)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    submit(world)
    response = client.get(f"{BASE}applications/")
    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- The citizen's applications ------------------------------------------------------------------


def test_my_list_shows_only_my_applications(world: World) -> None:
    mine = submit(world)
    submit(world, applicant=world.other_citizen, subject_nik="1271011708850009")
    response = _as(world.citizen).get(f"{BASE}applications/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [a["id"] for a in body["results"]] == [str(mine.pk)]


def test_application_detail_permission_matrix(world: World) -> None:
    application = submit(world)
    url = f"{BASE}applications/{application.pk}/"
    responses = assert_permission_matrix(
        _client,
        url,
        "get",
        {
            "anonymous": 401,
            "citizen": 200,
            "other_citizen": 404,
            "operator": 404,
            "verifier": 404,
            "other_unit_verifier": 404,
            "dashboard": 404,
            "admin": 404,
        },
        _actors(world),
    )
    assert responses["other_citizen"].json() == {
        "error": {
            "code": "not_found",
            "message": responses["other_citizen"].json()["error"]["message"],
        }
    }
    body = responses["citizen"].json()
    assert [e["to_status"] for e in body["timeline"]] == ["diajukan"]
    assert body["sla"]["is_paused"] is False


def test_malformed_id_is_404(world: World) -> None:
    response = _as(world.citizen).get(f"{BASE}applications/not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_cancel_own_and_not_another_citizens(world: World) -> None:
    application = submit(world)
    before = side_effects()
    denied = _as(world.other_citizen).post(f"{BASE}applications/{application.pk}/cancel/")
    assert denied.status_code == 404
    assert side_effects() == before
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    response = _as(world.citizen).post(f"{BASE}applications/{application.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "dibatalkan"


def test_cancel_after_approval_is_refused(world: World) -> None:
    application = submit(world)
    Application.objects.filter(pk=application.pk).update(status=Status.APPROVED)
    before = side_effects()
    response = _as(world.citizen).post(f"{BASE}applications/{application.pk}/cancel/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert side_effects() == before


def test_resubmit_replaces_the_refused_file_in_the_same_application(world: World) -> None:
    application = submit(world)
    application_claim(actor=world.verifier, application=application)
    kk = application.documents.get(requirement__code="kk")
    reason = RejectionReason.objects.filter(requires_note=False).first()
    document_verify(actor=world.verifier, document=kk, valid=False, reason=reason)
    application_return(actor=world.verifier, application=application, note="Foto KK buram.")
    url = f"{BASE}applications/{application.pk}/resubmit/"
    before = side_effects()
    denied = _as(world.other_citizen).post(
        url, {"documents.kk": jpeg_upload("kk2.jpg")}, format="multipart"
    )
    assert denied.status_code == 404
    assert side_effects() == before
    response = _as(world.citizen).post(
        url, {"documents.kk": jpeg_upload("kk2.jpg", (10, 20, 30))}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "diajukan" and body["round"] == 2
    kk_docs = sorted(
        (d["round"], d["is_superseded"]) for d in body["documents"] if d["requirement"] == "kk"
    )
    assert kk_docs == [(1, True), (2, False)]


# --- Officers -----------------------------------------------------------------------------------


def test_queue_permission_matrix_and_masking(world: World) -> None:
    application = submit(world)
    responses = assert_permission_matrix(
        _client,
        f"{BASE}queue/",
        "get",
        {
            "anonymous": 401,
            "citizen": 403,
            "other_citizen": 403,
            "operator": 200,
            "verifier": 200,
            "other_unit_verifier": 200,
            "dashboard": 403,
            "admin": 403,
        },
        _actors(world),
    )
    rows = responses["operator"].json()["results"]
    assert [r["reference"] for r in rows] == [application.reference]
    assert rows[0]["subject_name"] == "B*** S******"
    text = json.dumps(rows)
    assert "Budi" not in text and NIK[4:12] not in text
    assert responses["other_unit_verifier"].json()["count"] == 0


def test_queue_filters(world: World) -> None:
    submitted = submit(world)
    claimed = submit(world, subject_nik="1271011708850009")
    application_claim(actor=world.verifier, application=claimed)
    client = _as(world.verifier)
    assert client.get(f"{BASE}queue/?mine=true").json()["count"] == 1
    unassigned = client.get(f"{BASE}queue/?unassigned=true").json()["results"]
    assert [r["id"] for r in unassigned] == [str(submitted.pk)]
    assert client.get(f"{BASE}queue/?status=selesai").json()["count"] == 0
    bad = client.get(f"{BASE}queue/?status=nope")
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_case_page_masked_until_claimed_then_unmasked_and_audited(world: World) -> None:
    application = submit(world)
    url = f"{BASE}queue/{application.pk}/"
    responses = assert_permission_matrix(
        _client,
        url,
        "get",
        {
            "anonymous": 401,
            "citizen": 403,
            "other_citizen": 403,
            "operator": 200,
            "verifier": 200,
            "other_unit_verifier": 404,
            "dashboard": 403,
            "admin": 403,
        },
        _actors(world),
    )
    masked = responses["verifier"].json()
    assert masked["personal_data_visible"] is False
    assert masked["subject_nik"] == MASKED_NIK and masked["documents"] == []
    reads = AuditEntry.objects.count()
    claim = _as(world.verifier).post(f"{url}claim/")
    assert claim.status_code == 200
    body = claim.json()
    assert body["personal_data_visible"] is True
    assert body["subject_nik"] == NIK
    assert body["application"]["status"] == "diverifikasi"
    assert len(body["documents"]) == 2
    assert AuditEntry.objects.count() > reads
    other = _as(world.operator).get(url).json()
    assert other["personal_data_visible"] is False and other["subject_nik"] == MASKED_NIK


def test_claim_refused_for_other_unit_and_citizen_changes_nothing(world: World) -> None:
    application = submit(world)
    url = f"{BASE}queue/{application.pk}/claim/"
    before = side_effects()
    assert _as(world.other_unit_verifier).post(url).status_code == 404
    assert _as(world.citizen).post(url).status_code == 403
    assert _as(world.dashboard).post(url).status_code == 403
    assert side_effects() == before
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.assigned_officer_id is None


def test_claim_twice_is_a_validation_error(world: World) -> None:
    application = submit(world)
    url = f"{BASE}queue/{application.pk}/claim/"
    assert _as(world.verifier).post(url).status_code == 200
    before = side_effects()
    second = _as(world.operator).post(url)
    assert second.status_code == 400
    assert side_effects() == before


def test_document_verify_by_the_assigned_officer_only(world: World) -> None:
    application = submit(world)
    application_claim(actor=world.verifier, application=application)
    document = application.documents.get(requirement__code="kk")
    url = f"{BASE}queue/{application.pk}/documents/{document.pk}/verify/"
    before = side_effects()
    denied = _as(world.operator).post(url, {"valid": True}, format="json")
    assert denied.status_code == 403
    assert side_effects() == before
    bad_reason = _as(world.verifier).post(
        url, {"valid": False, "reason": "tidak-ada"}, format="json"
    )
    assert bad_reason.status_code == 400 and "reason" in bad_reason.json()["error"]["fields"]
    assert side_effects() == before
    response = _as(world.verifier).post(url, {"valid": True}, format="json")
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.status == DocumentStatus.VALID
    assert ApplicationDocument.objects.filter(application=application).count() == 2
