"""Writes of the UMKM module.

Every service is keyword-only and atomic; it checks permissions (owner by ownership, Dinas by
module role), validates with ``umkm.rules`` (raising ``ValidationError`` with a ``code`` and a
field name, storing nothing), changes rows, writes an audit entry (``core.audit``) and notifies
after commit. Callers fetch records through ``umkm.selectors`` first, so another owner's record
is already a 404; services re-check and raise ``PermissionDenied`` as a second line.

Stock is taken when an order is **placed** (conditional ``UPDATE … WHERE stock >= qty``), so two
buyers can never be promised the same unit; it is given back on decline, cancel and expiry.
"""

from __future__ import annotations

import io
import json
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.core.audit import audit_record
from kotapintar.core.calendar import add_working_days, local_date
from kotapintar.core.models.files import StoredFile
from kotapintar.core.notifications import notify
from kotapintar.core.personal_data import identity_blind_index, parse_nik
from kotapintar.core.reference_numbers import create_with_reference
from kotapintar.core.seed import seed_row
from kotapintar.core.uploads import IMAGE, store_upload
from kotapintar.regions.models import District, Village
from kotapintar.umkm import rules
from kotapintar.umkm.models import (
    STOCK_HOLDING_STATUSES,
    UMK_SCALES,
    Business,
    BusinessScaleChange,
    BuyerProfile,
    Certification,
    CertificationType,
    Enrolment,
    EnrolmentStatus,
    GovernmentPurchase,
    JourneyMilestone,
    Market,
    NibClaim,
    NibClaimStatus,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductCategory,
    ProductPhoto,
    ProductStatus,
    Programme,
    PurchaseKind,
    Review,
    ReviewStatus,
    ScaleThreshold,
    SearchSynonym,
    Sector,
    UmkmPolicy,
    VerificationStatus,
)
from kotapintar.umkm.search import product_index_update, products_reindex, synonyms_invalidate
from kotapintar.umkm.selectors import is_dinas_officer, scale_on, scale_thresholds, umkm_policy
from kotapintar.umkm.workflow import ACTION_PARTIES, RELEASES_STOCK, next_status

DATA_DIR = Path(__file__).resolve().parent / "data"

PUBLIC_BUSINESS_FIELDS = ("name", "sector", "kbli", "founding_year", "employees", "description")
#: The business's place, changed by its owner through ``business_update``.
LOCATION_FIELDS = ("district", "village")


def _field_error(field: str, error: ValidationError) -> ValidationError:
    return ValidationError({field: error.error_list}, code=error.error_list[0].code)


def _require_dinas(actor: User) -> None:
    if not is_dinas_officer(actor):
        raise PermissionDenied(_("Only a Dinas Koperasi & UKM officer may do this."))


def _require_owner(actor: User, business: Business) -> None:
    if actor is None or not actor.is_authenticated or business.owner_id != actor.pk:
        raise PermissionDenied(_("This is not your business."))


def _notify_after_commit(**kwargs: Any) -> None:
    transaction.on_commit(partial(notify, **kwargs))


# --- Reference data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceLoadResult:
    thresholds: int
    certification_types: int
    categories: int
    synonyms: int


@transaction.atomic
def umkm_reference_load(
    *, data_dir: Path = DATA_DIR, update_existing: bool = False
) -> ReferenceLoadResult:
    """Load thresholds, certification types, the category tree, synonyms and the policy from
    ``data/*.json``: missing rows are created; existing ones keep what administrators changed
    unless ``update_existing`` (the command's ``--update``); nothing is deleted."""
    thresholds = json.loads((data_dir / "thresholds.json").read_text(encoding="utf-8"))
    for row in thresholds["thresholds"]:
        seed_row(
            ScaleThreshold,
            update_existing=update_existing,
            scale=row["scale"],
            defaults={
                "rank": row["rank"],
                "max_capital": row["max_capital"],
                "max_turnover": row["max_turnover"],
                "legal_basis": thresholds.get("legal_basis", ""),
            },
        )
    types = json.loads((data_dir / "certification_types.json").read_text(encoding="utf-8"))
    for row in types:
        seed_row(
            CertificationType,
            update_existing=update_existing,
            code=row["code"],
            defaults={
                "name": row["name"],
                "issuer": row.get("issuer", ""),
                "validity_years": row.get("validity_years"),
                "number_hint": row.get("number_hint", ""),
            },
        )
    categories = 0
    tree = json.loads((data_dir / "categories.json").read_text(encoding="utf-8"))

    def load(nodes: list[dict[str, Any]], parent: ProductCategory | None) -> None:
        nonlocal categories
        for node in nodes:
            category, _created = seed_row(
                ProductCategory,
                update_existing=update_existing,
                slug=node["slug"],
                defaults={
                    "name": node["name"],
                    "parent": parent,
                    "position": node.get("position", 0),
                    "pirt_allowed": node.get("pirt_allowed", True),
                },
            )
            categories += 1
            load(node.get("children", []), category)

    load(tree, None)
    synonyms = json.loads((data_dir / "synonyms.json").read_text(encoding="utf-8"))
    for row in synonyms:
        seed_row(
            SearchSynonym,
            update_existing=update_existing,
            term=row["term"].strip().lower(),
            defaults={"canonical": row["canonical"].strip().lower()},
        )
    synonyms_invalidate()
    policy_data = json.loads((data_dir / "policy.json").read_text(encoding="utf-8"))
    policy = UmkmPolicy.objects.order_by("pk").first()
    if policy is None:
        UmkmPolicy.objects.create(**policy_data)
    elif update_existing:
        UmkmPolicy.objects.filter(pk=policy.pk).update(**policy_data)
    return ReferenceLoadResult(
        thresholds=len(thresholds["thresholds"]),
        certification_types=len(types),
        categories=categories,
        synonyms=len(synonyms),
    )


@transaction.atomic
def search_synonyms_changed(*, actor: User | None) -> int:
    """After synonyms were edited: rebuild the search text of every product."""
    synonyms_invalidate()
    count = products_reindex()
    audit_record(actor=actor, action="umkm.search_reindex", summary=f"Reindexed {count} products")
    return count


# --- Registry -----------------------------------------------------------------------------------


def _classify(*, annual_turnover: int | None, capital: int) -> str:
    return rules.classify_scale(
        annual_turnover=annual_turnover, capital=capital, thresholds=scale_thresholds()
    )


def _non_negative(field: str, value: Any, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            {field: [ValidationError(_("Enter a whole number of 0 or more."), code="invalid")]}
        )
    return value


@dataclass(frozen=True)
class BusinessRegistration:
    """The outcome of ``business_register``: a new business, or a claim for Dinas review."""

    business: Business | None
    claim: NibClaim | None


@transaction.atomic
def business_register(
    *,
    actor: User,
    name: str,
    owner_name: str,
    owner_nik: str,
    nib: str,
    kbli: str,
    sector: str,
    district: District,
    village: Village | None,
    street_address: str,
    phone: str,
    founding_year: int,
    employees: int,
    capital: int,
    annual_turnover: int | None,
    description: str = "",
    is_cooperative: bool = False,
    nib_document: UploadedFile | None = None,
    request: Any = None,
) -> BusinessRegistration:
    """Register a UMKM for ``actor`` (status "belum terverifikasi").

    A NIB that already belongs to an active business creates an ``NibClaim`` for the Dinas
    instead of a second active business.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    errors: dict[str, list[ValidationError]] = {}
    clean: dict[str, Any] = {}
    for field, parse, raw in (
        ("nib", rules.parse_nib, nib),
        ("kbli", rules.parse_kbli, kbli),
    ):
        try:
            clean[field] = parse(raw)
        except ValidationError as exc:
            errors[field] = exc.error_list
    try:
        clean["owner_nik"] = parse_nik(owner_nik).value
    except ValidationError as exc:
        errors["owner_nik"] = exc.error_list
    if not (name or "").strip():
        errors["name"] = [ValidationError(_("Enter the business name."), code="required")]
    if not (owner_name or "").strip():
        errors["owner_name"] = [ValidationError(_("Enter the owner's name."), code="required")]
    if sector not in Sector.values:
        errors["sector"] = [ValidationError(_("Choose a sector."), code="invalid_choice")]
    if village is not None and village.district_id != district.pk:
        errors["village"] = [
            ValidationError(_("This kelurahan is not in the chosen kecamatan."), code="invalid")
        ]
    this_year = local_date(timezone.now()).year
    if not isinstance(founding_year, int) or not 1900 <= founding_year <= this_year:
        errors["founding_year"] = [
            ValidationError(_("Enter a founding year between 1900 and this year."), code="invalid")
        ]
    for field, value, allow_none in (
        ("employees", employees, False),
        ("capital", capital, False),
        ("annual_turnover", annual_turnover, True),
    ):
        try:
            _non_negative(field, value, allow_none=allow_none)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)

    document = None
    if nib_document is not None:
        document = store_upload(uploaded_file=nib_document, uploaded_by=actor)

    existing = Business.objects.select_for_update().filter(nib=clean["nib"], is_active=True).first()
    if existing is not None:
        claim = NibClaim.objects.create(
            nib=clean["nib"],
            existing_business=existing,
            claimant=actor,
            business_name=name.strip(),
            owner_name=owner_name.strip(),
            document=document,
        )
        audit_record(
            actor=actor,
            action="umkm.nib_claim",
            obj=claim,
            request=request,
            summary="Second registration of an NIB routed to Dinas review",
        )
        return BusinessRegistration(business=None, claim=claim)

    scale = _classify(annual_turnover=annual_turnover, capital=capital)
    business = Business.objects.create(
        owner=actor,
        name=name.strip(),
        owner_name=owner_name.strip(),
        owner_nik=clean["owner_nik"],
        owner_nik_hash=identity_blind_index(clean["owner_nik"]),
        nib=clean["nib"],
        nib_document=document,
        kbli=clean["kbli"],
        sector=sector,
        district=district,
        village=village,
        street_address=(street_address or "").strip(),
        phone=(phone or "").strip(),
        founding_year=founding_year,
        employees=employees,
        capital=capital,
        annual_turnover=annual_turnover,
        scale=scale,
        is_cooperative=is_cooperative,
        description=(description or "").strip(),
    )
    BusinessScaleChange.objects.create(
        business=business,
        effective_date=local_date(timezone.now()),
        annual_turnover=annual_turnover,
        capital=capital,
        employees=employees,
        scale=scale,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="umkm.business_register",
        obj=business,
        after={"name": business.name, "nib": business.nib, "scale": scale},
        request=request,
        summary="UMKM registered",
    )
    return BusinessRegistration(business=business, claim=None)


@transaction.atomic
def business_update(
    *, actor: User, business: Business, request: Any = None, **changes: Any
) -> Business:
    """Change public profile fields of one's own business (name, sector, KBLI, …) and its
    kecamatan/kelurahan (``district``/``village``: the kelurahan must lie in the kecamatan;
    a new kecamatan without a kelurahan drops a kelurahan of the old one)."""
    business = Business.objects.select_for_update().get(pk=business.pk)
    _require_owner(actor, business)
    allowed = {*PUBLIC_BUSINESS_FIELDS, "phone", "street_address", *LOCATION_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    if "kbli" in changes:
        try:
            changes["kbli"] = rules.parse_kbli(changes["kbli"])
        except ValidationError as exc:
            raise _field_error("kbli", exc) from exc
    if set(changes) & set(LOCATION_FIELDS):
        district = changes.get("district", business.district)
        if district is None:
            raise ValidationError(
                {"district": [ValidationError(_("Choose a kecamatan."), code="required")]}
            )
        village = changes.get("village", business.village)
        if "village" not in changes and village is not None and village.district_id != district.pk:
            village = None
        if village is not None and village.district_id != district.pk:
            raise ValidationError(
                {
                    "village": [
                        ValidationError(
                            _("This kelurahan is not in the chosen kecamatan."), code="invalid"
                        )
                    ]
                }
            )
        changes["district"], changes["village"] = district, village
    before: dict[str, Any] = {
        k: getattr(business, k) for k in changes if k in PUBLIC_BUSINESS_FIELDS
    }
    location_before = {f"{k}_id": getattr(business, f"{k}_id") for k in LOCATION_FIELDS}
    for key, value in changes.items():
        setattr(business, key, value.strip() if isinstance(value, str) else value)
    business.save()
    after: dict[str, Any] = {k: getattr(business, k) for k in before}
    if set(changes) & set(LOCATION_FIELDS):
        before.update(location_before)
        after.update({f"{k}_id": getattr(business, f"{k}_id") for k in LOCATION_FIELDS})
    audit_record(
        actor=actor,
        action="umkm.business_update",
        obj=business,
        before=before,
        after=after,
        request=request,
        summary="UMKM profile changed",
    )
    return business


@transaction.atomic
def business_figures_record(
    *,
    actor: User,
    business: Business,
    annual_turnover: int | None,
    capital: int,
    employees: int,
    effective_date: date | None = None,
    request: Any = None,
) -> BusinessScaleChange:
    """Record new turnover/capital/employee figures (owner or Dinas); recompute the scale and
    keep the dated snapshot (the history behind "naik kelas")."""
    business = Business.objects.select_for_update().get(pk=business.pk)
    if business.owner_id != getattr(actor, "pk", None) and not is_dinas_officer(actor):
        raise PermissionDenied
    for field, value, allow_none in (
        ("annual_turnover", annual_turnover, True),
        ("capital", capital, False),
        ("employees", employees, False),
    ):
        _non_negative(field, value, allow_none=allow_none)
    on = effective_date or local_date(timezone.now())
    previous = business.scale
    scale = _classify(annual_turnover=annual_turnover, capital=capital)
    change = BusinessScaleChange.objects.create(
        business=business,
        effective_date=on,
        annual_turnover=annual_turnover,
        capital=capital,
        employees=employees,
        scale=scale,
        previous_scale=previous,
        recorded_by=actor,
    )
    latest = (
        BusinessScaleChange.objects.filter(business=business)
        .order_by("-effective_date", "-pk")
        .first()
    )
    if latest is not None and latest.pk == change.pk:
        business.annual_turnover = annual_turnover
        business.capital = capital
        business.employees = employees
        business.scale = scale
        business.save(
            update_fields=["annual_turnover", "capital", "employees", "scale", "updated_at"]
        )
    audit_record(
        actor=actor,
        action="umkm.business_figures",
        obj=business,
        before={"scale": previous},
        after={"scale": scale, "effective_date": on.isoformat()},
        request=request,
        summary="Turnover, capital and employees recorded",
    )
    return change


@transaction.atomic
def business_nib_document_upload(
    *, actor: User, business: Business, uploaded_file: UploadedFile, request: Any = None
) -> Business:
    business = Business.objects.select_for_update().get(pk=business.pk)
    _require_owner(actor, business)
    document = store_upload(uploaded_file=uploaded_file, uploaded_by=actor)
    business.nib_document = document
    business.save(update_fields=["nib_document", "updated_at"])
    audit_record(
        actor=actor,
        action="umkm.nib_document_upload",
        obj=business,
        request=request,
        summary="NIB document uploaded",
    )
    return business


def _record_verification_decision(
    *,
    actor: User,
    business: Business,
    status: str,
    reason: str,
    action: str,
    summary: str,
    request: Any,
) -> None:
    """Store the Dinas decision on a (locked) business and audit it. Only a verified business
    keeps who verified it and when; a rejection keeps the reason the owner is shown."""
    before = business.verification_status
    verified = status == VerificationStatus.VERIFIED
    business.verification_status = status
    business.rejection_reason = reason
    business.verified_at = timezone.now() if verified else None
    business.verified_by = actor if verified else None
    business.save(
        update_fields=[
            "verification_status",
            "rejection_reason",
            "verified_at",
            "verified_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=action,
        obj=business,
        before={"verification_status": before},
        after={"verification_status": status},
        request=request,
        summary=summary,
    )


@transaction.atomic
def business_verify(*, actor: User, business: Business, request: Any = None) -> Business:
    """Dinas: the NIB document matches; the business and its listed products become public."""
    _require_dinas(actor)
    business = Business.objects.select_for_update().get(pk=business.pk)
    if business.nib_document_id is None:
        raise ValidationError(
            {
                "nib_document": [
                    ValidationError(
                        _("The NIB document has not been uploaded yet."), code="no_document"
                    )
                ]
            }
        )
    if business.verification_status == VerificationStatus.VERIFIED:
        raise ValidationError(_("This business is already verified."), code="already_verified")
    _record_verification_decision(
        actor=actor,
        business=business,
        status=VerificationStatus.VERIFIED,
        reason="",
        action="umkm.business_verify",
        summary="UMKM verified by the Dinas",
        request=request,
    )
    _notify_after_commit(
        recipient=business.owner,
        kind="umkm.business_verified",
        title=_("Your business has been verified"),
        body=_("%(name)s is verified. Its curated products can now appear in the catalogue.")
        % {"name": business.name},
    )
    return business


@transaction.atomic
def business_reject(
    *, actor: User, business: Business, reason: str, request: Any = None
) -> Business:
    _require_dinas(actor)
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": [ValidationError(_("Give the reason for the rejection."), code="required")]}
        )
    business = Business.objects.select_for_update().get(pk=business.pk)
    _record_verification_decision(
        actor=actor,
        business=business,
        status=VerificationStatus.REJECTED,
        reason=reason.strip(),
        action="umkm.business_reject",
        summary="UMKM verification rejected",
        request=request,
    )
    _notify_after_commit(
        recipient=business.owner,
        kind="umkm.business_rejected",
        title=_("Your business could not be verified"),
        body=_("Reason: %(reason)s") % {"reason": business.rejection_reason},
    )
    return business


@transaction.atomic
def nib_claim_decide(
    *, actor: User, claim: NibClaim, accept: bool, note: str = "", request: Any = None
) -> NibClaim:
    """Dinas: accept (the business moves to the claimant, back to unverified) or reject."""
    _require_dinas(actor)
    claim = NibClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != NibClaimStatus.PENDING:
        raise ValidationError(_("This claim has already been decided."), code="decided")
    claim.status = NibClaimStatus.ACCEPTED if accept else NibClaimStatus.REJECTED
    claim.decision_note = (note or "").strip()
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save()
    if accept:
        business = Business.objects.select_for_update().get(pk=claim.existing_business_id)
        business.owner = claim.claimant
        business.verification_status = VerificationStatus.UNVERIFIED
        if claim.document_id:
            business.nib_document_id = claim.document_id
        business.save()
    audit_record(
        actor=actor,
        action="umkm.nib_claim_decide",
        obj=claim,
        after={"status": claim.status},
        request=request,
        summary="NIB claim decided",
    )
    _notify_after_commit(
        recipient=claim.claimant,
        kind="umkm.nib_claim_decided",
        title=_("Your business claim has been decided"),
        body=str(claim.get_status_display()),
    )
    return claim


# --- Certifications -----------------------------------------------------------------------------


@transaction.atomic
def certification_add(
    *,
    actor: User,
    business: Business,
    type_code: str,
    number: str,
    expires_on: date | None = None,
    document: UploadedFile | None = None,
    category: ProductCategory | None = None,
    request: Any = None,
) -> Certification:
    """Add a certificate (number parsed and checked by ``rules.parse_certificate``).

    ``category``: the product category the certificate is for (a P-IRT on a category without
    ``pirt_allowed``, e.g. frozen meat, is rejected). An expired certificate is rejected.
    """
    _require_owner(actor, business)
    cert_type = CertificationType.objects.filter(code=type_code, is_active=True).first()
    if cert_type is None:
        raise ValidationError(
            {"type": [ValidationError(_("Unknown certificate type."), code="invalid_choice")]}
        )
    try:
        info = rules.parse_certificate(
            type_code, number, pirt_allowed=category.pirt_allowed if category else True
        )
    except ValidationError as exc:
        raise _field_error("number", exc) from exc
    today = local_date(timezone.now())
    expiry = info.expires_on or expires_on
    if expiry is not None and expiry < today:
        raise ValidationError(
            {
                "number": [
                    ValidationError(
                        _("This certificate expired on %(date)s."),
                        code="expired",
                        params={"date": expiry.strftime("%d-%m-%Y")},
                    )
                ]
            }
        )
    if Certification.objects.filter(business=business, type=cert_type, number=info.number).exists():
        raise ValidationError(
            {
                "number": [
                    ValidationError(_("This certificate is already recorded."), code="duplicate")
                ]
            }
        )
    stored = store_upload(uploaded_file=document, uploaded_by=actor) if document else None
    certification = Certification.objects.create(
        business=business,
        type=cert_type,
        number=info.number,
        details=info.details,
        expires_on=expiry,
        document=stored,
    )
    audit_record(
        actor=actor,
        action="umkm.certification_add",
        obj=certification,
        after={"type": type_code, "number": info.number},
        request=request,
        summary="Certificate added",
    )
    return certification


@transaction.atomic
def certification_remove(*, actor: User, certification: Certification, request: Any = None) -> None:
    """Remove one of the owner's certificates (e.g. revoked or entered by mistake).

    The row and its links to products go at once, so public pages and the certification
    filter stop showing it; the audit entry keeps type, number and expiry. The uploaded
    document stays in storage as the record of what was claimed."""
    certification = (
        Certification.objects.select_for_update()
        .select_related("business", "type")
        .get(pk=certification.pk)
    )
    _require_owner(actor, certification.business)
    before = {
        "type": certification.type.code,
        "number": certification.number,
        "expires_on": certification.expires_on.isoformat() if certification.expires_on else None,
        "document_id": str(certification.document_id) if certification.document_id else None,
        "products": sorted(
            str(p) for p in certification.products.values_list("public_id", flat=True)
        ),
    }
    audit_record(
        actor=actor,
        action="umkm.certification_remove",
        obj=certification.business,
        before=before,
        request=request,
        summary="Certificate removed",
    )
    certification.delete()


def certificate_reminders_send(*, today: date | None = None) -> int:
    """Notify owners once per certificate that expires within ``certificate_reminder_days``."""
    from kotapintar.umkm.selectors import certificates_expiring

    day = today or local_date(timezone.now())
    days = umkm_policy().certificate_reminder_days
    sent = 0
    for certification in certificates_expiring(today=day, days=days):
        with transaction.atomic():
            claimed = Certification.objects.filter(
                pk=certification.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue
            notify(
                recipient=certification.business.owner,
                kind="umkm.certificate_expiring",
                title=_("A certificate expires soon"),
                body=_("%(type)s %(number)s of %(business)s is valid until %(date)s.")
                % {
                    "type": certification.type.name,
                    "number": certification.number,
                    "business": certification.business.name,
                    "date": certification.expires_on.strftime("%d-%m-%Y")
                    if certification.expires_on
                    else "",
                },
            )
            audit_record(
                actor=None,
                action="umkm.certificate_reminder",
                obj=certification,
                summary="Expiry reminder sent",
            )
            sent += 1
    return sent


# --- Products -----------------------------------------------------------------------------------


def _product_errors(
    *,
    name: str,
    price: Any,
    stock: Any,
    minimum_order: Any,
    weight_grams: Any,
    cap: int,
) -> tuple[dict[str, list[ValidationError]], int | None]:
    errors: dict[str, list[ValidationError]] = {}
    if not (name or "").strip():
        errors["name"] = [ValidationError(_("Enter the product name."), code="required")]
    clean_price = None
    try:
        clean_price = rules.parse_price(price, cap=cap)
    except ValidationError as exc:
        errors["price"] = exc.error_list
    for field, value, minimum in (
        ("stock", stock, 0),
        ("minimum_order", minimum_order, 1),
        ("weight_grams", weight_grams, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            errors[field] = [
                ValidationError(
                    _("Enter a whole number of %(minimum)d or more."),
                    code="invalid",
                    params={"minimum": minimum},
                )
            ]
    return errors, clean_price


def _certifications_of(
    business: Business, certifications: Iterable[Certification]
) -> list[Certification]:
    chosen = list(certifications)
    if any(c.business_id != business.pk for c in chosen):
        raise ValidationError(
            {
                "certifications": [
                    ValidationError(_("Choose certificates of this business."), code="invalid")
                ]
            }
        )
    return chosen


@transaction.atomic
def product_create(
    *,
    actor: User,
    business: Business,
    category: ProductCategory,
    name: str,
    price: Any,
    description: str = "",
    stock: int = 0,
    minimum_order: int = 1,
    unit: str = "pcs",
    weight_grams: int = 0,
    tags: str = "",
    certifications: Iterable[Certification] = (),
    submit: bool = False,
    request: Any = None,
) -> Product:
    """Create a product of one's own business (a draft, or straight to curation with
    ``submit=True``). The description is cleaned with the allow-list
    (``rules.clean_description``)."""
    _require_owner(actor, business)
    errors, clean_price = _product_errors(
        name=name,
        price=price,
        stock=stock,
        minimum_order=minimum_order,
        weight_grams=weight_grams,
        cap=umkm_policy().price_cap,
    )
    if errors:
        raise ValidationError(errors)
    assert clean_price is not None
    chosen = _certifications_of(business, certifications)
    product = Product.objects.create(
        business=business,
        category=category,
        name=name.strip(),
        description=rules.clean_description(description),
        price=clean_price,
        stock=stock,
        minimum_order=minimum_order,
        unit=(unit or "pcs").strip()[:30],
        weight_grams=weight_grams,
        tags=(tags or "").strip()[:300],
        status=ProductStatus.PENDING if submit else ProductStatus.DRAFT,
    )
    if chosen:
        product.certifications.set(chosen)
    product_index_update(product=product)
    audit_record(
        actor=actor,
        action="umkm.product_create",
        obj=product,
        after={"name": product.name, "price": product.price, "status": product.status},
        request=request,
        summary="Product created",
    )
    return product


#: What an owner may change on a product (the web form and the API).
PRODUCT_EDITABLE = (
    "category",
    "name",
    "description",
    "price",
    "stock",
    "minimum_order",
    "unit",
    "weight_grams",
    "tags",
)


@transaction.atomic
def product_update(
    *,
    actor: User,
    product: Product,
    certifications: Iterable[Certification] | None = None,
    request: Any = None,
    **changes: Any,
) -> Product:
    """Change one's own product. Name, description, category or price changes of a listed
    product send it back to curation; stock, unit and weight changes do not."""
    product = Product.objects.select_for_update().select_related("business").get(pk=product.pk)
    _require_owner(actor, product.business)
    unknown = set(changes) - set(PRODUCT_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    merged = {k: changes.get(k, getattr(product, k)) for k in PRODUCT_EDITABLE}
    errors, clean_price = _product_errors(
        name=merged["name"],
        price=merged["price"],
        stock=merged["stock"],
        minimum_order=merged["minimum_order"],
        weight_grams=merged["weight_grams"],
        cap=umkm_policy().price_cap,
    )
    if errors:
        raise ValidationError(errors)
    before = {k: str(getattr(product, k)) for k in changes}
    if "description" in changes:
        changes["description"] = rules.clean_description(changes["description"])
    if "price" in changes:
        changes["price"] = clean_price
    for key, value in changes.items():
        setattr(product, key, value.strip() if isinstance(value, str) else value)
    recurate = {"name", "description", "category", "price"} & set(changes)
    if recurate and product.status == ProductStatus.LISTED:
        product.status = ProductStatus.PENDING
    product.save()
    if certifications is not None:
        product.certifications.set(_certifications_of(product.business, certifications))
    product_index_update(product=product)
    audit_record(
        actor=actor,
        action="umkm.product_update",
        obj=product,
        before=before,
        after={k: str(getattr(product, k)) for k in changes},
        request=request,
        summary="Product changed",
    )
    return product


@transaction.atomic
def product_submit(*, actor: User, product: Product, request: Any = None) -> Product:
    """Owner: draft or delisted -> waiting for curation."""
    product = Product.objects.select_for_update().select_related("business").get(pk=product.pk)
    _require_owner(actor, product.business)
    if product.status not in (ProductStatus.DRAFT, ProductStatus.DELISTED):
        raise ValidationError(_("This product cannot be submitted now."), code="invalid_status")
    before = product.status
    product.status = ProductStatus.PENDING
    product.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="umkm.product_submit",
        obj=product,
        before={"status": before},
        after={"status": product.status},
        request=request,
        summary="Product submitted for curation",
    )
    return product


@transaction.atomic
def product_curate(
    *, actor: User, product: Product, approve: bool, note: str = "", request: Any = None
) -> Product:
    """Dinas: approve (listed, searchable at once) or send back to draft with a note."""
    _require_dinas(actor)
    product = Product.objects.select_for_update().select_related("business").get(pk=product.pk)
    if product.status != ProductStatus.PENDING:
        raise ValidationError(_("This product is not waiting for curation."), code="invalid_status")
    if not approve and not (note or "").strip():
        raise ValidationError(
            {"note": [ValidationError(_("Tell the owner what to change."), code="required")]}
        )
    before = product.status
    product.status = ProductStatus.LISTED if approve else ProductStatus.DRAFT
    product.status_reason = (note or "").strip()
    if approve:
        product.listed_at = timezone.now()
    product.save(update_fields=["status", "status_reason", "listed_at", "updated_at"])
    product_index_update(product=product)
    audit_record(
        actor=actor,
        action="umkm.product_curate",
        obj=product,
        before={"status": before},
        after={"status": product.status},
        request=request,
        summary="Product curated" if approve else "Product sent back by curation",
    )
    _notify_after_commit(
        recipient=product.business.owner,
        kind="umkm.product_curated",
        title=_("Your product is listed") if approve else _("Your product needs changes"),
        body=product.name + (f"\n{product.status_reason}" if product.status_reason else ""),
    )
    return product


@transaction.atomic
def product_delist(*, actor: User, product: Product, reason: str, request: Any = None) -> Product:
    """Dinas (e.g. unreasonable price) or the owner: gone from search and ordering at once."""
    product = Product.objects.select_for_update().select_related("business").get(pk=product.pk)
    by_owner = product.business.owner_id == getattr(actor, "pk", None)
    if not by_owner:
        _require_dinas(actor)
    if product.status != ProductStatus.LISTED:
        raise ValidationError(_("This product is not listed."), code="invalid_status")
    if not by_owner and not (reason or "").strip():
        raise ValidationError(
            {"reason": [ValidationError(_("Give the reason for delisting."), code="required")]}
        )
    product.status = ProductStatus.DELISTED
    product.status_reason = (reason or "").strip()
    product.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="umkm.product_delist",
        obj=product,
        before={"status": ProductStatus.LISTED},
        after={"status": product.status},
        request=request,
        summary="Product delisted",
    )
    if not by_owner:
        _notify_after_commit(
            recipient=product.business.owner,
            kind="umkm.product_delisted",
            title=_("Your product was taken off the catalogue"),
            body=product.name + (f"\n{product.status_reason}" if product.status_reason else ""),
        )
    return product


@transaction.atomic
def product_national_catalogue_mark(
    *, actor: User, product: Product, listed: bool, request: Any = None
) -> Product:
    """Dinas: record that the product is (or no longer is) on the national e-Katalog."""
    _require_dinas(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    product.in_national_catalogue = listed
    product.save(update_fields=["in_national_catalogue", "updated_at"])
    audit_record(
        actor=actor,
        action="umkm.product_national_catalogue",
        obj=product,
        after={"in_national_catalogue": listed},
        request=request,
        summary="e-Katalog listing recorded",
    )
    return product


def _thumbnail(stored: StoredFile, side: int) -> SimpleUploadedFile:
    from django.core.files.storage import storages
    from PIL import Image

    storage = storages["default"]
    with storage.open(stored.storage_name, "rb") as handle, Image.open(handle) as image:
        image.load()
        image.thumbnail((side, side))
        buffer = io.BytesIO()
        fmt = "PNG" if stored.content_type == "image/png" else "JPEG"
        (image if fmt == "PNG" else image.convert("RGB")).save(buffer, format=fmt, quality=80)
    extension = ".png" if fmt == "PNG" else ".jpg"
    return SimpleUploadedFile(
        f"thumb{extension}", buffer.getvalue(), content_type=stored.content_type
    )


@transaction.atomic
def product_photo_add(
    *, actor: User, product: Product, uploaded_file: UploadedFile, request: Any = None
) -> ProductPhoto:
    """Add a photo (core upload rules: type sniffing, size and pixel limits, EXIF/GPS removed;
    at least ``min_photo_side`` px on the short side) and its thumbnail."""
    product = Product.objects.select_for_update().select_related("business").get(pk=product.pk)
    _require_owner(actor, product.business)
    policy = umkm_policy()
    if product.photos.count() >= policy.max_photos:
        raise ValidationError(
            {
                "photo": [
                    ValidationError(
                        _("A product has at most %(count)d photos."),
                        code="too_many_photos",
                        params={"count": policy.max_photos},
                    )
                ]
            }
        )
    try:
        stored = store_upload(
            uploaded_file=uploaded_file,
            uploaded_by=actor,
            allowed_kinds=frozenset({IMAGE}),
            min_image_side=policy.min_photo_side,
        )
    except ValidationError as exc:
        raise _field_error("photo", exc) from exc
    thumbnail = store_upload(
        uploaded_file=_thumbnail(stored, policy.thumbnail_side),
        uploaded_by=actor,
        allowed_kinds=frozenset({IMAGE}),
    )
    photo = ProductPhoto.objects.create(
        product=product,
        file=stored,
        thumbnail=thumbnail,
        position=product.photos.count(),
    )
    audit_record(
        actor=actor,
        action="umkm.product_photo_add",
        obj=photo,
        request=request,
        summary="Product photo added",
    )
    return photo


@transaction.atomic
def product_photo_remove(*, actor: User, photo: ProductPhoto, request: Any = None) -> None:
    photo = ProductPhoto.objects.select_related("product__business").get(pk=photo.pk)
    _require_owner(actor, photo.product.business)
    audit_record(
        actor=actor,
        action="umkm.product_photo_remove",
        obj=photo,
        request=request,
        summary="Product photo removed",
    )
    photo.delete()


# --- Buyers and orders --------------------------------------------------------------------------


@transaction.atomic
def buyer_nip_set(*, actor: User, nip: str, request: Any = None) -> BuyerProfile:
    """Record the buyer's NIP (civil servants; needed for the ASN market)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    try:
        clean = rules.parse_nip(nip)
    except ValidationError as exc:
        raise _field_error("nip", exc) from exc
    profile, _created = BuyerProfile.objects.get_or_create(user=actor)
    profile.nip = clean
    if actor.agency_id and profile.agency_id is None:
        profile.agency_id = actor.agency_id
    profile.save()
    audit_record(
        actor=actor, action="umkm.buyer_nip", obj=profile, request=request, summary="NIP recorded"
    )
    return profile


def buyer_is_asn(user: User) -> bool:
    profile = BuyerProfile.objects.filter(user=user).first()
    return bool(profile and profile.nip)


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int


class OutOfStock(ValidationError):
    """Raised when a line cannot be allocated (nothing is kept of the whole cart)."""


@transaction.atomic
def order_place(
    *,
    actor: User,
    lines: Sequence[CartLine] | Sequence[tuple[Product, int]],
    market: str = Market.PUBLIC,
    note: str = "",
    request: Any = None,
) -> list[Order]:
    """Place a cart: one order per seller (or refuse a mixed cart when the policy says so).

    Each line's stock is taken with ``UPDATE … SET stock = stock - q WHERE stock >= q``, so
    concurrent buyers can never take more than there is; a line that cannot be served fails
    the whole cart with "stok habis" and nothing is stored. The total of the cart is the sum
    of the per-seller orders.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    cart = [line if isinstance(line, CartLine) else CartLine(*line) for line in lines]
    if not cart:
        raise ValidationError(_("The cart is empty."), code="empty_cart")
    if market not in Market.values:
        raise ValidationError(_("Unknown market."), code="invalid_market")
    if market == Market.ASN and not buyer_is_asn(actor):
        raise PermissionDenied(_("Only civil servants with a NIP may buy in the ASN market."))
    policy = umkm_policy()
    from kotapintar.umkm.search import public_products

    product_ids = [line.product.pk for line in cart]
    public = {
        p.pk: p for p in public_products().select_related("business").filter(pk__in=product_ids)
    }
    errors: list[ValidationError] = []
    for line in cart:
        product = public.get(line.product.pk)
        if product is None:
            errors.append(
                ValidationError(
                    _("%(name)s is no longer available."),
                    code="unavailable",
                    params={"name": line.product.name},
                )
            )
            continue
        if product.business.owner_id == actor.pk:
            errors.append(
                ValidationError(_("You cannot order your own products."), code="own_product")
            )
        if (
            isinstance(line.quantity, bool)
            or not isinstance(line.quantity, int)
            or line.quantity < max(1, product.minimum_order)
            or line.quantity > policy.max_order_quantity
        ):
            errors.append(
                ValidationError(
                    _("Order at least %(minimum)d of %(name)s."),
                    code="quantity",
                    params={"minimum": max(1, product.minimum_order), "name": product.name},
                )
            )
    if errors:
        raise ValidationError(errors)
    sellers: OrderedDict[int, list[CartLine]] = OrderedDict()
    for line in cart:
        product = public[line.product.pk]
        sellers.setdefault(product.business_id, []).append(CartLine(product, line.quantity))
    if len(sellers) > 1 and not policy.split_mixed_cart:
        raise ValidationError(_("A cart may only hold products of one seller."), code="mixed_cart")

    for line in cart:
        taken = Product.objects.filter(
            pk=line.product.pk, status=ProductStatus.LISTED, stock__gte=line.quantity
        ).update(stock=F("stock") - line.quantity)
        if not taken:
            raise OutOfStock(
                _("Out of stock: %(name)s."),
                code="out_of_stock",
                params={"name": public[line.product.pk].name},
            )

    group = uuid.uuid4()
    now = timezone.now()
    respond_by = add_working_days(now, policy.order_response_working_days)
    orders: list[Order] = []
    for business_id, seller_lines in sellers.items():
        total = sum(line.quantity * line.product.price for line in seller_lines)

        def create(ref: str, business_id: int = business_id, total: int = total) -> Order:
            return Order.objects.create(
                reference=ref,
                group=group,
                buyer=actor,
                business_id=business_id,
                market=market,
                total=total,
                note=(note or "").strip()[:2000],
                respond_by=respond_by,
            )

        order = create_with_reference(Order, "reference", "UMK", create)
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    product=line.product,
                    product_name=line.product.name,
                    quantity=line.quantity,
                    unit_price=line.product.price,
                )
                for line in seller_lines
            ]
        )
        audit_record(
            actor=actor,
            action="umkm.order_place",
            obj=order,
            after={"total": total, "lines": len(seller_lines), "market": market},
            request=request,
            summary="Order placed",
        )
        seller = seller_lines[0].product.business.owner
        _notify_after_commit(
            recipient=seller,
            kind="umkm.order_placed",
            title=_("New order %(reference)s") % {"reference": order.reference},
            body=_("Answer before %(date)s or the order expires.")
            % {"date": timezone.localtime(respond_by).strftime("%d-%m-%Y %H:%M")},
        )
        orders.append(order)
    return orders


def _order_party(actor: User | None, order: Order) -> str | None:
    if actor is None:
        return "system"
    if order.business.owner_id == actor.pk:
        return "seller"
    if order.buyer_id == actor.pk:
        return "buyer"
    return None


def _release_stock(order: Order) -> None:
    for line in order.lines.all():
        Product.objects.filter(pk=line.product_id).update(stock=F("stock") + line.quantity)


_STATUS_MESSAGES = {
    OrderStatus.ACCEPTED: _("Order %(reference)s was accepted by the seller."),
    OrderStatus.DECLINED: _("Order %(reference)s was declined by the seller."),
    OrderStatus.PROCESSING: _("Order %(reference)s is being prepared."),
    OrderStatus.SHIPPED: _("Order %(reference)s has been shipped."),
    OrderStatus.COMPLETED: _("Order %(reference)s is completed."),
    OrderStatus.CANCELLED: _("Order %(reference)s was cancelled by the buyer."),
    OrderStatus.EXPIRED: _("Order %(reference)s expired: the seller did not answer in time."),
}


@transaction.atomic
def order_transition(
    *,
    actor: User | None,
    order: Order,
    action: str,
    reason: str = "",
    request: Any = None,
) -> Order:
    """Move an order along ``workflow.TRANSITIONS`` (accept, decline, process, ship, complete,
    cancel; ``expire`` is for the system). Declining needs a reason."""
    order = Order.objects.select_for_update().select_related("business", "buyer").get(pk=order.pk)
    party = _order_party(actor, order)
    if party is None or party not in ACTION_PARTIES.get(action, frozenset()):
        raise PermissionDenied
    target = next_status(order.status, action)
    if target is None:
        raise ValidationError(
            _("This order cannot be changed that way now."), code="invalid_transition"
        )
    if action == "decline" and not (reason or "").strip():
        raise ValidationError(
            {"reason": [ValidationError(_("Give the reason for declining."), code="required")]}
        )
    before = order.status
    order.status = target
    if action in ("decline", "cancel"):
        order.decline_reason = (reason or "").strip()
    if target == OrderStatus.COMPLETED:
        order.completed_at = timezone.now()
    order.save(update_fields=["status", "decline_reason", "completed_at", "updated_at"])
    if action in RELEASES_STOCK and before in STOCK_HOLDING_STATUSES:
        _release_stock(order)
    audit_record(
        actor=actor,
        action=f"umkm.order_{action}",
        obj=order,
        before={"status": before},
        after={"status": target},
        request=request,
        summary=f"Order {action}",
    )
    message = _STATUS_MESSAGES[OrderStatus(target)] % {"reference": order.reference}
    recipients: list[User] = []
    if party in ("seller", "system"):
        recipients.append(order.buyer)
    if party in ("buyer", "system"):
        recipients.append(order.business.owner)
    for recipient in recipients:
        _notify_after_commit(
            recipient=recipient,
            kind=f"umkm.order_{action}",
            title=message,
            body=message,
        )
    return order


def orders_expire(*, now: datetime | None = None) -> int:
    """Expire orders the seller did not answer in time (notifies both sides; stock returns)."""
    moment = now or timezone.now()
    count = 0
    for order in Order.objects.filter(status=OrderStatus.SUBMITTED, respond_by__lt=moment):
        try:
            order_transition(actor=None, order=order, action="expire")
        except ValidationError:
            continue  # answered meanwhile
        count += 1
    return count


@transaction.atomic
def review_submit(
    *, actor: User, order_line: OrderLine, rating: int, text: str = "", request: Any = None
) -> Review:
    """The buyer of a completed order rates one line, once; public after Dinas approval."""
    line = OrderLine.objects.select_related("order").get(pk=order_line.pk)
    if line.order.buyer_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if line.order.status != OrderStatus.COMPLETED:
        raise ValidationError(
            _("You can review after the order is completed."), code="not_completed"
        )
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(
            {"rating": [ValidationError(_("Give a rating from 1 to 5."), code="invalid")]}
        )
    if Review.objects.filter(order_line=line).exists():
        raise ValidationError(_("You have already reviewed this item."), code="duplicate")
    review = Review.objects.create(
        order_line=line,
        product_id=line.product_id,
        author=actor,
        rating=rating,
        text=(text or "").strip()[:2000],
    )
    audit_record(
        actor=actor, action="umkm.review_submit", obj=review, request=request, summary="Review"
    )
    return review


@transaction.atomic
def review_moderate(*, actor: User, review: Review, approve: bool, request: Any = None) -> Review:
    _require_dinas(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise ValidationError(_("This review has already been moderated."), code="moderated")
    review.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    review.moderated_by = actor
    review.moderated_at = timezone.now()
    review.save()
    audit_record(
        actor=actor,
        action="umkm.review_moderate",
        obj=review,
        after={"status": review.status},
        request=request,
        summary="Review moderated",
    )
    return review


# --- Government buying --------------------------------------------------------------------------


@transaction.atomic
def government_purchase_record(
    *,
    actor: User,
    agency: Any,
    purchase_date: date,
    amount: int,
    kind: str,
    business: Business | None = None,
    supplier_name: str = "",
    description: str = "",
    is_cooperative: bool = False,
    is_domestic_product: bool = True,
    request: Any = None,
) -> GovernmentPurchase:
    """Record an OPD purchase. Whether it counts as UMK/cooperative is decided from the
    supplier's scale **on the purchase date** (history), so a business that grew past the
    small-business limit stops counting from the date of change."""
    _require_dinas(actor)
    errors: dict[str, list[ValidationError]] = {}
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        errors["amount"] = [ValidationError(_("The amount must be more than Rp0."), code="invalid")]
    if kind not in PurchaseKind.values:
        errors["kind"] = [ValidationError(_("Choose goods or services."), code="invalid_choice")]
    if business is None and not (supplier_name or "").strip():
        errors["supplier_name"] = [ValidationError(_("Name the supplier."), code="required")]
    if errors:
        raise ValidationError(errors)
    if business is not None:
        is_umk = (
            scale_on(business=business, on=purchase_date) in UMK_SCALES or business.is_cooperative
        )
        name = business.name
    else:
        is_umk = bool(is_cooperative)
        name = supplier_name.strip()
    purchase = GovernmentPurchase.objects.create(
        agency=agency,
        purchase_date=purchase_date,
        year=purchase_date.year,
        business=business,
        supplier_name=name,
        amount=amount,
        kind=kind,
        description=(description or "").strip()[:300],
        is_umk_or_cooperative=is_umk,
        is_domestic_product=is_domestic_product,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="umkm.government_purchase",
        obj=purchase,
        after={"amount": amount, "umk": is_umk},
        request=request,
        summary="OPD purchase recorded",
    )
    return purchase


# --- Coaching -----------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor: User,
    name: str,
    type: str,
    start_date: date,
    end_date: date,
    quota: int = 0,
    description: str = "",
    location: str = "",
    request: Any = None,
) -> Programme:
    _require_dinas(actor)
    if end_date < start_date:
        raise ValidationError(
            {
                "end_date": [
                    ValidationError(_("The end date is before the start date."), code="invalid")
                ]
            }
        )
    programme = Programme.objects.create(
        name=name.strip(),
        type=type,
        start_date=start_date,
        end_date=end_date,
        quota=quota,
        description=description.strip(),
        location=location.strip(),
        created_by=actor,
    )
    audit_record(actor=actor, action="umkm.programme_create", obj=programme, request=request)
    return programme


@transaction.atomic
def enrolment_add(
    *, actor: User, programme: Programme, business: Business, request: Any = None
) -> Enrolment:
    """Dinas enrols a business (quota enforced under a row lock)."""
    _require_dinas(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    active = programme.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN)
    if programme.quota and active.count() >= programme.quota:
        raise ValidationError(_("The programme is full."), code="quota_full")
    if Enrolment.objects.filter(programme=programme, business=business).exists():
        raise ValidationError(_("This business is already enrolled."), code="duplicate")
    enrolment = Enrolment.objects.create(programme=programme, business=business)
    audit_record(actor=actor, action="umkm.enrolment_add", obj=enrolment, request=request)
    return enrolment


@transaction.atomic
def enrolment_update(
    *,
    actor: User,
    enrolment: Enrolment,
    status: str,
    sessions_attended: int | None = None,
    outcome: str | None = None,
    request: Any = None,
) -> Enrolment:
    _require_dinas(actor)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if status not in EnrolmentStatus.values:
        raise ValidationError({"status": [ValidationError(_("Unknown status."), code="invalid")]})
    before = enrolment.status
    enrolment.status = status
    if sessions_attended is not None:
        enrolment.sessions_attended = sessions_attended
    if outcome is not None:
        enrolment.outcome = outcome.strip()
    enrolment.save()
    audit_record(
        actor=actor,
        action="umkm.enrolment_update",
        obj=enrolment,
        before={"status": before},
        after={"status": status},
        request=request,
    )
    return enrolment


@transaction.atomic
def milestone_record(
    *,
    actor: User,
    business: Business,
    stage: str,
    reached_on: date,
    note: str = "",
    programme: Programme | None = None,
    request: Any = None,
) -> JourneyMilestone:
    """Dinas records that a business reached a journey stage (one dated milestone per stage)."""
    from kotapintar.umkm.models import JourneyStage

    _require_dinas(actor)
    if stage not in JourneyStage.values:
        raise ValidationError({"stage": [ValidationError(_("Unknown stage."), code="invalid")]})
    milestone, created = JourneyMilestone.objects.update_or_create(
        business=business,
        stage=stage,
        defaults={
            "reached_on": reached_on,
            "note": note.strip()[:300],
            "programme": programme,
            "recorded_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action="umkm.milestone_record",
        obj=milestone,
        after={"stage": stage, "reached_on": reached_on.isoformat(), "created": created},
        request=request,
    )
    return milestone


# --- Housekeeping -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HousekeepingResult:
    orders_expired: int
    reminders_sent: int


def umkm_housekeeping(*, now: datetime | None = None) -> HousekeepingResult:
    moment = now or timezone.now()
    return HousekeepingResult(
        orders_expired=orders_expire(now=moment),
        reminders_sent=certificate_reminders_send(today=local_date(moment)),
    )
