from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    SECRETARIAT = "sekretariat", _("Secretariat")
    DINAS = "dinas", _("Dinas (office)")
    BADAN = "badan", _("Badan (agency)")
    SATPOL = "satpol", _("Satpol PP")
    KECAMATAN = "kecamatan", _("Kecamatan office")
    OTHER = "lainnya", _("Other")


class Agency(models.Model):
    """An OPD (organisasi perangkat daerah) of the deployment's city."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    district = models.ForeignKey(
        "regions.District",
        verbose_name=_("kecamatan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("For kecamatan offices: the kecamatan they serve."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("office phone"), max_length=40, blank=True)
    email = models.EmailField(_("office e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency (OPD)")
        verbose_name_plural = _("agencies (OPD)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class UnitKind(models.TextChoices):
    HEAD_OFFICE = "kantor", _("Head office")
    KECAMATAN_DESK = "loket_kecamatan", _("Kecamatan service desk")
    UPT = "upt", _("Technical unit (UPT)")
    MOBILE = "keliling", _("Mobile service")


class ServiceUnit(models.Model):
    """A unit of an agency where work is done, e.g. a Disdukcapil desk in a kecamatan."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    district = models.ForeignKey(
        "regions.District",
        verbose_name=_("kecamatan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unique_unit_code_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.name}"
