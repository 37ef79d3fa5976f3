"""Admin for instruments (staff add instruments and versions without code) and cycles.

A version that has responses is locked: its items are read-only. The "copy as new version"
action makes an editable copy with the next number.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from evaluations import records
from evaluations.models import (
    EvaluationCycle,
    EvaluationPlan,
    Instrument,
    InstrumentVersion,
    Item,
    MailDelivery,
)
from werkplaats.admin import UncertainCaseFilter


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nl", "name_en"]


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["order", "element", "aspect", "text_nl", "text_en", "plain_nl", "plain_en"]

    def _locked(self, obj) -> bool:
        return obj is not None and obj.pk is not None and obj.is_locked()

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at", "strength_from", "concern_below"]
    list_filter = ["instrument"]
    inlines = [ItemInline]
    actions = ["copy_as_new_version"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked():
            return ["instrument", "number", "strength_from", "concern_below", "created_at"]
        return ["created_at"]

    @admin.action(description=_("Copy as a new version (to edit a locked one)"))
    def copy_as_new_version(self, request, queryset):
        for version in queryset:
            copy = records.new_instrument_version(version=version)
            self.message_user(
                request, _("Created %(version)s.") % {"version": copy}, messages.SUCCESS
            )


@admin.register(EvaluationPlan)
class EvaluationPlanAdmin(admin.ModelAdmin):
    list_display = ["workplace", "yearly_month", "yearly_days", "check_ins"]


@admin.register(EvaluationCycle)
class EvaluationCycleAdmin(admin.ModelAdmin):
    list_display = ["workplace", "kind", "label", "status", "opens_at", "closes_at"]
    list_filter = ["status", "kind"]
    readonly_fields = ["status", "opened_at", "closed_at", "version"]


@admin.register(MailDelivery)
class MailDeliveryAdmin(admin.ModelAdmin):
    """The ledger, read-only: what was decided and sent, what failed, and what is uncertain
    (counted per state: the filters show their counts)."""

    list_display = [
        "cycle", "person", "kind", "status", "attempts", "sent_at", "uncertain_at", "last_error",
    ]  # fmt: skip
    list_filter = ["status", UncertainCaseFilter, "kind"]
    show_facets = admin.ShowFacets.ALWAYS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
