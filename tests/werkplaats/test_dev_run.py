"""What a newcomer sees with ``make run`` (issue 19): mails in the log with their real links
(only in DEBUG), at INFO; the printed logins on the configured address; a favicon."""

from __future__ import annotations

import logging
import subprocess
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from werkplaats.security import RedactTokens

pytestmark = pytest.mark.django_db


def test_in_debug_a_mail_is_logged_at_info_with_its_link(settings, caplog):
    settings.EMAIL_BACKEND = "werkplaats.dev_mail.LoggingEmailBackend"
    settings.DEBUG = True
    with caplog.at_level(logging.INFO, logger="werkplaats.mail"):
        mail.send_mail("Uitnodiging", "Antwoord hier: http://127.0.0.1:9000/e/abcdefghijkl123/",
                       "noreply@voorbeeld.example", ["sam@voorbeeld.example"])  # fmt: skip
    [record] = [r for r in caplog.records if r.name == "werkplaats.mail"]
    assert record.levelno == logging.INFO
    assert RedactTokens().filter(record)
    assert "/e/abcdefghijkl123/" in record.getMessage()  # the developer can follow it
    settings.DEBUG = False  # should the backend ever be configured in production
    assert RedactTokens().filter(record) and "/e/abcdefghijkl123/" not in record.getMessage()


def test_other_log_lines_keep_links_redacted(settings):
    settings.DEBUG = True
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: /e/abcdefghijkl123/", (), None
    )
    RedactTokens().filter(record)
    assert record.getMessage() == "Not Found: /e/[redacted]/"


def test_the_demo_logins_are_printed_with_the_sites_address(settings):
    from tests.reference import reload_reference_data

    reload_reference_data()
    settings.SITE_URL = "http://127.0.0.1:9000"
    out = StringIO()
    call_command("seed_demo", allow_production=True, stdout=out)
    assert "at http://127.0.0.1:9000/" in out.getvalue() and ":8000" not in out.getvalue()


def test_make_run_sets_the_site_address_from_the_port():
    dry = subprocess.run(  # noqa: S603 - a dry run of our own Makefile
        ["make", "-n", "-p", "run", "PORT=9123"], capture_output=True, text=True, check=False
    )
    assert "run: SITE_URL = http://$(HOST):$(PORT)" in dry.stdout  # and exported to the run


def test_there_is_a_favicon(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
