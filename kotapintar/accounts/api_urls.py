from django.urls import path

from kotapintar.accounts import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("auth/token/", api.AuthTokenView.as_view(), name="api-auth-token"),
]
