"""The Python-written select and checkbox list give exactly Django's own HTML (issue 16)."""

from __future__ import annotations

from unittest import mock

import pytest
from django import forms
from django.test.html import parse_html

from tests.factories import MembershipFactory
from werkplaats.widgets import FastCheckboxes, FastSelect

CHOICES = [("", "Iedereen"), (1, "Anna <de> Vries"), (2, 'Bas "B" Jansen'), (3, "Cem & co")]
GROUPED = [("Groep A", [(1, "Anna"), (2, "Bas")]), ("Groep B", [(3, "Cem")]), (4, "Dirk")]


@pytest.mark.parametrize("choices", [CHOICES, GROUPED])
@pytest.mark.parametrize("value", [None, "", 2, "3"])
def test_the_fast_select_renders_as_djangos(choices, value):
    attrs = {"id": "id_person", "class": "wide", "required": True, "data-x": "y"}
    fast = FastSelect(choices=choices).render("person", value, attrs)
    django = forms.Select(choices=choices).render("person", value, attrs)
    assert parse_html(fast) == parse_html(django)
    if value == 2:
        assert 'value="2" selected' in fast


@pytest.mark.parametrize("choices", [CHOICES[1:], GROUPED])
@pytest.mark.parametrize("value", [None, [], [2], ["1", "3"]])
def test_the_fast_checkboxes_render_as_djangos(choices, value):
    attrs = {"id": "id_people", "class": "participant-input"}
    fast = FastCheckboxes(choices=choices).render("people", value, attrs)
    django = forms.CheckboxSelectMultiple(choices=choices).render("people", value, attrs)
    assert parse_html(fast) == parse_html(django)
    assert "&lt;de&gt;" in fast or choices is GROUPED  # labels are escaped


def test_without_an_id_the_boxes_render_as_djangos():
    fast = FastCheckboxes(choices=CHOICES[1:]).render("people", None, {})
    assert parse_html(fast) == parse_html(
        forms.CheckboxSelectMultiple(choices=CHOICES[1:]).render("people", None, {})
    )


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", [None, 1])
def test_the_fast_select_of_a_model_choice_field_renders_as_djangos(chosen):
    """Model choices come as ``ModelChoiceIteratorValue`` objects, with an empty label."""
    from tests.factories import PersonFactory
    from werkplaats.models import Person

    people = [PersonFactory(name=name) for name in ("Anna <A>", "Bas & Co", "Cem")]
    field = forms.ModelChoiceField(Person.objects.order_by("name"), empty_label="Iedereen")
    value = people[chosen].pk if chosen is not None else None
    fast = FastSelect(choices=field.choices).render("person", value, {"id": "id_person"})
    field.widget.choices = field.choices
    django = field.widget.render("person", value, {"id": "id_person"})
    assert parse_html(fast) == parse_html(django)
    assert "Anna &lt;A&gt;" in fast and "Bas &amp; Co" in fast
    assert fast.count(" selected") == 1  # the person, or else the empty choice
    assert f'value="{value or ""}" selected' in fast


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", [[], [0, 2]])
def test_the_fast_checkboxes_of_a_model_choice_field_render_as_djangos(chosen):
    from tests.factories import PersonFactory
    from werkplaats.models import Person

    people = [PersonFactory(name=name) for name in ("Anna <A>", "Bas & Co", "Cem")]
    field = forms.ModelMultipleChoiceField(Person.objects.order_by("name"))
    value = [people[i].pk for i in chosen]
    attrs = {"id": "id_people", "class": "participant-input", "data-x": "y"}
    fast = FastCheckboxes(choices=field.choices).render("people", value, attrs)
    django = forms.CheckboxSelectMultiple(choices=field.choices).render("people", value, attrs)
    assert parse_html(fast) == parse_html(django)
    assert fast.count(" checked") == len(chosen)
    assert 'id="id_people_0"' in fast and 'for="id_people_2"' in fast


@pytest.mark.parametrize("field_class", [forms.ModelChoiceField, forms.ModelMultipleChoiceField])
@pytest.mark.django_db
def test_a_people_field_offers_the_names_django_would_without_person_objects(
    workplace, field_class
):
    from werkplaats.forms import choose_people, workplace_people
    from werkplaats.models import Person

    for name in ("Zoë", "Ali <b>", "Noor"):
        MembershipFactory(workplace=workplace, person__name=name)
    people = workplace_people(workplace)
    django_field = field_class(queryset=people, widget=FastSelect)
    ours = field_class(queryset=Person.objects.none(), widget=FastSelect)
    choose_people(ours, people)
    expected = [(str(value), label) for value, label in django_field.choices]
    with mock.patch.object(Person, "from_db", side_effect=AssertionError("a Person was made")):
        assert [(str(value), label) for value, label in ours.choices] == expected
    assert [label for value, label in expected if value] == ["Ali <b>", "Noor", "Zoë"]
    assert ours.widget.render("p", None) == django_field.widget.render("p", None)
    chosen = people[0].pk
    many = field_class is forms.ModelMultipleChoiceField
    assert ours.clean([chosen] if many else chosen)
