"""The officers' workspace: queue, report page and actions (permission matrix, no side effects)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kotapintar.complaints.models import (
    BannedReporter,
    Complaint,
    ComplaintEvent,
    EventKind,
    PhotoKind,
    Priority,
    Privacy,
    RejectionReason,
    ResponseTemplate,
    Status,
)
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    ComplaintEventFactory,
    ComplaintFactory,
    ComplaintPhotoFactory,
    RoutingRuleFactory,
)
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.uploads import store_upload
from kotapintar.testing.factories import (
    AgencyFactory,
    AgencyHeadFactory,
    AnalystFactory,
    CitizenFactory,
    CoordinatorFactory,
    DistrictFactory,
    OfficerFactory,
)
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

QUEUE_URL = "/pengaduan/kelola/"


def _detail_url(complaint: Complaint) -> str:
    return reverse("complaints:staff_detail", args=[complaint.reference])


def _action_url(complaint: Complaint, action: str) -> str:
    return reverse("complaints:staff_action", args=[complaint.reference, action])


def _actors(complaint: Complaint) -> Actors:
    actors = Actors.around(citizen=complaint.reporter, agency=complaint.agency)
    return actors.add("coordinator", CoordinatorFactory()).add("analyst", AnalystFactory())


def _client(user=None, *, language: str = "id") -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _png(name: str = "foto.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 10, 10)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _photo(complaint: Complaint, *, kind: str = PhotoKind.REPORT):
    stored = store_upload(
        uploaded_file=_png(), uploaded_by=complaint.reporter, allowed_kinds=frozenset({"image"})
    )
    return ComplaintPhotoFactory(complaint=complaint, file=stored, kind=kind)


# --- URLs and permission matrices ---------------------------------------------------------------


def test_staff_urls_live_under_pengaduan_kelola() -> None:
    assert reverse("complaints:staff_queue") == "/pengaduan/kelola/"
    assert reverse("complaints:staff_dashboard") == "/pengaduan/kelola/dasbor/"
    assert reverse("complaints:staff_export", args=["csv"]) == "/pengaduan/kelola/ekspor.csv"
    assert reverse("complaints:staff_export", args=["xlsx"]) == "/pengaduan/kelola/ekspor.xlsx"
    assert (
        reverse("complaints:staff_detail", args=["ADU-7K3M-Q9XA"])
        == "/pengaduan/kelola/ADU-7K3M-Q9XA/"
    )


def test_queue_is_for_staff_only() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    assert_permission_matrix(
        Client,
        QUEUE_URL,
        "get",
        {
            "anonymous": 302,
            "citizen": 404,
            "other_citizen": 404,
            "officer_other_agency": 200,
            "officer": 200,
            "admin": 200,
            "coordinator": 200,
            "analyst": 200,
        },
        _actors(complaint),
    )


@pytest.mark.parametrize("privacy", [Privacy.PUBLIC, Privacy.ANONYMOUS, Privacy.SECRET])
def test_report_page_is_404_for_everyone_but_staff_handling_it(privacy: str) -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED, privacy=privacy)
    assert_permission_matrix(
        Client,
        _detail_url(complaint),
        "get",
        {
            "anonymous": 302,
            "citizen": 404,  # the reporter uses the citizen pages, not the workspace
            "other_citizen": 404,
            "officer_other_agency": 404,
            "officer": 200,
            "admin": 200,
            "coordinator": 200,
            "analyst": 200,
        },
        _actors(complaint),
    )


def test_unknown_reference_is_404_for_staff() -> None:
    response = _client(CoordinatorFactory()).get("/pengaduan/kelola/ADU-0000-0000/")
    assert response.status_code == 404


def test_verify_matrix_and_denied_actors_change_nothing() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED)
    actors = Actors.around(citizen=complaint.reporter, agency=AgencyFactory())
    actors.add("analyst", AnalystFactory())
    # Denied actors first; the city admin (allowed) last.
    assert_permission_matrix(
        Client,
        _action_url(complaint, "verify"),
        "post",
        {
            "anonymous": 302,
            "citizen": 404,
            "other_citizen": 404,
            "officer_other_agency": 404,
            "officer": 404,  # not disposed to the officer's agency: invisible
            "analyst": 403,  # sees it, but read-only
            "admin": 303,
        },
        actors,
        data={},
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.VERIFIED
    assert list(
        ComplaintEvent.objects.filter(complaint_id=complaint.pk).values_list("to_status", flat=True)
    ) == [Status.VERIFIED]


def test_start_is_for_the_agency_not_for_coordinators_or_other_agencies() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    actors = _actors(complaint)
    assert_permission_matrix(
        Client,
        _action_url(complaint, "start"),
        "post",
        {
            "anonymous": 302,
            "citizen": 404,
            "other_citizen": 404,
            "officer_other_agency": 404,
            "coordinator": 403,
            "analyst": 403,
            "admin": 403,
            "officer": 303,
        },
        actors,
        data={"start-message": "Tim kami meninjau lokasi besok."},
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert ComplaintEvent.objects.filter(complaint_id=complaint.pk).count() >= 1


def test_unknown_action_is_404() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED)
    response = _client(CoordinatorFactory()).post(_action_url(complaint, "terbang"), {})
    assert response.status_code == 404


def test_actions_accept_post_only() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED)
    response = _client(CoordinatorFactory()).get(_action_url(complaint, "verify"))
    assert response.status_code == 405
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


# --- Queue ---------------------------------------------------------------------------------------


def _references(response) -> list[str]:
    return [complaint.reference for complaint, _overdue in response.context["rows"]]


def test_officer_queue_lists_only_their_agency_reports() -> None:
    officer = OfficerFactory()
    mine = ComplaintFactory(status=Status.DISPOSED, agency=officer.agency)
    ComplaintFactory(status=Status.DISPOSED)  # another agency
    ComplaintFactory(status=Status.RECEIVED)  # not disposed yet
    response = _client(officer).get(QUEUE_URL)
    assert response.status_code == 200
    assert _references(response) == [mine.reference]


def test_officer_tabs_split_assigned_to_me_and_unassigned() -> None:
    officer = OfficerFactory()
    colleague = OfficerFactory(agency=officer.agency)
    mine = ComplaintFactory(status=Status.IN_PROGRESS, agency=officer.agency, assigned_to=officer)
    theirs = ComplaintFactory(
        status=Status.IN_PROGRESS, agency=officer.agency, assigned_to=colleague
    )
    nobody = ComplaintFactory(status=Status.DISPOSED, agency=officer.agency)
    client = _client(officer)
    assert _references(client.get(QUEUE_URL, {"tab": "saya"})) == [mine.reference]
    assert _references(client.get(QUEUE_URL, {"tab": "belum"})) == [nobody.reference]
    assert set(_references(client.get(QUEUE_URL, {"tab": "semua"}))) == {
        mine.reference,
        theirs.reference,
        nobody.reference,
    }


def test_coordinator_triage_puts_emergencies_then_overdue_first() -> None:
    now = timezone.now()
    late = ComplaintFactory(
        status=Status.RECEIVED,
        sla_started_at=now - timedelta(days=10),
        sla_due_at=now - timedelta(days=2),
    )
    soon = ComplaintFactory(
        status=Status.RECEIVED, sla_started_at=now, sla_due_at=now + timedelta(days=1)
    )
    later = ComplaintFactory(
        status=Status.VERIFIED, sla_started_at=now, sla_due_at=now + timedelta(days=3)
    )
    emergency = ComplaintFactory(
        status=Status.RECEIVED,
        priority=Priority.EMERGENCY,
        sla_started_at=now,
        sla_due_at=now + timedelta(days=5),
    )
    ComplaintFactory(status=Status.DISPOSED)  # not in triage
    response = _client(CoordinatorFactory()).get(QUEUE_URL)
    assert _references(response) == [
        emergency.reference,
        late.reference,
        soon.reference,
        later.reference,
    ]
    overdue_flags = [overdue for _complaint, overdue in response.context["rows"]]
    assert overdue_flags == [False, True, False, False]
    assert "Terlambat" in response.content.decode() or "Overdue" in response.content.decode()


def test_queue_filters_by_status_category_kecamatan_overdue_and_dates() -> None:
    coordinator = CoordinatorFactory()
    now = timezone.now()
    category = CategoryFactory()
    district = DistrictFactory(code="12.71.02", name="Medan Area")
    target = ComplaintFactory(
        status=Status.DISPOSED,
        category=category,
        district=district,
        village=None,
        submitted_at=now - timedelta(days=3),
        sla_started_at=now - timedelta(days=3),
        sla_due_at=now - timedelta(hours=1),
    )
    ComplaintFactory(status=Status.DISPOSED, category=category)  # other kecamatan
    ComplaintFactory(status=Status.DISPOSED, district=district, village=None)  # other category
    ComplaintFactory(status=Status.RECEIVED, category=category, district=district, village=None)
    client = _client(coordinator)
    base = {"tab": "semua", "category": category.code, "kecamatan": district.code}
    response = client.get(QUEUE_URL, {**base, "status": Status.DISPOSED})
    assert _references(response) == [target.reference]
    response = client.get(QUEUE_URL, {**base, "overdue": "on"})
    assert _references(response) == [target.reference]
    day = timezone.localdate(target.submitted_at)
    response = client.get(QUEUE_URL, {**base, "status": "open", "date_from": day, "date_to": day})
    assert _references(response) == [target.reference]
    later = {"status": Status.DISPOSED, "date_from": day + timedelta(days=1)}
    response = client.get(QUEUE_URL, {**base, **later})
    assert _references(response) == []


def test_queue_pages_by_25() -> None:
    coordinator = CoordinatorFactory()
    for _ in range(27):
        ComplaintFactory(status=Status.RECEIVED)
    client = _client(coordinator)
    first = client.get(QUEUE_URL)
    second = client.get(QUEUE_URL, {"page": 2})
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert set(_references(first)).isdisjoint(_references(second))


def test_queue_query_count_does_not_grow_with_rows(django_assert_max_num_queries) -> None:
    officer = OfficerFactory()
    for index in range(25):
        ComplaintFactory(
            status=Status.IN_PROGRESS,
            agency=officer.agency,
            assigned_to=officer if index % 2 else None,
        )
    client = _client(officer)
    client.get(QUEUE_URL)  # warm caches (session, calendar)
    # session, user, count, page, unread notifications, category and kecamatan choices
    with django_assert_max_num_queries(7):
        response = client.get(QUEUE_URL)
    assert len(response.context["rows"]) == 25


def test_coordinator_queue_query_count_is_bounded(django_assert_max_num_queries) -> None:
    for _ in range(25):
        ComplaintFactory(status=Status.IN_PROGRESS, assigned_to=OfficerFactory())
    client = _client(CoordinatorFactory())
    client.get(QUEUE_URL, {"tab": "semua"})
    with django_assert_max_num_queries(8):  # + the agency choices
        response = client.get(QUEUE_URL, {"tab": "semua"})
    assert len(response.context["rows"]) == 25


def test_queue_rows_show_their_relations_without_a_query_per_row(
    django_assert_max_num_queries,
) -> None:
    """Category, kecamatan and agency come from the configuration memo; an agency missing
    from it (inactive) is read once for the page, not once per row."""
    old_agency = AgencyFactory(is_active=False, name="Dinas Lama")
    complaints = [
        ComplaintFactory(
            status=Status.IN_PROGRESS,
            agency=old_agency if index % 3 == 0 else AgencyFactory(),
            assigned_to=OfficerFactory() if index % 2 else None,
        )
        for index in range(25)
    ]
    client = _client(CoordinatorFactory())
    client.get(QUEUE_URL, {"tab": "semua"})
    with django_assert_max_num_queries(7):  # + the inactive agency, once
        response = client.get(QUEUE_URL, {"tab": "semua"})
    shown = {c.pk: c for c, _overdue in response.context["rows"]}
    assert set(shown) == {c.pk for c in complaints}
    for complaint in complaints:
        row = shown[complaint.pk]
        assert row.category.name == complaint.category.name
        assert row.category.group.name == complaint.category.group.name
        assert row.district.name == complaint.district.name
        assert row.agency.name == complaint.agency.name
        assert (row.assigned_to and row.assigned_to.full_name) == (
            complaint.assigned_to and complaint.assigned_to.full_name
        )
    body = response.content.decode()
    assert body.count("Dinas Lama") == 9


def test_report_page_query_count_is_bounded(django_assert_max_num_queries) -> None:
    """The coordinator's report page with every action form: a fixed number of queries
    (including the audited read of the reporter's contact details)."""
    complaint = ComplaintFactory(status=Status.DISPOSED, agency=AgencyFactory())
    _photo(complaint)
    for _ in range(3):
        ComplaintEventFactory(complaint=complaint)
    client = _client(CoordinatorFactory())
    client.get(_detail_url(complaint))
    before = AuditEntry.objects.filter(action="personal_data.read").count()
    with django_assert_max_num_queries(17):
        response = client.get(_detail_url(complaint))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="personal_data.read").count() == before + 1
    forms = {item["action"] for item in response.context["action_forms"]}
    assert {"transfer", "assign", "redact_photo", "update"} <= forms


def test_queue_escapes_report_titles() -> None:
    officer = OfficerFactory()
    ComplaintFactory(
        status=Status.DISPOSED, agency=officer.agency, title="<script>alert(1)</script>"
    )
    body = _client(officer).get(QUEUE_URL).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- Report page ---------------------------------------------------------------------------------


def _action_names(response) -> list[str]:
    return [item["action"] for item in response.context["action_forms"]]


def test_officer_sees_only_the_actions_allowed_on_a_disposed_report() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    officer = OfficerFactory(agency=complaint.agency)
    response = _client(officer).get(_detail_url(complaint))
    assert _action_names(response) == [
        "return_not_authority",
        "start",
        "update",
        "request_info",
        "note",
    ]


def test_coordinator_sees_triage_and_moderation_actions_on_a_received_report() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED)
    response = _client(CoordinatorFactory()).get(_detail_url(complaint))
    assert _action_names(response) == [
        "verify",
        "reject",
        "dispose",
        "update",
        "request_info",
        "note",
        "hide",
        "redact",
        "privacy",
        "ban",
    ]


def test_analyst_sees_the_report_without_any_action_form() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    response = _client(AnalystFactory()).get(_detail_url(complaint))
    assert response.status_code == 200
    assert _action_names(response) == []


def test_dispose_form_defaults_to_the_routed_agency() -> None:
    agency = AgencyFactory(name="Dinas Sumber Daya Air")
    category = CategoryFactory()
    RoutingRuleFactory(category=category, agency=agency)
    complaint = ComplaintFactory(status=Status.VERIFIED, category=category)
    response = _client(CoordinatorFactory()).get(_detail_url(complaint))
    forms = {item["action"]: item["form"] for item in response.context["action_forms"]}
    assert forms["dispose"]["agency"].value() == agency.code


def test_anonymous_reporter_is_hidden_from_agency_officers() -> None:
    reporter = CitizenFactory(full_name="Rahmat Hidayat Siregar")
    complaint = ComplaintFactory(
        status=Status.DISPOSED, privacy=Privacy.ANONYMOUS, reporter=reporter
    )
    officer = OfficerFactory(agency=complaint.agency)
    body = _client(officer).get(_detail_url(complaint)).content.decode()
    assert "Rahmat" not in body
    assert "Siregar" not in body


@pytest.mark.parametrize("privacy", [Privacy.ANONYMOUS, Privacy.SECRET])
def test_coordinator_sees_a_hidden_identity_and_the_view_is_audited(privacy: str) -> None:
    reporter = CitizenFactory(full_name="Rahmat Hidayat Siregar")
    complaint = ComplaintFactory(status=Status.RECEIVED, privacy=privacy, reporter=reporter)
    coordinator = CoordinatorFactory()
    body = _client(coordinator).get(_detail_url(complaint)).content.decode()
    assert "Rahmat Hidayat Siregar" in body
    assert AuditEntry.objects.filter(
        action="personal_data.read", actor_id=coordinator.pk, object_id=str(complaint.pk)
    ).exists()


def test_secret_report_photos_are_hidden_from_agency_officers() -> None:
    complaint = ComplaintFactory(status=Status.IN_PROGRESS, privacy=Privacy.SECRET)
    report_photo = _photo(complaint)
    officer = OfficerFactory(agency=complaint.agency)
    response = _client(officer).get(_detail_url(complaint))
    assert response.context["photos"] == []
    report_url = reverse("core:file", args=[report_photo.file_id])
    assert _client(officer).get(report_url).status_code == 404
    coordinator = CoordinatorFactory()
    response = _client(coordinator).get(_detail_url(complaint))
    assert response.context["photos"] == [report_photo]
    assert _client(coordinator).get(report_url).status_code == 200


def test_photos_of_a_hidden_report_are_404_for_officers_of_another_agency() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED, is_hidden=True)
    photo = _photo(complaint)
    url = reverse("core:file", args=[photo.file_id])
    assert _client(OfficerFactory()).get(url).status_code == 404
    assert _client(OfficerFactory(agency=complaint.agency)).get(url).status_code == 200


def test_internal_notes_are_marked_on_the_timeline() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    ComplaintEventFactory(
        complaint=complaint,
        kind=EventKind.NOTE,
        is_public=False,
        message="Cek dengan kepala seksi.",
    )
    body = _client(OfficerFactory(agency=complaint.agency)).get(_detail_url(complaint)).content
    text = body.decode()
    assert "Cek dengan kepala seksi." in text
    assert 'class="timeline-internal"' in text


# --- Actions -------------------------------------------------------------------------------------


def test_reject_as_duplicate_links_the_original() -> None:
    original = ComplaintFactory(status=Status.DISPOSED)
    complaint = ComplaintFactory(status=Status.RECEIVED)
    response = _client(CoordinatorFactory()).post(
        _action_url(complaint, "reject"),
        {
            "reject-reason": RejectionReason.DUPLICATE,
            "reject-note": "Sudah dilaporkan.",
            "reject-duplicate_of": original.reference.lower(),
        },
    )
    assert response.status_code == 303
    complaint.refresh_from_db()
    assert complaint.status == Status.REJECTED
    assert complaint.duplicate_of == original


def test_reject_with_an_unknown_original_shows_an_error_and_changes_nothing() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED)
    response = _client(CoordinatorFactory(), language="en").post(
        _action_url(complaint, "reject"),
        {
            "reject-reason": RejectionReason.DUPLICATE,
            "reject-note": "",
            "reject-duplicate_of": "ADU-ZZZZ-ZZZZ",
        },
    )
    assert response.status_code == 200
    assert "No report with this reference number." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert not ComplaintEvent.objects.filter(complaint_id=complaint.pk).exists()


def test_resolve_without_a_required_after_photo_is_refused_and_changes_nothing() -> None:
    complaint = ComplaintFactory(
        status=Status.IN_PROGRESS, category=CategoryFactory(requires_after_photo=True)
    )
    officer = OfficerFactory(agency=complaint.agency)
    response = _client(officer).post(
        _action_url(complaint, "resolve"), {"resolve-response": "Sudah ditambal."}
    )
    assert response.status_code == 200
    opened = [item for item in response.context["action_forms"] if item["open"]]
    assert opened[0]["form"].errors == {"after_photo": ["Bidang ini harus diisi."]}
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert complaint.resolved_at is None


def test_resolve_with_an_after_photo_stores_it() -> None:
    complaint = ComplaintFactory(
        status=Status.IN_PROGRESS, category=CategoryFactory(requires_after_photo=True)
    )
    officer = OfficerFactory(agency=complaint.agency)
    response = _client(officer).post(
        _action_url(complaint, "resolve"),
        {"resolve-response": "Sudah ditambal.", "resolve-after_photo": _png("sesudah.png")},
    )
    assert response.status_code == 303
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert list(complaint.photos.values_list("kind", flat=True)) == [PhotoKind.AFTER]


def test_service_errors_are_shown_on_the_form_and_change_nothing() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED)
    response = _client(CoordinatorFactory(), language="en").post(
        _action_url(complaint, "reject"),
        {"reject-reason": RejectionReason.NOT_AUTHORITY, "reject-note": "  "},
    )
    assert response.status_code == 200
    opened = [item for item in response.context["action_forms"] if item["open"]]
    assert [item["action"] for item in opened] == ["reject"]
    assert opened[0]["form"].non_field_errors() == ["The explanation must not be empty."]
    assert "The explanation must not be empty." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert not ComplaintEvent.objects.filter(complaint_id=complaint.pk).exists()


def test_form_errors_are_in_indonesian_by_default() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    officer = OfficerFactory(agency=complaint.agency)
    response = _client(officer).post(
        _action_url(complaint, "return_not_authority"), {"return_not_authority-reason": "   "}
    )
    assert response.status_code == 200
    opened = [item for item in response.context["action_forms"] if item["open"]]
    assert opened[0]["form"].errors == {"reason": ["Bidang ini harus diisi."]}
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPOSED


def test_update_with_only_a_template_posts_the_template_text() -> None:
    complaint = ComplaintFactory(status=Status.IN_PROGRESS)
    template = ResponseTemplate.objects.create(
        title="Survei lokasi", body="Petugas akan meninjau lokasi dalam 2 hari kerja."
    )
    officer = OfficerFactory(agency=complaint.agency)
    response = _client(officer).post(
        _action_url(complaint, "update"), {"update-template": template.pk, "update-message": ""}
    )
    assert response.status_code == 303
    event = ComplaintEvent.objects.get(complaint_id=complaint.pk, kind=EventKind.UPDATE)
    assert event.message == "Petugas akan meninjau lokasi dalam 2 hari kerja."
    assert event.is_public is True


def test_internal_note_is_not_public() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    officer = OfficerFactory(agency=complaint.agency)
    response = _client(officer).post(
        _action_url(complaint, "note"), {"note-text": "Koordinasi dengan kelurahan."}
    )
    assert response.status_code == 303
    event = ComplaintEvent.objects.get(complaint_id=complaint.pk, kind=EventKind.NOTE)
    assert event.is_public is False


def test_transfer_away_returns_the_agency_head_to_the_queue() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    head = AgencyHeadFactory(agency=complaint.agency)
    other = AgencyFactory()
    response = _client(head).post(
        _action_url(complaint, "transfer"),
        {"transfer-agency": other.code, "transfer-reason": "Saluran air wewenang dinas lain."},
    )
    assert response.status_code == 303
    assert response["Location"] == QUEUE_URL
    complaint.refresh_from_db()
    assert complaint.agency == other


def test_htmx_transfer_away_asks_the_browser_to_load_the_queue() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    head = AgencyHeadFactory(agency=complaint.agency)
    response = _client(head).post(
        _action_url(complaint, "transfer"),
        {"transfer-agency": AgencyFactory().code, "transfer-reason": "Bukan bidang kami."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == QUEUE_URL


def test_agency_head_assigns_an_officer_of_the_agency() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    head = AgencyHeadFactory(agency=complaint.agency)
    officer = OfficerFactory(agency=complaint.agency)
    outsider = OfficerFactory()
    client = _client(head)
    response = client.post(_action_url(complaint, "assign"), {"assign-officer": outsider.pk})
    assert response.status_code == 200  # not a choice: form error
    complaint.refresh_from_db()
    assert complaint.assigned_to is None
    response = client.post(_action_url(complaint, "assign"), {"assign-officer": officer.pk})
    assert response.status_code == 303
    complaint.refresh_from_db()
    assert complaint.assigned_to == officer


def test_officer_cannot_hide_a_report() -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    officer = OfficerFactory(agency=complaint.agency)
    response = _client(officer).post(_action_url(complaint, "hide"), {"hide-reason": "Fitnah"})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.is_hidden is False


def test_coordinator_hides_and_bans_the_reporter() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED)
    client = _client(CoordinatorFactory())
    response = client.post(_action_url(complaint, "hide"), {"hide-reason": "Berisi fitnah."})
    assert response.status_code == 303
    response = client.post(_action_url(complaint, "ban"), {"ban-reason": "Spam berulang."})
    assert response.status_code == 303
    complaint.refresh_from_db()
    assert complaint.is_hidden is True
    assert BannedReporter.objects.filter(user_id=complaint.reporter_id).exists()
    response = client.get(_detail_url(complaint))
    assert "ban" not in _action_names(response)
    assert "unhide" in _action_names(response)


def test_coordinator_makes_a_report_secret() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED, privacy=Privacy.PUBLIC)
    response = _client(CoordinatorFactory()).post(
        _action_url(complaint, "privacy"),
        {"privacy-privacy": Privacy.SECRET, "privacy-reason": "Menyebut nama pihak ketiga."},
    )
    assert response.status_code == 303
    complaint.refresh_from_db()
    assert complaint.privacy == Privacy.SECRET


def test_file_policy_follows_the_complaint_and_photo_visibility() -> None:
    from kotapintar.complaints.selectors import photo_file_visible

    complaint = ComplaintFactory(status=Status.DISPOSED, privacy=Privacy.SECRET)
    photo = _photo(complaint)
    officer = OfficerFactory(agency=complaint.agency)
    assert photo_file_visible(CoordinatorFactory(), photo.file) is True
    assert photo_file_visible(officer, photo.file) is False  # rahasia: no photos for the OPD
    assert photo_file_visible(OfficerFactory(), photo.file) is False
    assert photo_file_visible(complaint.reporter, photo.file) is True  # the reporter's own
    hidden = ComplaintFactory(status=Status.DISPOSED, is_hidden=True)
    hidden_photo = _photo(hidden)
    assert photo_file_visible(OfficerFactory(agency=hidden.agency), hidden_photo.file)
    assert not photo_file_visible(OfficerFactory(), hidden_photo.file)
    assert not photo_file_visible(None, hidden_photo.file)


def test_coordinator_disposes_to_the_chosen_agency() -> None:
    complaint = ComplaintFactory(status=Status.VERIFIED)
    agency = AgencyFactory()
    response = _client(CoordinatorFactory()).post(
        _action_url(complaint, "dispose"), {"dispose-agency": agency.code, "dispose-note": ""}
    )
    assert response.status_code == 303
    assert response["Location"] == _detail_url(complaint)
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPOSED
    assert complaint.agency == agency


def test_request_info_waits_on_the_citizen_and_is_not_offered_twice() -> None:
    complaint = ComplaintFactory(status=Status.IN_PROGRESS)
    officer = OfficerFactory(agency=complaint.agency)
    client = _client(officer)
    response = client.post(
        _action_url(complaint, "request_info"),
        {"request_info-question": "Di depan nomor rumah berapa?"},
    )
    assert response.status_code == 303
    complaint.refresh_from_db()
    assert complaint.waiting_on_citizen is True
    assert "request_info" not in _action_names(client.get(_detail_url(complaint)))
    response = client.post(
        _action_url(complaint, "request_info"), {"request_info-question": "Lagi?"}
    )
    assert response.status_code == 403


def test_redacting_a_title_keeps_the_original_for_audit() -> None:
    complaint = ComplaintFactory(status=Status.RECEIVED, title="Pak Budi 0812345678 korupsi")
    response = _client(CoordinatorFactory()).post(
        _action_url(complaint, "redact"),
        {
            "redact-field": "title",
            "redact-new_text": "Dugaan pungutan liar",
            "redact-reason": "Data pribadi",
        },
    )
    assert response.status_code == 303
    complaint.refresh_from_db()
    assert complaint.title == "Dugaan pungutan liar"
    assert complaint.redactions.get().original_text == "Pak Budi 0812345678 korupsi"


def test_coordinator_rejects_a_resolution_then_closes_another() -> None:
    coordinator = CoordinatorFactory()
    client = _client(coordinator)
    weak = ComplaintFactory(status=Status.RESOLVED)
    response = client.post(
        _action_url(weak, "reject_resolution"),
        {"reject_resolution-reason": "Foto sesudah tidak menunjukkan perbaikan."},
    )
    assert response.status_code == 303
    weak.refresh_from_db()
    assert weak.status == Status.IN_PROGRESS
    done = ComplaintFactory(status=Status.RESOLVED)
    assert client.post(_action_url(done, "close"), {}).status_code == 303
    done.refresh_from_db()
    assert done.status == Status.CLOSED


def test_staff_see_the_questions_and_answer_labels_not_codes() -> None:
    from kotapintar.complaints.models import QuestionType
    from kotapintar.complaints.tests.factories import (
        CategoryQuestionFactory,
        QuestionOptionFactory,
    )

    category = CategoryFactory()
    question = CategoryQuestionFactory(
        category=category,
        code="ukuran-lubang",
        prompt="Seberapa besar lubangnya?",
        datatype=QuestionType.SINGLE,
    )
    QuestionOptionFactory(question=question, key="besar", name="Lebih besar dari ban motor")
    complaint = ComplaintFactory(
        category=category, status=Status.RECEIVED, answers={"ukuran-lubang": "besar"}
    )

    html = _client(CoordinatorFactory()).get(_detail_url(complaint)).content.decode()

    assert "Seberapa besar lubangnya?" in html
    assert "Lebih besar dari ban motor" in html
    assert "ukuran-lubang" not in html


def test_queue_pages_follow_the_urgency_order_with_their_related_names() -> None:
    """Ids are paged first, then the page's rows read with their names: the order survives."""
    agency = AgencyFactory()
    now = timezone.now()
    normal = ComplaintFactory(status=Status.RECEIVED, agency=agency)
    normal.sla_due_at = now + timedelta(days=3)
    normal.save()
    overdue = ComplaintFactory(status=Status.RECEIVED, agency=agency)
    overdue.sla_started_at = now - timedelta(days=4)
    overdue.sla_due_at = now - timedelta(days=1)
    overdue.save()
    emergency = ComplaintFactory(status=Status.RECEIVED, priority=Priority.EMERGENCY)
    no_clock = ComplaintFactory(status=Status.VERIFIED)
    no_clock.sla_due_at = None
    no_clock.save()
    response = _client(CoordinatorFactory()).get(QUEUE_URL)
    assert _references(response) == [
        emergency.reference,
        overdue.reference,
        normal.reference,
        no_clock.reference,
    ]
    rows = response.context["rows"]
    assert [is_overdue for _c, is_overdue in rows] == [False, True, False, False]
    assert rows[1][0].agency.name == agency.name
    assert response.context["page_obj"].paginator.count == 4


def test_overdue_filter_newest_first_lists_exactly_the_overdue_open_reports() -> None:
    now = timezone.now()
    expected: list[str] = []
    for days in (5, 3, 1):
        c = ComplaintFactory(status=Status.DISPOSED, submitted_at=now - timedelta(days=days))
        c.sla_started_at = c.submitted_at
        c.sla_due_at = now - timedelta(hours=days)
        c.save()
        expected.insert(0, c.reference)
    on_time = ComplaintFactory(status=Status.DISPOSED)
    on_time.sla_due_at = now + timedelta(days=1)
    on_time.save()
    paused = ComplaintFactory(status=Status.DISPOSED)
    paused.sla_started_at = now - timedelta(days=3)
    paused.sla_due_at = now - timedelta(days=1)
    paused.sla_paused_at = now - timedelta(days=2)
    paused.save()
    response = _client(CoordinatorFactory()).get(
        QUEUE_URL, {"tab": "semua", "status": "open", "overdue": "on"}
    )
    assert _references(response) == expected
    assert response.context["page_obj"].paginator.count == 3


def test_a_long_queue_count_is_reused_for_a_minute_and_a_short_one_never(monkeypatch) -> None:
    from kotapintar.complaints import views_staff

    for _ in range(3):
        ComplaintFactory(status=Status.DISPOSED)
    client = _client(CoordinatorFactory())

    def count(params: dict[str, str]) -> int:
        return client.get(QUEUE_URL, params).context["page_obj"].paginator.count

    assert count({"tab": "semua"}) == 3
    ComplaintFactory(status=Status.DISPOSED)
    assert count({"tab": "semua"}) == 4  # below the threshold: counted every time
    monkeypatch.setattr(views_staff, "QUEUE_COUNT_CACHE_THRESHOLD", 4)
    assert count({"tab": "semua"}) == 4
    ComplaintFactory(status=Status.DISPOSED)
    assert count({"tab": "semua"}) == 4  # the long list's total, a minute old at most
    assert count({"tab": "semua", "page": "1", "sort": "oldest"}) == 4  # same list
    assert count({"tab": "semua", "status": "open"}) == 5  # another list: counted
