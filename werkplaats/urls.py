"""URL configuration of the project. App URLs live in each app's urls.py (with app_name)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from werkplaats import invitation_views, views

account_patterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password-reset/",
        login_not_required(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password-reset/done/",
        login_not_required(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        login_not_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "invitation/<str:token>/",
        invitation_views.invitation_landing,
        name="account-invitation",
    ),
    path("invitation/", invitation_views.invitation_accept, name="account-invitation-accept"),
    path(
        "reset/done/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", include("werkplaats.app_urls")),
    path("", include("elements.urls")),
    path("", include("evaluations.urls")),
    path("", include("cases.urls")),
    path("notifications/", include("werkplaats.notification_urls")),
    path("accounts/", include(account_patterns)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),  # for pages without the icon link (the admin's)
    path("privacy/", views.privacy, name="privacy"),
    path("staff/people/<int:pk>/data/", views.person_data, name="person-data"),
    path("staff/people/<int:pk>/erase/", views.person_erase, name="person-erase"),
    path("admin/", admin.site.urls),
]
