"""Researchers and staff find the cross-PW research pages from their home page; others don't.
And the case page's title is plain text."""

import pytest

from tests.factories import PracticeCaseFactory, ResearchGrantFactory, UserFactory, member_user
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def test_researchers_and_staff_see_the_research_links(client, workplace):
    for user in (ResearchGrantFactory(workplace=workplace).user, UserFactory(is_staff=True)):
        client.force_login(user)
        page = client.get("/").content.decode()
        assert 'href="/notes/"' in page and 'href="/case-studies/"' in page


def test_members_do_not_see_the_research_links(client, workplace):
    client.force_login(member_user(workplace, Role.MANAGER))
    assert 'href="/notes/"' not in client.get("/").content.decode()


def test_the_case_page_title_is_plain_text(client, workplace):
    user = member_user(workplace, Role.STUDENT)
    case = PracticeCaseFactory(workplace=workplace, lead=user.person, title="Valpreventie")
    client.force_login(user)
    page = client.get(f"/pw/{workplace.slug}/cases/{case.pk}/").content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "Valpreventie" in title
