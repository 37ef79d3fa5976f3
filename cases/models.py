"""Practice cases (praktijkvraagstukken) of a PW and their outputs, the "hard" results."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.storage import PrivateStorage
from elements.tagging import Tagged, TaggedQuerySet
from werkplaats.models import Person, Role, Workplace


class CaseKind(models.TextChoices):
    RESEARCH = "research", _("research project")
    GRADUATION = "graduation", _("graduation assignment")
    IMPROVEMENT = "improvement", _("improvement project")
    TEACHING_CASE = "teaching_case", _("client case for teaching")
    INNOVATION = "innovation", _("innovation project")


class CaseStatus(models.TextChoices):
    """The board's columns, in this order."""

    IDEA = "idea", _("idea")
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    IMPLEMENTED = "implemented", _("implemented in practice")


class PracticeCase(Tagged):
    """A practice question worked on in a PW, often led by a student, with its participants."""

    workplace = models.ForeignKey(
        Workplace, verbose_name=_("professional workplace"), on_delete=models.CASCADE,
        related_name="cases",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("practice question"))
    kind = models.CharField(_("kind"), max_length=32, choices=CaseKind.choices)
    # Required in forms; empty only after the lead was erased (GDPR), the case stays.
    lead = models.ForeignKey(
        Person, verbose_name=_("lead"), on_delete=models.SET_NULL, null=True,
        related_name="cases_led",
        help_text=_("A current member of this workplace, often a student."),
    )  # fmt: skip
    participants = models.ManyToManyField(
        Person, verbose_name=_("participants"), blank=True, related_name="cases_joined",
        help_text=_("Members taking part, clients as co-researchers included."),
    )  # fmt: skip
    supervisors = models.ManyToManyField(
        Person, verbose_name=_("supervisors"), blank=True, related_name="cases_supervised"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.IDEA
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    practice_change = models.TextField(_("what changed in practice"), blank=True)
    securing = models.TextField(
        _("how the change is secured"), blank=True,
        help_text=_("Protocols, policy plan, training, who keeps it going."),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: an edit or a move names the version it started from (see services).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaggedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("practice case")
        verbose_name_plural = _("practice cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="practicecase_ends_after_start",
                violation_error_message=_("A case cannot end before it starts."),
            ),
        ]
        indexes = [
            # The board (per PW by status) and the running count on the PW home.
            models.Index(fields=["workplace", "status"], name="practicecase_wp_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:case-detail", kwargs={"slug": self.workplace.slug, "pk": self.pk})


class OutputKind(models.TextChoices):
    GRADUATION_WORK = "graduation_work", _("graduation work")
    PUBLICATION = "publication", _("publication")
    PRESENTATION = "presentation", _("presentation")
    PRODUCT = "product", _("product or tool")
    TEACHING_MATERIAL = "teaching_material", _("teaching material (e.g. a film)")
    POLICY_PLAN = "policy_plan", _("change taken into the policy plan")


def output_upload_to(instance: Output, filename: str) -> str:
    """A random name per file: the original name is kept in a field, never in the path."""
    suffix = PurePath(filename).suffix.lower()
    return f"outputs/{instance.case.workplace_id}/{uuid.uuid4().hex}{suffix}"


class Output(models.Model):
    """A result of a case; the yearly hard indicators count these per school year."""

    case = models.ForeignKey(
        PracticeCase, verbose_name=_("practice case"), on_delete=models.CASCADE,
        related_name="outputs",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=32, choices=OutputKind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(
        _("file"), storage=PrivateStorage(), upload_to=output_upload_to, blank=True,
        max_length=200,
    )  # fmt: skip
    file_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        indexes = [
            # output_counts: the outputs of a school year, per kind.
            models.Index(fields=["case", "date"], name="output_case_date_idx"),
            models.Index(fields=["date", "kind"], name="output_date_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.title


# --- Value-creation stories -------------------------------------------------------------------
class ValueCycle(models.TextChoices):
    """The five cycles of value creation of Wenger, Trayner & De Laat (2011), "Promoting and
    assessing value creation in communities and networks: a conceptual framework"."""

    IMMEDIATE = "immediate", _("immediate value")
    POTENTIAL = "potential", _("potential value")
    APPLIED = "applied", _("applied value")
    REALISED = "realised", _("realised value")
    REFRAMING = "reframing", _("reframing value")


VALUE_CYCLE_HELP = {
    ValueCycle.IMMEDIATE: _("The activity or the contact itself was worth it."),
    ValueCycle.POTENTIAL: _(
        "Something was gained that can be used later: knowledge, a skill, a contact, a "
        "resource or a new view."
    ),
    ValueCycle.APPLIED: _("What was gained was put to use: the practice changed."),
    ValueCycle.REALISED: _(
        "The change made a difference that matters: for clients, the organisation or education."
    ),
    ValueCycle.REFRAMING: _("It changed what counts as success: goals, criteria or strategy."),
}


def value_story_errors(*, case: PracticeCase, happened_on, outputs) -> dict[str, str]:
    """The rules of a value-creation story, for the form and the service alike: it happened
    (not in the future, not before its case started) and links only outputs of its case."""
    errors: dict[str, str] = {}
    if happened_on is not None:
        if happened_on > timezone.localdate():
            errors["happened_on"] = _("A story tells what happened: it cannot be in the future.")
        elif happened_on < case.starts_on:
            errors["happened_on"] = _(
                "A story cannot be dated before its case started (%(date)s)."
            ) % {"date": case.starts_on.isoformat()}
    if any(output.case_id != case.pk for output in outputs or ()):
        errors["outputs"] = _("Choose only outputs of this case.")
    return errors


class ValueStory(Tagged):
    """A value-creation story about a practice case: what value it created, in which of the
    five cycles, linked to the case's outputs and to elements. Counted per school year beside
    the outputs in the yearly cycle's hard indicators."""

    case = models.ForeignKey(
        PracticeCase, verbose_name=_("practice case"), on_delete=models.CASCADE,
        related_name="value_stories",
    )  # fmt: skip
    kind = models.CharField(_("kind of value"), max_length=16, choices=ValueCycle.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(
        _("the story"), help_text=_("What happened, for whom, and what it led to.")
    )
    happened_on = models.DateField(_("when it happened"))
    outputs = models.ManyToManyField(
        Output, verbose_name=_("outputs"), blank=True, related_name="value_stories",
        help_text=_("Outputs of this case the story is about."),
    )  # fmt: skip
    author = models.ForeignKey(  # empty once the author was erased; the story stays
        Person, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="value_stories",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: an edit names the version it started from (see services).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaggedQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name = _("value-creation story")
        verbose_name_plural = _("value-creation stories")
        indexes = [
            # The case page, and value_story_counts: the stories of a school year.
            models.Index(fields=["case", "happened_on"], name="valuestory_case_date_idx"),
            models.Index(fields=["happened_on", "kind"], name="valuestory_date_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def kind_help(self) -> str:
        return VALUE_CYCLE_HELP.get(self.kind, "")


# --- CMO notes (realist evaluation) -----------------------------------------------------------
class CmoSource(models.TextChoices):
    OBSERVATION = "observation", _("observation")
    INTERVIEW = "interview", _("interview")
    FOCUS_GROUP = "focus_group", _("focus group")
    DOCUMENT = "document", _("document")
    QUESTIONNAIRE = "questionnaire", _("questionnaire")
    MEETING = "meeting", _("meeting")


class CmoNote(Tagged):
    """A context–mechanism–outcome observation, about a case, an activity of the log, or the
    PW itself (neither set). The author's role is kept so research exports need no names."""

    workplace = models.ForeignKey(
        Workplace, verbose_name=_("professional workplace"), on_delete=models.CASCADE,
        related_name="cmo_notes",
    )  # fmt: skip
    case = models.ForeignKey(
        PracticeCase, verbose_name=_("practice case"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="cmo_notes",
    )  # fmt: skip
    activity = models.ForeignKey(
        "werkplaats.Activity", verbose_name=_("activity"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="cmo_notes",
    )  # fmt: skip
    context = models.TextField(_("context"), help_text=_("In which situation (C)?"))
    mechanism = models.TextField(_("mechanism"), help_text=_("What happened or worked (M)?"))
    outcome = models.TextField(_("outcome"), help_text=_("What did it lead to (O)?"))
    source = models.CharField(_("source"), max_length=16, choices=CmoSource.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(  # empty once the author was erased; author_role stays
        Person, verbose_name=_("author"), on_delete=models.SET_NULL, null=True,
        related_name="cmo_notes",
    )  # fmt: skip
    author_role = models.CharField(
        _("author's role"), max_length=32, choices=Role.choices, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Optimistic locking: the author saves an edit against the version they opened.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaggedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("CMO note")
        verbose_name_plural = _("CMO notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(activity__isnull=True),
                name="cmonote_one_subject",
                violation_error_message=_("A note is about a case or an activity, not both."),
            ),
        ]
        indexes = [
            # The list per PW, newest first, optionally by source.
            models.Index(fields=["workplace", "-date", "-id"], name="cmonote_wp_date_idx"),
            models.Index(fields=["workplace", "source", "-date"], name="cmonote_wp_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} · {self.get_source_display()}"

    def subject(self):
        """What the note is about: the case, the activity, or the PW itself."""
        return self.case or self.activity or self.workplace


# --- Experience-expert pool -------------------------------------------------------------------
# The consent statement people agree to; a changed wording gets a new version key, and every
# consent records the version it was given under (what exactly was agreed, and when).
CONSENT_TEXT_VERSION = "2026-11"
CONSENT_TEXT = _(
    "I agree that the members of the workplaces named here may approach me for interviews, "
    "workshops or lessons on the topics I chose, in the way I chose. I can withdraw this at "
    "any moment; my contact details are then deleted at once."
)


class PoolConsentQuerySet(models.QuerySet):
    def active(self) -> PoolConsentQuerySet:
        """Consents not withdrawn: only these put somebody in the pool."""
        return self.filter(withdrawn_at__isnull=True)


class PoolConsent(models.Model):
    """A client or experience expert's explicit, dated consent to be approached by the PWs
    named in it, recorded by a registrar.

    Withdrawal takes effect at once and is permanent for this record: consenting again is a
    new record, so the history of consent is never rewritten.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="pool_consents"
    )
    workplaces = models.ManyToManyField(
        Workplace, verbose_name=_("professional workplaces"), related_name="pool_consents",
        help_text=_("Only members of these workplaces see this person in the pool."),
    )  # fmt: skip
    topics = models.TextField(_("topics they want to speak about"))
    for_interviews = models.BooleanField(_("interviews"), default=False)
    for_workshops = models.BooleanField(_("workshops"), default=False)
    for_lessons = models.BooleanField(_("lessons"), default=False)
    contact_preference = models.CharField(
        _("how they like to be contacted"), max_length=200,
        help_text=_("For example: by phone in the afternoon, or through the bridge-builder."),
    )  # fmt: skip
    contact_details = models.CharField(
        _("contact details"), max_length=200, blank=True,
        help_text=_("Phone number or address to use; shown only while consent stands."),
    )  # fmt: skip
    consented_on = models.DateField(_("consent given on"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    text_version = models.CharField(
        _("version of the consent text"),
        max_length=20,
        default=CONSENT_TEXT_VERSION,
        editable=False,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("withdrawal registered by"),
        on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+",
    )  # fmt: skip

    objects = PoolConsentQuerySet.as_manager()

    class Meta:
        ordering = ["person__name", "-consented_on"]
        verbose_name = _("consent for the experience-expert pool")
        verbose_name_plural = _("consents for the experience-expert pool")
        constraints = [
            # One standing consent per person; a new one needs the old one withdrawn.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(withdrawn_at__isnull=True),
                name="poolconsent_one_active_per_person",
                violation_error_message=_("This person already has a standing consent."),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="poolconsent_withdrawal_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.consented_on:%Y-%m-%d}"

    def is_active(self) -> bool:
        return self.withdrawn_at is None


# --- Case studies (research) ------------------------------------------------------------------
class RespondentGroup(models.TextChoices):
    """The homogeneous groups of the article's multiple case study."""

    STUDENTS = "students", _("students")
    SUPPORTERS = "supporters", _("supporters and bridge-builders")
    PROFESSIONALS = "professionals", _("professionals")
    MANAGEMENT = "management", _("management")
    CLIENTS = "clients", _("clients")
    MIXED = "mixed", _("mixed or not applicable")


class CollectionMethod(models.TextChoices):
    FOCUS_GROUP = "focus_group", _("focus group")
    INTERVIEW = "interview", _("interview")
    OBSERVATION = "observation", _("observation")
    DOCUMENT = "document", _("document analysis")
    QUESTIONNAIRE = "questionnaire", _("questionnaire")


class Recognition(models.TextChoices):
    STRONG = "strong", _("strongly recognised")
    PARTLY = "partly", _("partly recognised")
    NOT = "not", _("not recognised")


class CaseStudy(models.Model):
    """A PW studied as a case over a period, as in the article's multiple case study."""

    workplace = models.ForeignKey(
        Workplace, verbose_name=_("professional workplace"), on_delete=models.CASCADE,
        related_name="case_studies",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period until"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="casestudy_ends_after_start",
                violation_error_message=_("A period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DataCollection(models.Model):
    """One data-collection moment of a case study, with its number of respondents."""

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.CASCADE,
        related_name="collections",
    )  # fmt: skip
    method = models.CharField(_("method"), max_length=16, choices=CollectionMethod.choices)
    group = models.CharField(_("respondent group"), max_length=16, choices=RespondentGroup.choices)
    date = models.DateField(_("date"))
    respondents = models.PositiveIntegerField(
        _("number of respondents"), default=0, validators=[MaxValueValidator(10_000)]
    )

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("data-collection moment")
        verbose_name_plural = _("data-collection moments")
        indexes = [models.Index(fields=["case_study", "group"], name="datacollection_study_idx")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} · {self.get_group_display()}"


class Fragment(Tagged):
    """An anonymised quote coded to elements and aspects; researchers and staff only."""

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.CASCADE,
        related_name="fragments",
    )  # fmt: skip
    collection = models.ForeignKey(
        DataCollection, verbose_name=_("data-collection moment"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="fragments",
    )  # fmt: skip
    group = models.CharField(_("respondent group"), max_length=16, choices=RespondentGroup.choices)
    text = models.TextField(_("anonymised fragment"))
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TaggedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("coded fragment")
        verbose_name_plural = _("coded fragments")

    def __str__(self) -> str:
        return self.text[:60]


class ElementSummary(models.Model):
    """The within-case summary of one element: how it is recognised in this case."""

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.CASCADE,
        related_name="summaries",
    )  # fmt: skip
    element = models.ForeignKey(
        "elements.Element", verbose_name=_("element"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recognition = models.CharField(_("recognised"), max_length=8, choices=Recognition.choices)
    summary = models.TextField(_("summary"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("within-case summary")
        verbose_name_plural = _("within-case summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "element"], name="elementsummary_study_element"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_study} · {self.element_id}"
