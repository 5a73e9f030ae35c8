"""Core models: the working-day calendar's editable data.

National public holidays (and, by default, the government's cuti bersama) come from the
``holidays`` library; these rows add what the library cannot know (local holidays, a revised
cuti bersama decree) or reverse it (``working_override``). Change rows through the services in
``kotapintar.core.calendar`` or the admin: both invalidate the cached calendar.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    CUTI_BERSAMA = "cuti_bersama", _("Collective leave (cuti bersama), non-working")
    EXTRA_HOLIDAY = "extra_holiday", _("Extra holiday (e.g. local), non-working")
    WORKING_OVERRIDE = "working_override", _("Working day despite a holiday or weekend")


class CalendarDay(models.Model):
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=150)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CalendarDayKind.values),
                name="calendarday_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    @property
    def is_working(self) -> bool:
        return self.kind == CalendarDayKind.WORKING_OVERRIDE
