"""Benchmark the inbox, the unread count and the digest (issue 15).

Fills a dedicated PW ("benchmark-notifications") with ``--recipients`` people, each with
three notifications waiting for their digest, and one reader with ``--inbox`` notifications.
It renders the inbox and a trivial logged-in page (the privacy page: session, user, base
template) in the same run and reports medians, query counts and the ratio between them (never
an absolute goal); then sends every digest through Django's in-memory mail backend and reports
recipients per minute and the queries per batch. Everything it made is deleted afterwards.
On a scratch database:

    DEBUG=true .venv/bin/python manage.py benchmark_notifications --recipients 10000
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from werkplaats import notifications
from werkplaats.benchmarking import TRIVIAL, measure_pages
from werkplaats.models import (
    MailState,
    Membership,
    Notification,
    NotificationDigest,
    NotificationKind,
    Person,
    Role,
    Sector,
    User,
    Workplace,
)

SLUG = "benchmark-notifications"
DOMAIN = "benchmark-notifications.example"
BATCH = 200


class Command(BaseCommand):
    help = "Time the inbox and the digest, as ratios against a trivial page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recipients", type=int, default=10_000, help="Digest recipients.")
        parser.add_argument("--inbox", type=int, default=500, help="Notifications of the reader.")
        parser.add_argument("--repeat", type=int, default=15, help="Timed renders per page.")
        parser.add_argument("--allow-production", action="store_true", help="Run with DEBUG off.")

    def handle(self, *args, recipients: int, inbox: int, repeat: int, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("This writes many rows; with DEBUG off pass --allow-production.")
        cleanup()
        try:
            user, workplace = self.fill(recipients, inbox)
            self.measure(user, repeat)
            self.time_digests(recipients)
        finally:
            cleanup()
            self.stdout.write(f"Deleted the benchmark PW '{SLUG}', its users and people.")

    def fill(self, count: int, inbox: int) -> tuple[User, Workplace]:
        """The benchmark's PW, its reader and the notifications to sweep and to read.

        Long on purpose: one transaction of bulk inserts in foreign-key order, each using
        the rows the one before made."""
        started = dt.date(2020, 9, 1)
        earlier = timezone.now() - dt.timedelta(days=8)  # before any digest period began
        with transaction.atomic():
            workplace = Workplace.objects.create(
                name="PW Benchmark meldingen", slug=SLUG, sector=Sector.OTHER, started_on=started
            )
            user = User.objects.create_user(f"reader@{DOMAIN}")
            reader = Person.objects.create(name="Reader", user=user, email=user.email)
            people = Person.objects.bulk_create(
                (Person(name=f"Ontvanger {n:05d}", email=f"o{n}@{DOMAIN}") for n in range(count)),
                batch_size=2000,
            )
            Membership.objects.bulk_create(
                (
                    Membership(person=p, workplace=workplace, role=role, starts_on=started)
                    for p, role in [(reader, Role.BRIDGE_BUILDER)]
                    + [
                        (p, Role.STUDENT if n % 3 else Role.PROFESSIONAL)
                        for n, p in enumerate(people)
                    ]
                ),
                batch_size=2000,
            )
            kinds = [
                NotificationKind.FEEDBACK,
                NotificationKind.REPLY,
                NotificationKind.ADDED_TO_WORKPLACE,
            ]
            Notification.objects.bulk_create(
                (
                    Notification(
                        recipient=p,
                        kind=kind,
                        key=f"bench:{p.pk}:{kind}",
                        workplace=workplace,
                        link=workplace.get_absolute_url(),
                        mail=MailState.DIGEST,
                        created_at=earlier,
                    )  # fmt: skip
                    for p in people
                    for kind in kinds
                ),
                batch_size=5000,
            )
            Notification.objects.bulk_create(
                (
                    Notification(
                        recipient=reader,
                        kind=NotificationKind.FEEDBACK,
                        key=f"inbox:{n}",
                        workplace=workplace,
                        link=workplace.get_absolute_url(),
                        read_at=None if n % 4 else earlier,
                    )  # fmt: skip
                    for n in range(inbox)
                ),
                batch_size=5000,
            )
        self.stdout.write(
            f"Filled {count} recipients with 3 notifications each, {inbox} in the inbox"
        )
        return user, workplace

    def measure(self, user: User, repeat: int) -> None:
        client = Client()
        client.force_login(user)
        pages = {
            TRIVIAL: "/privacy/",
            "inbox": "/notifications/",
            "inbox, page 5": "/notifications/?page=5",
            "home (waiting for you)": "/",
        }
        measure_pages(client, pages, repeat, self.stdout.write)

    @override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    def time_digests(self, count: int) -> None:
        from django.core import mail

        mail.outbox = []
        now = timezone.now() + dt.timedelta(days=7)  # every period, weekly included, has begun
        counted = []

        def counter(execute, sql, params, many, context):
            counted.append(1)  # DEBUG's query log keeps 9,000 at most: count them here
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            outcome = notifications.send_digests(now, batch=BATCH)
        seconds = time.perf_counter() - started
        sent = outcome.get("sent", 0)
        if sent != count or len(mail.outbox) != count:
            raise CommandError(f"expected {count} digests, sent {sent} ({outcome})")
        per_mail_writes = sent  # the status write after each accepted mail
        batches = -(-count // BATCH)
        other = len(counted) - per_mail_writes
        self.stdout.write(
            f"Sent {sent} digests in {seconds:.2f} s: {sent / seconds * 60:,.0f} recipients per "
            f"minute; {len(counted)} queries: one status write per mail and {other} for "
            f"{batches} batches of {BATCH} ({other / batches:.1f} per batch)"
        )
        mail.outbox = []


def cleanup() -> None:
    with transaction.atomic():
        people = Person.objects.filter(email__endswith=f"@{DOMAIN}")
        NotificationDigest.objects.filter(person__in=people).delete()
        Workplace.objects.filter(slug=SLUG).delete()
        people.delete()
        User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
