"""Login, throttling, logout, password reset and the language switch."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD, member_user
from werkplaats.models import Language, Person, Role

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def test_login_with_email_leads_to_my_workplaces(client, workplace):
    user = member_user(workplace, Role.BRIDGE_BUILDER)
    response = client.post(LOGIN, {"username": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert workplace.name in client.get("/").content.decode()


def test_login_rotates_the_session_key(client, member):
    from django.contrib.sessions.models import Session

    session = client.session  # a real, saved anonymous session
    session["seen"] = True
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    client.post(LOGIN, {"username": member.email, "password": PASSWORD})
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.get(session_key=after).get_decoded()["seen"] is True


def test_wrong_login_gets_a_clear_message_and_keeps_the_email(client, member):
    response = client.post(
        LOGIN, {"username": member.email, "password": "fout"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct email address and password" in html
    assert f'value="{member.email}"' in html
    assert "_auth_user_id" not in client.session


def test_wrong_login_message_is_dutch_by_default(client, member):
    response = client.post(LOGIN, {"username": member.email, "password": "fout"})
    assert "Voer een juiste e-mailadres en wachtwoord in" in response.content.decode()


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(
    client, member, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": member.email, "password": "fout"})
    response = client.post(
        LOGIN, {"username": member.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_changing_the_case_of_the_email_does_not_escape_throttling(client, member, settings):
    variants = [member.email.upper(), member.email.title(), member.email.swapcase()]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": variants[attempt % 3], "password": "fout"})
    response = client.post(LOGIN, {"username": member.email.capitalize(), "password": PASSWORD})
    assert response.status_code == 429


def test_behind_the_proxy_each_client_address_counts_separately(client, member, settings):
    settings.BEHIND_TLS_PROXY = True
    attacker = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", "REMOTE_ADDR": "10.0.0.2"}
    owner = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": member.email, "password": "fout"}, **attacker)
    blocked = client.post(LOGIN, {"username": member.email, "password": PASSWORD}, **attacker)
    assert blocked.status_code == 429
    allowed = client.post(LOGIN, {"username": member.email, "password": PASSWORD}, **owner)
    assert allowed.status_code == 302


def test_lockout_page_gives_the_real_cool_off_time(client, member, settings):
    import datetime as dt

    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": member.email, "password": "fout"})
    response = client.post(LOGIN, {"username": member.email, "password": "fout"})
    assert response.status_code == 429
    assert "30 minuten" in response.content.decode()


def test_throttling_one_account_leaves_another_alone(client, workplace, member, settings):
    other = member_user(workplace)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": member.email, "password": "fout"})
    response = client.post(LOGIN, {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, member):
    client.force_login(member)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(client, member):
    response = client.post("/accounts/password-reset/", {"email": member.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [member.email]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new = "een lange nieuwe wachtzin voor de werkplaats"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password(new)


def test_password_reset_does_not_reveal_whether_an_address_exists(client, member):
    known = client.post("/accounts/password-reset/", {"email": member.email})
    unknown = client.post("/accounts/password-reset/", {"email": "niemand@voorbeeld.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_weak_new_password_re_renders_with_field_errors(client, member):
    client.force_login(member)
    response = client.post(
        "/accounts/password-change/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    html = response.content.decode()
    # The error is announced with the field: the input points at the error's id.
    assert 'id="id_new_password2_error"' in html
    assert re.search(
        r'<input[^>]*id="id_new_password2"[^>]*aria-describedby="[^"]*'
        r"id_new_password2_error",
        html,
    ) or re.search(
        r'<input[^>]*aria-describedby="[^"]*id_new_password2_error[^"]*"[^>]*id="id_new_password2"',
        html,
    )
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_long_passphrase_is_accepted(client, member):
    client.force_login(member)
    phrase = "de bruggenbouwer zet koffie terwijl studenten en cliënten samen leren!"[:64]
    assert len(phrase) == 64
    response = client.post(
        "/accounts/password-change/",
        {"old_password": PASSWORD, "new_password1": phrase, "new_password2": phrase},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(phrase)


def test_language_switch_is_remembered_in_a_cookie_and_on_the_person(client, member):
    client.force_login(member)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
    assert Person.objects.get(user=member).preferred_language == Language.ENGLISH
    assert '<html lang="en">' in client.get("/").content.decode()


def test_login_switches_to_the_persons_preferred_language(client, workplace):
    user = member_user(workplace, preferred_language=Language.ENGLISH)
    client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_pages_are_dutch_by_default(client, member):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert '<html lang="nl">' in html
    assert "Mijn werkplaatsen" in html
