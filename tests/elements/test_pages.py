"""The model page, the element pages (general and within a PW) and their slots."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy as _

from elements.models import ELEMENT_CODES
from elements.slots import ElementSlot, register_element_slot, unregister_element_slot
from tests.factories import ActivityFactory, GoalFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_model_page_draws_the_six_elements_linking_to_their_pages(client, member):
    client.force_login(member)
    response = client.get("/model/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'href="/model/{code}/"') for code in ELEMENT_CODES]
    assert positions == sorted(positions)  # LOS first, then GOC, then the supports
    assert "Pedagogische Studiën" in html  # the citation
    assert "<img" not in html and "<script" not in html.split("</head>")[1]


def test_workplace_model_page_links_to_the_workplace_element_pages(client, workplace, member):
    client.force_login(member)
    html = client.get(f"/pw/{workplace.slug}/model/").content.decode()
    for code in ELEMENT_CODES:
        assert f'href="/pw/{workplace.slug}/model/{code}/"' in html


def test_element_page_shows_explanation_and_five_aspects_in_the_active_language(client, member):
    client.force_login(member)
    html = client.get("/model/LOS/").content.decode()
    assert "Lerend en onderzoekend samenwerken" in html
    assert "Feedback geven en ontvangen" in html
    assert html.count('class="aspect-code"') == 5
    html = client.get("/model/LOS/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Giving and receiving feedback" in html


def test_unknown_element_is_404(client, workplace, member):
    client.force_login(member)
    assert client.get("/model/XYZ/").status_code == 404
    assert client.get(f"/pw/{workplace.slug}/model/XYZ/").status_code == 404


def test_workplace_element_page_shows_an_honest_empty_state_without_slots(
    client, workplace, member, monkeypatch
):
    monkeypatch.setattr("elements.slots._slots", {})
    client.force_login(member)
    response = client.get(f"/pw/{workplace.slug}/model/VOR/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Nothing in this workplace is linked to VOR yet" in response.content.decode()


def test_the_core_app_fills_the_element_page_with_activities_and_goals(client, workplace, member):
    from tests.factories import ActivityFactory, GoalFactory

    client.force_login(member)
    empty = client.get(f"/pw/{workplace.slug}/model/VOR/", HTTP_ACCEPT_LANGUAGE="en").content
    assert "No activities about this element yet." in empty.decode()
    ActivityFactory(workplace=workplace, title="Lunch met iedereen").elements.add("VOR")
    ActivityFactory(workplace=workplace, title="Alleen LOS").elements.add("LOS")
    GoalFactory(workplace=workplace, title="Nieuwe collega's leren kennen").elements.add("VOR")
    html = client.get(f"/pw/{workplace.slug}/model/VOR/", HTTP_ACCEPT_LANGUAGE="en").content
    html = html.decode()
    assert "Lunch met iedereen" in html and "Alleen LOS" not in html
    assert "Nieuwe collega" in html
    assert "All 1 activity about VOR" in html


@pytest.fixture
def counting_slot():
    calls = []

    def context(request, workplace, element):
        calls.append((request.user.pk, workplace.slug, element.code))
        return {"message": f"{element.code} in {workplace.name}"}

    register_element_slot(
        ElementSlot(
            key="test-slot",
            title=_("Test slot"),
            template="elements/test_slot.html",
            context=context,
        )
    )
    yield calls
    unregister_element_slot("test-slot")


def test_registered_slots_fill_the_workplace_element_page(
    client, workplace, member, counting_slot, settings, tmp_path
):
    (tmp_path / "elements").mkdir()
    (tmp_path / "elements" / "test_slot.html").write_text("<p>slot says {{ slot.message }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    client.force_login(member)
    html = client.get(f"/pw/{workplace.slug}/model/GOC/", HTTP_ACCEPT_LANGUAGE="en").content
    assert f"slot says GOC in {workplace.name}" in html.decode()
    assert "Nothing in this workplace is linked" not in html.decode()
    assert counting_slot == [(member.pk, workplace.slug, "GOC")]


def test_element_page_query_count_is_constant(client, workplace, member, django_assert_num_queries):
    client.force_login(member)
    url = f"/pw/{workplace.slug}/model/SRI/"
    client.get(url)
    # session, user and person, workplace, roles (membership + grants), elements, aspects, slots
    # (activities, their count, goals)
    with django_assert_num_queries(10):
        client.get(url)
    for _n in range(10):
        MembershipFactory(workplace=workplace)
        ActivityFactory(workplace=workplace).elements.add("SRI")
        GoalFactory(workplace=workplace).elements.add("SRI")
    with django_assert_num_queries(10):
        client.get(url)
