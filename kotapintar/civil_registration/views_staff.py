"""The officers' workspace (/adminduk/kelola/): unit queue, case page with actions, overdue
lists, and the Disdukcapil dashboard.

Visibility comes only from the selectors (anything outside the officer's unit is a 404);
personal data is shown only through ``application_detail_for_officer`` (unmasked and audited
for the assigned officer). Each action form POSTs to ``staff_action``, which calls exactly one
service; which forms a page offers follows ``workflow.TRANSITIONS`` and
``workflow.ACTION_ROLES``, and the services check again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kotapintar.accounts.decorators import staff_required
from kotapintar.accounts.models import User
from kotapintar.civil_registration import forms_staff as f
from kotapintar.civil_registration import selectors, selectors_staff, services, workflow
from kotapintar.civil_registration.exports import TABLES, dashboard_table_csv
from kotapintar.civil_registration.models import (
    Application,
    DeliveryMethod,
    EventKind,
    FineStatus,
    PaymentStatus,
    Status,
)
from kotapintar.civil_registration.rules import WARNING_LABELS
from kotapintar.civil_registration.selectors_dashboard import (
    can_view_dashboard,
    dashboard_scope_agency_id,
    dashboard_stats_cached,
)
from kotapintar.core.pagination import CachedCountPaginator

PAGE_SIZE = 25
#: A queue count at or above this is reused for ``QUEUE_COUNT_CACHE_SECONDS`` (counting a
#: unit's years of applications on every page view costs more than the page); shorter lists,
#: the daily open work, are always counted exactly.
QUEUE_COUNT_CACHE_THRESHOLD = 1000
QUEUE_COUNT_CACHE_SECONDS = 60
DASHBOARD_DEFAULT_DAYS = 30
#: Requirements that are usually TTE documents with a QR code (KK, akta, KIA): the verifier is
#: reminded to scan the QR (reference T9).
TTE_REQUIREMENT_PREFIXES = ("kk", "akta", "kia", "kutipan")


def format_rupiah(amount: int) -> str:
    """``12000`` -> ``"Rp12.000"``."""
    return "Rp" + f"{int(amount):,}".replace(",", ".")


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_required let only logged-in staff through
    return user


# --- Queue ---------------------------------------------------------------------------------------


def _count_key(actor: User, query: Any) -> str:
    """Who looks (the scope) and the filters, not the page."""
    filters = sorted((k, v) for k, values in query.lists() if k != "page" for v in values)
    digest = hashlib.sha256(json.dumps(filters).encode()).hexdigest()
    return f"civil_registration:queue-count:{actor.pk}:{digest}"


@staff_required
@require_GET
def staff_queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not selectors.is_case_officer(actor):
        if can_view_dashboard(actor):
            return redirect("civil_registration:staff_dashboard")
        raise Http404
    now = timezone.now()
    form = f.QueueForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    data: dict[str, Any] = form.cleaned_data if valid else {}
    service = data.get("service")
    qs = selectors_staff.staff_queue(
        actor=actor,
        status=form.statuses() if valid else f.QueueForm().statuses(),
        service_code=service.code if service else None,
        overdue=bool(data.get("overdue")),
        mine=bool(data.get("mine")),
        unassigned=bool(data.get("unassigned")),
        late=bool(data.get("late")),
        possible_duplicate=bool(data.get("possible_duplicate")),
        now=now,
    )
    page = CachedCountPaginator(
        qs,
        PAGE_SIZE,
        count_key=_count_key(actor, request.GET),
        cache_from=QUEUE_COUNT_CACHE_THRESHOLD,
        cache_seconds=QUEUE_COUNT_CACHE_SECONDS,
    ).get_page(request.GET.get("page"))
    can_claim = bool(selectors.module_roles_of(actor) & workflow.ACTION_ROLES["claim"])
    rows = [
        {
            "application": application,
            "masked_name": selectors.mask_name(application.subject_name),
            "overdue": selectors_staff.is_overdue(application, now=now),
            "mine": application.assigned_officer_id == actor.pk,
            "claimable": can_claim
            and application.assigned_officer_id in (None, actor.pk)
            and workflow.next_status(application.status, "claim") is not None,
        }
        for application in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "civil_registration/staff/queue.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "query": query.urlencode(),
            "show_dashboard": can_view_dashboard(actor),
        },
    )


@staff_required
@require_GET
def staff_overdue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not selectors.is_case_officer(actor):
        raise Http404
    now = timezone.now()
    page = Paginator(
        selectors_staff.overdue_applications(actor=actor, now=now), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [
        {
            "application": application,
            "masked_name": selectors.mask_name(application.subject_name),
            "sla": selectors.application_sla(application=application, now=now),
        }
        for application in page.object_list
    ]
    return render(
        request,
        "civil_registration/staff/overdue.html",
        {
            "by_unit": selectors.overdue_counts_by_unit(actor=actor, now=now),
            "by_officer": selectors.overdue_counts_by_officer(actor=actor, now=now),
            "page_obj": page,
            "rows": rows,
            "show_dashboard": can_view_dashboard(actor),
        },
    )


# --- Case page and actions -----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAction:
    label: Any
    form_class: type[f.EmptyActionForm]
    run: Callable[[Any, Application, User, HttpRequest], object]
    done: Any
    danger: bool = False


def _data(form: Any) -> dict[str, Any]:
    return dict(form.cleaned_data)


def _attach(form: Any, a: Application, u: User, r: HttpRequest) -> object:
    result = services.application_attach_signed_document(
        actor=u, application=a, signed_file=_data(form)["signed_file"], request=r
    )
    if result.pin_sent_to_applicant:
        # The officer never sees the PIN: it goes to the applicant by e-mail/SMS.
        messages.info(r, gettext("PIN sent to the applicant."))
    return result


ACTIONS: dict[str, StaffAction] = {
    "claim": StaffAction(
        gettext_lazy("Claim this application"),
        f.EmptyActionForm,
        lambda form, a, u, r: services.application_claim(actor=u, application=a, request=r),
        gettext_lazy("The application is assigned to you."),
    ),
    "assign": StaffAction(
        gettext_lazy("Assign to an officer"),
        f.AssignForm,
        lambda form, a, u, r: services.application_assign(
            actor=u, application=a, officer=_data(form)["officer"], request=r
        ),
        gettext_lazy("The application was assigned."),
    ),
    "verify_document": StaffAction(
        gettext_lazy("Check a document"),
        f.VerifyDocumentForm,
        lambda form, a, u, r: services.document_verify(
            actor=u,
            document=_data(form)["document"],
            valid=form.is_valid_result,
            reason=_data(form)["reason"],
            note=_data(form)["note"],
            request=r,
        ),
        gettext_lazy("The document check was saved."),
    ),
    "decide_duplicate": StaffAction(
        gettext_lazy("Decide the possible duplicate"),
        f.DuplicateDecisionForm,
        lambda form, a, u, r: services.application_decide_duplicate(
            actor=u,
            application=a,
            is_duplicate=_data(form)["decision"] == "duplicate",
            note=_data(form)["note"],
            request=r,
        ),
        gettext_lazy("The duplicate decision was saved."),
    ),
    "decide_late": StaffAction(
        gettext_lazy("Decide the late registration"),
        f.LateDecisionForm,
        lambda form, a, u, r: services.application_decide_late(
            actor=u,
            application=a,
            approve=_data(form)["decision"] == "approve",
            note=_data(form)["note"],
            waive_fine=_data(form)["waive_fine"],
            request=r,
        ),
        gettext_lazy("The decision on the late registration was saved."),
    ),
    "record_fine_payment": StaffAction(
        gettext_lazy("Record the fine payment"),
        f.PaymentForm,
        lambda form, a, u, r: services.application_record_fine_payment(
            actor=u, application=a, payment_reference=_data(form)["payment_reference"], request=r
        ),
        gettext_lazy("The fine payment was recorded."),
    ),
    "return": StaffAction(
        gettext_lazy("Return to the citizen for correction"),
        f.ReturnForm,
        lambda form, a, u, r: services.application_return(
            actor=u, application=a, note=_data(form)["note"], request=r
        ),
        gettext_lazy("The application was returned to the citizen."),
    ),
    "approve": StaffAction(
        gettext_lazy("Approve"),
        f.ApproveForm,
        lambda form, a, u, r: services.application_approve(
            actor=u,
            application=a,
            biometrics_checked=bool(_data(form).get("biometrics_checked")),
            request=r,
        ),
        gettext_lazy("The application was approved."),
    ),
    "record_document_number": StaffAction(
        gettext_lazy("Record the SIAK document number"),
        f.DocumentNumberForm,
        lambda form, a, u, r: services.application_record_document_number(
            actor=u, application=a, document_number=_data(form)["document_number"], request=r
        ),
        gettext_lazy("The document number was recorded."),
    ),
    "attach_signed_document": StaffAction(
        gettext_lazy("Attach the signed PDF"),
        f.SignedDocumentForm,
        _attach,
        gettext_lazy("The signed document was attached."),
    ),
    "confirm_delivery_payment": StaffAction(
        gettext_lazy("Confirm the Pos fee payment"),
        f.PaymentForm,
        lambda form, a, u, r: services.application_confirm_delivery_payment(
            actor=u, application=a, payment_reference=_data(form)["payment_reference"], request=r
        ),
        gettext_lazy("The Pos fee payment was confirmed."),
    ),
    "dispatch": StaffAction(
        gettext_lazy("Dispatch by Pos"),
        f.TrackingForm,
        lambda form, a, u, r: services.application_dispatch(
            actor=u, application=a, tracking_number=_data(form)["tracking_number"], request=r
        ),
        gettext_lazy("The document was dispatched."),
    ),
    "mark_ready": StaffAction(
        gettext_lazy("Mark as ready"),
        f.EmptyActionForm,
        lambda form, a, u, r: services.application_mark_ready(actor=u, application=a, request=r),
        gettext_lazy("The document is marked as ready."),
    ),
    "complete": StaffAction(
        gettext_lazy("Complete"),
        f.EmptyActionForm,
        lambda form, a, u, r: services.application_complete(actor=u, application=a, request=r),
        gettext_lazy("The application is completed."),
    ),
    "reject": StaffAction(
        gettext_lazy("Reject for good"),
        f.RejectForm,
        lambda form, a, u, r: services.application_reject(
            actor=u,
            application=a,
            reason=_data(form)["reason"],
            note=_data(form)["note"],
            request=r,
        ),
        gettext_lazy("The application was rejected."),
        danger=True,
    ),
}

#: Verification decisions: only the assigned officer (who sees the data and the files) or the
#: head takes them. Claiming, assigning, the head's late decision and the production steps
#: after approval (SIAK number, signed PDF, Pos, ready, complete) are open to the unit's
#: officers with the role.
VERIFICATION_ACTIONS = frozenset(
    {"verify_document", "return", "decide_duplicate", "record_fine_payment", "approve", "reject"}
)


def allowed_actions(application: Application, actor: User) -> list[str]:
    """The action forms ``actor`` sees (the services check the same rules again)."""
    roles = selectors.module_roles_of(actor)
    if not selectors.is_case_officer(actor):
        return []
    assigned = application.assigned_officer_id == actor.pk
    head = workflow.HEAD in roles
    allowed = []
    for action in ACTIONS:
        if workflow.next_status(application.status, action) is None:
            continue
        if not roles & workflow.ACTION_ROLES[action]:
            continue
        if action in workflow.ASSIGNED_ONLY and not assigned:
            continue
        if action in VERIFICATION_ACTIONS and not (assigned or head):
            continue
        if action == "claim":
            # Unassigned, or a resubmitted case back with its own verifier.
            if application.assigned_officer_id not in (None, actor.pk):
                continue
        elif not _applies(action, application):
            continue
        allowed.append(action)
    return allowed


def _applies(action: str, a: Application) -> bool:
    if action == "decide_duplicate":
        return a.possible_duplicate
    if action == "decide_late":
        return a.is_late
    if action == "record_fine_payment":
        return a.fine_status == FineStatus.UNPAID
    if action == "confirm_delivery_payment":
        return a.delivery_payment_status == PaymentStatus.UNPAID
    if action == "dispatch":
        return a.delivery_method == DeliveryMethod.POS
    if action == "mark_ready":
        return a.delivery_method != DeliveryMethod.POS
    return True


def _detail_url(application: Application) -> str:
    return reverse("civil_registration:staff_detail", args=[application.pk])


def _build_form(
    action: str, application: Application, actor: User, request: HttpRequest | None = None
) -> f.EmptyActionForm:
    spec = ACTIONS[action]
    kwargs: dict[str, Any] = {"application": application, "actor": actor, "prefix": action}
    if request is not None:
        return spec.form_class(request.POST, request.FILES, **kwargs)
    return spec.form_class(**kwargs)


def _is_tte_requirement(code: str) -> bool:
    return code.replace("_", "-").split("-")[0] in TTE_REQUIREMENT_PREFIXES or any(
        code.startswith(p) for p in TTE_REQUIREMENT_PREFIXES
    )


def _render_detail(
    request: HttpRequest,
    application: Application,
    *,
    bound: tuple[str, f.EmptyActionForm] | None = None,
) -> HttpResponse:
    actor = _actor(request)
    view = selectors.application_detail_for_officer(
        actor=actor, application=application, request=request
    )
    actions = allowed_actions(application, actor)
    action_forms = []
    for action in actions:
        if action == "verify_document":
            continue  # one small form per document, in the documents table
        form = (
            bound[1]
            if bound is not None and bound[0] == action
            else _build_form(action, application, actor)
        )
        spec = ACTIONS[action]
        label = spec.label
        if action == "claim" and application.assigned_officer_id == actor.pk:
            label = gettext_lazy("Continue verification")
        action_forms.append(
            {
                "action": action,
                "label": label,
                "form": form,
                "danger": spec.danger,
                "open": bound is not None and bound[0] == action,
                "url": reverse("civil_registration:staff_action", args=[application.pk, action]),
            }
        )
    can_verify = "verify_document" in actions
    verify_url = reverse(
        "civil_registration:staff_action", args=[application.pk, "verify_document"]
    )
    bound_verify = bound[1] if bound is not None and bound[0] == "verify_document" else None
    documents = []
    for document in view.documents:
        doc_form: f.EmptyActionForm | None = None
        if can_verify and not document.is_superseded:
            bound_doc = bound_verify is not None and (
                bound_verify.data.get("verify_document-document") == str(document.pk)
            )
            # One form per document: element ids carry the document id to stay unique.
            auto_id = f"id_doc-{document.pk}_%s"
            if bound_doc and bound_verify is not None:
                bound_verify.auto_id = auto_id
                doc_form = bound_verify
            else:
                doc_form = f.VerifyDocumentForm(
                    application=application,
                    actor=actor,
                    prefix="verify_document",
                    initial={"document": document.pk},
                    auto_id=auto_id,
                )
        documents.append(
            {
                "document": document,
                "form": doc_form,
                "is_image": document.file.content_type.startswith("image/"),
                "tte": _is_tte_requirement(document.requirement.code),
            }
        )
    warnings = [
        {
            "code": w.get("code", ""),
            "field": w.get("field", ""),
            "label": WARNING_LABELS.get(w.get("code", ""), w.get("code", "")),
        }
        for w in view.nik_warnings
    ]
    return render(
        request,
        "civil_registration/staff/detail.html",
        {
            "application": application,
            "view": view,
            "sla": selectors.application_sla(application=application),
            "overdue": selectors_staff.is_overdue(application),
            "timeline": selectors.application_timeline(application=application, public_only=False),
            "warnings": warnings,
            "nik_region": (
                selectors_staff.nik_region(view.subject_nik) if view.personal_data_visible else None
            ),
            "form_rows": _form_rows(application, view.form_data),
            "documents": documents,
            "verify_url": verify_url,
            "duplicates": selectors_staff.possible_duplicates(application=application),
            "blockers": [
                services._BLOCKER_MESSAGES[code] for code in services.approval_blockers(application)
            ]
            if application.status == Status.IN_VERIFICATION
            else [],
            "action_forms": action_forms,
            "is_birth_or_death": application.service.event_kind
            in (EventKind.BIRTH, EventKind.DEATH, EventKind.STILLBIRTH),
            "is_pos": application.delivery_method == DeliveryMethod.POS,
            "fine_display": format_rupiah(application.fine_rupiah),
            "delivery_fee_display": format_rupiah(application.delivery_fee_rupiah),
            "show_dashboard": can_view_dashboard(actor),
        },
    )


def _form_rows(application: Application, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The form answers with the service's labels, in the service's order."""
    if not data:
        return []
    labels = {
        spec.get("key"): spec.get("label", spec.get("key"))
        for spec in application.service.form_fields
    }
    rows = [(str(labels[key]), data[key]) for key in labels if key in data]
    rows += [(key, value) for key, value in data.items() if key not in labels]
    return rows


@staff_required
@require_GET
def staff_detail(request: HttpRequest, application_id: str) -> HttpResponse:
    application = selectors.application_get_for_officer(
        actor=_actor(request), application_id=application_id
    )
    return _render_detail(request, application)


@staff_required
@require_POST
def staff_action(request: HttpRequest, application_id: str, action: str) -> HttpResponse:
    actor = _actor(request)
    application = selectors.application_get_for_officer(actor=actor, application_id=application_id)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if action not in allowed_actions(application, actor):
        if (
            action == "claim"
            and application.assigned_officer_id is not None
            and (selectors.module_roles_of(actor) & workflow.ACTION_ROLES["claim"])
        ):
            # Two officers pressed "claim" on the same row: the second one is told, not refused.
            messages.warning(
                request, gettext("Another officer has already taken this application.")
            )
            return HttpResponseRedirect(reverse("civil_registration:staff_queue"), status=303)
        # The application is visible to the actor, so refusing reveals nothing new.
        raise PermissionDenied
    form = _build_form(action, application, actor, request)
    if form.is_valid():
        try:
            spec.run(form, application, actor, request)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, str(spec.done))
            return _after_action(request, application, actor)
    application = selectors.application_get_for_officer(actor=actor, application_id=application.pk)
    return _render_detail(request, application, bound=(action, form))


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _after_action(request: HttpRequest, application: Application, actor: User) -> HttpResponse:
    visible = selectors.officer_in_scope(actor, application)
    url = _detail_url(application) if visible else reverse("civil_registration:staff_queue")
    return HttpResponseRedirect(url, status=303)


# --- Dashboard -----------------------------------------------------------------------------------


def _dashboard_period(
    request: HttpRequest, actor: User
) -> tuple[f.DashboardForm, date, date, Any, dict[str, Any]]:
    """The filter form, the period and unit it chose, and the statistics for them."""
    agency_id = dashboard_scope_agency_id(actor)  # 404 without the dashboard
    form = f.DashboardForm(request.GET or None, agency_id=agency_id)
    valid = form.is_bound and form.is_valid()
    today = timezone.localdate()
    date_to: date = (form.cleaned_data.get("date_to") if valid else None) or today
    date_from: date = (form.cleaned_data.get("date_from") if valid else None) or (
        date_to - timedelta(days=DASHBOARD_DEFAULT_DAYS - 1)
    )
    unit = form.cleaned_data.get("unit") if valid else None
    stats = dashboard_stats_cached(
        agency_id=agency_id, date_from=date_from, date_to=date_to, unit_id=unit.pk if unit else None
    )
    return form, date_from, date_to, unit, stats


@staff_required
@require_GET
def staff_dashboard_export(request: HttpRequest) -> HttpResponse:
    """One lead-time table of the dashboard as CSV (same filters as the page)."""
    actor = _actor(request)
    table = request.GET.get("tabel", "")
    if table not in TABLES:
        raise Http404
    _form, date_from, date_to, _unit, stats = _dashboard_period(request, actor)
    return dashboard_table_csv(
        stats,
        table=table,
        filename=f"adminduk-{table}-{date_from.isoformat()}-{date_to.isoformat()}",
    )


@staff_required
@require_GET
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form, date_from, date_to, unit, stats = _dashboard_period(request, actor)
    export_query = urlencode(
        {
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            **({"unit": str(unit.pk)} if unit else {}),
        }
    )
    status_rows = [(label, stats["by_status"].get(value, 0)) for value, label in Status.choices]
    delivery_rows = [
        (label, stats["delivery"].get(value, 0)) for value, label in DeliveryMethod.choices
    ]
    timeliness_rows = [
        (label, stats["timeliness"][kind]["on_time"], stats["timeliness"][kind]["late"])
        for kind, label in (
            (EventKind.BIRTH, EventKind.BIRTH.label),
            (EventKind.DEATH, EventKind.DEATH.label),
        )
    ]
    max_daily = max([row["n"] for row in stats["daily"]] or [0]) or 1
    lead_tables = [
        (gettext_lazy("Per service"), _labelled(stats["by_service"], "service__name"), "layanan"),
        (gettext_lazy("Per unit"), _labelled(stats["by_unit"], "unit__name"), "unit"),
        (
            gettext_lazy("Per officer"),
            _labelled(stats["by_officer"], "assigned_officer__full_name"),
            "petugas",
        ),
    ]
    return render(
        request,
        "civil_registration/staff/dashboard.html",
        {
            "form": form,
            "date_from": date_from,
            "date_to": date_to,
            "stats": stats,
            "status_rows": status_rows,
            "delivery_rows": delivery_rows,
            "timeliness_rows": timeliness_rows,
            "max_daily": max_daily,
            "lead_tables": lead_tables,
            "export_query": export_query,
            "is_case_officer": selectors.is_case_officer(actor),
        },
    )


def _labelled(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [{**row, "label": row.get(key) or "—"} for row in rows]
