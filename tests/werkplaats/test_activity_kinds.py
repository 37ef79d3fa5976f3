"""The activity kinds are reference data (``forms.kind_rows``, issue 16): the activity list's
three kind selects are written without a query, exactly as Django writes them from the
queryset, and a kind saved or deleted in the admin shows at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ActivityFactory
from werkplaats.forms import ActivityFilterForm, ActivityForm, QuickActivityForm
from werkplaats.models import ActivityKind

pytestmark = pytest.mark.django_db


def _from_queryset(form, name: str) -> str:
    """The field rendered as Django renders it from the field's queryset."""
    field = form.fields[name]
    del field._choices  # back to the ModelChoiceIterator over the queryset
    field.widget.choices = field.choices
    return str(form[name])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_kind_select_is_what_django_renders_from_the_queryset(workplace, language):
    from django.utils import translation

    stopped = ActivityKind.objects.create(code="gestopt", name_nl="Gestopt", name_en="Stopped",
                                          active=False)  # fmt: skip
    old = ActivityFactory(workplace=workplace, kind=stopped)
    with translation.override(language):
        forms = [
            (QuickActivityForm(workplace=workplace), QuickActivityForm(workplace=workplace)),
            (ActivityForm(workplace=workplace, instance=old),
             ActivityForm(workplace=workplace, instance=old)),
            (ActivityFilterForm({"kind": str(stopped.pk)}, workplace=workplace),
             ActivityFilterForm({"kind": str(stopped.pk)}, workplace=workplace)),
        ]  # fmt: skip
        for ours, django in forms:
            assert str(ours["kind"]) == _from_queryset(django, "kind")
    name = {"nl": "Gestopt", "en": "Stopped"}[language]
    quick, edit, filters = (str(ours["kind"]) for ours, _django in forms)
    assert name not in quick  # an inactive kind is not offered for new activities
    assert f'<option value="{stopped.pk}" selected>{name}</option>' in edit  # but stays on its own
    assert f'<option value="{stopped.pk}" selected>{name}</option>' in filters


def test_the_activity_list_reads_no_kinds_once_they_are_known(client, workplace, owner):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/activities/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not [q for q in queries.captured_queries if "werkplaats_activitykind" in q["sql"]]


def test_a_kind_saved_or_deleted_shows_on_the_next_page(client, workplace, owner):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/activities/"
    assert "Moreel beraad" not in client.get(url).content.decode()
    kind = ActivityKind.objects.create(code="beraad", name_nl="Moreel beraad", name_en="Moral")
    assert "Moreel beraad" in client.get(url).content.decode()
    kind.name_nl = "Moreel beraad (MCD)"
    kind.save()
    assert "Moreel beraad (MCD)" in client.get(url).content.decode()
    kind.delete()
    assert "Moreel beraad" not in client.get(url).content.decode()
