from django.urls import path

from kotapintar.regions import views

app_name = "regions"
urlpatterns = [
    path("kelurahan/", views.village_options, name="village-options"),
]
