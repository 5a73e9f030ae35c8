from django.urls import path

from kotapintar.agencies import api

urlpatterns = [
    path("agencies/", api.AgencyListView.as_view(), name="api-agencies"),
]
