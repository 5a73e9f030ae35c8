"""Public civil registration pages (no login): the service list and a page per service, the
late-registration preview, the QR verification page and the self-print download (link + PIN).

Thin views: reads from ``selectors``/``selectors_citizen``, writes through the services.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from kotapintar.civil_registration import rules, selectors, selectors_citizen, services_citizen
from kotapintar.civil_registration.forms import PinForm
from kotapintar.civil_registration.models import DocumentService
from kotapintar.civil_registration.services import SelfPrintDenied, self_print_unlock


def format_rupiah(amount: int | None) -> str:
    """``12000`` -> ``"Rp12.000"``."""
    return f"Rp{int(amount or 0):,}".replace(",", ".")


def outage_context() -> dict[str, Any]:
    """The online switch, the notices and the offices (shown instead of the form when off)."""
    policy = selectors.civil_registration_policy()
    return {
        "policy": policy,
        "online_open": policy.online_service_available,
        "offline_units": selectors_citizen.offline_units(),
    }


def service_facts(service: DocumentService) -> dict[str, Any]:
    """Requirements with their substitutes, deadline and fine as shown on the public page."""
    requirements = selectors.service_requirements(service=service)
    main = [r for r in requirements if r.substitute_for_id is None]
    substitutes: dict[int, list[Any]] = {}
    for r in requirements:
        if r.substitute_for_id is not None:
            substitutes.setdefault(r.substitute_for_id, []).append(r)
    return {
        "service": service,
        "requirement_rows": [(r, substitutes.get(r.pk, [])) for r in main],
        "fine_label": format_rupiah(service.late_fine_rupiah) if service.late_fine_rupiah else "",
        "steps": [line for line in (service.steps or "").splitlines() if line.strip()],
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {"groups": selectors_citizen.services_grouped(), **outage_context()}
    return render(request, "civil_registration/public/home.html", context)


@require_GET
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_get_active(code=code)
    policy = selectors.civil_registration_policy()
    context = {
        **service_facts(service),
        **outage_context(),
        "pos_fee_label": format_rupiah(policy.pos_delivery_fee_rupiah),
    }
    return render(request, "civil_registration/public/service.html", context)


@require_GET
def lateness_preview(request: HttpRequest, code: str) -> HttpResponse:
    """The "Terlambat N hari — denda Rp…" line for an event date (htmx fragment)."""
    service = selectors.service_get_active(code=code)
    return render(
        request,
        "civil_registration/citizen/_lateness.html",
        lateness_context(service, request.GET.get("event_date")),
    )


def lateness_context(service: DocumentService, raw_date: object) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    today = rules.jakarta_date()
    try:
        event_date = rules.clean_event_date(service, raw_date or None, today=today)
    except ValidationError as exc:
        return {"lateness_error": " ".join(exc.messages) if raw_date else ""}
    if event_date is None:
        return {}
    late = rules.lateness(service, event_date=event_date, today=today)
    return {
        "lateness": late,
        "deadline_days": service.legal_deadline_days,
        "fine_label": format_rupiah(late.fine_rupiah) if late.fine_rupiah else "",
    }


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The QR page: green "dokumen aktif" or red "tidak ditemukan", masked data only."""
    try:
        check = selectors_citizen.verification_public(token=token)
    except Http404:
        services_citizen.verification_viewed(
            application_id=None, outcome="not_found", request=request
        )
        response = render(
            request, "civil_registration/public/verify.html", {"check": None}, status=404
        )
    else:
        outcome = "active" if check.active else ("revoked" if check.issued else "receipt")
        services_citizen.verification_viewed(
            application_id=check.application_id, outcome=outcome, request=request
        )
        response = render(request, "civil_registration/public/verify.html", {"check": check})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_http_methods(["GET", "POST"])
def self_print(request: HttpRequest, token: str) -> HttpResponseBase:
    """PIN form, then the signed PDF as an attachment (wrong PINs count towards a lockout)."""
    access = selectors_citizen.self_print_access_get(token=token)
    form = PinForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            stored = self_print_unlock(
                token=token,
                pin=form.cleaned_data["pin"],
                actor=request.user if request.user.is_authenticated else None,
                request=request,
            )
        except SelfPrintDenied as exc:
            form.add_error("pin", exc)
            status = 403 if exc.code in ("locked", "expired") else 400
        else:
            handle = storages["default"].open(stored.storage_name, "rb")
            download = FileResponse(
                handle,
                as_attachment=True,
                filename=f"{access.application.reference}.pdf",
                content_type="application/pdf",
            )
            download["X-Content-Type-Options"] = "nosniff"
            download["Content-Security-Policy"] = "sandbox"
            download["Cache-Control"] = "private, no-store"
            return download
    elif request.method == "POST":
        status = 400
    response = render(
        request,
        "civil_registration/public/self_print.html",
        {"form": form, "access": access, "application": access.application},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
