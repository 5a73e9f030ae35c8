from django.urls import URLPattern

app_name = "regions"
urlpatterns: list[URLPattern] = []
