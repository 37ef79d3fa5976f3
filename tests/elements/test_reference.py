"""Lists built from the reference data are kept per process, language and revision
(``elements/reference.py``): asked again they cost no query, and a saved wording, a save in
another process or an evicted revision key is seen on the next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

from elements import reference
from elements.models import Aspect
from elements.tagging import tag_choices
from werkplaats.forms import element_choices

pytestmark = pytest.mark.django_db


def labels(choices) -> list[str]:
    return [label for _group, options in choices for _code, label in options]


@pytest.mark.parametrize("build", [tag_choices, element_choices])
def test_a_list_is_built_once_and_again_after_a_saved_wording(build, django_assert_num_queries):
    with translation.override("nl"):
        first = build()
        with django_assert_num_queries(0):
            assert build() == first
        aspect = Aspect.objects.get(code="LOS-1")
        aspect.text_nl = "Een nieuwe formulering"
        aspect.save()  # as the admin does
        with django_assert_num_queries(1):
            assert "LOS-1 · Een nieuwe formulering" in labels(build())


@pytest.mark.parametrize("build", [tag_choices, element_choices])
def test_each_language_has_its_own_list(build):
    with translation.override("nl"):
        dutch = labels(build())
    with translation.override("en"):
        english = labels(build())
    assert dutch != english
    aspect = Aspect.objects.get(code="LOS-1")
    assert f"LOS-1 · {aspect.text_nl}" in dutch and f"LOS-1 · {aspect.text_en}" in english


def test_another_process_s_save_or_an_evicted_revision_is_seen(django_assert_num_queries):
    with translation.override("nl"):
        tag_choices()
        Aspect.objects.filter(code="LOS-1").update(text_nl="Elders gewijzigd")
        reference.changed()  # what the save signal did in the other process
        assert "LOS-1 · Elders gewijzigd" in labels(tag_choices())
        Aspect.objects.filter(code="LOS-1").update(text_nl="Na het verdwijnen")
        cache.delete(reference.REVISION_KEY)
        with django_assert_num_queries(1):
            assert "LOS-1 · Na het verdwijnen" in labels(tag_choices())


def test_the_elements_and_aspects_are_read_once_and_again_after_a_save(
    django_assert_num_queries,
):
    from elements.models import Element

    assert [e.code for e in reference.elements()] == list(
        Element.objects.values_list("code", flat=True)
    )
    assert len(reference.aspects()) == Aspect.objects.count()
    with django_assert_num_queries(0):
        reference.elements(), reference.aspects()
    element = Element.objects.get(code="VOR")
    element.name_nl = "Relaties aangaan en onderhouden"
    element.save()
    with translation.override("nl"), django_assert_num_queries(2):
        assert reference.elements()[-1].name == "Relaties aangaan en onderhouden"
        assert reference.aspects()[-1].element_id == "VOR"
