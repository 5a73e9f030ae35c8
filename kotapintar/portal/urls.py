from django.urls import path

from kotapintar.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("ruang-kerja/", views.workspace, name="workspace"),
    path("lisensi/", views.credits, name="credits"),
]
