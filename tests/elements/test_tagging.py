"""The one tagging mechanism: model mixin, form field with chips, filters and counts."""

from __future__ import annotations

import re

import pytest
from django import forms

from elements.models import ELEMENT_CODES
from elements.tagging import TaggedModelForm, TagSelection
from tests.factories import WorkplaceFactory
from tests.tagging.models import Note

pytestmark = pytest.mark.django_db


class NoteForm(TaggedModelForm):
    class Meta:
        model = Note
        fields = ["title"]


@pytest.fixture
def workplace():
    return WorkplaceFactory()


def make_note(workplace, title, *codes):
    form = NoteForm(data={"title": title, "tags": list(codes)})
    assert form.is_valid(), form.errors
    note = form.save(commit=False)
    note.workplace = workplace
    note.save()
    form.save_m2m()
    return note


def test_choosing_an_aspect_also_tags_its_element(workplace):
    note = make_note(workplace, "Intervisie", "VOR-2", "LOS")
    assert set(note.elements.values_list("code", flat=True)) == {"VOR", "LOS"}
    assert list(note.aspects.values_list("code", flat=True)) == ["VOR-2"]


def test_the_widget_round_trips_through_a_form(workplace):
    note = make_note(workplace, "Klinische les", "GOC-3", "SRI")
    form = NoteForm(instance=note)
    html = form.as_div()
    for code in ["GOC-3", "SRI", "GOC"]:
        assert f'value="{code}"' in html
    checked = {
        chunk.split('value="', 1)[1].split('"', 1)[0]
        for chunk in html.split("<input")
        if "checked" in chunk.split(">", 1)[0]
    }
    assert checked == {"GOC", "GOC-3", "SRI"}
    # Re-posting the rendered selection changes nothing.
    again = NoteForm(data={"title": note.title, "tags": sorted(checked)}, instance=note)
    assert again.is_valid()
    again.save()
    note.refresh_from_db()
    assert sorted(note.tag_codes()) == ["GOC", "GOC-3", "SRI"]


def test_the_widget_groups_chips_per_element_with_labels_for_every_checkbox():
    html = NoteForm().as_div()
    assert html.count("<fieldset") == 1 + 6  # the field itself, then one per element
    assert html.count('type="checkbox"') == 36
    assert html.count("<label") >= 36 + 1
    assert "<legend>LOS · " in html


def test_unknown_codes_are_refused_with_a_field_error():
    form = NoteForm(data={"title": "x", "tags": ["LOS-9"]})
    assert not form.is_valid()
    assert "tags" in form.errors


def test_clearing_all_chips_removes_the_tags(workplace):
    note = make_note(workplace, "Lunch", "VOR", "VOR-1")
    form = NoteForm(data={"title": "Lunch"}, instance=note)
    assert form.is_valid()
    form.save()
    assert note.tag_codes() == []


def test_tagged_with_filters_by_element_or_aspect(workplace):
    a = make_note(workplace, "a", "VOR-1")
    b = make_note(workplace, "b", "VOR")
    make_note(workplace, "c", "LOS")
    assert set(Note.objects.tagged_with("VOR")) == {a, b}
    assert list(Note.objects.tagged_with("VOR-1")) == [a]


def test_count_per_element_gives_all_six_and_respects_filters(workplace):
    other = WorkplaceFactory()
    make_note(workplace, "a", "VOR-1", "VOR-2", "LOS")
    make_note(workplace, "b", "VOR")
    make_note(other, "c", "VOR", "GOC")
    counts = Note.objects.filter(workplace=workplace).count_per_element()
    assert list(counts) == list(ELEMENT_CODES)
    assert counts == {"LOS": 1, "GOC": 0, "SRI": 0, "VMM": 0, "LeA": 0, "VOR": 2}
    assert Note.objects.filter(workplace=workplace).count_per_aspect() == {"VOR-1": 1, "VOR-2": 1}


def test_count_per_element_is_one_query_whatever_the_data_size(
    workplace, django_assert_num_queries
):
    with django_assert_num_queries(1):
        Note.objects.filter(workplace=workplace).count_per_element()
    for i in range(40):
        make_note(workplace, f"n{i}", ELEMENT_CODES[i % 6], f"{ELEMENT_CODES[(i + 1) % 6]}-2")
    with django_assert_num_queries(1):
        counts = Note.objects.filter(workplace=workplace).count_per_element()
    assert sum(counts.values()) == 80


def test_tag_selection_from_codes():
    selection = TagSelection.from_codes(["LeA-3", "VMM"])
    assert selection.elements == {"LeA", "VMM"}
    assert selection.aspects == {"LeA-3"}


def test_the_field_works_in_a_plain_form_too():
    from elements.tagging import TagsField

    class Filter(forms.Form):
        tags = TagsField()

    form = Filter(data={"tags": ["SRI-5"]})
    assert form.is_valid()
    assert form.cleaned_data["tags"].elements == {"SRI"}


@pytest.mark.parametrize("value", [None, [], ["LOS"], ["LOS-2", "VOR", "GOC-1"]])
@pytest.mark.parametrize("attrs", [{"id": "id_tags"}, {}])
def test_the_chips_written_in_python_are_the_templates_html(value, attrs):
    """``ChipsWidget.render`` writes in Python what its two templates (still in
    ``templates/elements/widgets/``) render: the same elements, attributes and text."""
    from django import forms
    from django.test.html import parse_html

    from elements.tagging import ChipsWidget, tag_choices

    widget = ChipsWidget(choices=tag_choices())
    fast = widget.render("tags", value, attrs)
    slow = forms.CheckboxSelectMultiple.render(widget, "tags", value, attrs)
    assert parse_html(fast) == parse_html(slow)
    assert fast.count('class="chip chip-element"') == 6 and fast.count('class="chip"') == 30
    assert fast.count(" checked") == len(value or [])
    for code in value or []:
        assert re.search(rf'value="{code}"[^>]* checked', fast)
