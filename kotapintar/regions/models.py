"""Kemendagri administrative regions (idn-area-data 4.0.1, ODbL 1.0)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    """Kabupaten or kota, code ``PP.KK`` (e.g. ``12.71`` Kota Medan)."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """Kecamatan, code ``PP.KK.CC``; the code without dots is the NIK prefix."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def nik_prefix(self) -> str:
        return self.code.replace(".", "")


class VillageKind(models.TextChoices):
    KELURAHAN = "kelurahan", _("Kelurahan")
    DESA = "desa", _("Desa")


class Village(models.Model):
    """Kelurahan or desa, code ``PP.KK.CC.VVVV`` (a leading 1 marks a kelurahan, 2 a desa)."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=VillageKind.choices)

    class Meta:
        verbose_name = _("kelurahan/desa")
        verbose_name_plural = _("kelurahan/desa")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BoundaryLevel(models.TextChoices):
    CITY = "city", _("City/regency")
    VILLAGE = "village", _("Kelurahan/desa")


class RegionBoundary(models.Model):
    """Where a kabupaten/kota or a kelurahan/desa lies on the map.

    Always a bounding box (also the fast prefilter); optionally a GeoJSON Polygon or
    MultiPolygon imported with ``manage.py import_boundaries``. Without a polygon the box
    itself is the boundary. Seeded and imported by commands, never by migrations.
    """

    level = models.CharField(_("level"), max_length=10, choices=BoundaryLevel.choices)
    # Set for both levels (the village's own regency for a village) so that one indexed
    # filter finds every boundary of the deployment city.
    regency = models.ForeignKey(
        Regency,
        verbose_name=_("regency/city"),
        on_delete=models.CASCADE,
        related_name="boundaries",
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("kelurahan/desa"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="boundaries",
    )
    min_lat = models.FloatField(_("southern latitude"))
    max_lat = models.FloatField(_("northern latitude"))
    min_lon = models.FloatField(_("western longitude"))
    max_lon = models.FloatField(_("eastern longitude"))
    geometry = models.TextField(
        _("polygon (GeoJSON)"),
        blank=True,
        help_text=_(
            "GeoJSON Polygon or MultiPolygon in longitude/latitude, imported with "
            "import_boundaries. Empty: the box is the boundary."
        ),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("region boundary")
        verbose_name_plural = _("region boundaries")
        ordering = ["regency", "level", "village"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency"],
                condition=models.Q(level="city"),
                name="unique_city_boundary",
            ),
            models.UniqueConstraint(
                fields=["village"],
                condition=models.Q(level="village"),
                name="unique_village_boundary",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="city", village__isnull=True)
                    | models.Q(level="village", village__isnull=False)
                ),
                name="boundary_level_matches_region",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(min_lat__gte=-90, max_lat__lte=90)
                    & models.Q(min_lon__gte=-180, max_lon__lte=180)
                    & models.Q(min_lat__lte=models.F("max_lat"))
                    & models.Q(min_lon__lte=models.F("max_lon"))
                ),
                name="boundary_box_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.village or self.regency)
