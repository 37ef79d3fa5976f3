"""Concurrency on PostgreSQL: two submits, two senders, two sweeps at the same moment.

Threads start together at a barrier, each with its own database connection. SQLite serialises
writers, so these run where production runs (CI on PostgreSQL); the sequential versions of the
same guarantees are in test_schedule.py and test_answering.py.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.core import mail
from django.db import connection

from evaluations import answering, cycles, invitations, mailing
from evaluations.models import DeliveryStatus, MailDelivery, Response
from tests.factories import CycleFactory, MembershipFactory, WorkplaceFactory, invitation_for
from tests.reference import reload_reference_data
from werkplaats.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        message = "concurrent writers need PostgreSQL (CI runs these with DATABASE_URL set)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    reload_reference_data()


def run_together(target, count: int = 2) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    errors: list = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def test_two_concurrent_submissions_create_exactly_one_response():
    cycle = CycleFactory(workplace=WorkplaceFactory())
    invitation = invitation_for(cycle, Role.STUDENT)

    def submit():
        response = answering.start_response(invitation=invitation)
        return response.pk, answering.submit_response(response=response)

    results = run_together(submit, count=4)
    assert len({pk for pk, _won in results}) == 1
    assert sorted(won for _pk, won in results) == [False, False, False, True]
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_two_senders_of_one_mail_send_it_once():
    cycle = CycleFactory(workplace=WorkplaceFactory())
    invitation = invitation_for(cycle, Role.STUDENT)
    invitations.add_invitation(cycle=cycle, person=invitation.person, role=Role.STUDENT)
    row = MailDelivery.objects.get()
    results = run_together(lambda: mailing.deliver(row.pk), count=4)
    assert sorted(results) == ["sent", "taken", "taken", "taken"]
    assert len(mail.outbox) == 1


def test_two_sweeps_at_once_decide_and_send_every_mail_once():
    workplace = WorkplaceFactory()
    cycle = CycleFactory(workplace=workplace, status="draft")
    for role in (Role.STUDENT, Role.CLIENT, Role.PROFESSIONAL, Role.MANAGER):
        MembershipFactory(workplace=workplace, role=role)

    def sweep():
        cycles.run_schedule()
        return mailing.send_due()

    run_together(sweep, count=3)
    cycle.refresh_from_db()
    assert cycle.status == "open"
    assert cycle.invitations.count() == 4
    assert MailDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 4
    assert len(mail.outbox) == 4
