"""The complaints journey of issue 3's "Done when", in a real browser.

A citizen on a phone reports a pothole with a photo and a map pin; a coordinator verifies it and
sends it to the routed OPD; an officer of that OPD starts work and resolves it with an after-photo;
the citizen confirms it is fixed and rates it; the public report page shows the timeline without
internal notes. The reporter's e-mail address and phone number never appear on a citizen or
public page. Screenshots at 390 px width go to ``/tmp/kp-shots/`` for a visual check.
"""

from __future__ import annotations

import re
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from PIL import Image, ImageDraw

from kotapintar.agencies.models import Agency
from kotapintar.complaints import services
from kotapintar.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    EventKind,
    PhotoKind,
    Status,
)
from kotapintar.core.audit import audit_entries_for_object
from kotapintar.testing.factories import (
    DEFAULT_PASSWORD,
    CoordinatorFactory,
    OfficerFactory,
    UserFactory,
)

SHOTS = Path(tempfile.gettempdir()) / "kp-shots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# Medan's centre (the map's starting view), inside the city.
MEDAN = {"latitude": 3.5952, "longitude": 98.6722}

CITIZEN_EMAIL = "rina.siregar@contoh.id"
CITIZEN_PHONE = "081234567890"
TITLE = "Lubang besar di depan Pasar Petisah"
DESCRIPTION = "Lubang sekitar satu meter di lajur kiri, sudah dua minggu.\nBerbahaya malam hari."
INTERNAL_NOTE = "Catatan internal: anggaran tambal sulam cukup"
FIRST_RESPONSE = "Tim kami akan meninjau lokasi besok pagi."
RESPONSE = "Lubang sudah ditambal dengan aspal hotmix pada hari ini."
RATING_COMMENT = "Cepat dan rapi, terima kasih."
REFERENCE = re.compile(r"ADU-[0-9A-Z]{4}-[0-9A-Z]{4}")


def _jpeg(path: Path, colour: str) -> Path:
    """A small real JPEG (a road with a dark patch)."""
    image = Image.new("RGB", (320, 240), "#7d7d7d")
    ImageDraw.Draw(image).ellipse((110, 80, 220, 160), fill=colour)
    image.save(path, "JPEG", quality=85)
    return path


def _answer(page: Any, code: str, key: str) -> None:
    """Choose an option. Only questions with a blocking answer reload the question block, so
    answers given one after the other all stay (none of the road-damage questions blocks)."""
    radio = f"input[name='q_{code}'][value='{key}']"
    page.check(radio)
    _wait_htmx_idle(page)
    assert page.is_checked(radio)


def _wait_htmx_idle(page: Any) -> None:
    """Wait until htmx has swapped in and settled the answer of its last request."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )


def _log_in(page: Any, *, email: str, next_url: str) -> None:
    page.goto(next_url)
    page.wait_for_url("**/akun/masuk/**")
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith(next_url))


def _assert_no_contact_details(page: Any) -> None:
    html = page.content()
    assert CITIZEN_EMAIL not in html
    assert CITIZEN_PHONE not in html


def _assert_contact_only_for_staff(page: Any) -> None:
    """Staff handling a public report see the reporter's e-mail in the reporter field (each view
    audited) and only a masked phone number."""
    html = page.content()
    assert html.count(CITIZEN_EMAIL) == 1
    assert page.locator("dl.facts dd", has_text=CITIZEN_EMAIL).count() == 1
    assert CITIZEN_PHONE not in html
    assert CITIZEN_EMAIL not in page.title()


def _status_label(status: str) -> str:
    with translation.override("id"):
        return str(Status(status).label)


def _timeline_statuses(page: Any) -> list[str]:
    """The statuses of the timeline's steps, in order, from their badges' classes."""
    classes = page.eval_on_selector_all(
        ".timeline .status", "badges => badges.map(b => Array.from(b.classList))"
    )
    return [
        next(c.removeprefix("status-") for c in names if c.removeprefix("status-") in Status.values)
        for names in classes
    ]


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _run_staff_action(page: Any, action: str, **fields: str) -> None:
    """Open an action's panel on the staff report page, fill it and send it (htmx or not)."""
    panel = page.locator(f"#aksi-{action}")
    panel.locator("summary").click()
    for name, value in fields.items():
        field = panel.locator(f"[name='{action}-{name}']")
        if field.get_attribute("type") == "file":
            field.set_input_files(value)
        else:
            field.fill(value)
    panel.locator("button[type=submit]").click()


@pytest.fixture
def medan(db: None) -> None:
    call_command("load_reference_data", "--province-only", stdout=StringIO())
    call_command("load_complaint_categories", stdout=StringIO())


def test_citizen_reports_pothole_staff_resolve_it_citizen_confirms_and_public_page_shows_timeline(
    medan: None,
    new_context: Any,
    immediate_tasks: None,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.COMPLAINTS_MAP_TILE_URL = ""  # no request leaves the machine; pins work without tiles
    citizen = UserFactory(email=CITIZEN_EMAIL, full_name="Rina Siregar", phone=CITIZEN_PHONE)
    coordinator = CoordinatorFactory(full_name="Koordinator Pengaduan")
    sdabmbk = Agency.objects.get(code="sdabmbk")
    officer = OfficerFactory(full_name="Budi Petugas", agency=sdabmbk)

    # 1. The citizen reports a pothole on a phone.
    phone = new_context(**PHONE, geolocation=MEDAN, permissions=["geolocation"]).new_page()
    _log_in(phone, email=citizen.email, next_url="/pengaduan/lapor/")
    phone.select_option("#id_kategori", "jalan-rusak")
    phone.locator("main form[method=get] button[type=submit]").click()
    phone.wait_for_url("**/pengaduan/lapor/?kategori=jalan-rusak")
    _answer(phone, "ukuran-lubang", "besar")
    _answer(phone, "membahayakan", "ya")
    assert phone.is_checked("input[name='q_ukuran-lubang'][value='besar']")
    # The phone's GPS places the pin; a tap on the map (no tiles: Leaflet still works) moves it.
    phone.locator("#use-my-location").click()
    phone.wait_for_function("() => document.getElementById('id_latitude').value === '3.595200'")
    assert phone.input_value("#id_longitude") == "98.672200"
    phone.locator("#report-map .leaflet-marker-icon").wait_for()
    phone.locator("#report-map").click(position={"x": 200, "y": 120})
    phone.wait_for_function("() => document.getElementById('id_latitude').value !== '3.595200'")
    latitude = float(phone.input_value("#id_latitude"))
    longitude = float(phone.input_value("#id_longitude"))
    assert abs(latitude - MEDAN["latitude"]) < 0.005
    assert abs(longitude - MEDAN["longitude"]) < 0.005
    assert phone.locator("#report-map .leaflet-marker-icon").count() == 1
    phone.fill("#id_address", "Jl. Kolonel Sugiono, depan Pasar Petisah")
    # Without imported kelurahan polygons the point gives no kecamatan: the citizen picks it.
    with phone.expect_response(lambda r: "/wilayah/kelurahan/" in r.url):
        phone.select_option("#id_kecamatan", "12.71.19")  # Medan Petisah
    _wait_htmx_idle(phone)
    phone.select_option("#id_kelurahan", "12.71.19.1001")  # Petisah Tengah
    phone.fill("#id_title", TITLE)
    phone.fill("#id_description", DESCRIPTION)
    phone.set_input_files("#id_photos", str(_jpeg(tmp_path / "lubang.jpg", "#2b2b2b")))
    _assert_no_contact_details(phone)
    _shot(phone, "01-report-form.png")
    with phone.expect_navigation():
        phone.locator("#report-form > button[type=submit]").click()
    if phone.locator("#nearby-heading").count():
        # Open reports of the same kind nearby: this one is a different pothole, send anyway.
        with phone.expect_navigation():
            phone.locator("#report-form > button[type=submit]").click()
    assert phone.locator(".form-errors").count() == 0, phone.locator(".form-errors").inner_text()
    phone.wait_for_url(re.compile(r"/pengaduan/ADU-[0-9A-Z]{4}-[0-9A-Z]{4}/terkirim/$"))
    reference = phone.locator(".reference-big").inner_text().strip()
    assert REFERENCE.fullmatch(reference)
    _assert_no_contact_details(phone)
    _shot(phone, "02-confirmation.png")

    complaint = Complaint.objects.get(reference=reference)
    assert complaint.reporter == citizen
    assert complaint.status == Status.RECEIVED
    assert complaint.category.code == "jalan-rusak"
    assert complaint.title == TITLE
    assert complaint.description == DESCRIPTION
    assert complaint.answers == {"ukuran-lubang": "besar", "membahayakan": "ya"}
    assert (complaint.latitude, complaint.longitude) == pytest.approx((latitude, longitude))
    assert (complaint.district_id, complaint.village_id) == ("12.71.19", "12.71.19.1001")
    assert ComplaintPhoto.objects.filter(complaint=complaint, kind=PhotoKind.REPORT).count() == 1
    routed = services.complaint_route(complaint)
    assert routed == sdabmbk

    # 2. The coordinator verifies it and sends it to the routed OPD (desktop).
    desk = new_context(**DESKTOP).new_page()
    _log_in(desk, email=coordinator.email, next_url="/pengaduan/kelola/")
    desk.locator(f"a[href='/pengaduan/kelola/{reference}/']").click()
    desk.wait_for_url(f"**/pengaduan/kelola/{reference}/")
    assert desk.locator("h1").inner_text() == TITLE
    _assert_contact_only_for_staff(desk)
    _run_staff_action(desk, "verify")
    desk.locator("#aksi-verify").wait_for(state="detached")
    complaint.refresh_from_db()
    assert complaint.status == Status.VERIFIED
    _run_staff_action(desk, "note", text=INTERNAL_NOTE)
    desk.locator(".timeline-internal", has_text=INTERNAL_NOTE).wait_for()
    panel = desk.locator("#aksi-dispose")
    panel.locator("summary").click()
    # The form proposes the routed agency; the coordinator accepts it.
    assert panel.locator("select[name='dispose-agency']").input_value() == sdabmbk.code
    panel.locator("button[type=submit]").click()
    desk.locator("#aksi-dispose").wait_for(state="detached")
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPOSED
    assert complaint.agency == sdabmbk

    # 3. The officer of that OPD starts work and resolves it with an after-photo.
    office = new_context(**DESKTOP).new_page()
    _log_in(office, email=officer.email, next_url="/pengaduan/kelola/")
    office.locator(f"a[href='/pengaduan/kelola/{reference}/']").click()
    office.wait_for_url(f"**/pengaduan/kelola/{reference}/")
    _assert_contact_only_for_staff(office)
    _run_staff_action(office, "start", message=FIRST_RESPONSE)
    office.locator("#aksi-start").wait_for(state="detached")
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    after = _jpeg(tmp_path / "sesudah.jpg", "#505050")
    _run_staff_action(office, "resolve", response=RESPONSE, after_photo=str(after))
    office.locator("#aksi-resolve").wait_for(state="detached")
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.resolution_note == RESPONSE
    assert ComplaintPhoto.objects.filter(complaint=complaint, kind=PhotoKind.AFTER).count() == 1
    _assert_contact_only_for_staff(office)
    # Each view of the reporter's contact details by staff is in the audit log.
    reads = audit_entries_for_object(obj=complaint).filter(action="personal_data.read")
    assert {entry.actor_id for entry in reads} == {coordinator.pk, officer.pk}
    office.set_viewport_size({"width": 390, "height": 844})
    _shot(office, "04-staff-detail-390.png")

    # 4. The citizen confirms it is fixed and rates the handling 5 with a comment.
    phone.goto(f"/pengaduan/{reference}/")
    assert phone.locator(".description", has_text=RESPONSE).count() == 1
    _shot(phone, "05-reporter-report-page.png")
    phone.check("input[name='fixed'][value='ya']")
    phone.locator("form[action$='/konfirmasi/'] button[type=submit]").click()
    phone.wait_for_url(f"**/pengaduan/{reference}/")
    phone.check("input[name='rating'][value='5']")
    phone.fill("textarea[name='comment']", RATING_COMMENT)
    phone.locator("form[action$='/nilai/'] button[type=submit]").click()
    phone.wait_for_url(f"**/pengaduan/{reference}/")
    phone.locator("form[action$='/nilai/']").wait_for(state="detached")
    _assert_no_contact_details(phone)
    complaint.refresh_from_db()
    assert complaint.citizen_confirmed_fixed is True
    assert complaint.status == Status.CLOSED
    assert complaint.rating == 5
    assert complaint.rating_comment == RATING_COMMENT

    # 5. Anyone sees the public page with the public steps, and no internal note.
    public = new_context(**PHONE).new_page()
    public.goto(f"/pengaduan/{reference}/")
    assert public.locator("h1").inner_text() == TITLE
    shown = _timeline_statuses(public)
    assert shown == [
        Status.RECEIVED,
        Status.VERIFIED,
        Status.DISPOSED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CLOSED,
    ]
    assert public.locator(".timeline").inner_text().count(_status_label(Status.RESOLVED)) >= 1
    assert FIRST_RESPONSE in public.locator(".timeline").inner_text()
    html = public.content()
    assert INTERNAL_NOTE not in html
    assert RESPONSE in html
    _assert_no_contact_details(public)
    _shot(public, "03-public-report.png")

    # The citizen was told of every public step by e-mail; no internal note went out.
    assert [message.to for message in mail.outbox] == [[CITIZEN_EMAIL]] * 6
    assert all(reference in message.subject for message in mail.outbox)
    assert not any(INTERNAL_NOTE in str(message.body) for message in mail.outbox)
    assert (
        ComplaintEvent.objects.filter(
            complaint=complaint, kind=EventKind.NOTE, is_public=False, message=INTERNAL_NOTE
        ).count()
        == 1
    )
