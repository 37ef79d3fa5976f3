"""The audit log records views of clients' personal data, exports, erasures and failed logins
(who, what, when in UTC), and holds no names, e-mail addresses or tokens."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import UserFactory, member_user
from werkplaats.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_viewing_members_exporting_and_personal_data_are_recorded(client, workplace, owner):
    client.force_login(owner)
    client.get(f"/pw/{workplace.slug}/")
    client.get(f"/pw/{workplace.slug}/activities/export.csv")
    client.get(f"/pw/{workplace.slug}/pool/")
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    client_person = member_user(workplace, Role.CLIENT, name="Cliënt Clara").person
    client.get(f"/staff/people/{client_person.pk}/data/?format=json")
    client.post(f"/staff/people/{client_person.pk}/erase/", {"confirm": "erase"})
    assert actions() == [
        "members.viewed",
        "export.activities.csv",
        "pool.viewed",
        "person.exported",
        "person.erased",
    ]
    erased = AuditEvent.objects.get(action="person.erased")
    assert (erased.actor, erased.object_id) == (staff, str(client_person.pk))
    assert erased.at.tzinfo is not None and erased.at.utcoffset() == dt.timedelta(0)


def test_a_failed_login_is_recorded_without_the_name_tried(client):
    client.post("/accounts/login/", {"username": "clara@voorbeeld.example", "password": "fout"})
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor is None and event.address == "127.0.0.1"
    row = " ".join(str(v) for v in AuditEvent.objects.values_list().get(pk=event.pk))
    assert "clara" not in row


def test_the_audit_log_holds_no_names_or_addresses(client, workplace, owner):
    client.force_login(owner)
    client.get(f"/pw/{workplace.slug}/")
    client.get(f"/pw/{workplace.slug}/activities/export.xlsx")
    stored = " ".join(" ".join(str(v) for v in row) for row in AuditEvent.objects.values_list())
    assert owner.person.name not in stored
    assert owner.email not in stored and "@" not in stored
