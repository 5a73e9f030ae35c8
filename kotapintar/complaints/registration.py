"""What the complaints module plugs into the foundation at start-up."""

from django.utils.translation import gettext_lazy as _

from kotapintar.complaints import access  # noqa: F401  (registers the photo access policy)
from kotapintar.portal.selectors import ServiceEntry, register_service

register_service(
    ServiceEntry(
        code="complaints",
        title=_("Report a problem"),
        description=_(
            "Potholes, rubbish, flooding, broken street lights or poor service at an office: "
            "report it and follow how the city handles it."
        ),
        url_name="complaints:public_list",
        staff_url_name="complaints:staff_queue",
    )
)
