"""The data migration yields the LOS model exactly: 6 elements, 30 aspects, 9 characteristics."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.sites import site
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.utils import translation

from elements.models import ELEMENT_CODES, Aspect, Characteristic, Element
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2.1 contrast ratio of white text on the colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_six_elements_with_stable_codes_in_model_order():
    assert list(Element.objects.values_list("code", flat=True)) == list(ELEMENT_CODES)
    groups = dict(Element.objects.values_list("code", "group"))
    assert groups == {
        "LOS": "core",
        "GOC": "core",
        "SRI": "instrumental",
        "VMM": "instrumental",
        "LeA": "interpersonal",
        "VOR": "interpersonal",
    }


def test_thirty_aspects_five_per_element_coded_element_dash_number():
    assert Aspect.objects.count() == 30
    for element in Element.objects.all():
        codes = list(element.aspects.values_list("code", flat=True))
        assert codes == [f"{element.code}-{n}" for n in range(1, 6)]


def test_nine_characteristics_numbered_one_to_nine():
    assert list(Characteristic.objects.values_list("number", flat=True)) == list(range(1, 10))


def test_every_text_exists_in_dutch_and_english_and_they_differ():
    for element in Element.objects.all():
        assert element.name_nl and element.name_en and element.name_nl != element.name_en
        assert len(element.explanation_nl) > 80 and len(element.explanation_en) > 80
    for aspect in Aspect.objects.all():
        assert aspect.text_nl and aspect.text_en and aspect.text_nl != aspect.text_en
    for characteristic in Characteristic.objects.all():
        assert characteristic.title_nl and characteristic.title_en
        assert characteristic.description_nl != characteristic.description_en


def test_texts_follow_the_active_language():
    los = Element.objects.get(code="LOS")
    with translation.override("nl"):
        assert los.name == "Lerend en onderzoekend samenwerken"
        assert Aspect.objects.get(code="LOS-4").text == "Feedback geven en ontvangen"
    with translation.override("en"):
        assert los.name == "Collaborative learning and researching"
        assert Characteristic.objects.get(number=8).title == "Deliberately designed roles"


def test_element_colours_keep_white_text_readable():
    for element in Element.objects.all():
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", element.colour)
        assert contrast_with_white(element.colour) >= 4.5, element.code


def test_elements_in_use_cannot_be_deleted():
    with pytest.raises(ProtectedError):
        Element.objects.get(code="LOS").delete()


@pytest.mark.parametrize("model", [Element, Aspect, Characteristic])
def test_admin_may_correct_wording_but_not_add_delete_or_recode(model):
    admin = site._registry[model]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    obj = model.objects.first()
    assert not admin.has_add_permission(request)
    assert not admin.has_delete_permission(request, obj)
    assert admin.has_change_permission(request, obj)
    key = model._meta.pk.name
    assert key in admin.get_readonly_fields(request, obj)
