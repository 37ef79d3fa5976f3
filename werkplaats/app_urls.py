"""URLs of the core app (namespace ``werkplaats``)."""

from django.urls import path

from werkplaats import views

app_name = "werkplaats"

urlpatterns = [
    path("", views.home, name="home"),
    path("pw/<slug:slug>/", views.workplace_detail, name="workplace-detail"),
]
