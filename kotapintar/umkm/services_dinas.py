"""Writes of the Dinas workspace that the core services do not cover: editing and deleting a
coaching programme, and importing OPD purchases from a CSV file. Same habits as
``umkm.services``: keyword-only, atomic, Dinas role checked, row locked, validated before
anything changes, audited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.agencies.models import Agency
from kotapintar.core.audit import audit_record
from kotapintar.umkm import rules
from kotapintar.umkm.models import (
    Business,
    EnrolmentStatus,
    GovernmentPurchase,
    Programme,
    ProgrammeType,
    PurchaseKind,
)
from kotapintar.umkm.services import _require_dinas, government_purchase_record


def _programme_audit_fields(programme: Programme) -> dict[str, Any]:
    """What the audit trail keeps of a programme before and after a change."""
    return {
        "name": programme.name,
        "type": programme.type,
        "start_date": programme.start_date.isoformat(),
        "end_date": programme.end_date.isoformat(),
        "quota": programme.quota,
    }


@transaction.atomic
def programme_update(
    *,
    actor: User,
    programme: Programme,
    name: str,
    type: str,
    start_date: date,
    end_date: date,
    quota: int = 0,
    description: str = "",
    location: str = "",
    request: Any = None,
) -> Programme:
    """Change a programme; the quota may not drop below the businesses already enrolled."""
    _require_dinas(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    errors: dict[str, list[ValidationError]] = {}
    if not (name or "").strip():
        errors["name"] = [ValidationError(_("Name the programme."), code="required")]
    if type not in ProgrammeType.values:
        errors["type"] = [ValidationError(_("Choose a programme type."), code="invalid_choice")]
    if end_date < start_date:
        errors["end_date"] = [
            ValidationError(_("The end date is before the start date."), code="invalid")
        ]
    enrolled = programme.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).count()
    if quota and quota < enrolled:
        errors["quota"] = [
            ValidationError(
                _("%(count)s businesses are already enrolled: the quota cannot be lower."),
                code="quota_below_enrolled",
                params={"count": enrolled},
            )
        ]
    if errors:
        raise ValidationError(errors)
    before = _programme_audit_fields(programme)
    programme.name = name.strip()
    programme.type = type
    programme.start_date = start_date
    programme.end_date = end_date
    programme.quota = quota
    programme.description = (description or "").strip()
    programme.location = (location or "").strip()
    programme.save()
    audit_record(
        actor=actor,
        action="umkm.programme_update",
        obj=programme,
        before=before,
        after=_programme_audit_fields(programme),
        request=request,
        summary="Programme changed",
    )
    return programme


@transaction.atomic
def programme_delete(*, actor: User, programme: Programme, request: Any = None) -> None:
    """Delete a programme nobody is enrolled in (with enrolments it is history: kept)."""
    _require_dinas(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.enrolments.exists() or programme.milestones.exists():
        raise ValidationError(
            _("Businesses are enrolled in this programme: it cannot be deleted."),
            code="has_enrolments",
        )
    audit_record(
        actor=actor,
        action="umkm.programme_delete",
        obj=programme,
        before={"name": programme.name},
        request=request,
        summary="Programme deleted",
    )
    programme.delete()


# --- Government purchases from a CSV file -------------------------------------------------------

#: Columns of the import file (the header row must name them; order is free).
IMPORT_COLUMNS = (
    "opd",
    "tanggal",
    "jumlah",
    "jenis",
    "nib",
    "penyedia",
    "uraian",
    "koperasi",
    "pdn",
)
IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 2 * 1024 * 1024
_YES = {"ya", "y", "1", "true", "yes"}
_NO = {"tidak", "t", "0", "false", "no", ""}


@dataclass(frozen=True)
class _PurchaseRow:
    agency: Agency
    purchase_date: date
    amount: int
    kind: str
    business: Business | None
    supplier_name: str
    description: str
    is_cooperative: bool
    is_domestic_product: bool


def _parse_import_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _parse_flag(text: str, *, default: bool) -> bool | None:
    value = text.strip().lower()
    if not value:
        return default
    if value in _YES:
        return True
    if value in _NO:
        return False
    return None


def _import_row(row: dict[str, str], today: date) -> tuple[_PurchaseRow | None, list[str]]:
    errors: list[str] = []

    def get(key: str) -> str:
        return (row.get(key) or "").strip()

    agency = Agency.objects.filter(code=get("opd"), is_active=True).first()
    if agency is None:
        errors.append(str(_("unknown OPD code %(code)r") % {"code": get("opd")[:40]}))
    on = _parse_import_date(get("tanggal"))
    if on is None:
        errors.append(str(_("the date must be YYYY-MM-DD or DD/MM/YYYY")))
    elif on > today:
        errors.append(str(_("the date is in the future")))
    raw_amount = get("jumlah")
    amount = int(raw_amount) if raw_amount.isdigit() and not raw_amount.startswith("0") else 0
    if amount <= 0 or amount > 10**15:
        errors.append(str(_("the amount must be whole rupiah, digits only (e.g. 1500000)")))
    kind = get("jenis").lower()
    if kind not in PurchaseKind.values:
        errors.append(str(_("the kind must be 'barang' or 'jasa'")))
    business = None
    if get("nib"):
        try:
            nib = rules.parse_nib(get("nib"))
        except ValidationError as exc:
            errors.append(exc.messages[0])
        else:
            business = Business.objects.filter(nib=nib, is_active=True).first()
            if business is None:
                errors.append(str(_("no active UMKM has this NIB")))
    supplier = get("penyedia")[:200]
    if business is None and not supplier and not get("nib"):
        errors.append(str(_("name the supplier or give its NIB")))
    cooperative = _parse_flag(get("koperasi"), default=False)
    domestic = _parse_flag(get("pdn"), default=True)
    if cooperative is None or domestic is None:
        errors.append(str(_("'koperasi' and 'pdn' must be 'ya' or 'tidak'")))
    if errors or agency is None or on is None or cooperative is None or domestic is None:
        return None, errors
    return (
        _PurchaseRow(
            agency=agency,
            purchase_date=on,
            amount=amount,
            kind=kind,
            business=business,
            supplier_name=supplier,
            description=get("uraian")[:300],
            is_cooperative=cooperative,
            is_domestic_product=domestic,
        ),
        [],
    )


@transaction.atomic
def government_purchases_import(
    *, actor: User, content: bytes, request: Any = None
) -> list[GovernmentPurchase]:
    """Record OPD purchases from a CSV file (UTF-8, comma or semicolon separated, header row
    with ``IMPORT_COLUMNS``). All or nothing: any bad row rejects the whole file with one
    message per row, and nothing is stored."""
    _require_dinas(actor)
    if len(content) > IMPORT_MAX_BYTES:
        raise ValidationError(
            {"file": [ValidationError(_("The file is larger than 2 MB."), code="too_large")]}
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": [ValidationError(_("The file must be UTF-8 text (CSV)."), code="encoding")]}
        ) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [c for c in ("opd", "tanggal", "jumlah", "jenis") if c not in header]
    if missing:
        raise ValidationError(
            {
                "file": [
                    ValidationError(
                        _("The header row lacks the columns: %(columns)s."),
                        code="header",
                        params={"columns": ", ".join(missing)},
                    )
                ]
            }
        )
    reader.fieldnames = header
    today = timezone.localdate()
    parsed: list[_PurchaseRow] = []
    problems: list[ValidationError] = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > IMPORT_MAX_ROWS:
            raise ValidationError(
                {
                    "file": [
                        ValidationError(
                            _("The file has more than %(max)s rows."),
                            code="too_many_rows",
                            params={"max": IMPORT_MAX_ROWS},
                        )
                    ]
                }
            )
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        item, errors = _import_row(row, today)
        if errors:
            problems.append(
                ValidationError(
                    _("Row %(row)s: %(errors)s."),
                    code="row",
                    params={"row": number, "errors": "; ".join(errors)},
                )
            )
        elif item is not None:
            parsed.append(item)
        if len(problems) >= 20:
            break
    if problems:
        raise ValidationError({"file": problems})
    if not parsed:
        raise ValidationError(
            {"file": [ValidationError(_("The file has no purchase rows."), code="empty")]}
        )
    return [
        government_purchase_record(
            actor=actor,
            agency=item.agency,
            purchase_date=item.purchase_date,
            amount=item.amount,
            kind=item.kind,
            business=item.business,
            supplier_name=item.supplier_name,
            description=item.description,
            is_cooperative=item.is_cooperative,
            is_domestic_product=item.is_domestic_product,
            request=request,
        )
        for item in parsed
    ]
