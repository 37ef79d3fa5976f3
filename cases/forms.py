"""Forms of the cases app: a case, an output (with a checked upload), a status move."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases.models import (
    VALUE_CYCLE_HELP,
    CaseStatus,
    CaseStudy,
    CmoNote,
    CmoSource,
    DataCollection,
    Fragment,
    Output,
    PoolConsent,
    PracticeCase,
    Recognition,
    ValueCycle,
    ValueStory,
    value_story_errors,
)
from elements.models import ELEMENT_CODES, Element
from elements.tagging import TaggedModelForm
from werkplaats.forms import choose_people, workplace_people
from werkplaats.models import Activity, Membership, Person, Role, Workplace
from werkplaats.versioning import VersionedForm
from werkplaats.widgets import FastSelect

# Allowed uploads: extension -> (content type served, how the file must start).
# The first bytes are checked too, so a renamed executable is refused.
ALLOWED_UPLOADS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".mp4": ("video/mp4", ()),  # checked below: "ftyp" at byte 4
}


def content_type_for(name: str) -> str:
    """The content type a stored output is served with (only allowed types are ever stored)."""
    entry = ALLOWED_UPLOADS.get(PurePath(name).suffix.lower())
    return entry[0] if entry else "application/octet-stream"


def _people_field_queryset(workplace: Workplace, instance: PracticeCase | None, relation: str):
    """Current members; on an edit also the people already linked (they may have left since)."""
    people = workplace_people(workplace)
    if instance is None or not instance.pk:
        return people
    return (
        Person.objects.filter(Q(pk__in=people.values("pk")) | Q(**{relation: instance}))
        .distinct()
        .order_by("name")
    )


class PracticeCaseForm(VersionedForm, TaggedModelForm):
    """A case; the lead, participants and supervisors must be current members of the PW."""

    class Meta:
        model = PracticeCase
        fields = [
            "title",
            "question",
            "kind",
            "status",
            "lead",
            "participants",
            "supervisors",
            "starts_on",
            "ends_on",
            "practice_change",
            "securing",
        ]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.CheckboxSelectMultiple(attrs={"class": "participant-input"}),
            "supervisors": forms.CheckboxSelectMultiple(attrs={"class": "participant-input"}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "practice_change": forms.Textarea(attrs={"rows": 3}),
            "securing": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "lead": {"invalid_choice": _("The lead must be a current member of this workplace.")},
            "participants": {
                "invalid_choice": _("Only current members of this workplace can take part.")
            },
            "supervisors": {
                "invalid_choice": _("Only current members of this workplace can supervise.")
            },
        }

    def __init__(self, *args, workplace: Workplace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workplace = workplace
        instance = self.instance if self.instance.pk else None
        lead_ids = [instance.lead_id] if instance else []
        choose_people(
            self.fields["lead"],
            Person.objects.filter(
                Q(pk__in=workplace_people(workplace).values("pk")) | Q(pk__in=lead_ids)
            ).order_by("name"),
        )
        choose_people(
            self.fields["participants"],
            _people_field_queryset(workplace, instance, "cases_joined"),
        )
        choose_people(
            self.fields["supervisors"],
            _people_field_queryset(workplace, instance, "cases_supervised"),
        )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("A case cannot end before it starts."))
        if (
            starts_on
            and self.instance.pk
            and self.instance.outputs.filter(date__lt=starts_on).exists()
        ):
            self.add_error(
                "starts_on", _("The case has outputs dated before this day; it started earlier.")
            )
        elif (
            starts_on
            and self.instance.pk
            and self.instance.value_stories.filter(happened_on__lt=starts_on).exists()
        ):
            self.add_error(
                "starts_on",
                _("The case has value-creation stories dated before this day; it started earlier."),
            )
        return cleaned


class OutputForm(forms.ModelForm):
    """An output of a case: dated on or after the case's start; a link and/or a checked file."""

    link = forms.URLField(label=_("link"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Output
        fields = ["kind", "title", "date", "link", "file"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "file": forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_UPLOADS))}),
        }

    def __init__(self, *args, case: PracticeCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, PowerPoint, OpenDocument text, PNG, JPEG or MP4; at most "
            "%(size)s. The file is only shown to members of this workplace."
        ) % {"size": filesizeformat(self.max_bytes())}

    @staticmethod
    def max_bytes() -> int:
        return settings.CASE_OUTPUT_MAX_UPLOAD_MB * 1024 * 1024

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < self.case.starts_on:
            raise forms.ValidationError(
                _("An output cannot be dated before its case started (%(date)s)."),
                params={"date": self.case.starts_on.isoformat()},
            )
        return date

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        suffix = PurePath(upload.name).suffix.lower()
        if suffix not in ALLOWED_UPLOADS:
            raise forms.ValidationError(
                _("This type of file is not accepted. Choose a PDF, Word, Excel, PowerPoint, "
                  "OpenDocument text, PNG, JPEG or MP4 file.")
            )  # fmt: skip
        if upload.size > self.max_bytes():
            raise forms.ValidationError(
                _("The file is too large: at most %(size)s."),
                params={"size": filesizeformat(self.max_bytes())},
            )
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        signatures = ALLOWED_UPLOADS[suffix][1]
        valid = head[4:8] == b"ftyp" if suffix == ".mp4" else head.startswith(signatures)
        if not valid:
            raise forms.ValidationError(_("The content of this file does not match its extension."))
        return upload


class MoveForm(forms.Form):
    """A button on the board: move a case to a status, naming the version it saw."""

    status = forms.ChoiceField(choices=CaseStatus.choices)
    version = forms.IntegerField(min_value=1)


# --- CMO notes --------------------------------------------------------------------------------
RECENT_ACTIVITIES = 50


class CmoNoteForm(VersionedForm, TaggedModelForm):
    """A CMO note about a case of this PW, a recent activity of its log, or the PW itself.
    Editing, the version field detects an edit saved in the meantime (another tab)."""

    class Meta:
        model = CmoNote
        fields = ["case", "activity", "source", "date", "context", "mechanism", "outcome"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "context": forms.Textarea(attrs={"rows": 3}),
            "mechanism": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "case": _("Leave case and activity empty for a note about the workplace itself."),
        }

    def __init__(self, *args, workplace: Workplace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = PracticeCase.objects.filter(workplace=workplace).order_by(
            "title"
        )
        self.fields["case"].empty_label = _("No case")
        # The log may hold thousands of activities: offer the recent ones, plus one chosen
        # from the log (?activity=<id>).
        recent = Activity.objects.filter(workplace=workplace).order_by("-date", "-pk")
        chosen = self.initial.get("activity") or self.data.get("activity") or None
        ids = Q(pk__in=recent.values("pk")[:RECENT_ACTIVITIES])
        if chosen and str(chosen).isdigit():
            ids |= Q(pk=int(chosen))
        self.fields["activity"].queryset = Activity.objects.filter(
            ids, workplace=workplace
        ).order_by("-date", "-pk")
        self.fields["activity"].empty_label = _("No activity")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("case") and cleaned.get("activity"):
            raise forms.ValidationError(
                _("A note is about a case or an activity, not both. Choose one of them.")
            )
        return cleaned


class CmoFilterForm(forms.Form):
    """Filters of the CMO note lists; every value is in the URL."""

    element = forms.ChoiceField(label=_("Element"), required=False, widget=FastSelect)
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[("", _("All sources")), *CmoSource.choices],
        widget=FastSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["element"].choices = [("", _("All elements"))] + [
            (code, code) for code in ELEMENT_CODES
        ]

    def apply(self, notes):
        if not self.is_valid():
            return notes
        if self.cleaned_data.get("element"):
            notes = notes.tagged_with(self.cleaned_data["element"])
        if self.cleaned_data.get("source"):
            notes = notes.filter(source=self.cleaned_data["source"])
        return notes


# --- Experience-expert pool -------------------------------------------------------------------
class PoolConsentForm(forms.ModelForm):
    """Record a client's or experience expert's consent to be approached.

    The person must be a current client / experience expert of this PW; the workplaces are
    PWs where the person is a current member and the registrar may manage the pool.
    """

    class Meta:
        model = PoolConsent
        fields = [
            "person",
            "consented_on",
            "workplaces",
            "topics",
            "contact_preference",
            "contact_details",
        ]
        widgets = {
            "consented_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "workplaces": forms.CheckboxSelectMultiple,
            "topics": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "person": {
                "invalid_choice": _(
                    "Choose a current client or experience expert of this workplace."
                )
            },
            "consented_on": {"required": _("Enter the date the consent was given.")},
        }

    # One group of labelled checkboxes instead of three lone ones (each needs its own label).
    available_for = forms.MultipleChoiceField(
        label=_("Available for"),
        choices=[
            ("interviews", _("interviews")),
            ("workshops", _("workshops")),
            ("lessons", _("lessons")),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, workplace: Workplace, workplaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["person", "consented_on", "workplaces", "topics", "available_for"])
        clients = Membership.objects.current().filter(workplace=workplace, role=Role.CLIENT)
        choose_people(
            self.fields["person"],
            Person.objects.filter(pk__in=clients.values("person_id")).order_by("name"),
        )
        self.fields["workplaces"].queryset = workplaces
        self.fields["consented_on"].required = True
        if not self.is_bound:
            self.initial.setdefault("workplaces", [workplace.pk])

    def clean_consented_on(self):
        day = self.cleaned_data.get("consented_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Consent cannot be dated in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        available = set(cleaned.get("available_for") or [])
        for kind in ("interviews", "workshops", "lessons"):
            cleaned[f"for_{kind}"] = kind in available
        person, chosen = cleaned.get("person"), cleaned.get("workplaces")
        if person and chosen:
            member_of = set(
                Membership.objects.current()
                .filter(person=person)
                .values_list("workplace_id", flat=True)
            )
            if any(wp.pk not in member_of for wp in chosen):
                self.add_error(
                    "workplaces",
                    _("Choose only workplaces this person is currently a member of."),
                )
        if person and PoolConsent.objects.active().filter(person=person).exists():
            self.add_error(
                "person",
                _("This person already has a standing consent; withdraw it first to change it."),
            )
        return cleaned


# --- Case studies -----------------------------------------------------------------------------
class CaseStudyForm(forms.ModelForm):
    class Meta:
        model = CaseStudy
        fields = ["title", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("A period cannot end before it starts."))
        return cleaned


class DataCollectionForm(forms.ModelForm):
    class Meta:
        model = DataCollection
        fields = ["method", "group", "date", "respondents"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class FragmentForm(TaggedModelForm):
    """An anonymised fragment coded to elements and aspects of the model."""

    class Meta:
        model = Fragment
        fields = ["text", "group", "collection"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "text": _("Remove names and anything else that identifies a person."),
        }

    def __init__(self, *args, case_study: CaseStudy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = DataCollection.objects.filter(case_study=case_study)
        self.fields["collection"].empty_label = _("Not linked to a moment")

    def clean(self):
        cleaned = super().clean()
        tags = cleaned.get("tags")
        if tags is not None and not tags.elements:
            self.add_error("tags", _("Code the fragment to at least one element or aspect."))
        return cleaned


class SummaryForm(forms.Form):
    """The within-case summary of one element."""

    element = forms.ModelChoiceField(
        label=_("Element"), queryset=Element.objects.all(), empty_label=None
    )
    recognition = forms.ChoiceField(label=_("Recognised"), choices=Recognition.choices)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))


# --- Value-creation stories -------------------------------------------------------------------
class ValueStoryForm(VersionedForm, TaggedModelForm):
    """A value-creation story of a case: the cycle of value, what happened and when, the
    case's outputs it is about, and elements. Editing, the version field detects an edit
    saved in the meantime."""

    class Meta:
        model = ValueStory
        fields = ["kind", "title", "happened_on", "text", "outputs"]
        widgets = {
            "kind": forms.RadioSelect,
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 6}),
            "outputs": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "outputs": {"invalid_choice": _("Choose only outputs of this case.")},
        }

    def __init__(self, *args, case: PracticeCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["kind"].choices = [
            (cycle.value, format_lazy("{} — {}", cycle.label, VALUE_CYCLE_HELP[cycle]))
            for cycle in ValueCycle
        ]
        self.fields["kind"].help_text = _(
            "The five cycles of value creation of Wenger, Trayner and De Laat."
        )
        self.fields["outputs"].queryset = Output.objects.filter(case=case).order_by("-date", "-pk")
        if not self.instance.pk:
            self.initial.setdefault("happened_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        errors = value_story_errors(
            case=self.case,
            happened_on=cleaned.get("happened_on"),
            outputs=cleaned.get("outputs") or (),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def values(self) -> dict:
        """The cleaned values, as the services take them."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "text": data["text"],
            "happened_on": data["happened_on"],
            "outputs": list(data.get("outputs") or ()),
            "tags": data.get("tags"),
        }
