"""The citizen's civil registration pages: apply, confirmation and receipt, my applications and
an application's page (timeline, SLA, handling unit, rejected documents, replace and resubmit,
cancel, Pos payment and tracking, self-print link).

Thin views: the form parses, ``civil_registration.services`` decides and stores (nothing on any
error). Another citizen's application is a 404. ``Application.nik_warnings`` is officer-only and
never rendered here.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kotapintar.accounts.models import User
from kotapintar.civil_registration import selectors, selectors_citizen, services, workflow
from kotapintar.civil_registration.forms import (
    ApplicationForm,
    ResubmitForm,
    add_service_errors,
)
from kotapintar.civil_registration.models import (
    Application,
    DeliveryMethod,
    DocumentService,
    DocumentStatus,
    FineStatus,
    PaymentStatus,
    SelfPrintAccess,
    Status,
)
from kotapintar.civil_registration.pdf import receipt_pdf
from kotapintar.civil_registration.services_citizen import (
    OnlineServiceClosed,
    application_submit_online,
)
from kotapintar.civil_registration.views_public import (
    format_rupiah,
    lateness_context,
    outage_context,
    service_facts,
)
from kotapintar.core.personal_data import mask_identity_number
from kotapintar.regions.models import Village
from kotapintar.regions.selectors import city_districts


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _application_form(service: DocumentService, **kwargs: Any) -> ApplicationForm:
    return ApplicationForm(
        service=service,
        requirements=selectors.service_requirements(service=service),
        units=selectors_citizen.offline_units(),
        villages=Village.objects.filter(district__in=city_districts())
        .select_related("district")
        .order_by("district__name", "name"),
        policy=selectors.civil_registration_policy(),
        **kwargs,
    )


def _render_apply(
    request: HttpRequest,
    service: DocumentService,
    form: ApplicationForm,
    *,
    status: int = 200,
    open_application: Application | None = None,
) -> HttpResponse:
    policy = selectors.civil_registration_policy()
    raw_date = form.data.get("event_date") if form.is_bound else None
    context = {
        **service_facts(service),
        **outage_context(),
        **lateness_context(service, raw_date),
        "form": form,
        "pos_fee_label": format_rupiah(policy.pos_delivery_fee_rupiah),
        "open_application": open_application,
    }
    return render(request, "civil_registration/citizen/apply.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_get_active(code=code)
    if not selectors.civil_registration_policy().online_service_available:
        context = {**service_facts(service), **outage_context()}
        return render(request, "civil_registration/public/service.html", context, status=503)
    if request.method == "GET":
        return _render_apply(request, service, _application_form(service))
    form = _application_form(service, data=request.POST, files=request.FILES)
    if not form.is_valid():
        return _render_apply(request, service, form, status=400)
    try:
        application = application_submit_online(
            applicant=_user(request), request=request, **form.service_kwargs()
        )
    except services.OpenApplicationExists as exc:
        add_service_errors(form, exc)
        return _render_apply(request, service, form, status=409, open_application=exc.application)
    except OnlineServiceClosed:
        context = {**service_facts(service), **outage_context()}
        return render(request, "civil_registration/public/service.html", context, status=503)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_apply(request, service, form, status=400)
    return redirect("civil_registration:application_done", application_id=application.pk)


def _own(request: HttpRequest, application_id: uuid.UUID) -> Application:
    return selectors.application_get_for_citizen(actor=request.user, application_id=application_id)


def _money(application: Application) -> dict[str, str]:
    """The only amounts a citizen ever sees: the Pos fee and a fine (documents are free)."""
    return {
        "pos_fee_label": format_rupiah(application.delivery_fee_rupiah)
        if application.delivery_fee_rupiah
        else "",
        "fine_label": format_rupiah(application.fine_rupiah) if application.fine_rupiah else "",
    }


@login_required
@require_GET
def application_done(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _own(request, application_id)
    context = {
        "application": application,
        "masked_nik": mask_identity_number(application.subject_nik)
        if application.subject_nik
        else "",
        **_money(application),
    }
    return render(request, "civil_registration/citizen/done.html", context)


@login_required
@require_GET
def receipt(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _own(request, application_id)
    verify_url = ""
    if application.verification_token:
        verify_url = request.build_absolute_uri(
            _reverse("civil_registration:verify", token=application.verification_token)
        )
    pdf = receipt_pdf(application=application, verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="tanda-terima-{application.reference}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _reverse(name: str, **kwargs: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


@login_required
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = list(selectors.application_list_for_citizen(actor=request.user)[:100])
    return render(
        request, "civil_registration/citizen/my_applications.html", {"applications": applications}
    )


def _detail_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    now = timezone.now()
    sla = selectors.application_sla(application=application, now=now)
    documents = list(
        selectors.application_documents(application=application, include_superseded=True)
    )
    current = [d for d in documents if not d.is_superseded]
    invalid = [d for d in current if d.status == DocumentStatus.INVALID]
    can_resubmit = workflow.next_status(application.status, "resubmit") is not None
    resubmit_form = None
    if can_resubmit and invalid:
        resubmit_form = ResubmitForm(
            requirements=[d.requirement for d in invalid],
            policy=selectors.civil_registration_policy(),
        )
    self_print = None
    if application.delivery_method == DeliveryMethod.SELF_PRINT:
        self_print = SelfPrintAccess.objects.filter(application=application).first()
    elapsed_days = (timezone.localdate(now) - timezone.localdate(application.submitted_at)).days
    return {
        "application": application,
        "masked_nik": mask_identity_number(application.subject_nik)
        if application.subject_nik
        else "",
        "timeline": list(selectors.application_timeline(application=application)),
        "sla": sla,
        "elapsed_days": elapsed_days,
        "current_documents": current,
        "history_documents": [d for d in documents if d.is_superseded],
        "invalid_documents": invalid,
        "resubmit_form": resubmit_form,
        "can_resubmit": can_resubmit,
        "can_cancel": workflow.next_status(application.status, "cancel") is not None,
        "self_print": self_print,
        "self_print_ready": self_print is not None
        and application.status in (Status.READY, Status.COMPLETED),
        "pos_unpaid": application.delivery_payment_status == PaymentStatus.UNPAID,
        "fine_unpaid": application.fine_status == FineStatus.UNPAID,
        **_money(application),
    }


@login_required
@require_GET
def application_detail(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _own(request, application_id)
    return render(
        request,
        "civil_registration/citizen/detail.html",
        _detail_context(request, application),
    )


@login_required
@require_POST
def application_resubmit(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _own(request, application_id)
    context = _detail_context(request, application)
    invalid = context["invalid_documents"]
    form = ResubmitForm(
        request.POST,
        request.FILES,
        requirements=[d.requirement for d in invalid],
        policy=selectors.civil_registration_policy(),
    )
    if form.is_valid():
        try:
            services.application_resubmit(
                actor=_user(request),
                application=application,
                documents=form.documents(),
                request=request,
            )
        except PermissionDenied:
            messages.error(request, _("This application cannot be resubmitted now."))
            return redirect("civil_registration:application_detail", application_id=application.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your corrections were sent to the officer."))
            return redirect("civil_registration:application_detail", application_id=application.pk)
    context["resubmit_form"] = form
    return render(request, "civil_registration/citizen/detail.html", context, status=400)


@login_required
@require_POST
def application_cancel(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _own(request, application_id)
    try:
        services.application_cancel(actor=_user(request), application=application, request=request)
    except (ValidationError, PermissionDenied):
        messages.error(request, _("This application can no longer be cancelled."))
    else:
        messages.success(request, _("Your application was cancelled."))
    return redirect("civil_registration:application_detail", application_id=application.pk)


@login_required
@require_POST
def self_print_pin_resend(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _own(request, application_id)
    try:
        services.self_print_pin_resend(
            actor=_user(request), application=application, request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else ""
        messages.error(request, message or _("A new PIN cannot be sent now."))
    else:
        messages.success(request, _("A new PIN is on its way. The previous PIN no longer works."))
    return redirect("civil_registration:application_detail", application_id=application.pk)
