"""Forms of the members pages: filters, adding a person, ending and changing a membership,
the cohort import's column mapping, the school-year rollover and a new PW (issue 14)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from werkplaats.cohort_import import FIELDS
from werkplaats.models import Language, Membership, Organisation, Role, Sector

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATUS_CHOICES = [
    ("", _("Current and upcoming")),
    ("current", _("Current")),
    ("upcoming", _("Upcoming")),
    ("former", _("Former")),
    ("all", _("Everyone, ever")),
]


class MemberFilterForm(forms.Form):
    """Filters of the members page; every value is in the URL."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )

    def values(self) -> dict[str, str]:
        """The valid filter values ("" for anything malformed)."""
        if not self.is_valid():
            return {"q": "", "status": "", "role": ""}
        return {k: self.cleaned_data.get(k) or "" for k in ("q", "status", "role")}


class AddMemberForm(forms.Form):
    """A person joins the PW in a role. The e-mail address is optional for clients only."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Needed for an account and for mail; clients may do without."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, initial=timezone.localdate)
    ends_on = forms.DateField(
        label=_("Ends on"), widget=DATE, required=False, help_text=_("Leave empty if unknown.")
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.DUTCH
    )
    use_existing = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        role, email = cleaned.get("role"), cleaned.get("email")
        if role and role != Role.CLIENT and not email:
            self.add_error("email", _("Only a client may be added without an e-mail address."))
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date lies before the start date."))
        return cleaned


class EndMembershipForm(forms.Form):
    """End a membership on a date; ``seen_ends_on`` is the end date the page showed."""

    ends_on = forms.DateField(label=_("Last day"), widget=DATE, initial=timezone.localdate)
    seen_ends_on = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.initial.setdefault("seen_ends_on", membership.ends_on)

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < self.membership.starts_on:
            raise forms.ValidationError(_("A membership cannot end before it starts."))
        return ends_on


class ChangeRoleForm(forms.Form):
    """The person holds another role from a date; the current one ends the day before."""

    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)
    from_date = forms.DateField(label=_("From"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership


class CohortUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Cohort file (CSV or XLSX)"),
        help_text=_(
            "The list from the placement office: a row per person with name, e-mail address, "
            "role, and start and end date. At most 2,000 rows and 10 MB."
        ),
    )


FIELD_LABELS = {
    "name": _("Name"),
    "email": _("E-mail address"),
    "role": _("Role"),
    "starts_on": _("Start date"),
    "ends_on": _("End date"),
}


class CohortMappingForm(forms.Form):
    """Which column holds what: a choice of the file's columns for each field."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        columns = [("", _("(not in the file)"))] + [
            (str(i), header or _("column %(n)s") % {"n": i + 1}) for i, header in enumerate(headers)
        ]
        for name in FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=FIELD_LABELS[name], choices=columns, required=name in ("name", "role")
            )

    def clean(self):
        cleaned = super().clean()
        chosen = [v for v in cleaned.values() if v not in ("", None)]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("Choose each column for one field only."))
        return cleaned

    def mapping(self) -> dict[str, int | None]:
        return {
            name: int(self.cleaned_data[name]) if self.cleaned_data.get(name) else None
            for name in FIELDS
        }


ROLLOVER_CHOICES = [
    ("continue", _("Continues")),
    ("end", _("Ends on 31 August")),
    ("role", _("Another role")),
]


class RolloverForm(forms.Form):
    """One decision per membership: continue, end on the boundary, or another role."""

    def __init__(self, *args, candidates: list[Membership], boundary, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for m in candidates:
            default = "end" if m.ends_on == boundary else "continue"
            self.fields[f"choice_{m.pk}"] = forms.ChoiceField(
                label=_("What happens to %(name)s (%(role)s)?")
                % {"name": m.person.name, "role": m.get_role_display()},
                choices=ROLLOVER_CHOICES,
                initial=default,
                widget=forms.RadioSelect,
            )
            self.fields[f"role_{m.pk}"] = forms.ChoiceField(
                label=_("New role for %(name)s") % {"name": m.person.name},
                choices=[("", "—"), *Role.choices],
                required=False,
            )

    def clean(self):
        cleaned = super().clean()
        for m in self.candidates:
            if cleaned.get(f"choice_{m.pk}") == "role" and not cleaned.get(f"role_{m.pk}"):
                self.add_error(f"role_{m.pk}", _("Choose the new role."))
            elif cleaned.get(f"choice_{m.pk}") == "role" and cleaned.get(f"role_{m.pk}") == m.role:
                self.add_error(f"role_{m.pk}", _("Choose a role other than the current one."))
        return cleaned

    def rows(self):
        """(membership, its choice field, its role field) for the template."""
        return [(m, self[f"choice_{m.pk}"], self[f"role_{m.pk}"]) for m in self.candidates]

    def decisions(self) -> dict[int, tuple[str, str]]:
        return {
            m.pk: (self.cleaned_data[f"choice_{m.pk}"], self.cleaned_data.get(f"role_{m.pk}") or "")
            for m in self.candidates
        }


class NewWorkplaceForm(forms.Form):
    """Staff start a PW: its partners and a first bridge-builder, who takes it from there."""

    name = forms.CharField(label=_("Name"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DATE, initial=timezone.localdate)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=Organisation.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least a hogeschool and a public organisation (characteristic 1)."),
    )
    bridge_builder_name = forms.CharField(
        label=_("Name of the first bridge-builder"), max_length=200
    )
    bridge_builder_email = forms.EmailField(label=_("E-mail address of the first bridge-builder"))
