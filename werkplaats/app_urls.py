"""URLs of the core app (namespace ``werkplaats``)."""

from django.urls import path

from werkplaats import views

app_name = "werkplaats"

urlpatterns = [
    path("", views.home, name="home"),
    path("pw/<slug:slug>/", views.workplace_detail, name="workplace-detail"),
    path("pw/<slug:slug>/model/", views.workplace_model, name="workplace-model"),
    path("pw/<slug:slug>/model/<str:code>/", views.element_detail, name="element-detail"),
    path("pw/<slug:slug>/characteristics/", views.characteristics, name="characteristics"),
]
