"""Writes of the complaints module: submission, the workflow transitions, moderation, feedback.

Every service is keyword-only and atomic. A transition locks the row, checks the table in
``workflow.TRANSITIONS`` and the actor's role (``workflow.ACTION_ROLES``) and agency, changes the
row, writes a timeline event and an audit entry, and notifies (in-app now, e-mail/SMS after
commit). Bad input raises ``ValidationError`` with a ``code``; a role that may not act raises
``PermissionDenied`` (callers have already fetched the report through a selector, so visibility
is a 404 before this point). A refused call changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import Agency, AgencyKind
from kotapintar.agencies.selectors import kecamatan_agency_for
from kotapintar.complaints.models import (
    OPEN_STATUSES,
    AreaSubscription,
    BannedReporter,
    Category,
    CategoryGroup,
    CategoryQuestion,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintFollower,
    ComplaintPhoto,
    EventKind,
    Open311Client,
    PhotoKind,
    Priority,
    Privacy,
    QuestionOption,
    QuestionType,
    Redaction,
    RejectionReason,
    ResponseTemplate,
    RoutingRule,
    SlaStage,
    Status,
)
from kotapintar.complaints.selectors import (
    agencies_active_list,
    categories_active_list,
    complaint_policy,
    routing_rules_active_list,
)
from kotapintar.complaints.workflow import ACTION_ROLES, next_status
from kotapintar.core.audit import audit_record
from kotapintar.core.notifications import notify
from kotapintar.core.reference_numbers import create_with_reference
from kotapintar.core.seed import seed_row
from kotapintar.core.sla import sla_pause, sla_resume, sla_start, sla_stop
from kotapintar.core.uploads import IMAGE, store_upload, validate_upload
from kotapintar.regions.geo import InvalidCoordinatesError
from kotapintar.regions.models import District, Village
from kotapintar.regions.selectors import deployment_regency_code, point_in_city, village_at

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 120
ANSWER_MAX_LENGTH = 1000
SHORT_TEXT_MAX_LENGTH = 300
IDEMPOTENCY_KEY_MAX_LENGTH = 80
#: Several citizens often share one public IP (mobile carrier NAT): the IP limit is wider.
IP_LIMIT_FACTOR = 5
PHOTO_KINDS = frozenset({IMAGE})

_EMAIL_ONLY = re.compile(r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$")
_PHONE_ONLY = re.compile(r"^\s*\+?[\d\s().\-]{7,}\s*$")
_PRIVACY_RANK = {Privacy.PUBLIC: 0, Privacy.ANONYMOUS: 1, Privacy.SECRET: 2}
_STAFF_AGENCY_ROLES = frozenset({Role.OFFICER, Role.AGENCY_HEAD})
_TRIAGE_ROLES = frozenset({Role.COORDINATOR, Role.CITY_ADMIN})


# --- Small helpers ----------------------------------------------------------------------------


def _invalid(message: Any, code: str, params: dict[str, Any] | None = None) -> ValidationError:
    return ValidationError(message, code=code, params=params)


def _clean_text(
    value: object,
    *,
    field: str,
    max_length: int,
    required: bool = True,
    multiline: bool = True,
) -> str:
    """Plain text as typed (trimmed); control characters, blanks and overlong text refused."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise _invalid(
            _("%(field)s must not be empty."), "required", {"field": _field_label(field)}
        )
    allowed = {"\n", "\t"} if multiline else {"\t"}
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise _invalid(
            _("%(field)s contains characters that are not allowed."),
            "control_characters",
            {"field": _field_label(field)},
        )
    if len(text) > max_length:
        raise _invalid(
            _("%(field)s is too long: at most %(limit)s characters."),
            "too_long",
            {"field": _field_label(field), "limit": max_length},
        )
    return text


def _field_label(field: str) -> str:
    labels = {
        "title": _("The title"),
        "description": _("The description"),
        "text": _("The text"),
        "reason": _("The reason"),
        "note": _("The explanation"),
        "message": _("The message"),
        "response": _("The response"),
        "question": _("The question"),
        "comment": _("The comment"),
        "address": _("The address"),
    }
    return str(labels.get(field, field))


def _complaint_path(complaint: Complaint) -> str:
    """The report's page (citizen UI), falling back to the module's root."""
    for name in ("complaints:detail", "complaints:public_detail"):
        try:
            return reverse(name, kwargs={"reference": complaint.reference})
        except NoReverseMatch:
            continue
    return "/pengaduan/"


def _is_active_user(user: object) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_active


def _require_role(actor: User | None, roles: Iterable[str]) -> User:
    if actor is None or not _is_active_user(actor) or actor.role not in set(roles):
        raise PermissionDenied(_("This role may not take this action."))
    return actor


def _require_agency_staff_or_triage(actor: User, complaint: Complaint) -> None:
    """Officers and agency heads act only on their agency's (or their assigned) reports."""
    if actor.role in _TRIAGE_ROLES:
        return
    if actor.role in _STAFF_AGENCY_ROLES and (
        (complaint.agency_id is not None and complaint.agency_id == actor.agency_id)
        or complaint.assigned_to_id == actor.pk
    ):
        return
    raise PermissionDenied(_("Not this agency's report."))


def _check_action(complaint: Complaint, actor: User | None, action: str) -> tuple[User, str]:
    """Role, agency and table checks for ``action``; returns the actor and the new status."""
    user = _require_role(actor, ACTION_ROLES[action])
    if user.role in _STAFF_AGENCY_ROLES:
        _require_agency_staff_or_triage(user, complaint)
    target = next_status(complaint.status, action)
    if target is None:
        raise _invalid(
            _("This action is not possible while the report is “%(status)s”."),
            "invalid_transition",
            {"status": complaint.get_status_display()},
        )
    return user, target


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _refresh(target: Complaint, source: Complaint) -> Complaint:
    """Copy the locked row's state back onto the caller's instance."""
    for field in Complaint._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _event(
    complaint: Complaint,
    *,
    kind: str,
    actor: User | None,
    message: str = "",
    from_status: str = "",
    to_status: str = "",
    is_public: bool = True,
    agency: Agency | None = None,
    at: datetime | None = None,
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor,
        message=message,
        from_status=from_status,
        to_status=to_status,
        is_public=is_public,
        agency=agency,
        created_at=at or timezone.now(),
    )


def _audit(
    *,
    actor: User | None,
    action: str,
    complaint: Complaint,
    request: HttpRequest | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    summary: str = "",
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=complaint,
        before=before,
        after=after,
        request=request,
        summary=summary or f"{action} {complaint.reference}",
    )


def _notify_reporter(complaint: Complaint, *, title: Any, body: Any, kind: str) -> None:
    reporter = complaint.reporter
    if reporter is not None and reporter.is_active:
        notify(
            recipient=reporter,
            kind=kind,
            title=title,
            body=body,
            url=_complaint_path(complaint),
        )


def _notify_followers(complaint: Complaint, *, title: Any, body: Any, kind: str) -> None:
    if complaint.from_banned_reporter or not complaint.is_publicly_visible:
        return
    followers = (
        ComplaintFollower.objects.filter(complaint=complaint, user__is_active=True)
        .exclude(user_id=complaint.reporter_id or 0)
        .select_related("user")
    )
    for follower in followers:
        notify(
            recipient=follower.user,
            kind=kind,
            title=title,
            body=body,
            url=_complaint_path(complaint),
        )


def _notify_status(complaint: Complaint) -> None:
    """Tell the reporter and followers about a new status."""
    title = _("Report %(reference)s: %(status)s") % {
        "reference": complaint.reference,
        "status": complaint.get_status_display(),
    }
    body = _("The status of your report is now “%(status)s”.") % {
        "status": complaint.get_status_display()
    }
    _notify_reporter(complaint, title=title, body=body, kind="complaint.status")
    _notify_followers(complaint, title=title, body=body, kind="complaint.status")


def _staff_of(agency: Agency | None, roles: Iterable[str]) -> list[User]:
    if agency is None:
        return []
    return list(User.objects.filter(agency=agency, role__in=list(roles), is_active=True))


def _handlers(complaint: Complaint) -> list[User]:
    """Who hears about the reporter's replies: the assigned officer, else the agency head."""
    if complaint.assigned_to is not None:
        return [complaint.assigned_to]
    return _staff_of(complaint.agency, [Role.AGENCY_HEAD])


def _coordinators() -> list[User]:
    return list(User.objects.filter(role=Role.COORDINATOR, is_active=True))


def _notify_staff(users: Iterable[User], complaint: Complaint, *, title: Any, kind: str) -> None:
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        notify(
            recipient=user,
            kind=kind,
            title=title,
            body=_("Report %(reference)s: %(title)s")
            % {"reference": complaint.reference, "title": complaint.title},
            url=_complaint_path(complaint),
        )


def _restart_clock(complaint: Complaint, *, at: datetime, working_days: int) -> list[str]:
    changed: list[str] = []
    if complaint.sla_started_at is not None and complaint.sla_stopped_at is None:
        changed += sla_stop(complaint, at=at)
    changed += sla_start(complaint, at=at, working_days=working_days)
    return changed


def _stop_clock(complaint: Complaint, *, at: datetime) -> list[str]:
    if complaint.sla_started_at is not None and complaint.sla_stopped_at is None:
        return sla_stop(complaint, at=at)
    return []


def _save(complaint: Complaint, fields: Iterable[str]) -> None:
    complaint.save(update_fields=sorted({*fields, "updated_at"}))


# --- Routing ---------------------------------------------------------------------------------


def complaint_route(complaint: Complaint, *, memoised: bool = False) -> Agency | None:
    """The agency a report goes to: the most specific active routing rule, else defaults.

    Order: category + kecamatan, category, kecamatan, the fallback rule (neither), then the
    category's default agency, then the kecamatan office of the report's kecamatan.

    ``memoised=True`` answers from the per-process configuration memo (``config_cache``)
    without a query, for display (the agency pre-selected on the officers' report page); a
    dispatch always reads the database.
    """
    if memoised:
        return _complaint_route_memoised(complaint)
    rules = RoutingRule.objects.filter(agency__is_active=True).select_related("agency")
    district_id = complaint.district_id
    candidates = [
        rules.filter(category_id=complaint.category_id, district_id=district_id)
        if district_id
        else None,
        rules.filter(category_id=complaint.category_id, district__isnull=True),
        rules.filter(category__isnull=True, district_id=district_id) if district_id else None,
        rules.filter(category__isnull=True, district__isnull=True),
    ]
    for qs in candidates:
        if qs is None:
            continue
        rule = qs.first()
        if rule is not None:
            return rule.agency
    category = complaint.category
    default = category.default_agency if category.default_agency_id is not None else None
    if default is not None and default.is_active:
        return default
    if district_id:
        return kecamatan_agency_for(district_code=district_id)
    return None


def _complaint_route_memoised(complaint: Complaint) -> Agency | None:
    """``complaint_route`` over the memoised active rules and agencies (the same order)."""
    rules, agencies = routing_rules_active_list(), agencies_active_list()
    category_id, district_id = complaint.category_id, complaint.district_id
    levels = [
        (category_id, district_id) if district_id else None,
        (category_id, None),
        (None, district_id) if district_id else None,
        (None, None),
    ]
    for level in levels:
        if level is None:
            continue
        for rule in rules:  # by pk, as ``first()`` on an unordered query
            if (rule.category_id, rule.district_id) == level:
                return rule.agency
    default_id = complaint.category.default_agency_id
    if default_id is not None:
        default = next((a for a in agencies if a.pk == default_id), None)
        if default is not None:  # the active list holds the active agencies only
            return default
    if district_id:
        return next(
            (
                a
                for a in agencies
                if a.kind == AgencyKind.KECAMATAN and a.district_id == district_id
            ),
            None,
        )
    return None


# --- Submission ------------------------------------------------------------------------------


def complaint_submission_allowed(*, reporter: User | None, ip: str | None) -> bool:
    """Count one submission attempt; ``False`` once the hourly limit is reached (views: 429)."""
    limit = complaint_policy().submissions_per_hour
    window = int(timezone.now().timestamp() // 3600)
    keys: list[tuple[str, int]] = []
    if reporter is not None and reporter.is_authenticated:
        keys.append((f"complaints:rate:user:{reporter.pk}:{window}", limit))
    if ip:
        keys.append((f"complaints:rate:ip:{ip}:{window}", limit * IP_LIMIT_FACTOR))
    allowed = True
    for key, key_limit in keys:
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3600)
            count = 1
        if count > key_limit:
            allowed = False
    return allowed


def _clean_location(latitude: object, longitude: object) -> tuple[float, float]:
    if latitude is None or longitude is None or latitude == "" or longitude == "":
        raise _invalid(_("Choose the location on the map."), "location_required")
    try:
        lat, lon = float(latitude), float(longitude)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise _invalid(_("The location is not valid."), "invalid_location") from None
    try:
        inside = point_in_city(lat, lon)
    except InvalidCoordinatesError:
        if _swapped_inside(lat, lon):
            raise _swapped_error() from None
        raise _invalid(_("The location is not valid."), "invalid_location") from None
    if not inside:
        if _swapped_inside(lat, lon):
            raise _swapped_error()
        raise _invalid(
            _("This location is outside the city: we can only handle reports within the city."),
            "outside_city",
        )
    return lat, lon


def _swapped_inside(lat: float, lon: float) -> bool:
    try:
        return math.isfinite(lat) and math.isfinite(lon) and point_in_city(lon, lat)
    except InvalidCoordinatesError:
        return False


def _swapped_error() -> ValidationError:
    return _invalid(
        _("Latitude and longitude seem to be swapped. Check the location."),
        "swapped_coordinates",
    )


def _clean_title(value: object) -> str:
    title = _clean_text(value, field="title", max_length=TITLE_MAX_LENGTH, multiline=False)
    if _EMAIL_ONLY.fullmatch(title) or _PHONE_ONLY.fullmatch(title):
        raise _invalid(
            _("Describe the problem in the title; do not put an e-mail address or phone there."),
            "title_personal_data",
        )
    return title


def _blocking_message(category: Category, answers: dict[str, Any]) -> str | None:
    for question in category.questions.all():
        if question.datatype not in (QuestionType.SINGLE, QuestionType.MULTI):
            continue
        raw = answers.get(question.code)
        chosen = raw if isinstance(raw, list | tuple) else [raw]
        for option in question.options.all():
            if option.blocks_submission and option.key in chosen:
                return option.blocking_message or str(
                    _("This report cannot be submitted here. Contact the emergency services.")
                )
    return None


def _clean_answers(category: Category, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers checked against the category's questions; unknown codes are dropped."""
    cleaned: dict[str, Any] = {}
    for question in category.questions.all():
        raw = answers.get(question.code)
        values = [v for v in (raw if isinstance(raw, list | tuple) else [raw]) if v is not None]
        values = [str(v).strip() for v in values if str(v).strip()]
        if not values:
            if question.required:
                raise _invalid(
                    _("Answer the question “%(question)s”."),
                    "answer_required",
                    {"question": question.prompt},
                )
            continue
        keys = {o.key for o in question.options.all()}
        if question.datatype == QuestionType.MULTI:
            if any(v not in keys for v in values):
                raise _invalid(
                    _("Choose one of the offered answers to “%(question)s”."),
                    "invalid_answer",
                    {"question": question.prompt},
                )
            cleaned[question.code] = list(dict.fromkeys(values))
            continue
        if len(values) > 1:
            raise _invalid(
                _("Give one answer to “%(question)s”."),
                "invalid_answer",
                {"question": question.prompt},
            )
        value = values[0]
        if question.datatype == QuestionType.SINGLE and value not in keys:
            raise _invalid(
                _("Choose one of the offered answers to “%(question)s”."),
                "invalid_answer",
                {"question": question.prompt},
            )
        if question.datatype == QuestionType.NUMBER:
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise _invalid(
                    _("The answer to “%(question)s” must be a number."),
                    "invalid_answer",
                    {"question": question.prompt},
                )
        if (
            question.datatype == QuestionType.DATETIME
            and parse_datetime(value) is None
            and parse_date(value) is None
        ):
            raise _invalid(
                _("The answer to “%(question)s” must be a date."),
                "invalid_answer",
                {"question": question.prompt},
            )
        if question.datatype in (QuestionType.STRING, QuestionType.TEXT):
            value = _clean_text(
                value,
                field="text",
                max_length=SHORT_TEXT_MAX_LENGTH
                if question.datatype == QuestionType.STRING
                else ANSWER_MAX_LENGTH,
                multiline=question.datatype == QuestionType.TEXT,
            )
        cleaned[question.code] = value
    return cleaned


def _clean_village(village_code: str | None, lat: float, lon: float) -> Village | None:
    if village_code:
        village = (
            Village.objects.select_related("district")
            .filter(code=village_code, district__regency_id=deployment_regency_code())
            .first()
        )
        if village is None:
            raise _invalid(_("Choose a kelurahan of this city."), "unknown_village")
        return village
    return village_at(lat, lon)


def _validate_photos(photos: Sequence[UploadedFile], *, limit: int) -> None:
    if len(photos) > limit:
        raise _invalid(
            _("At most %(limit)s photos per report."), "too_many_photos", {"limit": limit}
        )
    for photo in photos:
        validate_upload(photo, allowed_kinds=PHOTO_KINDS)
        photo.seek(0)


def _store_photos(
    complaint: Complaint, photos: Sequence[UploadedFile], *, kind: str, by: User | None
) -> list[ComplaintPhoto]:
    stored = []
    for photo in photos:
        photo.seek(0)
        file = store_upload(uploaded_file=photo, uploaded_by=by, allowed_kinds=PHOTO_KINDS)
        stored.append(ComplaintPhoto.objects.create(complaint=complaint, file=file, kind=kind))
    return stored


def _existing_submission(
    *, reporter: User | None, open311_client: Open311Client | None, key: str
) -> Complaint | None:
    if not key:
        return None
    if reporter is not None:
        return Complaint.objects.filter(reporter=reporter, idempotency_key=key).first()
    if open311_client is not None:
        return Complaint.objects.filter(
            open311_client=open311_client, reporter__isnull=True, idempotency_key=key
        ).first()
    return None


@transaction.atomic
def complaint_submit(
    *,
    reporter: User | None,
    category: Category,
    title: str,
    description: str,
    latitude: float,
    longitude: float,
    address: str = "",
    privacy: str = Privacy.PUBLIC,
    answers: dict[str, str | list[str]] | None = None,
    photos: Sequence[UploadedFile] = (),
    channel: str = Channel.WEB,
    idempotency_key: str = "",
    open311_client: Open311Client | None = None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    village_code: str | None = None,
    request: HttpRequest | None = None,
) -> Complaint:
    """Accept a citizen's report, or raise ``ValidationError`` having stored nothing.

    The same (reporter or client, ``idempotency_key``) returns the first report.
    """
    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise _invalid(_("The submission key is too long."), "invalid_idempotency_key")
    if reporter is not None and not _is_active_user(reporter):
        raise PermissionDenied(_("Inactive accounts cannot report."))
    existing = _existing_submission(reporter=reporter, open311_client=open311_client, key=key)
    if existing is not None:
        return existing

    policy = complaint_policy()
    # The active categories with their questions, memoised per process until the configuration
    # changes; a category created since is looked up in the database.
    active = next((c for c in categories_active_list() if c.pk == category.pk), None)
    if active is None:
        active = (
            Category.objects.filter(pk=category.pk, is_active=True)
            .prefetch_related("questions__options")
            .first()
        )
    if active is None:
        raise _invalid(_("Choose one of the offered categories."), "unknown_category")
    category = active
    answers = dict(answers or {})
    blocked = _blocking_message(category, answers)
    if blocked is not None:
        raise _invalid(blocked, "blocked")
    clean_title = _clean_title(title)
    clean_description = _clean_text(
        description, field="description", max_length=policy.description_max_length
    )
    lat, lon = _clean_location(latitude, longitude)
    clean_address = _clean_text(
        address, field="address", max_length=300, required=False, multiline=False
    )
    if privacy not in Privacy.values:
        raise _invalid(_("Choose a privacy option."), "invalid_privacy")
    if channel not in Channel.values:
        raise _invalid(_("Unknown channel."), "invalid_channel")
    clean_answers = _clean_answers(category, answers)
    village = _clean_village(village_code, lat, lon)
    name = _clean_text(reporter_name, field="text", max_length=150, required=False, multiline=False)
    if not name and reporter is not None:
        name = reporter.full_name
    _validate_photos(photos, limit=policy.max_photos)

    banned = reporter is not None and BannedReporter.objects.filter(user=reporter).exists()
    now = timezone.now()
    emergency = category.is_emergency
    priority = Priority.EMERGENCY if emergency else category.priority

    def create(reference: str) -> Complaint:
        complaint = Complaint(
            reference=reference,
            category=category,
            title=clean_title,
            description=clean_description,
            latitude=lat,
            longitude=lon,
            address=clean_address,
            district=village.district if village else None,
            village=village,
            privacy=privacy,
            priority=priority,
            answers=clean_answers,
            reporter=reporter,
            reporter_name=name,
            reporter_email=(reporter_email or "").strip()[:254],
            reporter_phone=(reporter_phone or "").strip()[:40],
            channel=channel,
            open311_client=open311_client,
            idempotency_key=key,
            status=Status.RECEIVED,
            sla_stage=SlaStage.VERIFICATION,
            from_banned_reporter=banned,
            submitted_at=now,
        )
        sla_start(
            complaint, at=now, working_days=0 if emergency else policy.verification_working_days
        )
        complaint.save()
        return complaint

    try:
        with transaction.atomic():
            complaint = create_with_reference(Complaint, "reference", "ADU", create)
            _store_photos(complaint, photos, kind=PhotoKind.REPORT, by=reporter)
            _event(
                complaint,
                kind=EventKind.STATUS,
                actor=reporter,
                to_status=Status.RECEIVED,
                at=now,
            )
            _audit(
                actor=reporter,
                action="complaint.submit",
                complaint=complaint,
                request=request,
                after={
                    "category": category.code,
                    "privacy": privacy,
                    "channel": channel,
                    "photos": len(photos),
                },
            )
    except IntegrityError:
        # A concurrent submission with the same key won the race: answer with its report.
        again = _existing_submission(reporter=reporter, open311_client=open311_client, key=key)
        if again is None:
            raise
        return again

    _notify_reporter(
        complaint,
        title=_("Report received: %(reference)s") % {"reference": complaint.reference},
        body=_("Thank you. Your report %(reference)s was received and will be checked.")
        % {"reference": complaint.reference},
        kind="complaint.received",
    )
    if emergency and not banned:
        _notify_staff(
            _coordinators(),
            complaint,
            title=_("Emergency report %(reference)s") % {"reference": complaint.reference},
            kind="complaint.emergency",
        )
        transaction.on_commit(partial(_enqueue_emergency, complaint.pk))
    return complaint


def _enqueue_emergency(complaint_id: int) -> None:
    from kotapintar.complaints.tasks import complaint_forward_emergency

    try:
        complaint_forward_emergency.enqueue(complaint_id)
    except Exception as exc:  # never let forwarding break a submission
        logger.error(
            "Emergency report %s: forwarding could not be queued (%s)",
            complaint_id,
            type(exc).__name__,
        )


# --- Triage ----------------------------------------------------------------------------------


@transaction.atomic
def complaint_verify(
    *, complaint: Complaint, actor: User, request: HttpRequest | None = None
) -> Complaint:
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "verify")
    before = locked.status
    now = timezone.now()
    locked.status = target
    locked.verified_at = now
    _save(locked, ["status", "verified_at"])
    _event(locked, kind=EventKind.STATUS, actor=user, from_status=before, to_status=target, at=now)
    _audit(
        actor=user,
        action="complaint.verify",
        complaint=locked,
        request=request,
        before={"status": before},
        after={"status": target},
    )
    _notify_status(locked)
    _notify_area_subscribers(locked)
    return _refresh(complaint, locked)


def _notify_area_subscribers(complaint: Complaint) -> None:
    """A new verified public report: one message per subscriber of its area."""
    if not complaint.is_publicly_visible or complaint.district_id is None:
        return
    subscriptions = (
        AreaSubscription.objects.filter(district_id=complaint.district_id, user__is_active=True)
        .exclude(user_id=complaint.reporter_id or 0)
        .select_related("user")
    )
    for sub in subscriptions:
        if sub.village_id is not None and sub.village_id != complaint.village_id:
            continue
        notify(
            recipient=sub.user,
            kind="complaint.area",
            title=_("New report in your area: %(title)s") % {"title": complaint.title},
            body=_("Report %(reference)s: %(title)s")
            % {"reference": complaint.reference, "title": complaint.title},
            url=_complaint_path(complaint),
        )


@transaction.atomic
def complaint_reject(
    *,
    complaint: Complaint,
    actor: User,
    reason: str,
    note: str,
    duplicate_of: Complaint | None = None,
    request: HttpRequest | None = None,
) -> Complaint:
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "reject")
    if reason not in RejectionReason.values:
        raise _invalid(_("Choose a reason for the rejection."), "invalid_reason")
    clean_note = _clean_text(
        note,
        field="note",
        max_length=2000,
        required=reason in (RejectionReason.NOT_AUTHORITY, RejectionReason.UNCLEAR),
    )
    original: Complaint | None = None
    if reason == RejectionReason.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == locked.pk:
            raise _invalid(_("Choose the original report."), "duplicate_required")
        original = Complaint.objects.get(pk=duplicate_of.pk)
        if original.duplicate_of_id is not None:
            original = Complaint.objects.get(pk=original.duplicate_of_id)
        if original.pk == locked.pk:
            raise _invalid(_("Choose the original report."), "duplicate_required")
    before = locked.status
    now = timezone.now()
    locked.status = target
    locked.rejection_reason = reason
    locked.rejection_note = clean_note
    locked.duplicate_of = original
    changed = ["status", "rejection_reason", "rejection_note", "duplicate_of"]
    changed += _stop_clock(locked, at=now)
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.STATUS,
        actor=user,
        from_status=before,
        to_status=target,
        message=clean_note,
        at=now,
    )
    if original is not None and locked.reporter_id is not None:
        assert locked.reporter is not None
        _follow(original, locked.reporter)
    _audit(
        actor=user,
        action="complaint.reject",
        complaint=locked,
        request=request,
        before={"status": before},
        after={
            "status": target,
            "reason": reason,
            "duplicate_of": original.reference if original else None,
        },
    )
    _notify_status(locked)
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_reopen_rejected(
    *, complaint: Complaint, actor: User, reason: str, request: HttpRequest | None = None
) -> Complaint:
    """A coordinator corrects a rejection: back to "received" with a fresh verification clock."""
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "reopen_rejected")
    clean_reason = _clean_text(reason, field="reason", max_length=1000)
    now = timezone.now()
    before = locked.status
    locked.status = target
    locked.rejection_reason = ""
    locked.rejection_note = ""
    locked.duplicate_of = None
    locked.sla_stage = SlaStage.VERIFICATION
    changed = ["status", "rejection_reason", "rejection_note", "duplicate_of", "sla_stage"]
    changed += _restart_clock(
        locked, at=now, working_days=complaint_policy().verification_working_days
    )
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.STATUS,
        actor=user,
        from_status=before,
        to_status=target,
        message=clean_reason,
        at=now,
    )
    _audit(
        actor=user,
        action="complaint.reopen_rejected",
        complaint=locked,
        request=request,
        before={"status": before},
        after={"status": target},
        summary="Rejection corrected",
    )
    _notify_status(locked)
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_dispose(
    *,
    complaint: Complaint,
    actor: User,
    agency: Agency | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "dispose")
    if locked.from_banned_reporter:
        raise _invalid(_("This report cannot be sent to an agency."), "banned_reporter")
    clean_note = _clean_text(note, field="note", max_length=2000, required=False)
    routed = complaint_route(locked)
    chosen = agency if agency is not None else routed
    if chosen is None or not chosen.is_active:
        raise _invalid(_("Choose the agency that should handle this report."), "no_agency")
    before = locked.status
    now = timezone.now()
    locked.status = target
    locked.agency = chosen
    locked.assigned_to = None
    locked.verified_at = locked.verified_at or now
    locked.disposed_at = now
    locked.sla_stage = SlaStage.RESPONSE
    changed = ["status", "agency", "assigned_to", "verified_at", "disposed_at", "sla_stage"]
    changed += _restart_clock(locked, at=now, working_days=complaint_policy().response_working_days)
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.STATUS,
        actor=user,
        from_status=before,
        to_status=target,
        agency=chosen,
        at=now,
    )
    if clean_note:
        _event(locked, kind=EventKind.NOTE, actor=user, message=clean_note, is_public=False, at=now)
    _audit(
        actor=user,
        action="complaint.dispose",
        complaint=locked,
        request=request,
        before={"status": before},
        # Whether the coordinator followed the routing rules or overrode them.
        after={"status": target, "agency": chosen.code, "routed": chosen == routed},
    )
    _notify_status(locked)
    _notify_staff(
        _staff_of(chosen, [Role.AGENCY_HEAD]),
        locked,
        title=_("New report for your agency: %(reference)s") % {"reference": locked.reference},
        kind="complaint.disposed",
    )
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_transfer(
    *,
    complaint: Complaint,
    actor: User,
    agency: Agency,
    reason: str,
    request: HttpRequest | None = None,
) -> Complaint:
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "transfer")
    clean_reason = _clean_text(reason, field="reason", max_length=1000)
    if agency is None or not agency.is_active:
        raise _invalid(_("Choose the agency that should handle this report."), "no_agency")
    if agency.pk == locked.agency_id:
        raise _invalid(_("The report is already with this agency."), "same_agency")
    before_status, before_agency = locked.status, locked.agency
    now = timezone.now()
    locked.status = target
    locked.agency = agency
    locked.assigned_to = None
    locked.disposed_at = now
    locked.sla_stage = SlaStage.RESPONSE
    changed = ["status", "agency", "assigned_to", "disposed_at", "sla_stage"]
    changed += _restart_clock(locked, at=now, working_days=complaint_policy().response_working_days)
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.TRANSFERRED,
        actor=user,
        from_status=before_status,
        to_status=target,
        message=clean_reason,
        agency=agency,
        at=now,
    )
    _audit(
        actor=user,
        action="complaint.transfer",
        complaint=locked,
        request=request,
        before={"status": before_status, "agency": before_agency.code if before_agency else None},
        after={"status": target, "agency": agency.code},
    )
    _notify_status(locked)
    _notify_staff(
        _staff_of(agency, [Role.AGENCY_HEAD]),
        locked,
        title=_("New report for your agency: %(reference)s") % {"reference": locked.reference},
        kind="complaint.disposed",
    )
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_return_not_authority(
    *, complaint: Complaint, actor: User, reason: str, request: HttpRequest | None = None
) -> Complaint:
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "return_not_authority")
    clean_reason = _clean_text(reason, field="reason", max_length=1000)
    before_status, before_agency = locked.status, locked.agency
    now = timezone.now()
    locked.status = target
    locked.agency = None
    locked.assigned_to = None
    locked.sla_stage = SlaStage.VERIFICATION
    changed = ["status", "agency", "assigned_to", "sla_stage"]
    changed += _restart_clock(
        locked, at=now, working_days=complaint_policy().verification_working_days
    )
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.STATUS,
        actor=user,
        from_status=before_status,
        to_status=target,
        message=clean_reason,
        agency=before_agency,
        at=now,
    )
    _audit(
        actor=user,
        action="complaint.return_not_authority",
        complaint=locked,
        request=request,
        before={"status": before_status, "agency": before_agency.code if before_agency else None},
        after={"status": target, "agency": None},
    )
    _notify_staff(
        _coordinators(),
        locked,
        title=_("Report returned by an agency: %(reference)s") % {"reference": locked.reference},
        kind="complaint.returned",
    )
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, actor: User, officer: User, request: HttpRequest | None = None
) -> Complaint:
    locked = _lock(complaint)
    user = _require_role(actor, {Role.AGENCY_HEAD, Role.COORDINATOR, Role.CITY_ADMIN})
    if user.role == Role.AGENCY_HEAD:
        _require_agency_staff_or_triage(user, locked)
    if locked.status not in (Status.DISPOSED, Status.IN_PROGRESS):
        raise _invalid(
            _("This action is not possible while the report is “%(status)s”."),
            "invalid_transition",
            {"status": locked.get_status_display()},
        )
    if (
        not _is_active_user(officer)
        or officer.role not in _STAFF_AGENCY_ROLES
        or officer.agency_id != locked.agency_id
    ):
        raise _invalid(_("Choose an officer of the handling agency."), "invalid_officer")
    before = locked.assigned_to_id
    locked.assigned_to = officer
    _save(locked, ["assigned_to"])
    _event(
        locked,
        kind=EventKind.ASSIGNED,
        actor=user,
        message=officer.full_name,
        is_public=False,
        agency=locked.agency,
    )
    _audit(
        actor=user,
        action="complaint.assign",
        complaint=locked,
        request=request,
        before={"assigned_to": before},
        after={"assigned_to": officer.pk},
    )
    if officer.pk != user.pk:
        _notify_staff(
            [officer],
            locked,
            title=_("Report assigned to you: %(reference)s") % {"reference": locked.reference},
            kind="complaint.assigned",
        )
    return _refresh(complaint, locked)


# --- Handling by the agency ------------------------------------------------------------------


@transaction.atomic
def complaint_start(
    *, complaint: Complaint, actor: User, message: str = "", request: HttpRequest | None = None
) -> Complaint:
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "start")
    clean_message = _clean_text(message, field="message", max_length=4000, required=False)
    before = locked.status
    now = timezone.now()
    locked.status = target
    locked.first_response_at = locked.first_response_at or now
    locked.sla_stage = SlaStage.RESOLUTION
    changed = ["status", "first_response_at", "sla_stage"]
    changed += _restart_clock(locked, at=now, working_days=locked.category.resolution_working_days)
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.STATUS,
        actor=user,
        from_status=before,
        to_status=target,
        message=clean_message,
        agency=locked.agency,
        at=now,
    )
    _audit(
        actor=user,
        action="complaint.start",
        complaint=locked,
        request=request,
        before={"status": before},
        after={"status": target},
    )
    _notify_status(locked)
    return _refresh(complaint, locked)


def _require_handler(actor: User | None, complaint: Complaint) -> User:
    """Staff who may write on an open report: its agency's staff, coordinators, city admins."""
    user = _require_role(actor, {Role.OFFICER, Role.AGENCY_HEAD, Role.COORDINATOR, Role.CITY_ADMIN})
    _require_agency_staff_or_triage(user, complaint)
    return user


def _require_open(complaint: Complaint) -> None:
    if complaint.status not in OPEN_STATUSES:
        raise _invalid(
            _("This action is not possible while the report is “%(status)s”."),
            "invalid_transition",
            {"status": complaint.get_status_display()},
        )


@transaction.atomic
def complaint_post_update(
    *, complaint: Complaint, actor: User, message: str, request: HttpRequest | None = None
) -> ComplaintEvent:
    locked = _lock(complaint)
    user = _require_handler(actor, locked)
    _require_open(locked)
    clean_message = _clean_text(message, field="message", max_length=4000)
    event = _event(
        locked, kind=EventKind.UPDATE, actor=user, message=clean_message, agency=locked.agency
    )
    _save(locked, [])
    _audit(actor=user, action="complaint.update", complaint=locked, request=request)
    title = _("New update on report %(reference)s") % {"reference": locked.reference}
    _notify_reporter(locked, title=title, body=clean_message, kind="complaint.update")
    _notify_followers(locked, title=title, body=clean_message, kind="complaint.update")
    _refresh(complaint, locked)
    return event


@transaction.atomic
def complaint_add_note(
    *, complaint: Complaint, actor: User, text: str, request: HttpRequest | None = None
) -> ComplaintEvent:
    """An internal note: never public, never sent to the citizen."""
    user = _require_handler(actor, complaint)
    clean_text = _clean_text(text, field="text", max_length=4000)
    event = _event(
        complaint,
        kind=EventKind.NOTE,
        actor=user,
        message=clean_text,
        is_public=False,
        agency=user.agency,
    )
    _audit(actor=user, action="complaint.note", complaint=complaint, request=request)
    return event


@transaction.atomic
def complaint_request_info(
    *, complaint: Complaint, actor: User, question: str, request: HttpRequest | None = None
) -> Complaint:
    locked = _lock(complaint)
    user = _require_handler(actor, locked)
    _require_open(locked)
    if locked.waiting_on_citizen:
        raise _invalid(_("The reporter has already been asked for information."), "already_waiting")
    if locked.reporter_id is None:
        raise _invalid(_("This report has no account to answer."), "no_reporter")
    clean_question = _clean_text(question, field="question", max_length=2000)
    now = timezone.now()
    locked.waiting_on_citizen = True
    changed = ["waiting_on_citizen"]
    if (
        locked.sla_started_at is not None
        and locked.sla_stopped_at is None
        and locked.sla_paused_at is None
    ):
        changed += sla_pause(locked, at=now)
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.INFO_REQUESTED,
        actor=user,
        message=clean_question,
        agency=locked.agency,
        at=now,
    )
    _audit(actor=user, action="complaint.request_info", complaint=locked, request=request)
    _notify_reporter(
        locked,
        title=_("Information needed for report %(reference)s") % {"reference": locked.reference},
        body=clean_question,
        kind="complaint.info_requested",
    )
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_add_info(
    *,
    complaint: Complaint,
    reporter: User,
    text: str,
    photos: Sequence[UploadedFile] = (),
    request: HttpRequest | None = None,
) -> Complaint:
    """The reporter adds information while the report is open; a paused clock resumes."""
    locked = _lock(complaint)
    if not _is_active_user(reporter) or locked.reporter_id != reporter.pk:
        raise PermissionDenied(_("Only the reporter adds information."))
    _require_open(locked)
    policy = complaint_policy()
    clean_text = _clean_text(text, field="text", max_length=policy.description_max_length)
    _validate_photos(photos, limit=policy.max_photos)
    now = timezone.now()
    changed: list[str] = []
    if locked.waiting_on_citizen:
        locked.waiting_on_citizen = False
        changed.append("waiting_on_citizen")
    if locked.sla_paused_at is not None and locked.sla_stopped_at is None:
        changed += sla_resume(locked, at=now)
    _store_photos(locked, photos, kind=PhotoKind.INFO, by=reporter)
    _save(locked, changed)
    # Not public: what a reporter adds may identify them (anonim); staff and the reporter see it.
    _event(
        locked,
        kind=EventKind.INFO_ADDED,
        actor=reporter,
        message=clean_text,
        is_public=False,
        at=now,
    )
    _audit(
        actor=reporter,
        action="complaint.add_info",
        complaint=locked,
        request=request,
        after={"photos": len(photos)},
    )
    _notify_staff(
        _handlers(locked),
        locked,
        title=_("The reporter added information: %(reference)s") % {"reference": locked.reference},
        kind="complaint.info_added",
    )
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_resolve(
    *,
    complaint: Complaint,
    actor: User,
    response: str,
    after_photos: Sequence[UploadedFile] = (),
    request: HttpRequest | None = None,
) -> Complaint:
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "resolve")
    clean_response = _clean_text(response, field="response", max_length=4000)
    if locked.category.requires_after_photo and not after_photos:
        raise _invalid(_("Add a photo of the result."), "after_photo_required")
    _validate_photos(after_photos, limit=complaint_policy().max_photos)
    before = locked.status
    now = timezone.now()
    locked.status = target
    locked.resolution_note = clean_response
    locked.resolved_at = now
    locked.waiting_on_citizen = False
    locked.citizen_confirmed_fixed = None
    changed = ["status", "resolution_note", "resolved_at", "waiting_on_citizen"]
    changed += ["citizen_confirmed_fixed", *_stop_clock(locked, at=now)]
    _store_photos(locked, after_photos, kind=PhotoKind.AFTER, by=user)
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.STATUS,
        actor=user,
        from_status=before,
        to_status=target,
        message=clean_response,
        agency=locked.agency,
        at=now,
    )
    _audit(
        actor=user,
        action="complaint.resolve",
        complaint=locked,
        request=request,
        before={"status": before},
        after={"status": target, "after_photos": len(after_photos)},
    )
    _notify_status(locked)
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_reject_resolution(
    *, complaint: Complaint, actor: User, reason: str, request: HttpRequest | None = None
) -> Complaint:
    """A coordinator sends a resolution back: the work reopens with a fresh resolution clock."""
    locked = _lock(complaint)
    user, target = _check_action(locked, actor, "reject_resolution")
    clean_reason = _clean_text(reason, field="reason", max_length=2000)
    return _reopen(
        locked, complaint, user, target, clean_reason, "complaint.reject_resolution", request
    )


def _reopen(
    locked: Complaint,
    complaint: Complaint,
    user: User,
    target: str,
    reason: str,
    action: str,
    request: HttpRequest | None,
) -> Complaint:
    before = locked.status
    now = timezone.now()
    locked.status = target
    locked.resolved_at = None
    locked.sla_stage = SlaStage.RESOLUTION
    changed = ["status", "resolved_at", "sla_stage", "citizen_confirmed_fixed"]
    changed += _restart_clock(locked, at=now, working_days=locked.category.resolution_working_days)
    _save(locked, changed)
    _event(
        locked,
        kind=EventKind.STATUS,
        actor=user,
        from_status=before,
        to_status=target,
        message=reason,
        agency=locked.agency,
        at=now,
    )
    _audit(
        actor=user,
        action=action,
        complaint=locked,
        request=request,
        before={"status": before},
        after={"status": target},
    )
    _notify_status(locked)
    _notify_staff(
        [locked.assigned_to]
        if locked.assigned_to
        else _staff_of(locked.agency, [Role.AGENCY_HEAD]),
        locked,
        title=_("Report reopened: %(reference)s") % {"reference": locked.reference},
        kind="complaint.reopened",
    )
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_close(
    *, complaint: Complaint, actor: User | None, request: HttpRequest | None = None
) -> Complaint:
    """Close a resolved report (``actor`` None: the auto-close task)."""
    locked = _lock(complaint)
    if actor is None:
        target = next_status(locked.status, "close")
        if target is None:
            raise _invalid(
                _("This action is not possible while the report is “%(status)s”."),
                "invalid_transition",
                {"status": locked.get_status_display()},
            )
        user = None
    else:
        user, target = _check_action(locked, actor, "close")
    return _close(locked, complaint, user, target, request)


def _close(
    locked: Complaint,
    complaint: Complaint,
    user: User | None,
    target: str,
    request: HttpRequest | None,
) -> Complaint:
    before = locked.status
    now = timezone.now()
    locked.status = target
    locked.closed_at = now
    _save(locked, ["status", "closed_at", *_stop_clock(locked, at=now)])
    _event(locked, kind=EventKind.STATUS, actor=user, from_status=before, to_status=target, at=now)
    _audit(
        actor=user,
        action="complaint.close",
        complaint=locked,
        request=request,
        before={"status": before},
        after={"status": target},
    )
    _notify_status(locked)
    return _refresh(complaint, locked)


# --- Citizen feedback ------------------------------------------------------------------------


def _require_reporter(complaint: Complaint, reporter: User | None) -> User:
    if reporter is None or not _is_active_user(reporter) or complaint.reporter_id != reporter.pk:
        raise PermissionDenied(_("Only the reporter may do this."))
    return reporter


@transaction.atomic
def complaint_confirm(
    *, complaint: Complaint, reporter: User, fixed: bool, request: HttpRequest | None = None
) -> Complaint:
    """The reporter says whether it is fixed: fixed closes it; not fixed (in the window) reopens."""
    locked = _lock(complaint)
    user = _require_reporter(locked, reporter)
    if locked.status != Status.RESOLVED or locked.resolved_at is None:
        raise _invalid(
            _("This action is not possible while the report is “%(status)s”."),
            "invalid_transition",
            {"status": locked.get_status_display()},
        )
    if fixed:
        locked.citizen_confirmed_fixed = True
        _save(locked, ["citizen_confirmed_fixed"])
        _event(
            locked,
            kind=EventKind.FEEDBACK,
            actor=user,
            message=str(_("The reporter confirmed the problem is fixed.")),
        )
        target = next_status(locked.status, "close")
        assert target is not None
        return _close(locked, complaint, user, target, request)
    window = timedelta(days=complaint_policy().reopen_window_days)
    if timezone.now() > locked.resolved_at + window:
        raise _invalid(
            _("The time to reopen this report has passed. Please submit a new report."),
            "reopen_window_passed",
        )
    target = next_status(locked.status, "reopen")
    assert target is not None
    locked.citizen_confirmed_fixed = False
    return _reopen(
        locked,
        complaint,
        user,
        target,
        str(_("The reporter says the problem is not fixed.")),
        "complaint.reopen",
        request,
    )


@transaction.atomic
def complaint_rate(
    *,
    complaint: Complaint,
    reporter: User,
    rating: int,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    locked = _lock(complaint)
    user = _require_reporter(locked, reporter)
    if locked.status not in (Status.RESOLVED, Status.CLOSED) or locked.resolved_at is None:
        raise _invalid(_("You can rate a report once it is resolved."), "not_resolved")
    if locked.rating is not None:
        raise _invalid(_("You have already rated this report."), "already_rated")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise _invalid(_("Choose a rating from 1 to 5."), "invalid_rating")
    clean_comment = _clean_text(comment, field="comment", max_length=2000, required=False)
    locked.rating = rating
    locked.rating_comment = clean_comment
    _save(locked, ["rating", "rating_comment"])
    _event(
        locked,
        kind=EventKind.FEEDBACK,
        actor=user,
        message=gettext("Rating: %(rating)s/5") % {"rating": rating},
        is_public=False,
    )
    _audit(
        actor=user,
        action="complaint.rate",
        complaint=locked,
        request=request,
        after={"rating": rating},
    )
    return _refresh(complaint, locked)


# --- Following and area subscriptions --------------------------------------------------------


def _follow(complaint: Complaint, user: User) -> bool:
    try:
        with transaction.atomic():
            ComplaintFollower.objects.create(complaint=complaint, user=user, is_supporter=True)
    except IntegrityError:
        return False
    Complaint.objects.filter(pk=complaint.pk).update(supporter_count=F("supporter_count") + 1)
    return True


@transaction.atomic
def complaint_follow(*, complaint: Complaint, user: User) -> bool:
    """Follow (support) a report; ``False`` when already following. The reporter cannot."""
    if not _is_active_user(user):
        raise PermissionDenied(_("Log in to follow a report."))
    if complaint.reporter_id == user.pk:
        raise _invalid(_("You are the reporter of this report."), "own_report")
    created = _follow(complaint, user)
    complaint.refresh_from_db(fields=["supporter_count"])
    return created


@transaction.atomic
def complaint_unfollow(*, complaint: Complaint, user: User) -> bool:
    deleted, _rows = ComplaintFollower.objects.filter(complaint=complaint, user=user).delete()
    if deleted:
        Complaint.objects.filter(pk=complaint.pk).update(
            supporter_count=Greatest(F("supporter_count") - 1, 0)
        )
        complaint.refresh_from_db(fields=["supporter_count"])
    return bool(deleted)


@transaction.atomic
def area_subscribe(
    *, user: User, district: District, village: Village | None = None
) -> AreaSubscription:
    if not _is_active_user(user):
        raise PermissionDenied(_("Log in to follow an area."))
    if district.regency_id != deployment_regency_code():
        raise _invalid(_("Choose a kecamatan of this city."), "unknown_district")
    if village is not None and village.district_id != district.pk:
        raise _invalid(_("Choose a kelurahan of this kecamatan."), "unknown_village")
    existing = AreaSubscription.objects.filter(
        user=user, district=district, village=village
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return AreaSubscription.objects.create(user=user, district=district, village=village)
    except IntegrityError:
        return AreaSubscription.objects.get(user=user, district=district, village=village)


@transaction.atomic
def area_unsubscribe_by_token(*, token: str) -> bool:
    """Unsubscribe from an e-mailed link (no login); ``False`` for an unknown token."""
    try:
        deleted, _rows = AreaSubscription.objects.filter(unsubscribe_token=token).delete()
    except (ValueError, ValidationError):
        return False
    return bool(deleted)


# --- Moderation ------------------------------------------------------------------------------


def _require_moderator(actor: User | None) -> User:
    return _require_role(actor, _TRIAGE_ROLES)


def _set_hidden(
    complaint: Complaint, actor: User, reason: str, hidden: bool, request: HttpRequest | None
) -> Complaint:
    locked = _lock(complaint)
    user = _require_moderator(actor)
    clean_reason = _clean_text(reason, field="reason", max_length=300)
    if locked.is_hidden == hidden:
        return _refresh(complaint, locked)
    locked.is_hidden = hidden
    _save(locked, ["is_hidden"])
    _event(locked, kind=EventKind.MODERATED, actor=user, message=clean_reason, is_public=False)
    _audit(
        actor=user,
        action="complaint.hide" if hidden else "complaint.unhide",
        complaint=locked,
        request=request,
        before={"is_hidden": not hidden},
        after={"is_hidden": hidden, "reason": clean_reason},
    )
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_hide(
    *, complaint: Complaint, actor: User, reason: str, request: HttpRequest | None = None
) -> Complaint:
    return _set_hidden(complaint, actor, reason, True, request)


@transaction.atomic
def complaint_unhide(
    *, complaint: Complaint, actor: User, reason: str, request: HttpRequest | None = None
) -> Complaint:
    return _set_hidden(complaint, actor, reason, False, request)


@transaction.atomic
def complaint_redact(
    *,
    complaint: Complaint,
    actor: User,
    field: str,
    new_text: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Complaint:
    """Replace the title or description; the original is kept in a ``Redaction`` row."""
    locked = _lock(complaint)
    user = _require_moderator(actor)
    if field not in ("title", "description"):
        raise _invalid(_("Only the title or the description can be edited."), "invalid_field")
    clean_reason = _clean_text(reason, field="reason", max_length=300)
    if field == "title":
        clean = _clean_title(new_text)
    else:
        clean = _clean_text(
            new_text, field="description", max_length=complaint_policy().description_max_length
        )
    Redaction.objects.create(
        complaint=locked,
        field=field,
        original_text=getattr(locked, field),
        reason=clean_reason,
        moderator=user,
    )
    setattr(locked, field, clean)
    _save(locked, [field])
    _event(locked, kind=EventKind.MODERATED, actor=user, message=clean_reason, is_public=False)
    _audit(
        actor=user,
        action="complaint.redact",
        complaint=locked,
        request=request,
        after={"field": field, "reason": clean_reason},
    )
    return _refresh(complaint, locked)


@transaction.atomic
def complaint_photo_redact(
    *, photo: ComplaintPhoto, actor: User, reason: str, request: HttpRequest | None = None
) -> ComplaintPhoto:
    """Withdraw a photo from every view; the stored file stays for audit."""
    user = _require_moderator(actor)
    clean_reason = _clean_text(reason, field="reason", max_length=300)
    locked = ComplaintPhoto.objects.select_for_update().get(pk=photo.pk)
    if locked.is_redacted:
        return locked
    locked.is_redacted = True
    locked.save(update_fields=["is_redacted"])
    Redaction.objects.create(
        complaint_id=locked.complaint_id,
        field="photo",
        photo=locked,
        reason=clean_reason,
        moderator=user,
    )
    complaint = locked.complaint
    _event(complaint, kind=EventKind.MODERATED, actor=user, message=clean_reason, is_public=False)
    _audit(
        actor=user,
        action="complaint.photo_redact",
        complaint=complaint,
        request=request,
        after={"photo": locked.pk, "reason": clean_reason},
    )
    photo.is_redacted = True
    return locked


@transaction.atomic
def complaint_privacy_change(
    *,
    complaint: Complaint,
    actor: User,
    privacy: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Complaint:
    """Coordinators change the mode; making a report LESS private needs a reason (audited)."""
    locked = _lock(complaint)
    user = _require_moderator(actor)
    if privacy not in Privacy.values:
        raise _invalid(_("Choose a privacy option."), "invalid_privacy")
    less_private = _PRIVACY_RANK[Privacy(privacy)] < _PRIVACY_RANK[Privacy(locked.privacy)]
    clean_reason = _clean_text(reason, field="reason", max_length=300, required=less_private)
    before = locked.privacy
    if before == privacy:
        return _refresh(complaint, locked)
    locked.privacy = privacy
    _save(locked, ["privacy"])
    _event(locked, kind=EventKind.MODERATED, actor=user, message=clean_reason, is_public=False)
    _audit(
        actor=user,
        action="complaint.privacy_change",
        complaint=locked,
        request=request,
        before={"privacy": before},
        after={"privacy": privacy, "reason": clean_reason},
        summary="Privacy made less strict" if less_private else "Privacy made stricter",
    )
    return _refresh(complaint, locked)


@transaction.atomic
def reporter_ban(*, user: User, actor: User, reason: str) -> BannedReporter:
    moderator = _require_moderator(actor)
    clean_reason = _clean_text(reason, field="reason", max_length=300)
    if user.role != Role.CITIZEN:
        raise _invalid(_("Only citizen accounts can be put on the abuse list."), "not_citizen")
    ban, created = BannedReporter.objects.get_or_create(
        user=user, defaults={"reason": clean_reason, "created_by": moderator}
    )
    if created:
        audit_record(
            actor=moderator,
            action="complaint.reporter_ban",
            object_type="accounts.user",
            object_id=user.pk,
            after={"reason": clean_reason},
            summary="Reporter put on the abuse list",
        )
    return ban


@transaction.atomic
def reporter_unban(*, user: User, actor: User, reason: str = "") -> bool:
    moderator = _require_moderator(actor)
    deleted, _rows = BannedReporter.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            actor=moderator,
            action="complaint.reporter_unban",
            object_type="accounts.user",
            object_id=user.pk,
            after={"reason": reason[:300]},
            summary="Reporter removed from the abuse list",
        )
    return bool(deleted)


# --- Open311 clients -------------------------------------------------------------------------


def _key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def open311_client_create(*, name: str, contact_email: str = "") -> tuple[Open311Client, str]:
    """A new client application and its raw API key (shown once; only the hash is stored)."""
    clean_name = _clean_text(name, field="text", max_length=120, multiline=False)
    raw_key = secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        name=clean_name,
        contact_email=(contact_email or "").strip(),
        key_prefix=raw_key[:8],
        key_hash=_key_hash(raw_key),
    )
    audit_record(
        actor=None,
        action="complaint.open311_client_create",
        obj=client,
        summary="Open311 client key issued",
    )
    return client, raw_key


def open311_client_by_key(raw_key: str | None) -> Open311Client | None:
    """The active client owning ``raw_key``, else ``None``."""
    if not raw_key or not isinstance(raw_key, str) or len(raw_key) > 200:
        return None
    return Open311Client.objects.filter(key_hash=_key_hash(raw_key), is_active=True).first()


# --- Used by tasks ---------------------------------------------------------------------------


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, at: datetime | None = None) -> bool:
    """Flag an overdue report once and tell the coordinators and the agency head."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.escalated_at is not None or locked.status not in OPEN_STATUSES:
        return False
    now = at or timezone.now()
    locked.escalated_at = now
    _save(locked, ["escalated_at"])
    _event(
        locked,
        kind=EventKind.ESCALATED,
        actor=None,
        is_public=False,
        agency=locked.agency,
        message=str(_("Past the service level: escalated.")),
        at=now,
    )
    _audit(actor=None, action="complaint.escalate", complaint=locked, request=None)
    _notify_staff(
        [*_coordinators(), *_staff_of(locked.agency, [Role.AGENCY_HEAD])],
        locked,
        title=_("Overdue report: %(reference)s") % {"reference": locked.reference},
        kind="complaint.escalated",
    )
    _refresh(complaint, locked)
    return True


@transaction.atomic
def complaint_record_forwarding(*, complaint: Complaint, ok: bool, detail: str = "") -> None:
    """Timeline entry for an emergency forwarding attempt (public when it succeeded)."""
    if ok:
        _event(
            complaint,
            kind=EventKind.FORWARDED,
            actor=None,
            message=str(_("Forwarded to the emergency services.")),
        )
    else:
        _event(
            complaint,
            kind=EventKind.NOTE,
            actor=None,
            is_public=False,
            message=gettext("Forwarding to the emergency services failed: %(detail)s")
            % {"detail": detail},
        )
    audit_record(
        actor=None,
        action="complaint.forward_emergency",
        obj=complaint,
        after={"ok": ok},
        summary="Emergency forwarding " + ("succeeded" if ok else "failed"),
    )


# --- Seed data -------------------------------------------------------------------------------

CATEGORIES_FILE = Path(__file__).resolve().parent / "data" / "categories.json"


class CategoryDataError(ValueError):
    """The categories file names something that does not exist (e.g. an agency code)."""


@dataclass
class CategoriesLoadResult:
    groups: int = 0
    categories: int = 0
    questions: int = 0
    options: int = 0
    rules: int = 0
    templates: int = 0


@transaction.atomic
def complaint_categories_load(
    *, path: Path = CATEGORIES_FILE, update_existing: bool = False
) -> CategoriesLoadResult:
    """Create the groups, categories, questions, routing and templates of ``path``.

    Matched by code (templates by title). Existing rows keep what administrators changed unless
    ``update_existing`` (the command's ``--update``); rows added in the admin are left alone.
    Idempotent. Needs the agencies loaded first (``load_reference_data``).
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    needed = {c.get("default_agency") for c in data["categories"]} | {
        r["agency"] for r in data.get("routing", [])
    }
    needed.discard(None)
    agencies = {a.code: a for a in Agency.objects.filter(code__in=needed)}
    missing = sorted(needed - agencies.keys())
    if missing:
        raise CategoryDataError(
            "Unknown agency codes (run load_reference_data first): " + ", ".join(missing)
        )
    result = CategoriesLoadResult()
    groups = {}
    for row in data["groups"]:
        groups[row["code"]], _created = seed_row(
            CategoryGroup,
            update_existing=update_existing,
            code=row["code"],
            defaults={"name": row["name"], "order": row.get("order", 0)},
        )
        result.groups += 1
    categories = {}
    for row in data["categories"]:
        category, _created = seed_row(
            Category,
            update_existing=update_existing,
            code=row["code"],
            defaults={
                "group": groups[row["group"]],
                "name": row["name"],
                "description": row.get("description", ""),
                "keywords": row.get("keywords", ""),
                "priority": row.get("priority", Priority.NORMAL),
                "is_emergency": row.get("is_emergency", False),
                "resolution_working_days": row["resolution_working_days"],
                "requires_after_photo": row.get("requires_after_photo", True),
                "default_agency": agencies.get(row.get("default_agency") or ""),
                "order": row.get("order", 0),
            },
        )
        categories[category.code] = category
        result.categories += 1
        for q_order, q in enumerate(row.get("questions", []), start=1):
            question, _created = seed_row(
                CategoryQuestion,
                update_existing=update_existing,
                category=category,
                code=q["code"],
                defaults={
                    "prompt": q["prompt"],
                    "description": q.get("description", ""),
                    "datatype": q["datatype"],
                    "required": q.get("required", False),
                    "order": q.get("order", q_order * 10),
                },
            )
            result.questions += 1
            for o_order, o in enumerate(q.get("options", []), start=1):
                seed_row(
                    QuestionOption,
                    update_existing=update_existing,
                    question=question,
                    key=o["key"],
                    defaults={
                        "name": o["name"],
                        "blocks_submission": o.get("blocks_submission", False),
                        "blocking_message": o.get("blocking_message", ""),
                        "order": o.get("order", o_order * 10),
                    },
                )
                result.options += 1
    for rule in data.get("routing", []):
        category_code, district_code = rule.get("category"), rule.get("district")
        seed_row(
            RoutingRule,
            update_existing=update_existing,
            category=categories[category_code] if category_code else None,
            district_id=district_code,
            defaults={"agency": agencies[rule["agency"]]},
        )
        result.rules += 1
    for template in data.get("templates", []):
        seed_row(
            ResponseTemplate,
            update_existing=update_existing,
            title=template["title"],
            agency=None,
            defaults={"body": template["body"]},
        )
        result.templates += 1
    return result
