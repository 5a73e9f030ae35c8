"""The officers' workspace (/pengaduan/kelola/): queue, report page with actions, export, dashboard.

Visibility comes only from ``complaints.selectors`` (anything outside it is a 404); each action
form POSTs to ``staff_action``, which calls exactly one service. Which forms a page shows follows
``workflow.TRANSITIONS`` and ``workflow.ACTION_ROLES``; the services check again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kotapintar.accounts.decorators import staff_required
from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.complaints import forms_staff as f
from kotapintar.complaints import selectors, services
from kotapintar.complaints.exports import export_csv_response, export_xlsx_response
from kotapintar.complaints.models import (
    OPEN_STATUSES,
    BannedReporter,
    Complaint,
    Priority,
    Status,
)
from kotapintar.complaints.workflow import ACTION_ROLES, next_status
from kotapintar.core.pagination import CachedCountPaginator
from kotapintar.core.sla import overdue_q

PAGE_SIZE = 25
#: Roles that triage and moderate city-wide.
MODERATOR_ROLES = frozenset({Role.COORDINATOR, Role.CITY_ADMIN})
DASHBOARD_DEFAULT_DAYS = 90

# --- Queue -------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_required let only logged-in staff through
    return user


def _queue_order(qs: QuerySet[Complaint], *, sort: str, now: Any) -> QuerySet[Complaint]:
    if sort == "newest":
        return qs.order_by("-submitted_at", "-pk")
    if sort == "oldest":
        return qs.order_by("submitted_at", "pk")
    # Emergencies first, then overdue, then the nearest due date (no clock: last).
    return qs.annotate(
        emergency_rank=Case(
            When(priority=Priority.EMERGENCY, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        overdue_rank=Case(When(overdue_q(now), then=Value(0)), default=Value(1)),
    ).order_by(
        "emergency_rank",
        "overdue_rank",
        F("sla_due_at").asc(nulls_last=True),
        "submitted_at",
        "pk",
    )


def _list_rows(page_ids: list[int]) -> list[Complaint]:
    """The queue page's reports with what the table shows: the assignee joined (without the
    encrypted fields nobody reads here), the configuration relations from the memo
    (``selectors.attach_config_relations``: joining them cost more planning than the page's
    query itself)."""
    rows = list(
        Complaint.objects.filter(pk__in=page_ids)
        .select_related("assigned_to")
        .defer("reporter_email", "reporter_phone", "assigned_to__phone", "assigned_to__nik")
    )
    selectors.attach_config_relations(rows)
    return rows


#: A queue count at or above this is reused for ``QUEUE_COUNT_CACHE_SECONDS``: counting a city's
#: hundreds of thousands of reports on every page view costs more than the page; the total of
#: a list that long may be a minute old. Shorter lists are always counted exactly.
QUEUE_COUNT_CACHE_THRESHOLD = 1000
QUEUE_COUNT_CACHE_SECONDS = 60


def _queue_count_key(actor: User, tab: str, query: Any) -> str:
    """The list's identity: who looks (visibility), the tab and the filters (not page/sort)."""
    filters = sorted(
        (key, value)
        for key, values in query.lists()
        if key not in ("page", "sort", "tab")
        for value in values
    )
    digest = hashlib.sha256(json.dumps([tab, filters]).encode()).hexdigest()
    return f"complaints:queue-count:{actor.pk}:{digest}"


def _queue_page(
    qs: QuerySet[Complaint], *, sort: str, now: Any, number: Any, count_key: str
) -> tuple[Page, list[Complaint]]:
    """One page of the queue. The order and the page are found on the reports table alone
    (ids only), then the page's 25 rows are read with their related names: joining first
    would join every matching report before sorting (thousands for an overdue filter)."""
    ids = _queue_order(qs, sort=sort, now=now).values_list("pk", flat=True)
    page = CachedCountPaginator(
        ids,
        PAGE_SIZE,
        count_key=count_key,
        cache_from=QUEUE_COUNT_CACHE_THRESHOLD,
        cache_seconds=QUEUE_COUNT_CACHE_SECONDS,
    ).get_page(number)
    page_ids = list(page.object_list)
    rows = _list_rows(page_ids) if page_ids else []
    by_id = {c.pk: c for c in rows}
    return page, [by_id[pk] for pk in page_ids if pk in by_id]


@staff_required
@require_GET
def staff_queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    now = timezone.now()
    form = f.QueueForm(request.GET or None, actor=actor)
    tab = form.selected_tab(actor)
    qs = f.apply_tab(selectors.complaints_for_actor(actor=actor), tab=tab, actor=actor)
    qs = form.apply(qs, now=now) if form.is_bound else qs
    default_sort = "due" if tab in f.WORK_TABS else "newest"
    sort = (
        form.cleaned_data.get("sort") if form.is_bound and form.is_valid() else ""
    ) or default_sort
    page, complaints = _queue_page(
        qs,
        sort=sort,
        now=now,
        number=request.GET.get("page"),
        count_key=_queue_count_key(actor, tab, request.GET),
    )
    rows = [(c, _is_overdue(c, now=now)) for c in complaints]
    query = request.GET.copy()
    query.pop("page", None)
    export_query = query.copy()
    export_query.pop("tab", None)
    return render(
        request,
        "complaints/staff/queue.html",
        {
            "form": form,
            "tabs": f.queue_tabs(actor),
            "tab": tab,
            "page_obj": page,
            "rows": rows,
            "query": query.urlencode(),
            "export_query": export_query.urlencode(),
            "tab_query": _without(query, "tab"),
        },
    )


def _without(query: Any, key: str) -> str:
    copy = query.copy()
    copy.pop(key, None)
    return str(copy.urlencode())


def _is_overdue(complaint: Complaint, *, now: Any) -> bool:
    from kotapintar.complaints.exports import is_overdue

    return is_overdue(complaint, now=now)


# --- Detail and actions ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAction:
    label: Any
    form_class: type[f.EmptyActionForm]
    run: Callable[[f.EmptyActionForm, Complaint, User, HttpRequest], object]
    done: Any
    danger: bool = False


def _data(form: forms.Form) -> dict[str, Any]:
    return form.cleaned_data


def _reporter(complaint: Complaint) -> User:
    assert complaint.reporter is not None  # "ban" is offered only for reports with an account
    return complaint.reporter


ACTIONS: dict[str, StaffAction] = {
    "verify": StaffAction(
        gettext_lazy("Verify"),
        f.EmptyActionForm,
        lambda form, c, u, r: services.complaint_verify(complaint=c, actor=u, request=r),
        gettext_lazy("The report was verified."),
    ),
    "reject": StaffAction(
        gettext_lazy("Reject"),
        f.RejectForm,
        lambda form, c, u, r: services.complaint_reject(
            complaint=c,
            actor=u,
            reason=_data(form)["reason"],
            note=_data(form)["note"],
            duplicate_of=_data(form)["duplicate_of"],
            request=r,
        ),
        gettext_lazy("The report was rejected."),
        danger=True,
    ),
    "dispose": StaffAction(
        gettext_lazy("Send to an agency"),
        f.DisposeForm,
        lambda form, c, u, r: services.complaint_dispose(
            complaint=c, actor=u, agency=_data(form)["agency"], note=_data(form)["note"], request=r
        ),
        gettext_lazy("The report was sent to the agency."),
    ),
    "transfer": StaffAction(
        gettext_lazy("Transfer to another agency"),
        f.TransferForm,
        lambda form, c, u, r: services.complaint_transfer(
            complaint=c,
            actor=u,
            agency=_data(form)["agency"],
            reason=_data(form)["reason"],
            request=r,
        ),
        gettext_lazy("The report was transferred."),
    ),
    "return_not_authority": StaffAction(
        gettext_lazy("Return: not our authority"),
        f.ReasonForm,
        lambda form, c, u, r: services.complaint_return_not_authority(
            complaint=c, actor=u, reason=_data(form)["reason"], request=r
        ),
        gettext_lazy("The report was returned to the coordinator."),
    ),
    "assign": StaffAction(
        gettext_lazy("Assign to an officer"),
        f.AssignForm,
        lambda form, c, u, r: services.complaint_assign(
            complaint=c, actor=u, officer=_data(form)["officer"], request=r
        ),
        gettext_lazy("The report was assigned."),
    ),
    "start": StaffAction(
        gettext_lazy("Start handling"),
        f.StartForm,
        lambda form, c, u, r: services.complaint_start(
            complaint=c, actor=u, message=_data(form)["message"], request=r
        ),
        gettext_lazy("Handling has started."),
    ),
    "update": StaffAction(
        gettext_lazy("Post a public update"),
        f.UpdateForm,
        lambda form, c, u, r: services.complaint_post_update(
            complaint=c, actor=u, message=_data(form)["message"], request=r
        ),
        gettext_lazy("The update was posted."),
    ),
    "request_info": StaffAction(
        gettext_lazy("Ask the citizen for information"),
        f.RequestInfoForm,
        lambda form, c, u, r: services.complaint_request_info(
            complaint=c, actor=u, question=_data(form)["question"], request=r
        ),
        gettext_lazy("The question was sent to the citizen."),
    ),
    "note": StaffAction(
        gettext_lazy("Add an internal note"),
        f.NoteForm,
        lambda form, c, u, r: services.complaint_add_note(
            complaint=c, actor=u, text=_data(form)["text"], request=r
        ),
        gettext_lazy("The note was added."),
    ),
    "resolve": StaffAction(
        gettext_lazy("Mark as resolved"),
        f.ResolveForm,
        lambda form, c, u, r: services.complaint_resolve(
            complaint=c,
            actor=u,
            response=_data(form)["response"],
            after_photos=[_data(form)["after_photo"]] if _data(form).get("after_photo") else [],
            request=r,
        ),
        gettext_lazy("The report was marked as resolved."),
    ),
    "reject_resolution": StaffAction(
        gettext_lazy("Reject the resolution"),
        f.ReasonForm,
        lambda form, c, u, r: services.complaint_reject_resolution(
            complaint=c, actor=u, reason=_data(form)["reason"], request=r
        ),
        gettext_lazy("The resolution was rejected; the report is back in progress."),
        danger=True,
    ),
    "close": StaffAction(
        gettext_lazy("Close"),
        f.EmptyActionForm,
        lambda form, c, u, r: services.complaint_close(complaint=c, actor=u, request=r),
        gettext_lazy("The report was closed."),
    ),
    "reopen_rejected": StaffAction(
        gettext_lazy("Undo the rejection"),
        f.ReasonForm,
        lambda form, c, u, r: services.complaint_reopen_rejected(
            complaint=c, actor=u, reason=_data(form)["reason"], request=r
        ),
        gettext_lazy("The rejection was undone; the report awaits verification again."),
    ),
    "hide": StaffAction(
        gettext_lazy("Hide from the public"),
        f.HideForm,
        lambda form, c, u, r: services.complaint_hide(
            complaint=c, actor=u, reason=_data(form)["reason"], request=r
        ),
        gettext_lazy("The report is hidden from the public."),
        danger=True,
    ),
    "unhide": StaffAction(
        gettext_lazy("Show to the public again"),
        f.HideForm,
        lambda form, c, u, r: services.complaint_unhide(
            complaint=c, actor=u, reason=_data(form)["reason"], request=r
        ),
        gettext_lazy("The report is public again."),
    ),
    "redact": StaffAction(
        gettext_lazy("Redact text"),
        f.RedactForm,
        lambda form, c, u, r: services.complaint_redact(
            complaint=c,
            actor=u,
            field=_data(form)["field"],
            new_text=_data(form)["new_text"],
            reason=_data(form)["reason"],
            request=r,
        ),
        gettext_lazy("The text was redacted; the original is kept for audit."),
        danger=True,
    ),
    "redact_photo": StaffAction(
        gettext_lazy("Remove a photo"),
        f.PhotoRedactForm,
        lambda form, c, u, r: services.complaint_photo_redact(
            photo=_data(form)["photo"], actor=u, reason=_data(form)["reason"], request=r
        ),
        gettext_lazy("The photo was removed; the original is kept for audit."),
        danger=True,
    ),
    "privacy": StaffAction(
        gettext_lazy("Change privacy"),
        f.PrivacyForm,
        lambda form, c, u, r: services.complaint_privacy_change(
            complaint=c,
            actor=u,
            privacy=_data(form)["privacy"],
            reason=_data(form)["reason"],
            request=r,
        ),
        gettext_lazy("The privacy of the report was changed."),
        danger=True,
    ),
    "ban": StaffAction(
        gettext_lazy("Ban the reporter"),
        f.BanForm,
        lambda form, c, u, r: services.reporter_ban(
            user=_reporter(c), actor=u, reason=_data(form)["reason"]
        ),
        gettext_lazy("The reporter is banned: their reports are no longer published or sent."),
        danger=True,
    ),
}

#: Actions of the workflow table (the others are not status changes).
WORKFLOW_ACTIONS = (
    "verify",
    "reject",
    "dispose",
    "transfer",
    "return_not_authority",
    "start",
    "resolve",
    "reject_resolution",
    "close",
    "reopen_rejected",
)
#: Agency heads hand out work in their agency; coordinators anywhere (officers do not).
ASSIGN_ROLES = frozenset({Role.AGENCY_HEAD, Role.COORDINATOR, Role.CITY_ADMIN})
#: Agency roles act only on reports of their own agency (or assigned to them).
AGENCY_ROLES = frozenset({Role.OFFICER, Role.AGENCY_HEAD})


def _handles(complaint: Complaint, actor: User) -> bool:
    """Whether ``actor`` works on ``complaint``: coordinators city-wide, agency staff their own."""
    if actor.role in MODERATOR_ROLES:
        return True
    if actor.role in AGENCY_ROLES:
        return (
            complaint.agency_id is not None and complaint.agency_id == actor.agency_id
        ) or complaint.assigned_to_id == actor.pk
    return False


def allowed_actions(complaint: Complaint, actor: User, *, reporter_banned: bool) -> list[str]:
    """The actions whose forms ``actor`` sees on ``complaint`` (analysts: none)."""
    if not _handles(complaint, actor):
        return []
    allowed = [
        action
        for action in WORKFLOW_ACTIONS
        if next_status(complaint.status, action) is not None and actor.role in ACTION_ROLES[action]
    ]
    is_open = complaint.status in OPEN_STATUSES
    in_agency = complaint.status in (Status.DISPOSED, Status.IN_PROGRESS)
    if in_agency and complaint.agency_id is not None and actor.role in ASSIGN_ROLES:
        allowed.append("assign")
    if is_open:
        allowed.append("update")
        if not complaint.waiting_on_citizen and complaint.reporter_id is not None:
            allowed.append("request_info")
    allowed.append("note")
    if actor.role in MODERATOR_ROLES:
        allowed += ["unhide" if complaint.is_hidden else "hide", "redact", "redact_photo"]
        allowed.append("privacy")
        if complaint.reporter_id is not None and not reporter_banned:
            allowed.append("ban")
    return allowed


def _detail_url(complaint: Complaint) -> str:
    return reverse("complaints:staff_detail", args=[complaint.reference])


def _build_form(
    action: str, complaint: Complaint, actor: User, request: HttpRequest | None = None
) -> f.EmptyActionForm:
    spec = ACTIONS[action]
    kwargs: dict[str, Any] = {"complaint": complaint, "actor": actor, "prefix": action}
    if spec.form_class is f.DisposeForm and request is None:
        kwargs["routed_agency"] = services.complaint_route(complaint, memoised=True)
    if request is not None:
        return spec.form_class(request.POST, request.FILES, **kwargs)
    return spec.form_class(**kwargs)


def _render_detail(
    request: HttpRequest,
    complaint: Complaint,
    *,
    bound: tuple[str, f.EmptyActionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    banned = (
        complaint.reporter_id is not None
        and BannedReporter.objects.filter(user_id=complaint.reporter_id).exists()
    )
    actions = allowed_actions(complaint, actor, reporter_banned=banned)
    action_forms = []
    for action in actions:
        if bound is not None and bound[0] == action:
            form = bound[1]
        else:
            form = _build_form(action, complaint, actor)
        if isinstance(form, f.PhotoRedactForm) and not form.photos:
            continue
        spec = ACTIONS[action]
        action_forms.append(
            {
                "action": action,
                "label": spec.label,
                "form": form,
                "danger": spec.danger,
                "open": bound is not None and bound[0] == action,
                "url": reverse("complaints:staff_action", args=[complaint.reference, action]),
            }
        )
    templates = {}
    for item in action_forms:
        if isinstance(item["form"], f.UpdateForm):
            templates = {str(t.pk): t.body for t in item["form"].templates}
    return render(
        request,
        "complaints/staff/detail.html",
        {
            "complaint": complaint,
            "reporter": selectors.reporter_display(complaint=complaint, viewer=actor),
            "answers": selectors.complaint_answers_display(complaint=complaint),
            # Coordinators (and the agency for public reports) see contact details; audited.
            "contact": selectors.reporter_contact(
                complaint=complaint, viewer=actor, request=request
            ),
            "sla": selectors.complaint_sla_view(complaint),
            "timeline": selectors.complaint_timeline(complaint=complaint, actor=actor),
            "photos": selectors.complaint_photos(complaint=complaint, actor=actor),
            "action_forms": action_forms,
            "response_templates": templates,
            "reporter_banned": banned,
            "is_moderator": actor.role in MODERATOR_ROLES,
        },
        status=status,
    )


@staff_required
@require_GET
def staff_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_get_for_staff_page(actor=_actor(request), reference=reference)
    return _render_detail(request, complaint)


@staff_required
@require_POST
def staff_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    actor = _actor(request)
    complaint = selectors.complaint_get_for_actor(actor=actor, reference=reference)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    banned = (
        complaint.reporter_id is not None
        and BannedReporter.objects.filter(user_id=complaint.reporter_id).exists()
    )
    if action not in allowed_actions(complaint, actor, reporter_banned=banned):
        # The report is visible to the actor, so refusing the action reveals nothing new.
        raise PermissionDenied
    form = _build_form(action, complaint, actor, request)
    if form.is_valid():
        try:
            spec.run(form, complaint, actor, request)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, str(spec.done))
            return _after_action(request, complaint, actor)
    complaint.refresh_from_db()
    return _render_detail(request, complaint, bound=(action, form))


def _after_action(request: HttpRequest, complaint: Complaint, actor: User) -> HttpResponse:
    # After a transfer the report may have left the actor's view: go back to the queue.
    still_visible = selectors.complaints_for_actor(actor=actor).filter(pk=complaint.pk).exists()
    url = _detail_url(complaint) if still_visible else reverse("complaints:staff_queue")
    if getattr(request, "htmx", False) and not still_visible:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url, status=303)


# --- Export ------------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_export(request: HttpRequest, fmt: str) -> HttpResponse:
    actor = _actor(request)
    form = f.ComplaintFilterForm(request.GET or None, actor=actor)
    # Banned reporters' reports are left out, as on the dashboard, so that the totals match.
    qs = selectors.complaints_for_actor(actor=actor).filter(from_banned_reporter=False)
    if form.is_bound:
        qs = form.apply(qs, now=timezone.now())
    qs = qs.order_by("submitted_at", "pk")
    filename = "pengaduan-" + timezone.localdate().isoformat()
    if fmt == "xlsx":
        return export_xlsx_response(qs, filename=filename)
    return export_csv_response(qs, filename=filename)  # type: ignore[return-value]


# --- Dashboard ---------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = f.DashboardForm(request.GET or None, actor=actor)
    valid = form.is_bound and form.is_valid()
    today = timezone.localdate()
    date_to: date = (form.cleaned_data.get("date_to") if valid else None) or today
    date_from: date = (form.cleaned_data.get("date_from") if valid else None) or (
        date_to - timedelta(days=DASHBOARD_DEFAULT_DAYS)
    )
    agency = form.selected_agency()
    if not f.dashboard_chooses_agency(actor) and agency is None:
        raise Http404  # agency staff without an agency have no dashboard
    stats = selectors.agency_dashboard_cached(agency=agency, date_from=date_from, date_to=date_to)
    export_params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    if agency is not None and f.dashboard_chooses_agency(actor):
        export_params["agency"] = agency.code
    status_rows = [(label, stats["by_status"].get(value, 0)) for value, label in Status.choices]
    backlog = stats["backlog"]
    backlog_rows = [
        (gettext_lazy("0–4 weeks"), backlog["0_4_weeks"]),
        (gettext_lazy("4–8 weeks"), backlog["4_8_weeks"]),
        (gettext_lazy("Over 8 weeks"), backlog["over_8_weeks"]),
    ]

    def series(rows: list[tuple[Any, int]]) -> dict[str, list[Any]]:
        return {"labels": [str(label) for label, _n in rows], "values": [n for _l, n in rows]}

    chart_data = {
        "status": series(status_rows),
        "category": series([(row["name"], row["count"]) for row in stats["by_category"]]),
        "backlog": series(backlog_rows),
    }
    return render(
        request,
        "complaints/staff/dashboard.html",
        {
            "form": form,
            "agency": agency,
            "date_from": date_from,
            "date_to": date_to,
            "stats": stats,
            "export_query": urlencode(export_params),
            "status_rows": status_rows,
            "backlog_rows": backlog_rows,
            "chart_data": chart_data,
        },
    )
