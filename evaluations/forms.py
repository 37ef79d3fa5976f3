"""Forms of the evaluation cycle: plan, cycle, late invitations, answers, indicators, scan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import (
    NOT_APPLICABLE,
    CycleStatus,
    EvaluationCycle,
    EvaluationPlan,
    ImprovementAction,
    Indicator,
    InstrumentVersion,
    Item,
    ScanStatus,
)
from werkplaats.forms import choose_people, workplace_people
from werkplaats.models import Membership, Role
from werkplaats.versioning import VersionedForm

MAX_TEXT = 4000  # open answers and comments


class PlanForm(VersionedForm, forms.ModelForm):
    """A PW's evaluation plan; the version field detects a save made in the meantime."""

    class Meta:
        model = EvaluationPlan
        fields = [
            "yearly_month",
            "yearly_days",
            "check_ins",
            "check_in_days",
            "instrument",
            "check_in_instrument",
        ]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class CycleForm(VersionedForm, forms.ModelForm):
    """Create or edit a cycle. The version field detects edits made in the meantime."""

    invited_roles = forms.MultipleChoiceField(
        label=_("Invited roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(Role.values),
    )
    reminder_days = forms.CharField(
        label=_("Reminders (days before closing)"),
        initial="7, 2",
        required=False,
        help_text=_("At most three numbers, separated by commas. Leave empty for no reminders."),
    )

    class Meta:
        model = EvaluationCycle
        fields = [
            "kind",
            "label",
            "school_year",
            "instrument_version",
            "opens_at",
            "closes_at",
            "invited_roles",
            "reminder_days",
        ]
        widgets = {"opens_at": DateTimeLocalInput(), "closes_at": DateTimeLocalInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument_version"].queryset = InstrumentVersion.objects.select_related(
            "instrument"
        )
        self.fields["school_year"].help_text = _("For example 2026-2027.")
        if self.instance.pk:
            self.initial["reminder_days"] = ", ".join(str(d) for d in self.instance.reminder_days)
            if self.instance.status != CycleStatus.DRAFT:
                # Once open, only the end date, the roles and the reminders may change.
                for name in ("kind", "label", "school_year", "instrument_version", "opens_at"):
                    self.fields[name].disabled = True

    def clean_school_year(self) -> str:
        value = self.cleaned_data["school_year"].strip()
        parts = value.split("-")
        if (
            len(parts) != 2
            or not all(p.isdigit() and len(p) == 4 for p in parts)
            or int(parts[1]) != int(parts[0]) + 1
        ):
            raise forms.ValidationError(_("Write the school year as 2026-2027."))
        return value

    def clean_reminder_days(self) -> list[int]:
        raw = (self.cleaned_data.get("reminder_days") or "").replace(";", ",")
        try:
            days = sorted({int(p) for p in raw.split(",") if p.strip()}, reverse=True)
        except ValueError:
            raise forms.ValidationError(_("Use whole numbers, such as 7, 2.")) from None
        if len(days) > 3 or any(not 1 <= d <= 59 for d in days):
            raise forms.ValidationError(_("At most three reminders, each 1 to 59 days."))
        return days

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The cycle must close after it opens."))
        return cleaned


class LateInvitationForm(forms.Form):
    """Invite a current member who is not invited yet."""

    person = forms.ModelChoiceField(label=_("Member"), queryset=None)
    role = forms.ChoiceField(label=_("Answers as"), choices=Role.choices)

    def __init__(self, *args, cycle: EvaluationCycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        choose_people(
            self.fields["person"],
            workplace_people(cycle.workplace).exclude(invitations__cycle=cycle),
        )

    def clean(self):
        """The role must be one the person holds in this PW now: inviting someone "as a
        manager" could otherwise lift a group of one over the threshold."""
        cleaned = super().clean()
        person, role = cleaned.get("person"), cleaned.get("role")
        if person and role:
            holds = Membership.objects.current().filter(
                person=person, workplace=self.cycle.workplace_id, role=role
            )
            if not holds.exists():
                self.add_error("role", _("This person does not hold this role in the workplace."))
        return cleaned


ANSWER_CHOICES = [
    ("1", _("1 · strongly disagree")),
    ("2", _("2 · disagree")),
    ("3", _("3 · neither agree nor disagree")),
    ("4", _("4 · agree")),
    ("5", _("5 · strongly agree")),
    (str(NOT_APPLICABLE), _("don't know / not applicable")),
]


class ElementPageForm(forms.Form):
    """The items of one element plus its optional comment. Fields are named item-<pk>."""

    def __init__(self, *args, items: list[Item], role: str, element_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.element_code = element_code
        for item in items:
            self.fields[f"item-{item.pk}"] = forms.TypedChoiceField(
                label=item.wording_for(role),
                choices=ANSWER_CHOICES,
                coerce=int,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
        self.fields["comment"] = forms.CharField(
            label=_("Anything you want to add about this element? (optional)"),
            required=False,
            max_length=MAX_TEXT,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def answers(self) -> dict[int, int]:
        return {
            item.pk: self.cleaned_data[f"item-{item.pk}"]
            for item in self.items
            if self.cleaned_data.get(f"item-{item.pk}") not in (None, "")
        }


class OpenQuestionsForm(forms.Form):
    went_well = forms.CharField(
        label=_("What goes well? What do you value in this workplace?"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    could_be_better = forms.CharField(
        label=_("What is difficult? What could be better?"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    assisted = forms.BooleanField(
        label=_("Someone helped me fill this in"),
        help_text=_(
            "For example a bridge-builder or supporter who read along or typed for you. "
            "We only store that you had help, not who helped."
        ),
        required=False,
    )


class IndicatorForm(VersionedForm):
    """The hard indicators of a school year; counted values are offered as initial values.
    The version is the cycle's ``indicators_version`` (the view passes it as initial)."""

    def __init__(self, *args, counted: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in Indicator.choices:
            help_text = (
                _("Counted by Werkplaats: %(value)s. Change it if you know better.")
                % {"value": counted[key]}
                if key in counted
                else _("Entered by hand.")
            )
            self.fields[key] = forms.IntegerField(
                label=label, min_value=0, max_value=100000, required=False, help_text=help_text
            )


class ScanForm(VersionedForm):
    """Present / partly / absent, with evidence, for each of the nine characteristics.
    The version is the cycle's ``scan_version`` (the view passes it as initial)."""

    def __init__(self, *args, characteristics, **kwargs):
        super().__init__(*args, **kwargs)
        self.characteristics = characteristics
        for ch in characteristics:
            self.fields[f"status-{ch.number}"] = forms.ChoiceField(
                label=str(ch), choices=[("", "—"), *ScanStatus.choices], required=False
            )
            self.fields[f"evidence-{ch.number}"] = forms.CharField(
                label=_("Evidence for %(characteristic)s") % {"characteristic": ch.number},
                required=False,
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> dict[int, tuple[str, str]]:
        return {
            ch.number: (
                self.cleaned_data[f"status-{ch.number}"],
                self.cleaned_data[f"evidence-{ch.number}"],
            )
            for ch in self.characteristics
            if self.cleaned_data.get(f"status-{ch.number}")
        }


class ActionForm(VersionedForm, forms.ModelForm):
    """An improvement action: an element (and optionally one of its aspects), an owner who is
    a current member, one of the PW's partner organisations, a due date and a status."""

    class Meta:
        model = ImprovementAction
        fields = [
            "cycle",
            "element",
            "aspect",
            "title",
            "owner",
            "organisation",
            "due_on",
            "status",
            "activities",
        ]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "activities": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, workplace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workplace = workplace
        self.fields["cycle"].queryset = EvaluationCycle.objects.filter(
            workplace=workplace, status=CycleStatus.CLOSED
        )
        choose_people(self.fields["owner"], workplace_people(workplace))
        self.fields["organisation"].queryset = workplace.partners.order_by("name")
        self.fields["activities"].queryset = workplace.activities.order_by("-date")
        self.fields["activities"].required = False

    def clean(self):
        cleaned = super().clean()
        element, aspect = cleaned.get("element"), cleaned.get("aspect")
        if element and aspect and aspect.element_id != element.code:
            self.add_error("aspect", _("Choose an aspect of the chosen element."))
        return cleaned
