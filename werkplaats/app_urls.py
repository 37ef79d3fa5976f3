"""URLs of the core app (namespace ``werkplaats``)."""

from django.urls import path

from werkplaats import activity_views, cohort_views, goal_views, people_views, views

app_name = "werkplaats"

urlpatterns = [
    path("", views.home, name="home"),
    # Before the PW home: "new" is not a PW (people_services.unique_slug never makes it one).
    path("pw/new/", people_views.workplace_new, name="workplace-new"),
    path("pw/<slug:slug>/", views.workplace_detail, name="workplace-detail"),
    path("pw/<slug:slug>/members/", people_views.members, name="members"),
    path("pw/<slug:slug>/members/add/", people_views.member_add, name="member-add"),
    path("pw/<slug:slug>/members/rollover/", people_views.rollover, name="rollover"),
    path(
        "pw/<slug:slug>/members/<int:pk>/end/", people_views.membership_end, name="membership-end"
    ),
    path(
        "pw/<slug:slug>/members/<int:pk>/role/",
        people_views.membership_role,
        name="membership-role",
    ),
    path(
        "pw/<slug:slug>/people/<int:pk>/invite/", people_views.member_invite, name="member-invite"
    ),
    path(
        "pw/<slug:slug>/people/<int:pk>/invite/revoke/",
        people_views.member_invite_revoke,
        name="member-invite-revoke",
    ),
    path("pw/<slug:slug>/members/import/", cohort_views.cohort_upload, name="cohort-upload"),
    path("pw/<slug:slug>/members/import/<int:pk>/", cohort_views.cohort_map, name="cohort-map"),
    path(
        "pw/<slug:slug>/members/import/<int:pk>/preview/",
        cohort_views.cohort_preview,
        name="cohort-preview",
    ),
    path("pw/<slug:slug>/model/", views.workplace_model, name="workplace-model"),
    path("pw/<slug:slug>/model/<str:code>/", views.element_detail, name="element-detail"),
    path("pw/<slug:slug>/characteristics/", views.characteristics, name="characteristics"),
    path("pw/<slug:slug>/goals/", goal_views.my_goals, name="goals-mine"),
    path("pw/<slug:slug>/goals/wall/", goal_views.goal_wall, name="goal-wall"),
    path("pw/<slug:slug>/goals/wall/huddle/", goal_views.goal_huddle, name="goal-huddle"),
    path("pw/<slug:slug>/goals/new/", goal_views.goal_new, name="goal-new"),
    path("pw/<slug:slug>/goals/<int:pk>/", goal_views.goal_detail, name="goal-detail"),
    path("pw/<slug:slug>/goals/<int:pk>/edit/", goal_views.goal_edit, name="goal-edit"),
    path("pw/<slug:slug>/goals/<int:pk>/update/", goal_views.goal_update, name="goal-update"),
    path(
        "pw/<slug:slug>/goals/<int:pk>/ask/", goal_views.goal_ask_support, name="goal-ask-support"
    ),
    path(
        "pw/<slug:slug>/goals/<int:pk>/answer/",
        goal_views.goal_answer_support,
        name="goal-answer-support",
    ),
    path("pw/<slug:slug>/goals/<int:pk>/close/", goal_views.goal_close, name="goal-close"),
    path("pw/<slug:slug>/activities/", activity_views.activity_list, name="activity-list"),
    path(
        "pw/<slug:slug>/activities/quick/", activity_views.activity_quick_log, name="activity-quick"
    ),
    path("pw/<slug:slug>/activities/new/", activity_views.activity_new, name="activity-new"),
    path(
        "pw/<slug:slug>/activities/<int:pk>/edit/",
        activity_views.activity_edit,
        name="activity-edit",
    ),
    path(
        "pw/<slug:slug>/activities/<int:pk>/delete/",
        activity_views.activity_delete,
        name="activity-delete",
    ),
    path(
        "pw/<slug:slug>/activities/export.<str:fmt>",
        activity_views.activity_export,
        name="activity-export",
    ),
]
