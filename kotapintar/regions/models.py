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
