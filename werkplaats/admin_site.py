"""The admin site: every admin page that shows or changes a record is written to the audit log,
and the admin's own history (``LogEntry``) names records by type and id, never by their text.

Django's admin writes ``str(obj)`` into its history, which for a person is their name; the
audit log's rule (ids only) applies to that history too. Every model admin registered on this
site gets :class:`AuditedAdmin` mixed in at registration, so no admin can escape it; it and
every inline also get autocomplete widgets that survive a malformed id (Django's own crash
re-rendering a form whose autocomplete field was posted "abc": a 500 instead of a field error).
The admin of a model with a version gets :class:`~werkplaats.versioning.VersionedAdmin` too.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models

from werkplaats import audit
from werkplaats.versioning import VersionedAdmin, has_version


def history_label(obj) -> str:
    """What the admin history stores for a record: its type and id ("person #12")."""
    return f"{obj._meta.model_name} #{obj.pk}"


class SafeAutocompleteMixin:
    """Render only the posted values that can be ids of the related model: the invalid ones
    already got a field error, and looking them up would crash the page."""

    def _could_be_id(self, value) -> bool:
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname))
        try:
            target.run_validators(target.to_python(value))  # type and integer range
        except (ValidationError, ValueError, TypeError):
            return False
        return True

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if self._could_be_id(v)], attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdmin:
    """Model admins and inlines: autocomplete fields use the safe widgets, and a link typed
    without a scheme means https (Django 6's default, chosen now)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _mixed(mixins: tuple[type, ...], cls: type) -> type:
    if all(issubclass(cls, mixin) for mixin in mixins):
        return cls
    attrs = {"__module__": cls.__module__, "__doc__": cls.__doc__}
    if hasattr(cls, "inlines"):
        attrs["inlines"] = [_mixed((SafeAutocompleteAdmin,), inline) for inline in cls.inlines]
    return type(cls.__name__, (*mixins, cls), attrs)


class AuditedAdmin(SafeAutocompleteAdmin):
    """Mixed into every model admin: views and changes go to the audit log (ids only), and
    the admin history stores no names."""

    def _log(self, request, objects, flag: int, message="") -> list[LogEntry]:
        if isinstance(message, list):
            message = json.dumps(message)
        entries = [
            LogEntry(
                user_id=request.user.pk,
                content_type_id=ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
                object_id=str(obj.pk),
                object_repr=history_label(obj),
                action_flag=flag,
                change_message=message,
            )
            for obj in objects
        ]
        if len(entries) == 1:
            entries[0].save()
            return entries
        return LogEntry.objects.bulk_create(entries)

    def _audit(self, request, action: str, object_id="", model=None) -> None:
        audit.record(
            request,
            f"admin.{action}",
            object_type=(model or self.model)._meta.label_lower,
            object_id=str(object_id)[:40],
        )

    def construct_change_message(self, request, form, formsets, add=False):
        """Django's message names each inline row by its text (a membership is "name · role ·
        PW"): here by type and id. Each inline row added, changed or deleted is audited."""
        message = super().construct_change_message(request, form, formsets, add)
        rows = []
        for formset in formsets or []:
            rows += [("added", obj) for obj in formset.new_objects]
            rows += [("changed", obj) for obj, _fields in formset.changed_objects]
            rows += [("deleted", obj) for obj in formset.deleted_objects]
        named = iter(rows)
        for entry in message:
            for detail in entry.values():
                if isinstance(detail, dict) and "object" in detail:
                    action, obj = next(named, (None, None))
                    if obj is None:  # not a row of ours: keep its type, drop its text
                        detail["object"] = str(detail.get("name", "record"))
                        continue
                    detail["object"] = history_label(obj)
                    self._audit(request, action, obj.pk, model=type(obj))
        return message

    def log_addition(self, request, obj, message):
        self._audit(request, "added", obj.pk)
        return self._log(request, [obj], ADDITION, message)[0]

    def log_change(self, request, obj, message):
        self._audit(request, "changed", obj.pk)
        return self._log(request, [obj], CHANGE, message)[0]

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        for obj in objects:
            self._audit(request, "deleted", obj.pk)
        return self._log(request, objects, DELETION)

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "GET" and response.status_code == 200:  # names what would go
            self._audit(request, "viewed", unquote(object_id))
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if object_id and request.method == "GET" and response.status_code == 200:
            self._audit(request, "viewed", unquote(object_id))
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:  # a list, or (POST) an action's confirmation page
            self._audit(request, "listed")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._audit(request, "history.viewed", unquote(object_id))
        return response


class WerkplaatsAdminSite(admin.AdminSite):
    site_header = "Werkplaats"
    site_title = "Werkplaats"

    def autocomplete_view(self, request):
        """A search in an autocomplete field lists people by name: audited (which field,
        never the search term), once per user and field in ten minutes."""
        response = super().autocomplete_view(request)
        field = "|".join(str(request.GET.get(k)) for k in ("app_label", "model_name", "field_name"))
        # Once per user and field in ten minutes, not once per keystroke.
        digest = hashlib.sha256(field.encode()).hexdigest()[:24]
        once = f"werkplaats:audit-search:{request.user.pk}:{digest}"
        if response.status_code == 200 and cache.add(once, 1, 600):
            audit.record(
                request,
                "admin.searched",
                object_type=f"{request.GET.get('app_label')}.{request.GET.get('model_name')}"[:40],
                object_id=str(request.GET.get("field_name", ""))[:40],
            )
        return response

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every admin is audited; the admin of a model with a version also checks and bumps
        it on every save (``werkplaats.versioning``)."""
        models_ = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models_:
            mixins = (VersionedAdmin, AuditedAdmin) if has_version(model) else (AuditedAdmin,)
            super().register(model, _mixed(mixins, admin_class or admin.ModelAdmin), **options)
