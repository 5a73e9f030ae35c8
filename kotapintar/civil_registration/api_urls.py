"""Routes under /api/v1/ for this app: /api/v1/civil-registration/… (see ``api.py``)."""

from django.urls import URLPattern, URLResolver, path

from kotapintar.civil_registration import api

P = "civil-registration/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{P}services/", api.ServiceListView.as_view(), name="api-cr-services"),
    path(f"{P}services/<slug:code>/", api.ServiceDetailView.as_view(), name="api-cr-service"),
    path(
        f"{P}applications/",
        api.ApplicationListCreateView.as_view(),
        name="api-cr-applications",
    ),
    path(
        f"{P}applications/<str:application_id>/",
        api.ApplicationDetailView.as_view(),
        name="api-cr-application",
    ),
    path(
        f"{P}applications/<str:application_id>/resubmit/",
        api.ResubmitView.as_view(),
        name="api-cr-application-resubmit",
    ),
    path(
        f"{P}applications/<str:application_id>/cancel/",
        api.CancelView.as_view(),
        name="api-cr-application-cancel",
    ),
    path(f"{P}queue/", api.QueueView.as_view(), name="api-cr-queue"),
    path(f"{P}queue/<str:application_id>/", api.CaseView.as_view(), name="api-cr-case"),
    path(
        f"{P}queue/<str:application_id>/claim/",
        api.ClaimView.as_view(),
        name="api-cr-case-claim",
    ),
    path(
        f"{P}queue/<str:application_id>/documents/<str:document_id>/verify/",
        api.DocumentVerifyView.as_view(),
        name="api-cr-document-verify",
    ),
]
