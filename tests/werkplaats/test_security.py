"""Security headers, session lifetimes and ending sessions (issue 9, items 2-4)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def test_pages_carry_a_strict_content_security_policy_and_no_store(client, member):
    client.force_login(member)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_htmx_is_django_htmx_s_own_copy_served_from_this_site(client, member, settings):
    """The script tag of django-htmx (``{% htmx_script %}``), no vendored copy and no CDN; in
    DEBUG its error helper comes along, in production only htmx itself."""
    import re

    from django.contrib.staticfiles import finders

    client.force_login(member)
    for debug, expected in (
        (False, ["htmx-2.min.js"]),
        (True, ["htmx-2.min.js", "django-htmx.js"]),
    ):
        settings.DEBUG = debug
        page = client.get("/").content.decode()
        sources = re.findall(r'<script src="([^"]+)"', page)
        htmx = [src for src in sources if "django_htmx/" in src]
        assert [src.rsplit("/", 1)[1] for src in htmx] == expected
        assert all(src.startswith(settings.STATIC_URL) for src in sources)
        assert all(finders.find(src.removeprefix(settings.STATIC_URL)) for src in htmx)


def test_the_login_page_and_exports_are_not_stored_either(client, member, workplace):
    assert client.get(LOGIN)["Cache-Control"] == "no-store"


def log_in(client, user):
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_session_ends_after_thirty_minutes_idle(client, member):
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        log_in(client, member)
        clock.shift(dt.timedelta(minutes=20))
        assert client.get("/").status_code == 200  # activity renews the idle limit
        clock.shift(dt.timedelta(minutes=25))
        assert client.get("/").status_code == 200  # 25 minutes after the last request
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/").status_code == 302  # 31 minutes idle: logged out


def test_a_session_ends_twelve_hours_after_login_however_active(client, member):
    start = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        log_in(client, member)
        for _ in range(47):  # a request every 15 minutes for 11 h 45 min
            clock.shift(dt.timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=16))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_logging_out_ends_the_users_sessions_on_other_devices(client, member):
    from django.test import Client

    other_device = Client()
    log_in(client, member)
    log_in(other_device, member)
    assert other_device.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert other_device.get("/").status_code == 302
    log_in(client, member)  # logging in again still works
    assert client.get("/").status_code == 200


def test_deactivating_an_account_ends_its_sessions(client, member):
    log_in(client, member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert client.get("/").status_code == 302
    assert client.get("/pw/revalidatie-noord/").status_code == 302


def test_session_cookie_flags(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_login_records_are_kept_for_the_retention_period_then_deleted(client, member, settings):
    """axes keeps each login and failed attempt with the login name; a daily task deletes
    them after ``LOGIN_RECORD_RETENTION_DAYS``. The person's data export lists them."""
    from axes.models import AccessAttempt, AccessLog

    from werkplaats.personal_data import export_person
    from werkplaats.tasks import prune_login_records

    settings.LOGIN_RECORD_RETENTION_DAYS = 90
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": member.email, "password": PASSWORD})
        client.logout()
        client.post("/accounts/login/", {"username": member.email, "password": "fout"})
    records = export_person(member.person)["werkplaats"]["login_records"]
    assert sorted(row["kind"] for row in records) == ["failed attempts", "login"]
    assert {"at", "address", "browser", "page"} <= set(records[0])
    with time_machine.travel(start + dt.timedelta(days=89), tick=False):
        assert prune_login_records() == 0
    with time_machine.travel(start + dt.timedelta(days=91), tick=False):
        assert prune_login_records() == 2
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()
