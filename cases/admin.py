"""Admin for practice cases and outputs (staff only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from cases.models import (
    CmoNote,
    Output,
    PoolConsent,
    PracticeCase,
    ValueStory,
    value_story_errors,
)


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


@admin.register(CmoNote)
class CmoNoteAdmin(admin.ModelAdmin):
    list_display = ["date", "workplace", "source", "case", "author_role"]
    list_filter = ["source", "workplace"]
    search_fields = ["context", "mechanism", "outcome"]
    raw_id_fields = ["case", "activity", "author"]
    filter_horizontal = ["elements", "aspects"]


class ValueStoryAdminForm(forms.ModelForm):
    """The same rules as in the app: only outputs of the story's case, a date that was."""

    class Meta:
        model = ValueStory
        fields = ["case", "kind", "title", "text", "happened_on", "outputs", "author",
                  "elements", "aspects"]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        case = cleaned.get("case")
        if case is not None:
            errors = value_story_errors(
                case=case, happened_on=cleaned.get("happened_on"), outputs=cleaned.get("outputs")
            )
            for field, message in errors.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return cleaned


@admin.register(ValueStory)
class ValueStoryAdmin(admin.ModelAdmin):
    """Saves here bump the version too (the admin site mixes in VersionedAdmin), so a story
    form opened before a staff edit is refused."""

    form = ValueStoryAdminForm

    list_display = ["title", "kind", "happened_on", "case"]
    list_filter = ["kind"]
    search_fields = ["title", "text", "case__title"]
    date_hierarchy = "happened_on"
    raw_id_fields = ["case", "author"]
    filter_horizontal = ["outputs", "elements", "aspects"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(PoolConsent)
class PoolConsentAdmin(admin.ModelAdmin):
    """Read-mostly: consent is recorded and withdrawn in the application, where the registrar
    is the logged-in user and a withdrawal is never undone."""

    list_display = ["person", "consented_on", "registered_by", "withdrawn_at"]
    list_filter = [("withdrawn_at", admin.EmptyFieldListFilter), "workplaces"]
    search_fields = ["person__name", "topics"]
    readonly_fields = [
        "person",
        "consented_on",
        "registered_by",
        "registered_at",
        "withdrawn_at",
        "withdrawn_by",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        """A withdrawn consent can be looked at, never changed (nor its withdrawal undone)."""
        if obj is not None and obj.withdrawn_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.withdrawn_at is not None:
            return [f for f in fields if f not in ("contact_details", "contact_preference")]
        return fields
