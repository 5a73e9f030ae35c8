"""What the civil registration module plugs into the foundation at start-up: roles, the portal
entry and the file access policy."""

from typing import cast

from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.roles import register_module_role
from kotapintar.civil_registration import workflow
from kotapintar.civil_registration.selectors import document_file_visible
from kotapintar.core.uploads import register_file_access_policy
from kotapintar.portal.selectors import ServiceEntry, register_service

# Lazy labels: shown in the reader's language wherever roles are listed.
register_module_role(workflow.OPERATOR, cast(str, _("Disdukcapil front office / operator")))
register_module_role(workflow.VERIFIER, cast(str, _("Disdukcapil verifier")))
register_module_role(workflow.HEAD, cast(str, _("Head of Disdukcapil (kepala dinas)")))
register_module_role(workflow.DASHBOARD, cast(str, _("Disdukcapil dashboard viewer")))

register_service(
    ServiceEntry(
        code="civil_registration",
        title=_("Population documents"),
        description=_(
            "Apply online for a KK, KTP-el, KIA, birth or death certificate and more, and "
            "follow your application. Population documents are free of charge."
        ),
        url_name="civil_registration:home",
        staff_url_name="civil_registration:staff_queue",
    )
)

# Application files: served only to the applicant and the assigned officer (core audits staff
# downloads).
register_file_access_policy(document_file_visible)
