"""URLs of the cases app (namespace ``cases``), all inside a PW."""

from django.urls import path

from cases import refi_views, story_views, study_views, views

app_name = "cases"

urlpatterns = [
    path("pw/<slug:slug>/cases/", views.board, name="board"),
    path("pw/<slug:slug>/cases/new/", views.case_new, name="case-new"),
    path("pw/<slug:slug>/cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("pw/<slug:slug>/cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("pw/<slug:slug>/cases/<int:pk>/move/", views.case_move, name="case-move"),
    path("pw/<slug:slug>/cases/<int:pk>/outputs/new/", views.output_new, name="output-new"),
    path(
        "pw/<slug:slug>/cases/<int:pk>/outputs/<int:output_pk>/delete/",
        views.output_delete,
        name="output-delete",
    ),
    path(
        "pw/<slug:slug>/cases/<int:pk>/outputs/<int:output_pk>/file/",
        views.output_file,
        name="output-file",
    ),
    path("pw/<slug:slug>/cases/<int:pk>/stories/new/", story_views.story_new, name="story-new"),
    path(
        "pw/<slug:slug>/cases/<int:pk>/stories/<int:story_pk>/edit/",
        story_views.story_edit,
        name="story-edit",
    ),
    path("pw/<slug:slug>/notes/", views.cmo_list, name="cmo-list"),
    path("pw/<slug:slug>/notes/new/", views.cmo_new, name="cmo-new"),
    path("pw/<slug:slug>/notes/<int:pk>/edit/", views.cmo_edit, name="cmo-edit"),
    path("pw/<slug:slug>/pool/", views.pool, name="pool"),
    path("pw/<slug:slug>/pool/new/", views.pool_new, name="pool-new"),
    path("pw/<slug:slug>/pool/<int:pk>/withdraw/", views.pool_withdraw, name="pool-withdraw"),
    path("pw/<slug:slug>/studies/", study_views.study_list, name="study-list"),
    path("pw/<slug:slug>/studies/new/", study_views.study_new, name="study-new"),
    path("pw/<slug:slug>/studies/<int:pk>/", study_views.study_detail, name="study-detail"),
    path("pw/<slug:slug>/studies/<int:pk>/moments/", study_views.study_moment, name="study-moment"),
    path(
        "pw/<slug:slug>/studies/<int:pk>/fragments/",
        study_views.study_fragment,
        name="study-fragment",
    ),
    path(
        "pw/<slug:slug>/studies/<int:pk>/summaries/",
        study_views.study_summary,
        name="study-summary",
    ),
    path(
        "pw/<slug:slug>/research/los-codebook.qdc", refi_views.refi_codebook, name="refi-codebook"
    ),
    path("pw/<slug:slug>/research/los-project.qdpx", refi_views.refi_project, name="refi-project"),
    path("case-studies/", study_views.study_matrix, name="study-matrix"),
    path("notes/", views.cmo_all, name="cmo-all"),
    path("notes/export.csv", views.cmo_export, name="cmo-export"),
]
