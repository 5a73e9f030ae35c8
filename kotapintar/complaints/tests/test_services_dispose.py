"""Disposition: the audit trail says whether the coordinator followed the routing rules."""

from __future__ import annotations

import pytest

from kotapintar.complaints import services
from kotapintar.complaints.models import Status
from kotapintar.core.models.audit import AuditEntry
from kotapintar.testing.factories import AgencyFactory, CoordinatorFactory

from .factories import ComplaintFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("choose_routed", [True, False])
def test_dispose_audit_records_whether_the_routed_agency_was_chosen(choose_routed: bool) -> None:
    complaint = ComplaintFactory.create(status=Status.VERIFIED)
    routed = AgencyFactory.create()
    RoutingRuleFactory.create(category=complaint.category, district=None, agency=routed)
    chosen = routed if choose_routed else AgencyFactory.create()

    services.complaint_dispose(
        complaint=complaint, actor=CoordinatorFactory.create(), agency=chosen
    )

    entry = AuditEntry.objects.get(action="complaint.dispose", object_id=str(complaint.pk))
    assert entry.after is not None
    assert entry.after["agency"] == chosen.code
    assert entry.after["routed"] is choose_routed
