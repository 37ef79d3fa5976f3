"""URLs of the evaluations app (namespace ``evaluations``)."""

from django.urls import path

from evaluations import agenda_views, dashboard_views, respond_views, views

app_name = "evaluations"

urlpatterns = [
    # Running cycles (bridge-builders, managers, staff).
    path("pw/<slug:slug>/evaluations/", views.cycle_list, name="cycle-list"),
    path("pw/<slug:slug>/evaluations/plan/", views.plan_edit, name="plan-edit"),
    path("pw/<slug:slug>/evaluations/new/", views.cycle_new, name="cycle-new"),
    path("pw/<slug:slug>/evaluations/<int:pk>/", views.cycle_detail, name="cycle-detail"),
    path("pw/<slug:slug>/evaluations/<int:pk>/edit/", views.cycle_edit, name="cycle-edit"),
    path("pw/<slug:slug>/evaluations/<int:pk>/status/", views.cycle_status, name="cycle-status"),
    path("pw/<slug:slug>/evaluations/<int:pk>/invite/", views.invite_late, name="invite-late"),
    path(
        "pw/<slug:slug>/evaluations/<int:pk>/invitations/<int:invitation_pk>/resend/",
        views.resend,
        name="resend",
    ),
    path(
        "pw/<slug:slug>/evaluations/<int:pk>/invitations/<int:invitation_pk>/link/",
        views.new_link,
        name="new-link",
    ),
    path("pw/<slug:slug>/evaluations/<int:pk>/indicators/", views.indicators, name="indicators"),
    path("pw/<slug:slug>/evaluations/<int:pk>/scan/", views.scan, name="scan"),
    # Answering (members from their home page; everybody through the secret link).
    path(
        "pw/<slug:slug>/evaluations/<int:pk>/answer/",
        respond_views.member_answer,
        name="member-answer",
    ),
    path("e/<str:token>/", respond_views.token_landing, name="token"),
    path("e/<str:token>/stop/", respond_views.stop_reminders, name="stop-reminders"),
    path("answer/<int:pk>/", respond_views.respond, name="respond"),
    path("answer/<int:pk>/<int:step>/", respond_views.respond_step, name="respond-step"),
    path("answer/<int:pk>/done/", respond_views.respond_done, name="respond-done"),
]

# Results (READ_RESULTS), exports and the overview across PWs.
urlpatterns += [
    path("pw/<slug:slug>/results/", dashboard_views.results_home, name="results"),
    path("pw/<slug:slug>/results/<int:pk>/", dashboard_views.dashboard, name="dashboard"),
    path(
        "pw/<slug:slug>/results/<int:pk>/results.xlsx",
        dashboard_views.export_xlsx,
        name="export-xlsx",
    ),
    path(
        "pw/<slug:slug>/results/<int:pk>/research.csv",
        dashboard_views.research_csv,
        name="research-csv",
    ),
    path("results/", dashboard_views.overview, name="overview"),
]

# The improvement agenda.
urlpatterns += [
    path("pw/<slug:slug>/agenda/", agenda_views.agenda, name="agenda"),
    path("pw/<slug:slug>/agenda/new/", agenda_views.action_edit, name="action-new"),
    path("pw/<slug:slug>/agenda/<int:pk>/edit/", agenda_views.action_edit, name="action-edit"),
]
