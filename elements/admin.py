"""Admin for the LOS reference data: wording may be corrected; rows are never added,
deleted or recoded (codes are referenced by other tables and exports)."""

from django.contrib import admin

from elements.models import Aspect, Characteristic, Element


class ReferenceAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [self.model._meta.pk.name, *self.readonly_fields]


class AspectInline(admin.TabularInline):
    model = Aspect
    fields = ["code", "text_nl", "text_en"]
    readonly_fields = ["code"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Element)
class ElementAdmin(ReferenceAdmin):
    list_display = ["code", "name_nl", "name_en", "plain_name_nl", "group", "colour"]
    list_filter = ["group"]
    readonly_fields = ["group", "order"]
    inlines = [AspectInline]


@admin.register(Aspect)
class AspectAdmin(ReferenceAdmin):
    list_display = ["code", "text_nl", "text_en"]
    list_filter = ["element"]
    search_fields = ["code", "text_nl", "text_en"]
    readonly_fields = ["element", "order"]


@admin.register(Characteristic)
class CharacteristicAdmin(ReferenceAdmin):
    list_display = ["number", "title_nl", "title_en"]
