"""Optimistic locking, one way for every row with a ``version`` (activities, goals, cases, CMO
notes, cycles, improvement actions, the evaluation plan), in the app and in the admin, and
for the forms over several rows (a cycle's hard indicators and its self-scan, each with its
own version column on the cycle).

1. A form shows the version it was opened with in a hidden field (``VersionedForm``; a form
   over several rows gets it from the view as an initial value).
2. An edit without that field, or with a value that is not a number, is a conflict, never a
   pass: an old or hand-made form must not overwrite a colleague's edit.
3. Saving claims the version with a conditional UPDATE (``save_versioned``, over the values
   a service takes, ``werkplaats.values``) or under a row
   lock, so of two concurrent saves exactly one wins; the other gets ``EditConflict`` and
   saves nothing.
4. Every save bumps the version, the admin's included (``VersionedAdmin``, mixed by the admin
   site into the admin of every model with a version), so a form opened before a staff edit
   is refused too.
"""

from __future__ import annotations

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

INCOMPLETE = _(
    "Reload the page: the form is incomplete, so it could not be checked against changes "
    "made in the meantime."
)
SAVED_MEANWHILE = _(
    "Someone saved this in the meantime. Reload the page to see their changes, then make "
    "yours again."
)


class EditConflict(Exception):
    """Somebody else saved the row after this form was opened (or the form did not say which
    version it was opened with). The message, if given, is for the user."""


def parse_version(value) -> int | None:
    """The posted version as a number, or None when it is missing or malformed."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    return int(text)


class VersionedForm(forms.Form):
    """Mixed into a ModelForm (``class XForm(VersionedForm, forms.ModelForm)``): the hidden
    ``version`` field, filled from the instance, and required (as a number) for an edit.
    ``cleaned_data["version"]`` is then the version the form was opened with."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and "version" not in self.initial:
            self.initial["version"] = instance.version

    def _edits(self) -> bool:
        """An edit of an existing row; a plain form (several rows) always edits."""
        instance = getattr(self, "instance", None)
        return instance is None or instance.pk is not None

    def clean(self):
        cleaned = super().clean()
        version = parse_version(cleaned.get("version"))
        cleaned["version"] = version
        if self._edits() and version is None:
            raise forms.ValidationError(INCOMPLETE, code="conflict")
        return cleaned


def invalid_status(form, default: int = 400) -> int:
    """The status of a re-rendered form: 409 when it failed as a conflict (no or a malformed
    version), else ``default``."""
    errors = form.errors.as_data().get(forms.forms.NON_FIELD_ERRORS, [])
    return 409 if any(error.code == "conflict" for error in errors) else default


def save_versioned(row, values, expected: int | None, *, also=()):
    """Write ``values`` (a ``RowValues``) into an existing ``row``, inside the caller's
    transaction: the version the form was opened with (``expected``) is claimed with a
    conditional UPDATE, so of two concurrent saves exactly one wins on SQLite and PostgreSQL
    alike; the other gets EditConflict and saves nothing. Only the given columns (and those
    in ``also``) are written."""
    claim(row, expected)
    return values.write(row, edit=True, also=also)


def claim(row, expected: int | None, field: str = "version") -> None:
    """Claim version ``expected`` of ``row`` (its ``field`` column) with a conditional UPDATE
    that bumps it, inside the caller's transaction: EditConflict, nothing changed, when the
    version is missing or someone else claimed it first."""
    if expected is None:
        raise EditConflict(INCOMPLETE)
    claimed = (
        type(row).objects.filter(pk=row.pk, **{field: expected}).update(**{field: F(field) + 1})
    )
    if claimed != 1:
        raise EditConflict(SAVED_MEANWHILE)
    setattr(row, field, expected + 1)


def check_version(current: int, expected: int | None) -> None:
    """For saves that lock the row themselves (``select_for_update``): the row's version must
    be the one the form was opened with."""
    if expected is None:
        raise EditConflict(INCOMPLETE)
    if current != expected:
        raise EditConflict(SAVED_MEANWHILE)


def has_version(model) -> bool:
    """Does the model take part in optimistic locking (a non-editable integer ``version``)?"""
    try:
        field = model._meta.get_field("version")
    except Exception:  # noqa: BLE001 — FieldDoesNotExist
        return False
    return field.get_internal_type() == "PositiveIntegerField" and not field.editable


class VersionedAdminForm(forms.Form):
    """The admin's change form of a versioned row: the version it was opened with, checked
    under a row lock (the admin saves in one transaction, so check and save are atomic)."""

    seen_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("seen_version", self.instance.version)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        seen = parse_version(cleaned.get("seen_version"))
        model = type(self.instance)
        current = (
            model.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        try:
            check_version(current, seen)
        except EditConflict as conflict:
            raise forms.ValidationError(str(conflict), code="conflict") from None
        cleaned["seen_version"] = seen
        return cleaned


class VersionedAdmin:
    """Mixed into the admin of every model with a version: the change form carries and checks
    the version it was opened with, and every admin save bumps it."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form", self.form)
        if obj is not None and not issubclass(base, VersionedAdminForm):
            attrs = {"__module__": base.__module__}
            kwargs["form"] = type(base.__name__, (VersionedAdminForm, base), attrs)
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            seen = form.cleaned_data.get("seen_version")
            obj.version = (seen if seen is not None else obj.version) + 1
        super().save_model(request, obj, form, change)
