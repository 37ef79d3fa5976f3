"""Clients read the questionnaire in plain language (B1): plain element titles, no model codes
or names, no model terms. Everyone else keeps the code tag and the model's name (issue 19)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elements.models import ELEMENT_CODES, Element
from evaluations import tokens
from tests.factories import invitation_for
from werkplaats.models import Role

pytestmark = pytest.mark.django_db

STEPS = range(1, len(ELEMENT_CODES) + 1)  # one page per element, in model order


def opened(client, cycle, role: str, language: str | None = None):
    """An invitation for ``role`` whose link this browser has followed."""
    invitation = invitation_for(cycle, role, email=None)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert client.get(f"/e/{tokens.issue_token(invitation)}/").status_code == 302
    return invitation


def main_of(page: str) -> str:
    """What the page itself says: the <title> and the <main> element, without tags."""
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    main = re.search(r"<main\b.*?</main>", page, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", f"{title} {main}"))


def h1_of(page: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)


def jargon_in(text: str, workplace_name: str) -> list[str]:
    """Model terms a client should not meet: element codes and official names, "element",
    "LOS-model", "PW" (the PW's own name aside), the evaluation kinds' technical names."""
    text = text.replace(workplace_name, "")
    found = [code for code in ELEMENT_CODES if re.search(rf"\b{code}\b", text)]
    for element in Element.objects.all():
        found += [name for name in (element.name_nl, element.name_en) if name in text]
    for term in (r"\belement", r"LOS-model", r"\bPW\b", r"structure", r"check-in"):
        found += re.findall(term, text, re.IGNORECASE)
    return found


@pytest.mark.parametrize("step", STEPS)
def test_a_clients_step_page_shows_the_plain_title_without_code_or_name(client, cycle, step):
    invitation = opened(client, cycle, Role.CLIENT)
    element = Element.objects.get(order=step)
    page = client.get(f"/answer/{invitation.pk}/{step}/").content.decode()
    assert h1_of(page).strip() == element.plain_name_nl
    assert f"<title>{element.plain_name_nl} · " in page
    assert 'class="tag"' not in page
    assert jargon_in(main_of(page), cycle.workplace.name) == []


@pytest.mark.parametrize("kind", ["yearly", "check_in"])
def test_a_clients_intro_and_last_page_speak_no_model_jargon(client, cycle, kind):
    cycle.kind = kind  # the header names the kind: "structurele evaluatie", "check-in"
    cycle.save()
    invitation = opened(client, cycle, Role.CLIENT)
    for url in (f"/answer/{invitation.pk}/", f"/answer/{invitation.pk}/{len(STEPS) + 1}/"):
        page = client.get(url).content.decode()
        assert jargon_in(main_of(page), cycle.workplace.name) == [], url


def test_a_professional_still_reads_the_code_and_the_official_name(client, cycle):
    invitation = opened(client, cycle, Role.PROFESSIONAL)
    los = Element.objects.get(code="LOS")
    page = client.get(f"/answer/{invitation.pk}/1/").content.decode()
    heading = h1_of(page)
    assert '<span class="tag"' in heading and ">LOS</span>" in heading
    assert los.name_nl in heading
    assert los.plain_name_nl not in page
    # The professional's intro and header keep the model's words.
    intro = main_of(client.get(f"/answer/{invitation.pk}/").content.decode())
    assert "element" in intro
    assert "structurele evaluatie" in intro.lower()


def test_a_client_reading_english_gets_the_english_plain_title(client, cycle):
    invitation = opened(client, cycle, Role.CLIENT, language="en")
    for step in (1, len(STEPS)):
        element = Element.objects.get(order=step)
        page = client.get(f"/answer/{invitation.pk}/{step}/").content.decode()
        assert h1_of(page).strip() == element.plain_name_en
        assert element.plain_name_nl not in page
        assert element.name_en not in page and element.name_nl not in page
        assert jargon_in(main_of(page), cycle.workplace.name) == []


def test_plain_titles_cost_no_extra_query(client, cycle):
    """The titles come with the items' elements (one join): a client's pages cost what a
    professional's do, every step costs the same, and no query reads the elements alone."""

    def queries(invitation, step: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/answer/{invitation.pk}/{step}/").status_code == 200
        sql = [query["sql"] for query in captured.captured_queries]
        assert not [q for q in sql if re.search(r'FROM "elements_element"', q)], sql
        return len(captured)

    professional = opened(client, cycle, Role.PROFESSIONAL)
    queries(professional, 1)  # the first visit starts the response
    expected = queries(professional, 1)
    clients_invitation = opened(client, cycle, Role.CLIENT)
    queries(clients_invitation, 1)
    assert [queries(clients_invitation, step) for step in STEPS] == [expected] * len(STEPS)
