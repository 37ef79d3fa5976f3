"""Plain-language (B1) element titles: reference data filled by a migration, editable in the
admin, shown to clients instead of the code and the model's name."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import translation

from elements.models import ELEMENT_CODES, Element
from tests.factories import UserFactory
from werkplaats.models import Role

pytestmark = pytest.mark.django_db

migration = importlib.import_module("elements.migrations.0003_element_plain_names")


def test_the_migration_filled_all_six_in_dutch_and_english():
    plain = {e.code: (e.plain_name_nl, e.plain_name_en) for e in Element.objects.all()}
    assert set(plain) == set(ELEMENT_CODES)
    assert plain == migration.PLAIN_NAMES
    assert plain["LOS"] == ("Samen leren en onderzoeken", "Learning and finding out together")


def test_plain_titles_are_short_and_free_of_the_models_words():
    titles = set()
    for element in Element.objects.all():
        for plain, name in ((element.plain_name_nl, element.name_nl),
                            (element.plain_name_en, element.name_en)):  # fmt: skip
            assert plain and plain != name
            assert len(plain.split()) <= 7, plain
            assert element.code not in plain
            assert "(" not in plain and "/" not in plain  # no "(her)inrichten"
            titles.add(plain)
    assert len(titles) == 12  # each element and language its own title


def test_plain_name_follows_the_language_and_falls_back_to_the_name():
    los = Element.objects.get(code="LOS")
    with translation.override("nl"):
        assert los.plain_name == "Samen leren en onderzoeken"
    with translation.override("en"):
        assert los.plain_name == "Learning and finding out together"
    los.plain_name_en = ""
    with translation.override("en"):
        assert los.plain_name == los.name_en  # not the Dutch plain title
    los.plain_name_nl = ""
    with translation.override("nl"):
        assert los.plain_name == los.name_nl


def test_title_for_gives_clients_the_plain_title_and_others_the_name():
    vor = Element.objects.get(code="VOR")
    with translation.override("nl"):
        assert vor.title_for(Role.CLIENT) == vor.plain_name_nl
        for role in Role.values:
            if role != Role.CLIENT:
                assert vor.title_for(role) == vor.name_nl, role


def test_the_admin_may_correct_the_plain_titles():
    admin = site._registry[Element]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    element = Element.objects.get(code="GOC")
    form_class = admin.get_form(request, element)
    assert {"plain_name_nl", "plain_name_en"} <= set(form_class.base_fields)
    readonly = admin.get_readonly_fields(request, element)
    assert "plain_name_nl" not in readonly and "plain_name_en" not in readonly
    assert not admin.has_add_permission(request)
    assert not admin.has_delete_permission(request, element)
