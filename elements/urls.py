from django.urls import path

from elements import views

app_name = "elements"

urlpatterns = [
    path("model/", views.model, name="model"),
    path("model/<str:code>/", views.element_detail, name="element-detail"),
]
