"""The beat-driven evaluation task really runs in a live Celery worker, through Redis, against
PostgreSQL: the sweep opens the planned cycle, and the per-mail tasks it queues send every
invitation once."""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection
from django.utils import timezone

from evaluations.models import (
    CycleStatus,
    DeliveryStatus,
    EvaluationCycle,
    EvaluationPlan,
    Instrument,
    MailDelivery,
)
from tests.factories import MembershipFactory, WorkplaceFactory
from tests.reference import reload_reference_data
from tests.werkplaats.test_celery_live import (
    REDIS_BROKER,
    redis_reachable,
    start_worker,
    stop_worker,
    worker_output,
)
from werkplaats.models import Role


def _needs(condition: bool, message: str) -> None:
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.live_broker
@pytest.mark.django_db(transaction=True)
def test_the_schedule_task_runs_in_a_live_worker_on_redis_and_postgresql(monkeypatch):
    _needs(connection.vendor == "postgresql", "the worker must share the test database: PostgreSQL")
    _needs(redis_reachable(REDIS_BROKER), f"Redis is not reachable at {REDIS_BROKER}")
    reload_reference_data()
    workplace = WorkplaceFactory()
    EvaluationPlan.objects.create(
        workplace=workplace,
        yearly_month=timezone.localdate().month,  # opened on the 1st: due now
        yearly_days=62,
        instrument=Instrument.objects.get(code="los-scan"),
    )
    for role in (Role.STUDENT, Role.CLIENT, Role.BRIDGE_BUILDER):
        MembershipFactory(workplace=workplace, role=role)

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    worker = start_worker(
        {
            "CELERY_BROKER_URL": REDIS_BROKER,
            "CELERY_RESULT_BACKEND": REDIS_BROKER,
            "DATABASE_URL": database_url,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    try:
        from celery import Celery

        # Celery reads CELERY_BROKER_URL from the environment before its own configuration
        # (CI sets it to the application's broker): point it at the worker's test broker.
        monkeypatch.setenv("CELERY_BROKER_URL", REDIS_BROKER)
        sender = Celery("test-client", broker=REDIS_BROKER, set_as_current=False)
        try:
            sender.control.purge()  # tasks left in the test broker by earlier runs
            sender.send_task("evaluations.tasks.run_evaluation_schedule")  # what beat sends
        finally:
            sender.close()
        deadline = time.monotonic() + 120  # a loaded CI machine starts workers slowly
        sent = 0
        while time.monotonic() < deadline:
            sent = MailDelivery.objects.filter(status=DeliveryStatus.SENT).count()
            if sent == 3:
                break
            time.sleep(0.5)
    finally:
        stop_worker(worker)
        output = worker_output(worker)
    cycle = EvaluationCycle.objects.filter(workplace=workplace).first()
    assert cycle is not None and cycle.status == CycleStatus.OPEN, output
    statuses = list(MailDelivery.objects.values_list("status", "last_error"))
    assert sent == 3, (statuses, output)
    assert MailDelivery.objects.count() == 3  # one invitation each, nothing twice
