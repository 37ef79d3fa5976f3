"""The one tagging mechanism: link any model to LOS elements and, optionally, their aspects.

Use it in three places:

1. Model: inherit ``Tagged`` (an abstract model with ``elements`` and ``aspects``) and give the
   manager ``TaggedQuerySet`` (``TaggedQuerySet.as_manager()`` or a subclass of it).
2. Form: inherit ``TaggedModelForm`` instead of ``forms.ModelForm``; it adds the ``tags`` field
   (toggle chips that are plain checkboxes, so they work without JavaScript) and saves it.
3. Queries: ``.tagged_with("VOR")`` or ``.tagged_with("VOR-2")`` filters,
   ``.count_per_element()`` counts per element in one query.

Choosing an aspect always tags its element too, so element counts include aspect-level tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.db import models, transaction
from django.db.models import Count
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from elements import reference
from elements.models import ELEMENT_CODES, Aspect, Element


# --- Models -----------------------------------------------------------------------------------
class TaggedQuerySet(models.QuerySet):
    """Filters and counts for any ``Tagged`` model."""

    def tagged_with(self, code: str) -> TaggedQuerySet:
        """Everything tagged with an element (``"LOS"``) or an aspect (``"LOS-2"``)."""
        if "-" in code:
            return self.filter(aspects=code)
        return self.filter(elements=code)

    def count_per_element(self) -> dict[str, int]:
        """{element code: number of rows tagged with it}, all six codes, in one query."""
        return self._count_per("elements", dict.fromkeys(ELEMENT_CODES, 0))

    def count_per_aspect(self) -> dict[str, int]:
        """{aspect code: number of rows tagged with it}, only codes in use, in one query."""
        return self._count_per("aspects", {})

    def _count_per(self, name: str, counts: dict[str, int]) -> dict[str, int]:
        relation = self.model._meta.get_field(name)
        through = relation.remote_field.through
        source = relation.m2m_field_name()  # the through table's foreign key to this model
        target = relation.m2m_reverse_field_name()
        rows = (
            through.objects.filter(**{f"{source}__in": self.order_by().values("pk")})
            .values(f"{target}_id")
            # Each (row, element) pair is unique in the through table: no DISTINCT needed,
            # which lets PostgreSQL group without sorting.
            .annotate(n=Count(source))
            .order_by()
        )
        for row in rows:
            counts[row[f"{target}_id"]] = row["n"]
        return counts


class Tagged(models.Model):
    """Abstract model: link rows to elements and aspects of the LOS model."""

    elements = models.ManyToManyField(
        Element,
        verbose_name=_("elements"),
        blank=True,
        related_name="%(app_label)s_%(class)s_set",
    )
    aspects = models.ManyToManyField(
        Aspect,
        verbose_name=_("aspects"),
        blank=True,
        related_name="%(app_label)s_%(class)s_set",
    )

    class Meta:
        abstract = True

    def tag_codes(self) -> list[str]:
        """Element and aspect codes of this row (uses prefetched relations when present)."""
        return [e.code for e in self.elements.all()] + [a.code for a in self.aspects.all()]


@dataclass(frozen=True)
class TagSelection:
    """What a user chose: aspects, and elements including the elements of those aspects."""

    elements: frozenset[str] = field(default_factory=frozenset)
    aspects: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_codes(cls, codes: list[str] | set[str]) -> TagSelection:
        aspects = frozenset(code for code in codes if "-" in code)
        elements = frozenset(code for code in codes if "-" not in code)
        elements |= {code.split("-", 1)[0] for code in aspects}
        return cls(elements=elements, aspects=aspects)

    def codes(self) -> list[str]:
        return sorted(self.elements) + sorted(self.aspects)


def set_tags(obj: Tagged, selection: TagSelection) -> None:
    """Replace the tags of a saved row with ``selection`` (one transaction)."""
    with transaction.atomic():
        obj.elements.set(sorted(selection.elements))
        obj.aspects.set(sorted(selection.aspects))


# --- Forms ------------------------------------------------------------------------------------
def tag_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices: per element, the element itself and its five aspects (one query,
    once per process, language and revision of the reference data)."""
    return reference.built("tag-choices", _tag_choices)


def _tag_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for aspect in Aspect.objects.select_related("element").order_by("element__order", "order"):
        element = aspect.element
        if element.code not in groups:
            groups[element.code] = (
                f"{element.code} · {element.name}",
                [(element.code, _("%(code)s as a whole") % {"code": element.code})],
            )
        groups[element.code][1].append((aspect.code, f"{aspect.code} · {aspect.text}"))
    return list(groups.values())


class ChipsWidget(forms.CheckboxSelectMultiple):
    """Checkboxes drawn as toggle chips, grouped per element; no JavaScript needed."""

    template_name = "elements/widgets/chips.html"
    option_template_name = "elements/widgets/chip.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "chip-input", **(attrs or {})}, choices=choices)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        """The templates' HTML, written in Python from the grouped choices with ``escape``:
        36 chips through two templates cost about 8 ms of every activity list, and through
        Django's option dictionaries and ``format_html`` still 4 ms (issue 16);
        ``tests/elements`` compares the two. The ids are Django's (``<id>_<group>_<n>``)."""
        if any(not isinstance(options, list | tuple) for _group, options in self.choices):
            return super().render(name, value, attrs, renderer)  # not grouped: Django's way
        merged = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        base_id = merged.get("id")
        name = escape(name)
        groups = []
        for index, (group, options) in enumerate(self.choices):
            chips = []
            for subindex, (code, label) in enumerate(options):
                code = str(code)
                option = dict(merged)
                if code in chosen:
                    option["checked"] = True
                if base_id:
                    option["id"] = f"{base_id}_{index}_{subindex}"
                kind = "" if "-" in code else " chip-element"
                label_for = f' for="{escape(option["id"])}"' if base_id else ""
                chips.append(
                    f'<label class="chip{kind}"{label_for}><input type="checkbox" name="{name}"'
                    f' value="{escape(code)}"{_attrs(option)}> <span>{escape(label)}</span></label>'
                )
            groups.append(
                f'<fieldset class="chip-group"><legend>{escape(group)}</legend>'
                f"{''.join(chips)}</fieldset>"
            )
        div_id = f' id="{escape(base_id)}"' if base_id else ""
        html = f'<div class="chips"{div_id}>{"".join(groups)}</div>'
        return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value above is escaped


def _attrs(attrs: dict) -> str:
    """Django's ``attrs.html`` with ``escape``: ``name="value"``, a bare name for True."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


class TagsField(forms.MultipleChoiceField):
    """Choose elements and aspects; cleans to a ``TagSelection``."""

    widget = ChipsWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Elements and aspects"))
        kwargs.setdefault(
            "help_text",
            _("Choose the elements this is about; choose aspects to be more precise."),
        )
        kwargs.setdefault("required", False)
        super().__init__(choices=tag_choices, **kwargs)

    def clean(self, value) -> TagSelection:
        codes = super().clean(value)
        return TagSelection.from_codes(codes or [])

    def prepare_value(self, value):
        if isinstance(value, TagSelection):
            return value.codes()
        return value


class TaggedModelForm(forms.ModelForm):
    """A ModelForm for a ``Tagged`` model: adds ``tags`` and saves them with the row."""

    tags = TagsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "tags" not in self.initial:
            self.initial["tags"] = self.instance.tag_codes()

    def _save_m2m(self):
        super()._save_m2m()
        set_tags(self.instance, self.cleaned_data.get("tags") or TagSelection())
