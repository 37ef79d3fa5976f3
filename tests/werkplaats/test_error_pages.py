"""Error pages show no traceback, SQL or personal data, in Dutch and English (issue 9, item 10)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db
LEAKS = ["Traceback", "SELECT ", 'File "', "werkplaats/"]


def assert_clean(html: str) -> None:
    for leak in LEAKS:
        assert leak not in html, leak


@pytest.mark.parametrize(("language", "text"), [("nl", "Pagina niet gevonden"),
                                                ("en", "Page not found")])  # fmt: skip
def test_404_is_plain_and_translated(client, member, language, text):
    client.force_login(member)
    response = client.get("/pw/bestaat-niet/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    html = response.content.decode()
    assert text in html and "bestaat-niet" not in html.split("<main", 1)[1].split("</main>")[0]
    assert member.email not in html.split("<main", 1)[1]
    assert_clean(html)
    assert client.session.session_key not in html


@pytest.mark.parametrize(("language", "text"), [("nl", "Niet toegestaan"),
                                                ("en", "Not allowed")])  # fmt: skip
def test_403_is_plain_and_translated(client, workplace, member, language, text):
    client.force_login(member)  # a student may not log activities
    response = client.get(f"/pw/{workplace.slug}/activities/new/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert text in response.content.decode()
    assert_clean(response.content.decode())
    assert client.session.session_key not in response.content.decode()


def test_500_is_static_bilingual_and_shows_nothing_of_the_error():
    request = RequestFactory().get("/iets")
    response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Er ging iets mis" in html and "Something went wrong" in html
    assert_clean(html)


def test_an_unhandled_error_in_a_view_gives_the_500_page_not_a_traceback(
    client, member, monkeypatch
):
    def boom(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM clients WHERE name = 'Iris'")

    monkeypatch.setattr("werkplaats.views.role_counts", boom)
    client.raise_request_exception = False
    client.force_login(member)
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Er ging iets mis" in html
    assert "Iris" not in html
    assert_clean(html)
