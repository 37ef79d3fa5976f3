"""The migration to the one notification ledger moves a half-sent goal reminder without
losing or repeating one: the owners it had reached become sent notifications, and the
retry reaches only the others."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("werkplaats", "0013_people_and_invitations")]
AFTER = [("werkplaats", "0014_notifications")]


@pytest.mark.django_db(transaction=True)
def test_reached_owners_become_sent_notifications_and_are_not_reminded_again():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Workplace = old.get_model("werkplaats", "Workplace")
    Person = old.get_model("werkplaats", "Person")
    Membership = old.get_model("werkplaats", "Membership")
    LearningGoal = old.get_model("werkplaats", "LearningGoal")
    GoalReminder = old.get_model("werkplaats", "GoalReminder")
    today = timezone.localdate()
    workplace = Workplace.objects.create(
        name="PW Migratie", slug="pw-migratie", sector="other", started_on=dt.date(2024, 9, 1)
    )
    owner, first, second = (
        Person.objects.create(name=name, email=f"{name}@voorbeeld.example")
        for name in ("eigenaar", "eerste", "tweede")
    )
    for person in (owner, first, second):
        Membership.objects.create(
            person=person, workplace=workplace, role="student", starts_on=dt.date(2024, 9, 1)
        )
    goal = LearningGoal.objects.create(
        workplace=workplace, owner=owner, title="Doel", school_year="2026-2027",
        target_date=today, status="active",
    )  # fmt: skip
    goal.co_owners.add(first, second)
    # The old sender mailed the owner and the first co-owner, then failed on the second.
    GoalReminder.objects.create(
        goal=goal, kind="on_the_day", due_on=today, reached=[owner.pk, first.pk],
        last_error="OSError: mailbox busy",
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from werkplaats.goal_services import send_due_reminders
    from werkplaats.models import Notification
    from werkplaats.notifications import send_pending

    moved = Notification.objects.filter(kind="goal-reminder")
    assert sorted(n.recipient.name for n in moved) == ["eerste", "eigenaar"]
    assert {n.mail for n in moved} == {"sent"}
    assert send_due_reminders() == 1
    send_pending()
    assert [m.to for m in mail.outbox] == [["tweede@voorbeeld.example"]]
    assert Notification.objects.filter(kind="goal-reminder").count() == 3
    send_due_reminders()
    send_pending(timezone.now() + dt.timedelta(days=1))
    assert len(mail.outbox) == 1
