from django.urls import path

from kotapintar.core.api.views import MetaView

urlpatterns = [
    path("meta/", MetaView.as_view(), name="api-meta"),
]
