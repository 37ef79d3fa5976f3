"""Celery's failure modes, by configuration and by construction: time limits below the broker's
visibility timeout, short retry countdowns, enqueueing only after commit; and the admin's lock
on instrument versions that have responses."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction

from evaluations import answering, common, invitations, mailing, tasks
from evaluations.models import InstrumentVersion, MailDelivery
from tests.factories import CycleFactory, UserFactory, invitation_for
from tests.werkplaats.test_configuration import manage
from werkplaats.models import Role


def redis_visibility_timeout() -> int:
    """The visibility timeout the settings give a Redis broker, read in a fresh process (the
    tests themselves may run on the filesystem broker, which has none)."""
    code = (
        "from django.conf import settings as s;"
        "print(s.CELERY_BROKER_URL, s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    )
    env = {"DEBUG": "true", "REDIS_URL": "", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9"}
    broker, timeout = manage("shell", "--no-imports", "-c", code, env=env).stdout.split()
    assert broker == "redis://127.0.0.1:6379/9"
    return int(timeout)


def test_the_task_time_limit_is_below_the_visibility_timeout_and_the_stale_claim():
    redis_visibility = redis_visibility_timeout()
    assert redis_visibility == 60 * 60  # the README promises an hour
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert redis_visibility > settings.CELERY_TASK_TIME_LIMIT
    assert common.STALE_CLAIM.total_seconds() > settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_ACKS_LATE and tasks.send_evaluation_mail.acks_late


def test_retry_countdowns_stay_within_a_few_minutes():
    delays = [mailing.backoff(attempt).total_seconds() for attempt in range(1, 20)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) <= 240


def test_the_sweep_is_scheduled_often_enough_to_catch_up():
    entry = settings.CELERY_BEAT_SCHEDULE["run-evaluation-schedule"]
    assert entry["task"] == "evaluations.tasks.run_evaluation_schedule"
    assert entry["schedule"].minute == {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55}


@pytest.mark.django_db
def test_a_rolled_back_sweep_enqueues_no_mail(workplace, django_capture_on_commit_callbacks):
    CycleFactory(workplace=workplace, status="draft")
    invitation_for(CycleFactory(workplace=workplace), Role.STUDENT)
    with mock.patch.object(tasks.send_evaluation_mail, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    tasks.run_evaluation_schedule()
                    raise RuntimeError("the transaction fails after deciding")
            except RuntimeError:
                pass
        assert callbacks == []
        assert delay.call_count == 0
        assert MailDelivery.objects.count() == 0  # nothing was decided either
        with django_capture_on_commit_callbacks(execute=True):
            result = tasks.run_evaluation_schedule()
    assert result["to_send"] == MailDelivery.objects.count() > 0
    assert delay.call_count == result["to_send"]


@pytest.mark.django_db
def test_a_temporary_failure_makes_the_task_retry_soon(workplace, monkeypatch):
    cycle = CycleFactory(workplace=workplace)
    invitation = invitation_for(cycle, Role.STUDENT)
    invitations.add_invitation(cycle=cycle, person=invitation.person, role=Role.STUDENT)
    row = MailDelivery.objects.get()
    monkeypatch.setattr(mailing, "deliver", lambda pk: "retry")
    patched = mock.patch.object(tasks.send_evaluation_mail, "retry", side_effect=RuntimeError)
    with patched as retry, pytest.raises(RuntimeError):
        tasks.send_evaluation_mail.run(row.pk)
    assert retry.call_args.kwargs["countdown"] <= 241


@pytest.mark.django_db
def test_the_admin_locks_a_version_with_responses(client, workplace):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    version = InstrumentVersion.objects.get(instrument__code="los-scan")
    url = f"/admin/evaluations/instrumentversion/{version.pk}/change/"
    assert 'name="items-0-text_nl"' in client.get(url).content.decode()
    answering.start_response(invitation=invitation_for(CycleFactory(workplace=workplace)))
    locked = client.get(url).content.decode()
    assert 'name="items-0-text_nl"' not in locked
    assert 'name="strength_from"' not in locked
