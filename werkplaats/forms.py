"""Forms of the core app."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elements import reference
from elements.models import ELEMENT_CODES, Aspect
from elements.tagging import TaggedModelForm
from werkplaats.activity_counts import whole_years
from werkplaats.models import (
    FEEDBACK_MAX_LENGTH,
    Activity,
    ActivityKind,
    GoalStatus,
    LearningGoal,
    Level,
    Membership,
    Person,
    Role,
    SupportStatus,
    Workplace,
)
from werkplaats.versioning import VersionedForm
from werkplaats.widgets import FastCheckboxes, FastSelect, NameChoiceIterator


class LoginForm(AuthenticationForm):
    """Django's login form, asking for an email address."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


# --- Activity log -----------------------------------------------------------------------------
MAX_DAYS_AHEAD = 365


class NameSearchCheckboxes(FastCheckboxes):
    """A scrolling checkbox list of people with a search box above it (``app.js`` shows the box
    and hides non-matching names; without JavaScript the whole list is there). Used for an
    activity's participants and a goal's co-owners."""

    name_search = True


def choose_people(field: forms.ModelChoiceField, people) -> None:
    """Offer ``people`` (a Person queryset) in a people field, by name, without making a
    Person object per option (``NameChoiceIterator``)."""
    field.iterator = NameChoiceIterator
    field.queryset = people


def workplace_people(workplace: Workplace, *, current_only: bool = True):
    """People who are (or, with current_only=False, ever were) members of the PW."""
    memberships = Membership.objects.filter(workplace=workplace)
    if current_only:
        memberships = memberships.current()
    return Person.objects.filter(pk__in=memberships.values("person_id")).order_by("name")


class ActivityForm(VersionedForm, TaggedModelForm):
    """The full activity form. Participants must be current members of this PW."""

    class Meta:
        model = Activity
        fields = [
            "date",
            "start_time",
            "duration_minutes",
            "kind",
            "title",
            "level",
            "participants",
            "description",
            "boundary_objects",
            "learned",
            "follow_up",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "kind": FastSelect,
            "level": FastSelect,
            "participants": NameSearchCheckboxes(attrs={"class": "participant-input"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "boundary_objects": forms.Textarea(attrs={"rows": 2}),
            "learned": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, workplace: Workplace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workplace = workplace
        kinds = ActivityKind.objects.filter(active=True)
        if self.instance.pk:
            kinds = ActivityKind.objects.filter(Q(active=True) | Q(pk=self.instance.kind_id))
        self.fields["kind"].queryset = kinds  # what a posted kind is checked against
        self.fields["kind"].empty_label = None
        self.fields["kind"].choices = [
            (pk, name) for pk, name, active in kind_rows() if active or pk == self.instance.kind_id
        ]
        if "participants" in self.fields:
            people = workplace_people(workplace)
            if self.instance.pk:  # keep people who have left since on their old activities
                people = (
                    Person.objects.filter(
                        Q(pk__in=people.values("pk")) | Q(activities=self.instance)
                    )
                    .distinct()
                    .order_by("name")
                )
            choose_people(self.fields["participants"], people)
        if "duration_minutes" in self.fields:
            self.fields["duration_minutes"].widget.attrs["min"] = 0
        if self.include_headcounts:
            current = {}
            if self.instance.pk:
                current = {h.role: h.count for h in self.instance.headcounts.all()}
            for role in Role:
                self.fields[f"count_{role.value}"] = forms.IntegerField(
                    label=role.label,
                    min_value=0,
                    max_value=10_000,
                    required=False,
                    initial=current.get(role.value),
                    widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
                )

    include_headcounts = True

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(
                _("An activity can be at most one year ahead; check the year.")
            )
        return date

    def headcounts(self) -> dict[str, int]:
        if not self.include_headcounts:
            return {}
        return {role.value: self.cleaned_data.get(f"count_{role.value}") or 0 for role in Role}

    def headcount_fields(self):
        return [self[f"count_{role.value}"] for role in Role] if self.include_headcounts else []

    def main_fields(self):
        return [f for f in self.visible_fields() if not f.name.startswith("count_")]


def kind_rows() -> list[tuple[int, str, bool]]:
    """Every activity kind as (id, name, active), in the list's order: read once per process,
    language and revision of the reference data (a saved kind starts a new one), so the
    three kind selects of the activity list ask the database nothing."""
    return reference.built(
        "activity-kinds", lambda: [(k.pk, k.name, k.active) for k in ActivityKind.objects.all()]
    )


class QuickActivityForm(ActivityForm):
    """The one-line quick log at the top of the list: date, kind, title, elements, people."""

    include_headcounts = False

    class Meta(ActivityForm.Meta):
        fields = ["date", "kind", "title", "participants"]


class ActivityFilterForm(forms.Form):
    """Filters of the activity list; every value is in the URL (shareable, back button)."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=ActivityKind.objects.all(), required=False,
        empty_label=_("All kinds"), widget=FastSelect,
    )  # fmt: skip
    element = forms.ChoiceField(label=_("Element"), required=False, widget=FastSelect)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices],
        widget=FastSelect,
    )  # fmt: skip
    participant = forms.ModelChoiceField(
        label=_("Participant"), queryset=Person.objects.none(), required=False,
        empty_label=_("Everyone"), widget=FastSelect,
    )  # fmt: skip

    def __init__(self, *args, workplace: Workplace, **kwargs):
        super().__init__(*args, **kwargs)
        choose_people(self.fields["participant"], workplace_people(workplace, current_only=False))
        kind = self.fields["kind"]
        kind.choices = [("", kind.empty_label), *((pk, name) for pk, name, _on in kind_rows())]
        self.fields["element"].choices = [("", _("All elements"))] + [
            (code, code) for code in ELEMENT_CODES
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period lies before its start."))
        return cleaned

    def cache_key(self) -> str:
        """The valid filters as a stable string (for caching what they select)."""
        if not self.is_valid():
            return ""
        parts = []
        for name in sorted(self.fields):
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                parts.append(f"{name}={getattr(value, 'pk', value)}")
        return "&".join(parts)

    def apply(self, activities):
        """Narrow a queryset of activities by the valid filters (invalid ones are ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("date_from"):
            activities = activities.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            activities = activities.filter(date__lte=data["date_to"])
        if data.get("kind"):
            activities = activities.filter(kind=data["kind"])
        if data.get("level"):
            activities = activities.filter(level=data["level"])
        if data.get("element"):
            activities = activities.tagged_with(data["element"])
        if data.get("participant"):
            activities = activities.filter(participants=data["participant"])
        return activities

    def counted(self):
        """(school years, element) when the filters are whole school years and at most an
        element, so the strip counters answer them (``activity_counts.summary``); else None."""
        data = self.cleaned_data if self.is_valid() else {}
        if any(data.get(name) for name in ("kind", "level", "participant")):
            return None
        element = data.get("element") or None
        if element and "-" in element:
            return None  # an aspect: the counters are per element
        years = whole_years(data.get("date_from"), data.get("date_to"))
        return None if years is None else (years, element)


# --- Shared learning goals --------------------------------------------------------------------
class GoalForm(VersionedForm, TaggedModelForm):
    """Create or edit a goal. Co-owners must be current members of the same PW. The version
    field detects an edit by a co-owner made in the meantime."""

    class Meta:
        model = LearningGoal
        fields = [
            "title",
            "description",
            "why",
            "how",
            "target_date",
            "status",
            "visibility",
            "co_owners",
        ]
        widgets = {
            "target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "why": forms.Textarea(attrs={"rows": 2}),
            "how": forms.Textarea(attrs={"rows": 2}),
            "visibility": forms.RadioSelect,
            "status": forms.RadioSelect,
            "co_owners": NameSearchCheckboxes,
        }

    # Top to bottom: what, why and how, the elements it serves, with whom, by when, for whom.
    field_order = [
        "title",
        "description",
        "why",
        "how",
        "tags",
        "co_owners",
        "target_date",
        "visibility",
        "status",
    ]

    def __init__(self, *args, workplace: Workplace, owner: Person, **kwargs):
        super().__init__(*args, **kwargs)
        choose_people(self.fields["co_owners"], workplace_people(workplace).exclude(pk=owner.pk))
        self.fields["visibility"].label = _("Share with")
        if self.instance.pk and self.instance.status in (GoalStatus.ACHIEVED, GoalStatus.STOPPED):
            del self.fields["status"]  # a closed goal stays closed
        else:
            self.fields["status"].choices = [
                (GoalStatus.ACTIVE, _("Active: share it now")),
                (GoalStatus.DRAFT, _("Draft: only I see it for now")),
            ]

    def clean_target_date(self):
        target = self.cleaned_data.get("target_date")
        created = (
            timezone.localtime(self.instance.created_at).date()
            if self.instance.pk
            else timezone.localdate()
        )
        if target and target < created:
            raise forms.ValidationError(_("The target date cannot lie before the goal was made."))
        return target


class GoalUpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=FEEDBACK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Keep it to %(limit_value)d characters (now %(show_value)d).")
        },
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SupportRequestForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Ask someone to support this goal"),
        queryset=Person.objects.none(),
        widget=FastSelect,
    )

    def __init__(self, *args, goal: LearningGoal, **kwargs):
        super().__init__(*args, **kwargs)
        already = goal.support.exclude(status=SupportStatus.DECLINED).values("person_id")
        choose_people(
            self.fields["person"],
            workplace_people(goal.workplace)
            .exclude(pk__in=already)
            .exclude(pk__in=[goal.owner_id, *goal.co_owners.values_list("pk", flat=True)]),
        )


class CloseGoalForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How did it end?"),
        choices=[(GoalStatus.ACHIEVED, _("Achieved")), (GoalStatus.STOPPED, _("Stopped"))],
        widget=forms.RadioSelect,
    )
    reflection = forms.CharField(
        label=_("Closing reflection"),
        help_text=_("What did you learn, and what helped or hindered?"),
        max_length=FEEDBACK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GoalWallFilterForm(forms.Form):
    """The wall's filters: one grid of cards, narrowed by person, role or element/aspect."""

    person = forms.TypedChoiceField(
        label=_("Person"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("All roles")), *Role.choices],
        widget=FastSelect,
    )
    element = forms.ChoiceField(label=_("Element or aspect"), required=False, widget=FastSelect)
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        widget=FastSelect,
        choices=[
            ("person", _("by person")),
            ("newest", _("newest first")),
            ("target", _("target date first")),
        ],
    )

    def __init__(self, *args, people, **kwargs):
        """``people``: (pk, name) pairs of those whose goals are on the wall."""
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone")), *people]
        self.fields["element"].choices = [("", _("All elements")), *element_choices()]


def element_choices() -> list:
    """Elements with their aspects as option groups: ``[(element label, [(code, label)])]``.
    The element itself is each group's first option, so either level can be chosen (built
    once per process, language and revision of the reference data)."""
    return reference.built("element-choices", _element_choices)


def _element_choices() -> list:
    groups: dict[str, list] = {}
    labels: dict[str, str] = {}
    for aspect in Aspect.objects.select_related("element"):
        element = aspect.element
        labels[element.code] = f"{element.code} · {element.name}"
        whole = _("%(code)s: the whole element") % {"code": element.code}
        groups.setdefault(element.code, [(element.code, whole)])
        groups[element.code].append((aspect.code, f"{aspect.code} · {aspect.text}"))
    return [(labels[code], groups[code]) for code in ELEMENT_CODES if code in groups]
