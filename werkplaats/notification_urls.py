"""URLs of the inbox (namespace ``notifications``)."""

from django.urls import path

from werkplaats import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("settings/", views.settings_page, name="settings"),
    path("read-all/", views.mark_all_read, name="read-all"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
