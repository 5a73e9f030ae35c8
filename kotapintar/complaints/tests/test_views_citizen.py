"""The citizen's report form, confirmation, own reports, and actions on the report page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kotapintar.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    EventKind,
    Privacy,
    QuestionType,
    Status,
)
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    CategoryQuestionFactory,
    ComplaintFactory,
    EmergencyCategoryFactory,
    QuestionOptionFactory,
    fake_jpeg_upload,
    jpeg_upload,
)
from kotapintar.core.models.files import StoredFile
from kotapintar.testing.factories import CitizenFactory, CityBoundaryFactory, VillageFactory

pytestmark = pytest.mark.django_db

KUALANAMU = (3.6422, 98.8853)


@pytest.fixture(autouse=True)
def _city(settings: Any, tmp_path: Path) -> None:
    CityBoundaryFactory.create()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def citizen_client(client: Client) -> Client:
    client.force_login(CitizenFactory.create(full_name="Rina Sihombing"))
    return client


def _data(category: Any, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "idempotency_key": "kunci-1",
        "category": category.code,
        "questions_for": category.code,
        "title": "Jalan berlubang di depan sekolah",
        "description": "Lubang sedalam 20 cm, sudah dua motor jatuh.",
        "privacy": "publik",
        "latitude": "3.5952",
        "longitude": "98.6722",
        "address": "Jl. Sisingamangaraja",
        "kecamatan": "",
        "kelurahan": "",
    }
    data.update(overrides)
    return data


def _stored() -> tuple[int, int, int, int]:
    return (
        Complaint.objects.count(),
        ComplaintEvent.objects.count(),
        ComplaintPhoto.objects.count(),
        StoredFile.objects.count(),
    )


def _codes(response: Any, field: str | None) -> list[str]:
    errors = response.context["form"].errors.as_data()
    return [error.code for error in errors.get(field or "__all__", [])]


# --- The form pages ----------------------------------------------------------------------------


def test_report_form_needs_login(client: Client) -> None:
    response = client.get(reverse("complaints:report"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_report_starts_with_the_category_step_without_javascript(citizen_client: Client) -> None:
    category = CategoryFactory.create(name="Jalan rusak")
    response = citizen_client.get(reverse("complaints:report"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "complaints/citizen/report_category.html"
    assert f'<optgroup label="{category.group.name}">' in html
    assert 'href="tel:112"' in html


def test_report_form_renders_the_category_questions_and_a_fresh_idempotency_key(
    citizen_client: Client,
) -> None:
    category = CategoryFactory.create()
    question = CategoryQuestionFactory.create(
        category=category, prompt="Seberapa dalam lubangnya?", required=True
    )
    url = reverse("complaints:report") + f"?kategori={category.code}"

    first = citizen_client.get(url)
    second = citizen_client.get(url)

    html = first.content.decode()
    assert "Seberapa dalam lubangnya?" in html
    assert f'name="q_{question.code}"' in html
    assert f'name="questions_for" value="{category.code}"' in html
    key1 = first.context["form"]["idempotency_key"].value()
    key2 = second.context["form"]["idempotency_key"].value()
    assert len(key1) == 32
    assert key1 != key2
    assert 'maxlength="4000"' in html


def test_questions_fragment_follows_the_category_for_htmx(client: Client) -> None:
    category = CategoryFactory.create()
    CategoryQuestionFactory.create(category=category, prompt="Sejak kapan?")
    response = client.get(
        reverse("complaints:report_questions"), {"category": category.code}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="category-questions"')
    assert "Sejak kapan?" in html


def test_emergency_category_shows_112_and_110_prominently(citizen_client: Client) -> None:
    category = EmergencyCategoryFactory.create()
    response = citizen_client.get(reverse("complaints:report") + f"?kategori={category.code}")
    html = response.content.decode()
    assert 'href="tel:112"' in html
    assert 'href="tel:110"' in html
    assert 'class="emergency" role="alert"' in html


# --- Submitting --------------------------------------------------------------------------------


def test_valid_report_is_stored_and_the_confirmation_shows_the_reference(
    citizen_client: Client,
) -> None:
    category = CategoryFactory.create()
    village = VillageFactory.create()

    response = citizen_client.post(
        reverse("complaints:report"),
        _data(
            category,
            kecamatan=village.district_id,
            kelurahan=village.code,
            photos=[jpeg_upload("a.jpg"), jpeg_upload("b.jpg")],
        ),
    )

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/pengaduan/{complaint.reference}/terkirim/"
    assert complaint.title == "Jalan berlubang di depan sekolah"
    assert complaint.village == village
    assert complaint.privacy == Privacy.PUBLIC
    assert complaint.idempotency_key == "kunci-1"
    assert complaint.photos.count() == 2
    done = citizen_client.get(response["Location"])
    assert done.status_code == 200
    assert '<p class="reference-big"' in done.content.decode()
    assert complaint.reference in done.content.decode()


def test_double_post_with_the_same_key_creates_one_report(citizen_client: Client) -> None:
    category = CategoryFactory.create()
    first = citizen_client.post(reverse("complaints:report"), _data(category))
    second = citizen_client.post(reverse("complaints:report"), _data(category))
    assert Complaint.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_answers_are_stored_and_a_blocking_answer_stops_the_report(
    citizen_client: Client,
) -> None:
    category = EmergencyCategoryFactory.create()
    question = CategoryQuestionFactory.create(
        category=category,
        datatype=QuestionType.SINGLE,
        required=True,
        prompt="Ada orang dalam bahaya?",
    )
    QuestionOptionFactory.create(
        question=question,
        key="ya",
        name="Ya",
        blocks_submission=True,
        blocking_message="Segera hubungi 112!",
    )
    QuestionOptionFactory.create(question=question, key="tidak", name="Tidak")

    blocked = citizen_client.post(
        reverse("complaints:report"), _data(category, **{f"q_{question.code}": "ya"})
    )

    html = blocked.content.decode()
    assert blocked.status_code == 200
    assert _codes(blocked, f"q_{question.code}") == ["blocked"]
    assert "Segera hubungi 112!" in html
    assert 'href="tel:112"' in html
    assert _stored() == (0, 0, 0, 0)

    ok = citizen_client.post(
        reverse("complaints:report"), _data(category, **{f"q_{question.code}": "tidak"})
    )
    assert ok.status_code == 302
    assert Complaint.objects.get().answers == {question.code: "tidak"}


def test_changing_the_category_without_javascript_asks_for_the_new_questions(
    citizen_client: Client,
) -> None:
    old = CategoryFactory.create()
    new = CategoryFactory.create()
    CategoryQuestionFactory.create(category=new, prompt="Pertanyaan baru?")

    response = citizen_client.post(reverse("complaints:report"), _data(new, questions_for=old.code))

    assert _codes(response, "category") == ["category_changed"]
    assert "Pertanyaan baru?" in response.content.decode()
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"title": ""}, "title", "required"),
        ({"title": "   "}, "title", "required"),
        ({"title": "warga@contoh.id"}, "title", "title_personal_data"),
        ({"title": "0812 3456 7890"}, "title", "title_personal_data"),
        ({"description": "x" * 4001}, "description", "max_length"),
        (
            {"latitude": str(KUALANAMU[0]), "longitude": str(KUALANAMU[1])},
            "latitude",
            "outside_city",
        ),
        ({"latitude": "0", "longitude": "0"}, "latitude", "outside_city"),
        ({"latitude": "91", "longitude": "98.6722"}, "latitude", "invalid_location"),
        ({"latitude": "98.6722", "longitude": "3.5952"}, "latitude", "swapped_coordinates"),
        ({"longitude": ""}, "longitude", "required"),
        ({"latitude": "abc"}, "latitude", "invalid"),
        ({"category": "tidak-ada"}, "category", "invalid_choice"),
        ({"privacy": "semua"}, "privacy", "invalid_choice"),
    ],
    ids=[
        "empty-title",
        "blank-title",
        "email-title",
        "phone-title",
        "description-4001",
        "kualanamu",
        "zero-zero",
        "lat-91",
        "swapped",
        "lat-without-long",
        "not-a-number",
        "unknown-category",
        "unknown-privacy",
    ],
)
def test_bad_input_shows_the_error_at_the_field_and_stores_nothing(
    citizen_client: Client, overrides: dict[str, Any], field: str, code: str
) -> None:
    category = CategoryFactory.create()
    response = citizen_client.post(reverse("complaints:report"), _data(category, **overrides))
    assert response.status_code == 200
    assert code in _codes(response, field)
    assert _stored() == (0, 0, 0, 0)


def test_required_field_message_is_in_indonesian(citizen_client: Client) -> None:
    category = CategoryFactory.create()
    response = citizen_client.post(reverse("complaints:report"), _data(category, title=""))
    assert "Bidang ini harus diisi." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_description_of_exactly_4000_characters_is_accepted(citizen_client: Client) -> None:
    category = CategoryFactory.create()
    response = citizen_client.post(
        reverse("complaints:report"), _data(category, description="x" * 4000)
    )
    assert response.status_code == 302
    assert len(Complaint.objects.get().description) == 4000


def test_too_many_photos_and_non_images_are_refused_and_nothing_is_stored(
    citizen_client: Client,
) -> None:
    category = CategoryFactory.create()
    four = citizen_client.post(
        reverse("complaints:report"),
        _data(category, photos=[jpeg_upload(f"{n}.jpg") for n in range(4)]),
    )
    fake = citizen_client.post(
        reverse("complaints:report"), _data(category, photos=[fake_jpeg_upload()])
    )
    assert _codes(four, "photos") == ["too_many_photos"]
    assert len(_codes(fake, "photos")) == 1
    assert _stored() == (0, 0, 0, 0)


def test_rate_limited_submission_answers_429_and_stores_nothing(
    citizen_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kotapintar.complaints import services

    monkeypatch.setattr(services, "complaint_submission_allowed", lambda **kwargs: False)
    response = citizen_client.post(reverse("complaints:report"), _data(CategoryFactory.create()))
    assert response.status_code == 429
    assert Complaint.objects.count() == 0


# --- Nearby duplicates -------------------------------------------------------------------------


def test_nearby_open_report_is_offered_before_the_final_submit(citizen_client: Client) -> None:
    category = CategoryFactory.create()
    existing = ComplaintFactory.create(category=category, latitude=3.5953, longitude=98.6723)

    first = citizen_client.post(reverse("complaints:report"), _data(category))

    html = first.content.decode()
    assert first.status_code == 200
    assert [c.reference for c in first.context["nearby"]] == [existing.reference]
    assert f'formaction="/pengaduan/{existing.reference}/dukung/"' in html
    assert 'name="nearby_seen" value="True"' in html
    assert Complaint.objects.count() == 1

    second = citizen_client.post(reverse("complaints:report"), _data(category, nearby_seen="True"))
    assert second.status_code == 302
    assert Complaint.objects.count() == 2


def test_supporting_a_nearby_report_instead_creates_no_new_report(citizen_client: Client) -> None:
    category = CategoryFactory.create()
    existing = ComplaintFactory.create(category=category)

    response = citizen_client.post(
        reverse("complaints:follow", args=[existing.reference]), _data(category)
    )

    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.supporter_count == 1
    assert Complaint.objects.count() == 1


def test_nearby_fragment_lists_open_public_reports_of_the_category(citizen_client: Client) -> None:
    category = CategoryFactory.create()
    near = ComplaintFactory.create(category=category)
    ComplaintFactory.create(category=category, privacy=Privacy.SECRET)
    ComplaintFactory.create(category=category, status=Status.CLOSED)
    ComplaintFactory.create(category=category, submitted_at=timezone.now() - timedelta(days=31))
    ComplaintFactory.create()  # another category

    response = citizen_client.get(
        reverse("complaints:report_nearby"),
        {"category": category.code, "latitude": "3.5952", "longitude": "98.6722"},
    )

    assert [c.reference for c in response.context["nearby"]] == [near.reference]


# --- Confirmation and own reports --------------------------------------------------------------


def test_confirmation_page_is_only_for_the_reporter(client: Client) -> None:
    complaint = ComplaintFactory.create()
    client.force_login(CitizenFactory.create())
    url = reverse("complaints:report_done", args=[complaint.reference])
    assert client.get(url).status_code == 404
    client.force_login(complaint.reporter)
    assert client.get(url).status_code == 200


def test_my_reports_lists_only_own_reports_with_bounded_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    citizen = CitizenFactory.create()
    for _ in range(5):
        ComplaintFactory.create(reporter=citizen)
    secret = ComplaintFactory.create(reporter=citizen, privacy=Privacy.SECRET)
    ComplaintFactory.create()
    client.force_login(citizen)
    client.get(reverse("complaints:my_reports"))

    with django_assert_max_num_queries(8):
        response = client.get(reverse("complaints:my_reports"))

    references = [c.reference for c in response.context["page"].object_list]
    assert len(references) == 6
    assert secret.reference in references


# --- Actions of the reporter -------------------------------------------------------------------


def test_reporter_adds_information_while_the_report_is_open(client: Client) -> None:
    complaint = ComplaintFactory.create(status=Status.IN_PROGRESS)
    client.force_login(complaint.reporter)

    response = client.post(
        reverse("complaints:add_info", args=[complaint.reference]),
        {"text": "Lubangnya makin besar.", "photos": [jpeg_upload()]},
    )

    assert response.status_code == 302
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.INFO_ADDED)
    assert event.message == "Lubangnya makin besar."
    assert complaint.photos.count() == 1


def test_other_citizen_cannot_add_information_and_nothing_changes(client: Client) -> None:
    complaint = ComplaintFactory.create(status=Status.IN_PROGRESS)
    client.force_login(CitizenFactory.create())
    response = client.post(
        reverse("complaints:add_info", args=[complaint.reference]), {"text": "Iseng."}
    )
    assert response.status_code == 404
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == 0


def test_reporter_confirms_fixed_and_rates_after_resolution(client: Client) -> None:
    complaint = ComplaintFactory.create(status=Status.RESOLVED)
    client.force_login(complaint.reporter)
    page = client.get(reverse("complaints:public_detail", args=[complaint.reference]))
    assert page.context["can_confirm"] is True
    assert page.context["can_rate"] is True

    confirmed = client.post(
        reverse("complaints:confirm_fixed", args=[complaint.reference]), {"fixed": "ya"}
    )
    rated = client.post(
        reverse("complaints:rate", args=[complaint.reference]),
        {"rating": "5", "comment": "Cepat sekali."},
    )

    assert confirmed.status_code == 302
    assert rated.status_code == 302
    complaint.refresh_from_db()
    assert complaint.citizen_confirmed_fixed is True
    assert complaint.status == Status.CLOSED
    assert complaint.rating == 5
    assert complaint.rating_comment == "Cepat sekali."


def test_not_fixed_within_the_window_reopens_the_report(client: Client) -> None:
    complaint = ComplaintFactory.create(status=Status.RESOLVED)
    client.force_login(complaint.reporter)
    client.post(reverse("complaints:confirm_fixed", args=[complaint.reference]), {"fixed": "tidak"})
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert complaint.citizen_confirmed_fixed is False


def test_rating_out_of_range_is_refused_and_nothing_changes(client: Client) -> None:
    complaint = ComplaintFactory.create(status=Status.RESOLVED)
    client.force_login(complaint.reporter)
    response = client.post(reverse("complaints:rate", args=[complaint.reference]), {"rating": "9"})
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.rating is None


def test_confirming_an_open_report_is_refused(client: Client) -> None:
    complaint = ComplaintFactory.create(status=Status.IN_PROGRESS)
    client.force_login(complaint.reporter)
    response = client.post(
        reverse("complaints:confirm_fixed", args=[complaint.reference]), {"fixed": "ya"}
    )
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert complaint.citizen_confirmed_fixed is None


def test_only_questions_with_a_blocking_answer_reload_the_question_block(client: Client) -> None:
    from kotapintar.complaints.models import QuestionType
    from kotapintar.complaints.tests.factories import (
        CategoryFactory,
        CategoryQuestionFactory,
        QuestionOptionFactory,
    )

    category = CategoryFactory()
    size = CategoryQuestionFactory(category=category, code="ukuran", datatype=QuestionType.SINGLE)
    QuestionOptionFactory(question=size, key="besar")
    danger = CategoryQuestionFactory(category=category, code="bahaya", datatype=QuestionType.SINGLE)
    QuestionOptionFactory(question=danger, key="ya", blocks_submission=True)

    response = client.get(
        reverse("complaints:report_questions"), {"category": category.code}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    # One reload trigger, on the question whose answer can stop the report; typing elsewhere is
    # never overwritten by a reload in flight.
    assert html.count("hx-get=") == 1
    assert html.index("hx-get=") > html.index("ukuran")


def test_reporter_answers_is_it_fixed_first_and_then_rates(client: Client) -> None:
    from kotapintar.complaints import services
    from kotapintar.complaints.models import Status
    from kotapintar.complaints.tests.factories import ComplaintFactory

    citizen = CitizenFactory.create()
    complaint = ComplaintFactory.create(reporter=citizen, status=Status.RESOLVED)
    client.force_login(citizen)
    url = reverse("complaints:public_detail", args=[complaint.reference])

    first = client.get(url).content.decode()
    assert 'id="confirm-heading"' in first
    assert 'id="rating-heading"' not in first

    services.complaint_confirm(complaint=complaint, reporter=citizen, fixed=True)
    second = client.get(url).content.decode()
    assert 'id="confirm-heading"' not in second
    assert 'id="rating-heading"' in second
