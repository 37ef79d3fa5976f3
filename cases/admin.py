"""Admin for practice cases and outputs (staff only)."""

from __future__ import annotations

from django.contrib import admin

from cases.models import Output, PracticeCase


class OutputInline(admin.TabularInline):
    model = Output
    extra = 0
    fields = ["kind", "title", "date", "link", "file_name"]
    readonly_fields = ["file_name"]


@admin.register(PracticeCase)
class PracticeCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "workplace", "kind", "status", "lead", "starts_on"]
    list_filter = ["status", "kind", "workplace"]
    search_fields = ["title", "question"]
    autocomplete_fields = ["lead"]
    filter_horizontal = ["participants", "supervisors", "elements", "aspects"]
    readonly_fields = ["version", "created_by", "created_at", "updated_at"]
    inlines = [OutputInline]


@admin.register(Output)
class OutputAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "date", "case"]
    list_filter = ["kind"]
    search_fields = ["title", "case__title"]
    date_hierarchy = "date"
    raw_id_fields = ["case"]
