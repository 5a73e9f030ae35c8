"""Core models: files.

A ``StoredFile`` is one accepted upload: validated by content, images re-encoded without
metadata, stored privately under a random name. Modules link it from their own models (a
``ForeignKey``/``OneToOneField`` to ``core.StoredFile``); there is deliberately no generic
owner. Create rows only through ``kotapintar.core.uploads.store_upload``.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredFileKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")


class StoredFile(models.Model):
    # The primary key appears in download URLs, so it is random, never sequential.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    storage_name = models.CharField(_("storage name"), max_length=255, unique=True, editable=False)
    # The name the uploader gave, sanitised (no path parts, 16-digit runs masked). Display only:
    # never used to build a storage path.
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=StoredFileKind.choices)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 of the stored file"), max_length=64, db_index=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # Evidence of what was actually received, before re-encoding. The hash and size are always
    # recorded; the bytes themselves only with ``keep_original`` (e.g. suspected forgery). For a
    # PDF the stored object is the original, so ``original_storage_name == storage_name``.
    original_sha256 = models.CharField(_("SHA-256 of the received file"), max_length=64)
    original_size = models.PositiveBigIntegerField(_("size of the received file"))
    original_storage_name = models.CharField(
        _("storage name of the kept original"),
        max_length=255,
        blank=True,
        default="",
        editable=False,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        # Deleting an account must not destroy documents that other records rely on.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=StoredFileKind.values),
                name="storedfile_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def has_kept_original(self) -> bool:
        return bool(self.original_storage_name)

    @property
    def download_name(self) -> str:
        """The original name with the extension that matches the sniffed content.

        A PDF uploaded as ``scan.jpg`` is offered back as ``scan.pdf``.
        """
        stem = PurePosixPath(self.original_name).stem or "berkas"
        suffix = PurePosixPath(self.storage_name).suffix
        return f"{stem}{suffix}"
