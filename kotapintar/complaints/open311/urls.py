"""/open311/v2/: Open311 GeoReport v2, the format chosen by the ``.xml``/``.json`` suffix."""

from django.urls import URLPattern, re_path

from kotapintar.complaints.open311 import views

app_name = "open311"

_FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + _FMT, views.discovery, name="discovery"),
    re_path(r"^services" + _FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + _FMT, views.service_definition, name="service"),
    re_path(r"^requests" + _FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + _FMT, views.service_request, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + _FMT, views.token, name="token"),
    # Anything else answers 404 in the spec's error shape, not the HTML error page.
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
