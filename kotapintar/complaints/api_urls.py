"""/api/v1/complaints/…: public reports, submission, my reports, the staff queue and actions."""

from django.urls import URLPattern, path

from kotapintar.complaints import api

urlpatterns: list[URLPattern] = [
    path("complaints/", api.ComplaintListCreateView.as_view(), name="api-complaints"),
    path("complaints/mine/", api.MyComplaintsView.as_view(), name="api-complaints-mine"),
    path("complaints/queue/", api.StaffQueueView.as_view(), name="api-complaints-queue"),
    path("complaints/<str:reference>/", api.ComplaintDetailView.as_view(), name="api-complaint"),
    path(
        "complaints/<str:reference>/verify/",
        api.VerifyView.as_view(),
        name="api-complaint-verify",
    ),
    path(
        "complaints/<str:reference>/dispose/",
        api.DisposeView.as_view(),
        name="api-complaint-dispose",
    ),
    path(
        "complaints/<str:reference>/resolve/",
        api.ResolveView.as_view(),
        name="api-complaint-resolve",
    ),
]
