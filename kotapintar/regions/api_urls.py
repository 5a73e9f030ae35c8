from django.urls import path

from kotapintar.regions import api

urlpatterns = [
    path("regions/districts/", api.DistrictListView.as_view(), name="api-regions-districts"),
    path("regions/villages/", api.VillageListView.as_view(), name="api-regions-villages"),
    path("regions/locate/", api.LocateView.as_view(), name="api-regions-locate"),
]
