"""The citizen's complaint pages: the report form, confirmation, own reports, and the actions on
a report page (add information, confirm fixed, rate).

Thin views: the form parses, ``complaints.services`` decides and stores (nothing on any error).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kotapintar.accounts.models import User
from kotapintar.accounts.ratelimit import client_ip
from kotapintar.complaints import selectors, services
from kotapintar.complaints.forms import (
    ANSWER_PREFIX,
    AddInfoForm,
    CategoryChoiceForm,
    ConfirmFixedForm,
    RatingForm,
    ReportForm,
    new_idempotency_key,
)
from kotapintar.complaints.models import Category, Complaint
from kotapintar.complaints.views_public import detail_context, map_settings

PAGE_SIZE = 20

#: Service error codes and the form field they belong to.
_ERROR_FIELDS = {
    "location_required": "latitude",
    "invalid_location": "latitude",
    "outside_city": "latitude",
    "swapped_coordinates": "latitude",
    "title_personal_data": "title",
    "unknown_category": "category",
    "invalid_privacy": "privacy",
    "unknown_village": "kelurahan",
    "too_many_photos": "photos",
}
#: Codes of ``core.uploads.UploadRejected`` land at the photos field.
_PHOTO_ERROR_HINTS = ("upload", "image", "file", "photo", "size", "type", "bomb", "pixel")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _report_form(
    request: HttpRequest, categories: list[Category], category: Category | None, **kwargs: Any
) -> ReportForm:
    policy = selectors.complaint_policy()
    places = selectors.city_places()
    return ReportForm(
        categories=categories,
        category=category,
        districts=places.districts,
        villages=places.villages,
        description_max_length=policy.description_max_length,
        max_photos=policy.max_photos,
        **kwargs,
    )


def _add_service_error(form: ReportForm, exc: ValidationError) -> None:
    """Put the service's message at the field it is about; the rest above the form."""
    for error in exc.error_list:
        code = error.code or ""
        field: str | None = _ERROR_FIELDS.get(code)
        if code in ("answer_required", "invalid_answer"):
            prompt = (error.params or {}).get("question")
            for question in form.questions:
                if question.prompt == prompt:
                    field = ANSWER_PREFIX + question.code
        elif code == "blocked":
            form.blocking_messages.append(" ".join(error.messages))
        elif field is None and any(hint in code for hint in _PHOTO_ERROR_HINTS):
            field = "photos"
        form.add_error(field, error)


def _nearby_others(form: ReportForm, user: User) -> list[Complaint]:
    # The citizen's own reports are not offered (and a retried submission is not a duplicate).
    return [
        c
        for c in selectors.complaints_nearby(
            category=form.cleaned_data["category"],
            latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
        )
        if c.reporter_id != user.pk
    ]


def _render_report(
    request: HttpRequest, form: ReportForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    category = form.selected_category
    context = {
        "form": form,
        "category": category,
        "show_emergency": bool(category and category.is_emergency) or bool(form.blocking_messages),
        "map": map_settings(),
        **extra,
    }
    return render(request, "complaints/citizen/report.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    categories = selectors.categories_active_list()
    by_code = {c.code: c for c in categories}
    user = _user(request)
    if request.method == "GET":
        category = by_code.get(request.GET.get("kategori", ""))
        if category is None:
            # Step one (also the no-JavaScript path): choose the category first.
            choice = CategoryChoiceForm(categories=categories)
            return render(request, "complaints/citizen/report_category.html", {"form": choice})
        form = _report_form(
            request,
            categories,
            category,
            initial={
                "category": category.code,
                "idempotency_key": new_idempotency_key(),
                "privacy": "publik",
            },
        )
        return _render_report(request, form)

    category = by_code.get(request.POST.get("category", ""))
    form = _report_form(request, categories, category, data=request.POST, files=request.FILES)
    if not form.is_valid():
        return _render_report(request, form)
    if not form.cleaned_data["nearby_seen"]:
        nearby = _nearby_others(form, user)
        if nearby:
            # Show nearby reports before the final submit; the text typed so far is kept.
            data = request.POST.copy()
            data["nearby_seen"] = "True"
            again = _report_form(request, categories, category, data=data)
            again.is_valid()
            return _render_report(
                request,
                again,
                nearby=nearby,
                photos_dropped=bool(form.cleaned_data.get("photos")),
            )
    if not services.complaint_submission_allowed(reporter=user, ip=client_ip(request)):
        return render(request, "complaints/citizen/rate_limited.html", status=429)
    village = form.cleaned_data.get("kelurahan") or None
    try:
        complaint = services.complaint_submit(
            reporter=user,
            category=form.cleaned_data["category"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
            address=form.cleaned_data["address"],
            privacy=form.cleaned_data["privacy"],
            answers=form.answers(),
            photos=form.cleaned_data["photos"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            village_code=village,
            request=request,
        )
    except ValidationError as exc:
        _add_service_error(form, exc)
        return _render_report(request, form)
    return redirect("complaints:report_done", reference=complaint.reference)


@require_GET
def report_questions(request: HttpRequest) -> HttpResponse:
    """htmx: the question block of the chosen category (kept answers, blocking messages)."""
    categories = selectors.categories_active_list()
    category = next((c for c in categories if c.code == request.GET.get("category")), None)
    form = _report_form(request, categories, category, data=request.GET)
    form.is_valid()  # only to evaluate the answers' blocking options; other errors are unused
    answer_errors = any(name.startswith(ANSWER_PREFIX) for name in form.errors)
    return render(
        request,
        "complaints/citizen/partials/questions.html",
        {
            "form": form,
            "category": category,
            "show_errors": answer_errors and bool(form.blocking_messages),
            "show_emergency": bool(category and category.is_emergency)
            or bool(form.blocking_messages),
        },
    )


@login_required
@require_GET
def report_nearby(request: HttpRequest) -> HttpResponse:
    """htmx: open public reports of the category near the pin, to support instead."""
    category = next(
        (c for c in selectors.categories_active_list() if c.code == request.GET.get("category")),
        None,
    )
    nearby: list[Complaint] = []
    try:
        latitude = float(request.GET.get("latitude", ""))
        longitude = float(request.GET.get("longitude", ""))
    except ValueError:
        category = None
    if category is not None:
        nearby = [
            c
            for c in selectors.complaints_nearby(
                category=category, latitude=latitude, longitude=longitude
            )
            if c.reporter_id != request.user.pk
        ]
    return render(request, "complaints/citizen/partials/nearby.html", {"nearby": nearby})


@login_required
@require_GET
def report_done(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_get_for_actor(actor=request.user, reference=reference)
    if complaint.reporter_id != request.user.pk:
        raise Http404
    response = render(request, "complaints/citizen/report_done.html", {"complaint": complaint})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    complaints = (
        selectors.complaints_for_actor(actor=request.user)
        .filter(reporter_id=request.user.pk)
        .select_related("category", "district", "village")
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(request, "complaints/citizen/my_reports.html", {"page": page})
    response["Cache-Control"] = "private, no-store"
    return response


# --- Actions of the reporter on the report page ------------------------------------------------


def _own_complaint(request: HttpRequest, reference: str) -> Complaint:
    complaint = selectors.complaint_get_for_actor(actor=request.user, reference=reference)
    if complaint.reporter_id != request.user.pk:
        raise Http404
    return complaint


def _detail_with_errors(request: HttpRequest, complaint: Complaint, **forms: Any) -> HttpResponse:
    context = detail_context(request, complaint, **forms)
    return render(request, "complaints/public/detail.html", context, status=400)


@login_required
@require_POST
def add_info(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _own_complaint(request, reference)
    form = AddInfoForm(
        request.POST, request.FILES, max_photos=selectors.complaint_policy().max_photos
    )
    if form.is_valid():
        try:
            services.complaint_add_info(
                complaint=complaint,
                reporter=_user(request),
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Thank you, your information was added to the report."))
            return redirect("complaints:public_detail", reference=complaint.reference)
    return _detail_with_errors(request, complaint, info_form=form)


@login_required
@require_POST
def confirm_fixed(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _own_complaint(request, reference)
    form = ConfirmFixedForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_confirm(
                complaint=complaint,
                reporter=_user(request),
                fixed=form.cleaned_data["fixed"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            if form.cleaned_data["fixed"]:
                messages.success(request, _("Thank you for confirming that it is fixed."))
            else:
                messages.success(request, _("The report was reopened and will be handled again."))
            return redirect("complaints:public_detail", reference=complaint.reference)
    return _detail_with_errors(request, complaint, confirm_form=form, can_confirm=True)


@login_required
@require_POST
def rate(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _own_complaint(request, reference)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_rate(
                complaint=complaint,
                reporter=_user(request),
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Thank you for rating the handling of your report."))
            return redirect("complaints:public_detail", reference=complaint.reference)
    return _detail_with_errors(request, complaint, rating_form=form, can_rate=True)
