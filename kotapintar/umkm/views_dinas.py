"""The Dinas Koperasi & UKM workspace (/umkm/kelola/): verification, NIB claims, expiring
certificates, curation, delisting, review moderation, coaching programmes and journeys,
government buying with the 40% report, e-Katalog export, and the dashboard.

Views are thin: a form parses the input, one selector reads (anything outside it is a 404), one
service writes (it checks the role again, validates, audits). Only Dinas officers and city
administrators get in (``dinas_required``); the reports and the dashboard also open to analysts
(``reports_required``, the rule of ``selectors.can_read_reports``). Everyone else gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kotapintar.accounts.models import User
from kotapintar.core.lookups import get_or_404
from kotapintar.umkm import exports, selectors, services, services_dinas
from kotapintar.umkm import forms_dinas as f
from kotapintar.umkm import selectors_dashboard as dash
from kotapintar.umkm.models import (
    Enrolment,
    GovernmentPurchase,
    NibClaim,
    Product,
    ProductStatus,
    Programme,
    Review,
)
from kotapintar.umkm.views_messages import report_outcome

PAGE_SIZE = 25
DASHBOARD_DEFAULT_DAYS = 365

View = Callable[..., HttpResponse]


def _guarded(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise Http404  # the workspace "does not exist" for anyone else
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


dinas_required = _guarded(selectors.is_dinas_officer)
reports_required = _guarded(selectors.can_read_reports)


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _redirect(name: str, *args: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(name, args=args), status=303)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- Home ---------------------------------------------------------------------------------------


@dinas_required
@require_GET
def dinas_home(request: HttpRequest) -> HttpResponse:
    counts = dash.dinas_queue_counts(actor=_actor(request), today=timezone.localdate())
    return render(request, "umkm/dinas/home.html", {"counts": counts, "current": "home"})


# --- Verification -------------------------------------------------------------------------------


@dinas_required
@require_GET
def dinas_verification(request: HttpRequest) -> HttpResponse:
    page = _page(request, dash.verification_queue(actor=_actor(request)))
    return render(
        request, "umkm/dinas/verification.html", {"page_obj": page, "current": "verification"}
    )


def _business_context(business: Any) -> dict[str, Any]:
    return {
        "business": business,
        "certifications": business.certifications.select_related("type"),
        "products": business.products.select_related("category").order_by("name"),
        "milestones": business.milestones.select_related("programme").order_by("reached_on"),
        "enrolments": business.enrolments.select_related("programme"),
        "claims": business.nib_claims.select_related("claimant"),
        "current": "verification",
    }


def _render_business(request: HttpRequest, business: Any, **forms: Any) -> HttpResponse:
    context = _business_context(business)
    context.setdefault("reject_form", forms.get("reject_form") or f.ReasonForm())
    context.setdefault("milestone_form", forms.get("milestone_form") or f.MilestoneForm())
    context["verify_errors"] = forms.get("verify_errors", [])
    status = 400 if forms else 200
    return render(request, "umkm/dinas/business.html", context, status=status)


@dinas_required
@require_GET
def dinas_business(request: HttpRequest, public_id: str) -> HttpResponse:
    business = selectors.business_get_for_dinas(actor=_actor(request), public_id=public_id)
    return _render_business(request, business)


@dinas_required
@require_POST
def dinas_business_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    business = selectors.business_get_for_dinas(actor=actor, public_id=public_id)
    try:
        services.business_verify(actor=actor, business=business, request=request)
    except ValidationError as exc:
        return _render_business(request, business, verify_errors=exc.messages)
    messages.success(request, _("The business is verified."))
    return _redirect("umkm:dinas_verification")


@dinas_required
@require_POST
def dinas_business_reject(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    business = selectors.business_get_for_dinas(actor=actor, public_id=public_id)
    form = f.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.business_reject(
                actor=actor,
                business=business,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The verification was rejected; the owner is told why."))
            return _redirect("umkm:dinas_verification")
    return _render_business(request, business, reject_form=form)


@dinas_required
@require_POST
def dinas_milestone(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    business = selectors.business_get_for_dinas(actor=actor, public_id=public_id)
    form = f.MilestoneForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_record(
                actor=actor,
                business=business,
                stage=data["stage"],
                reached_on=data["reached_on"],
                note=data["note"],
                programme=data["programme"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The milestone is recorded."))
            return _redirect("umkm:dinas_business", business.public_id)
    return _render_business(request, business, milestone_form=form)


# --- NIB claims ---------------------------------------------------------------------------------


@dinas_required
@require_GET
def dinas_claims(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.nib_claims_for_dinas(actor=_actor(request)))
    return render(request, "umkm/dinas/claims.html", {"page_obj": page, "current": "claims"})


@dinas_required
@require_POST
def dinas_claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    claim: NibClaim = get_or_404(selectors.nib_claims_for_dinas(actor=actor), pk=pk)
    form = f.DecisionForm(request.POST)
    if form.is_valid():
        with report_outcome(request, success=_("The claim is decided.")):
            services.nib_claim_decide(
                actor=actor,
                claim=claim,
                accept=form.approve,
                note=form.cleaned_data["note"],
                request=request,
            )
    else:
        messages.error(request, _("Choose a decision."))
    return _redirect("umkm:dinas_claims")


# --- Certificates -------------------------------------------------------------------------------


@dinas_required
@require_GET
def dinas_certificates(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = dash.certificates_expiring_for_dinas(actor=_actor(request), today=today)
    return render(
        request,
        "umkm/dinas/certificates.html",
        {"page_obj": _page(request, qs), "today": today, "current": "certificates"},
    )


# --- Curation, delisting, reviews ---------------------------------------------------------------


@dinas_required
@require_GET
def dinas_curation(request: HttpRequest) -> HttpResponse:
    qs = selectors.curation_queue(actor=_actor(request))
    return render(
        request,
        "umkm/dinas/curation.html",
        {"page_obj": _page(request, qs), "form": f.DecisionForm(), "current": "curation"},
    )


@dinas_required
@require_POST
def dinas_curate(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    product: Product = get_or_404(selectors.curation_queue(actor=actor), public_id=public_id)
    form = f.DecisionForm(request.POST)
    if form.is_valid():
        done = _("The product is listed.") if form.approve else _("The product is sent back.")
        with report_outcome(request, success=done):
            services.product_curate(
                actor=actor,
                product=product,
                approve=form.approve,
                note=form.cleaned_data["note"],
                request=request,
            )
    else:
        messages.error(request, _("Choose a decision."))
    return _redirect("umkm:dinas_curation")


@dinas_required
@require_GET
def dinas_products(request: HttpRequest) -> HttpResponse:
    form = f.SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_bound and form.is_valid() else ""
    qs = dash.listed_products_for_dinas(actor=_actor(request), query=query)
    return render(
        request,
        "umkm/dinas/products.html",
        {
            "page_obj": _page(request, qs),
            "form": form,
            "query_string": urlencode({"q": query}) if query else "",
            "current": "products",
        },
    )


def _listed_product(actor: User, public_id: str) -> Product:
    """A product on the catalogue now (delisting and the e-Katalog mark act on these only)."""
    return get_or_404(
        selectors.product_list_for_dinas(actor=actor).filter(status=ProductStatus.LISTED),
        public_id=public_id,
    )


@dinas_required
@require_POST
def dinas_delist(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    product = _listed_product(actor, public_id)
    form = f.ReasonForm(request.POST)
    if form.is_valid():
        with report_outcome(request, success=_("The product is taken off the catalogue.")):
            services.product_delist(
                actor=actor, product=product, reason=form.cleaned_data["reason"], request=request
            )
    else:
        messages.error(request, _("Give the reason for delisting."))
    return _redirect("umkm:dinas_products")


@dinas_required
@require_POST
def dinas_national_catalogue(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record that a listed product is (or is no longer) on the national e-Katalog (INAPROC)."""
    actor = _actor(request)
    product = _listed_product(actor, public_id)
    listed = request.POST.get("listed") == "1"
    success = (
        _("Recorded: the product is on the national e-Katalog.")
        if listed
        else _("Recorded: the product is no longer on the national e-Katalog.")
    )
    with report_outcome(request, success=success):
        services.product_national_catalogue_mark(
            actor=actor, product=product, listed=listed, request=request
        )
    return _redirect("umkm:dinas_products")


@dinas_required
@require_GET
def dinas_reviews(request: HttpRequest) -> HttpResponse:
    qs = selectors.reviews_pending(actor=_actor(request)).order_by("created_at", "pk")
    return render(
        request, "umkm/dinas/reviews.html", {"page_obj": _page(request, qs), "current": "reviews"}
    )


@dinas_required
@require_POST
def dinas_review_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    review: Review = get_or_404(selectors.reviews_pending(actor=actor), pk=pk)
    form = f.DecisionForm(request.POST)
    if form.is_valid():
        with report_outcome(request, success=_("The review is moderated.")):
            services.review_moderate(
                actor=actor, review=review, approve=form.approve, request=request
            )
    else:
        messages.error(request, _("Choose a decision."))
    return _redirect("umkm:dinas_reviews")


# --- Coaching -----------------------------------------------------------------------------------


def _programmes(actor: User) -> QuerySet[Programme]:
    return selectors.programme_list(actor=actor)


@dinas_required
@require_GET
def dinas_programmes(request: HttpRequest) -> HttpResponse:
    qs = _programmes(_actor(request)).order_by("-start_date", "name")
    return render(
        request,
        "umkm/dinas/programmes.html",
        {"page_obj": _page(request, qs), "current": "programmes"},
    )


@dinas_required
@require_http_methods(["GET", "POST"])
def dinas_programme_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = f.ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=actor, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The programme is created."))
            return _redirect("umkm:dinas_programme", programme.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "umkm/dinas/programme_form.html",
        {"form": form, "programme": None, "current": "programmes"},
        status=status,
    )


@dinas_required
@require_http_methods(["GET", "POST"])
def dinas_programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    programme: Programme = get_or_404(_programmes(actor), pk=pk)
    if request.method == "POST":
        form = f.ProgrammeForm(request.POST)
        if form.is_valid():
            try:
                services_dinas.programme_update(
                    actor=actor, programme=programme, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The programme is saved."))
                return _redirect("umkm:dinas_programme", programme.pk)
        status = 400
    else:
        form = f.ProgrammeForm(initial=f.ProgrammeForm.initial_for(programme))
        status = 200
    return render(
        request,
        "umkm/dinas/programme_form.html",
        {"form": form, "programme": programme, "current": "programmes"},
        status=status,
    )


@dinas_required
@require_POST
def dinas_programme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    programme: Programme = get_or_404(_programmes(actor), pk=pk)
    try:
        services_dinas.programme_delete(actor=actor, programme=programme, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _redirect("umkm:dinas_programme", programme.pk)
    messages.success(request, _("The programme is deleted."))
    return _redirect("umkm:dinas_programmes")


def _render_programme(
    request: HttpRequest,
    programme: Programme,
    *,
    enrol_form: f.EnrolmentAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    enrolments = programme.enrolments.select_related("business", "business__district").order_by(
        "business__name", "pk"
    )
    counts = programme.enrolments.aggregate(
        enrolled=Count("pk", filter=~Q(status="mundur")),
        completed=Count("pk", filter=Q(status="lulus")),
    )
    return render(
        request,
        "umkm/dinas/programme.html",
        {
            "programme": programme,
            "enrolments": [
                (e, f.EnrolmentUpdateForm(initial=_enrolment_initial(e))) for e in enrolments
            ],
            "counts": counts,
            "enrol_form": enrol_form or f.EnrolmentAddForm(),
            "current": "programmes",
        },
        status=status,
    )


def _enrolment_initial(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "status": enrolment.status,
        "sessions_attended": enrolment.sessions_attended,
        "outcome": enrolment.outcome,
    }


@dinas_required
@require_GET
def dinas_programme(request: HttpRequest, pk: int) -> HttpResponse:
    programme: Programme = get_or_404(_programmes(_actor(request)), pk=pk)
    return _render_programme(request, programme)


@dinas_required
@require_POST
def dinas_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    programme: Programme = get_or_404(_programmes(actor), pk=pk)
    form = f.EnrolmentAddForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_add(
                actor=actor, programme=programme, business=form.cleaned_data["nib"], request=request
            )
        except ValidationError as exc:
            form.add_error("nib", exc.messages[0])
        else:
            messages.success(request, _("The business is enrolled."))
            return _redirect("umkm:dinas_programme", programme.pk)
    return _render_programme(request, programme, enrol_form=form, status=400)


@dinas_required
@require_POST
def dinas_enrolment_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    enrolment: Enrolment = get_or_404(
        Enrolment.objects.filter(programme__in=_programmes(actor)), pk=pk
    )
    form = f.EnrolmentUpdateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with report_outcome(request, success=_("Attendance and outcome are saved.")):
            services.enrolment_update(
                actor=actor,
                enrolment=enrolment,
                status=data["status"],
                sessions_attended=data["sessions_attended"],
                outcome=data["outcome"],
                request=request,
            )
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return _redirect("umkm:dinas_programme", enrolment.programme_id)


# --- Government buying --------------------------------------------------------------------------


def _render_purchases(
    request: HttpRequest,
    form: f.PurchaseForm,
    *,
    import_form: f.PurchaseImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    qs = GovernmentPurchase.objects.select_related("agency", "business").order_by(
        "-purchase_date", "-pk"
    )
    return render(
        request,
        "umkm/dinas/purchases.html",
        {
            "form": form,
            "import_form": import_form or f.PurchaseImportForm(),
            "page_obj": _page(request, qs),
            "current": "purchases",
        },
        status=status,
    )


@dinas_required
@require_http_methods(["GET", "POST"])
def dinas_purchases(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if request.method != "POST":
        return _render_purchases(request, f.PurchaseForm())
    form = f.PurchaseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.government_purchase_record(
                actor=actor,
                agency=data["agency"],
                purchase_date=data["purchase_date"],
                amount=data["amount"],
                kind=data["kind"],
                business=data["nib"],
                supplier_name=data["supplier_name"],
                description=data["description"],
                is_cooperative=data["is_cooperative"],
                is_domestic_product=data["is_domestic_product"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The purchase is recorded."))
            return _redirect("umkm:dinas_purchases")
    return _render_purchases(request, form, status=400)


@dinas_required
@require_POST
def dinas_purchases_import(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = f.PurchaseImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            recorded = services_dinas.government_purchases_import(
                actor=actor, content=form.cleaned_data["file"].read(), request=request
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d purchase is recorded.",
                    "%(count)d purchases are recorded.",
                    len(recorded),
                )
                % {"count": len(recorded)},
            )
            return _redirect("umkm:dinas_purchases")
    return _render_purchases(request, f.PurchaseForm(), import_form=form, status=400)


def _report_year(request: HttpRequest) -> tuple[f.YearForm, int]:
    form = f.YearForm(request.GET or None)
    year = timezone.localdate().year
    if form.is_bound:
        if not form.is_valid():
            raise Http404
        year = form.cleaned_data["year"]
    return form, year


@reports_required
@require_GET
def dinas_share_report(request: HttpRequest) -> HttpResponse:
    form, year = _report_year(request)
    per_agency, city = selectors.government_purchase_share(actor=_actor(request), year=year)
    return render(
        request,
        "umkm/dinas/share_report.html",
        {
            "form": form,
            "year": year,
            "rows": per_agency,
            "city": city,
            "current": "report",
        },
    )


@reports_required
@require_GET
def dinas_share_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _form, year = _report_year(request)
    per_agency, city = selectors.government_purchase_share(actor=_actor(request), year=year)
    filename = f"belanja-umk-{year}"
    if fmt == "csv":
        return exports.csv_response(exports.share_rows(per_agency, city), filename=filename)  # type: ignore[return-value]
    purchases = GovernmentPurchase.objects.filter(year=year)
    return exports.xlsx_response(
        [
            (_("Share per OPD"), exports.share_rows(per_agency, city)),
            (_("Purchases"), exports.purchase_rows(purchases)),
        ],
        filename=filename,
    )


@reports_required
@require_GET
def dinas_catalogue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = selectors.national_catalogue_export_rows(actor=_actor(request))
    rows = exports.catalogue_rows(qs, absolute_url=request.build_absolute_uri)
    filename = "ekatalog-umkm-" + timezone.localdate().isoformat()
    if fmt == "csv":
        return exports.csv_response(rows, filename=filename)  # type: ignore[return-value]
    return exports.xlsx_response([(_("Products"), rows)], filename=filename)


# --- Dashboard ----------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[f.PeriodForm, date, date]:
    form = f.PeriodForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    today = timezone.localdate()
    end: date = (form.cleaned_data.get("date_to") if valid else None) or today
    start: date = (form.cleaned_data.get("date_from") if valid else None) or (
        end - timedelta(days=DASHBOARD_DEFAULT_DAYS)
    )
    return form, start, end


@reports_required
@require_GET
def dinas_dashboard(request: HttpRequest) -> HttpResponse:
    form, start, end = _period(request)
    stats = dash.dashboard_stats(actor=_actor(request), start=start, end=end)
    return render(
        request,
        "umkm/dinas/dashboard.html",
        {"form": form, "start": start, "end": end, "stats": stats, "current": "dashboard"},
    )
