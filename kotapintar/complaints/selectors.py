"""Reads for complaints. Visibility rules live here and only here (see the shared contract)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from kotapintar.complaints.models import Category, CategoryQuestion, ComplaintPolicy


def complaint_policy() -> ComplaintPolicy:
    """The city's single policy row, created with defaults on first use."""
    policy = ComplaintPolicy.objects.order_by("pk").first()
    if policy is None:
        policy, _ = ComplaintPolicy.objects.get_or_create(pk=1)
    return policy


def categories_active() -> QuerySet[Category]:
    """Active categories with their group, questions and options (for forms and Open311)."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("group", "default_agency")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=CategoryQuestion.objects.order_by("order", "id").prefetch_related(
                    "options"
                ),
            )
        )
        .order_by("group__order", "group__name", "order", "name")
    )
