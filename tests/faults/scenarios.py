"""The faults, one function each. Each sets up its own PW and cycle, breaks something, lets the
stack recover the way production would (sweeps from beat or the next tick), and checks what
the mail server and the database hold. "Time passes" is simulated by moving the rows' times
back (a cycle's dates, a claim's start), never by patching the clock of a running process."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from tests.faults.client import Browser, Tally
from tests.faults.smtp import MailServer
from tests.faults.stack import Stack

STALE_CLAIM = dt.timedelta(minutes=15)  # the ledger's stale-claim window (evaluations)
LIVE_SEND = dt.timedelta(seconds=10)  # a live sender's claim is younger: a send takes ms
MESSAGE_ID = re.compile(r"<evaluation-([a-z0-9-]+)\.(\d+)\.")


@dataclass
class Outcome:
    name: str
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.failures.append(message)

    def note(self, line: str) -> None:
        self.lines.append(line)


class Run:
    """What the scenarios share: the stack, the mail server, the outcomes."""

    def __init__(self, stack: Stack, mail: MailServer):
        self.stack = stack
        self.mail = mail
        self.outcomes: list[Outcome] = []

    # --- Data ------------------------------------------------------------------------------------
    def workplace(self, slug: str, people: int, *, prefix: str, opens_in: float = -60,
                  reminder_days=(7, 2)):  # fmt: skip
        """A PW with ``people`` clients and students (addresses ``<prefix><n>@faults.example``),
        a bridge-builder with an account, and a draft cycle that opens ``opens_in`` seconds from
        now and closes in three weeks."""
        from evaluations.models import EvaluationCycle
        from tests.factories import (
            CycleFactory,
            MembershipFactory,
            PersonFactory,
            WorkplaceFactory,
            member_user,
        )
        from werkplaats.models import Role

        workplace = WorkplaceFactory(slug=slug, name=f"PW {slug}")
        coordinator = member_user(
            workplace, Role.BRIDGE_BUILDER, email=f"{prefix}bb@faults.example"
        )
        for n in range(people):
            person = PersonFactory(name=f"{prefix} {n}", email=f"{prefix}{n}@faults.example")
            role = Role.CLIENT if n % 2 else Role.STUDENT
            MembershipFactory(person=person, workplace=workplace, role=role)
        opens = timezone.now() + dt.timedelta(seconds=opens_in)
        cycle = CycleFactory(
            workplace=workplace, status="draft", opens_at=opens,
            closes_at=opens + dt.timedelta(days=21), reminder_days=list(reminder_days),
        )  # fmt: skip
        return EvaluationCycle.objects.get(pk=cycle.pk), coordinator

    # --- Waiting ---------------------------------------------------------------------------------
    def sweep(self) -> None:
        """What beat does every few minutes, once, now."""
        from evaluations.tasks import run_evaluation_schedule

        run_evaluation_schedule.delay()

    def settled(self, cycle, *, seconds: float = 60, quiet: float = 2.0) -> bool:
        """Wait until the cycle has nothing due or being sent by a live sender (a claim left
        by a killed one stays until the stale-claim window) and the mail server has been
        quiet for ``quiet`` seconds."""
        from evaluations.models import DeliveryStatus, MailDelivery

        deadline = time.monotonic() + seconds
        last, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = timezone.now()
            rows = MailDelivery.objects.filter(cycle=cycle)
            busy = (
                rows.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).exists()
                or rows.filter(
                    status=DeliveryStatus.SENDING, claimed_at__gte=now - LIVE_SEND
                ).exists()
            )
            count = self.mail.count()
            if count != last:
                last, since = count, time.monotonic()
            if not busy and time.monotonic() - since >= quiet:
                return True
            time.sleep(0.25)
        return False

    def wait_for_mails(self, count: int, seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.mail.count() >= count:
                return True
            time.sleep(0.02)
        return False

    def let_claims_go_stale(self, cycle) -> int:
        """The stale-claim window passes for the rows still "sending" (their sender died)."""
        from evaluations.models import DeliveryStatus, MailDelivery

        return MailDelivery.objects.filter(cycle=cycle, status=DeliveryStatus.SENDING).update(
            claimed_at=F("claimed_at") - STALE_CLAIM - dt.timedelta(minutes=1)
        )

    def cycle_page(self, cycle, user) -> tuple[int, str]:
        """The cycle page through gunicorn, as ``user`` (a session made the way login does)."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        browser = Browser(self.stack.base, Tally())
        name = settings.SESSION_COOKIE_NAME
        browser.cookies[name] = client.cookies[name].value
        status, _, page = browser.request(
            "GET", f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/"
        )
        return status, page

    # --- Counting --------------------------------------------------------------------------------
    def account(self, outcome: Outcome, cycle, kinds: set[str] | None = None) -> None:
        """Every ledger row of the cycle against what the mail server accepted (matched by the
        row's Message-ID): a row sent once is right; a row resent once after it became
        uncertain may have arrived twice (documented); a row kept uncertain may have arrived
        once or not (documented); anything else is a loss or a duplicate."""
        from evaluations.models import DeliveryStatus, MailDelivery

        received = Counter()
        for mail in self.mail.snapshot():
            match = MESSAGE_ID.match(mail.message_id)
            if match:
                received[int(match.group(2))] += 1
        rows = MailDelivery.objects.filter(cycle=cycle).select_related("cycle")
        if kinds:
            rows = rows.filter(kind__in=kinds)
        table: dict[str, Counter] = {}
        for row in rows:
            got = received[row.pk]
            line = table.setdefault(row.kind, Counter())
            line["rows"] += 1
            line["mails"] += got
            documented = row.uncertain_at is not None
            if row.status == DeliveryStatus.SENT and got == 1:
                line["once"] += 1
            elif row.status == DeliveryStatus.SENT and got == 2 and documented and resent(row):
                line["twice, uncertain (documented)"] += 1
            elif row.status == DeliveryStatus.UNCERTAIN and got <= 1:
                line["uncertain, kept (documented)"] += 1
            elif row.status in (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED) and got == 0:
                line[row.status] += 1
            elif got == 0:
                line["LOST"] += 1
                outcome.check(False, f"{row.kind} {row.pk} ({row.status}) never arrived")
            else:
                line["DUPLICATE"] += 1
                outcome.check(False, f"{row.kind} {row.pk} ({row.status}) arrived {got} times")
        for kind, line in sorted(table.items()):
            parts = ", ".join(f"{k} {v}" for k, v in line.items() if k not in ("rows", "mails"))
            outcome.note(
                f"{cycle.workplace.slug} {kind}: {line['rows']} rows, {line['mails']} mails "
                f"({parts})"
            )

    # --- Running ---------------------------------------------------------------------------------
    def scenario(self, name: str, function) -> Outcome:
        outcome = Outcome(name)
        started = time.monotonic()
        try:
            function(self, outcome)
        except Exception as exc:  # noqa: BLE001 — a broken scenario is a failure in the table
            outcome.failures.append(f"{type(exc).__name__}: {exc}")
        outcome.seconds = time.monotonic() - started
        self.outcomes.append(outcome)
        print(f"  {name}: {'ok' if not outcome.failures else 'FAILED'} "
              f"({outcome.seconds:.0f} s)", flush=True)  # fmt: skip
        return outcome


def resent(row) -> bool:
    """The README's rule, written out again here: an uncertain mail is resent once only when it
    is an invitation or the last reminder before the cycle closes."""
    if row.kind == "invitation":
        return True
    moments = row.cycle.reminder_moments()
    return bool(moments) and row.kind == f"reminder-{moments[-1][0]}"


# --- The faults ---------------------------------------------------------------------------------
def worker_killed_mid_sweep(run: Run, outcome: Outcome) -> None:
    """200 invitations, then 200 reminders; the worker SIGKILLed in the middle of each sweep,
    started again, the sweep run twice more, then once after the stale-claim window."""
    from evaluations.models import MailDelivery, MailKind

    cycle, coordinator = run.workplace("faults-kill", 199, prefix="kill")  # + the bb = 200
    run.cycle_kill = cycle
    run.mail.delay = 0.03  # a reply that takes a moment: kills land between accept and write
    for kind in (MailKind.INVITATION, MailKind.REMINDER_1):
        before = run.mail.count()
        if kind == MailKind.REMINDER_1:
            # A week and a half pass: the first reminder (7 days before closing) is due.
            now = timezone.now()
            cycle.__class__.objects.filter(pk=cycle.pk).update(
                opens_at=now - dt.timedelta(days=15), closes_at=now + dt.timedelta(days=6)
            )
            MailDelivery.objects.filter(cycle=cycle, kind=MailKind.INVITATION).update(
                sent_at=now - dt.timedelta(days=14)
            )
        run.sweep()
        outcome.check(run.wait_for_mails(before + 60), f"{kind}: the sweep did not start")
        run.stack.kill("worker-1")
        at_kill = run.mail.count() - before
        run.stack.start_worker("worker-1")
        run.sweep()
        run.settled(cycle)
        run.sweep()
        run.settled(cycle)
        stale = run.let_claims_go_stale(cycle)
        run.sweep()
        outcome.check(run.settled(cycle), f"{kind}: the cycle did not settle")
        outcome.note(f"{kind}: killed after {at_kill} accepted, {stale} claims left in flight")
    run.mail.delay = 0
    run.account(outcome, cycle)
    # Each uncertain case is on the cycle page for the bridge-builder.
    uncertain = cycle.mails.filter(uncertain_at__isnull=False).select_related("person")
    status, page = run.cycle_page(cycle, coordinator)
    listed = [mail for mail in uncertain if mail.person.name in page]
    shown = status == 200 and 'id="uncertain-mails"' in page
    outcome.check(shown or not uncertain, f"the cycle page ({status}) shows no uncertain mails")
    missing = len(uncertain) - len(listed)
    outcome.check(not missing, f"{missing} uncertain mails not on the cycle page")
    outcome.note(f"uncertain cases on the cycle page: {len(listed)} of {len(uncertain)}")


def two_beats_two_workers(run: Run, outcome: Outcome) -> None:
    """A cycle falls due while two beats and two workers run (a mistaken second replica):
    every sweep runs twice, every row is still sent once."""
    cycle, _ = run.workplace("faults-twice", 99, prefix="twice", opens_in=3)
    run.cycle_twice = cycle
    run.stack.start_worker("worker-2")
    run.stack.start_beat("beat-1")
    run.stack.start_beat("beat-2")
    time.sleep(4)
    outcome.check(run.settled(cycle, seconds=90, quiet=5), "the cycle did not settle")
    run.stack.stop("beat-2")
    run.stack.stop("worker-2")
    run.account(outcome, cycle)
    rows = cycle.mails.count()
    outcome.check(rows == 100, f"{rows} invitation rows for 100 members")


def redis_down(run: Run, outcome: Outcome) -> None:
    """Redis is stopped (its queue lost) while one cycle's reminders fall due and another
    cycle's opening comes; started again, the next ticks catch up: the new cycle's invitations
    go, and the first cycle sends only its latest useful reminder, once."""
    from evaluations.models import EvaluationCycle, MailDelivery, MailKind

    late, _ = run.workplace("faults-redis", 39, prefix="redis", reminder_days=(10, 5, 1))
    run.sweep()
    outcome.check(run.settled(late), "the invitations did not settle")
    coming, _ = run.workplace("faults-opens", 19, prefix="opens", opens_in=4)
    run.stack.kill("redis")
    # Two reminders' moments pass while Redis is down: 10 and 5 days before closing.
    now = timezone.now()
    EvaluationCycle.objects.filter(pk=late.pk).update(
        opens_at=now - dt.timedelta(days=20), closes_at=now + dt.timedelta(days=3)
    )
    MailDelivery.objects.filter(cycle=late, kind=MailKind.INVITATION).update(
        sent_at=now - dt.timedelta(days=19)
    )
    time.sleep(8)  # beat ticks into a dead broker; the coming cycle's moment passes
    run.stack.start_redis()
    outcome.check(run.settled(coming, seconds=90, quiet=4), "the coming cycle did not open")
    outcome.check(run.settled(late, seconds=60), "the late cycle did not settle")
    run.account(outcome, late, {MailKind.REMINDER_1, MailKind.REMINDER_2, MailKind.REMINDER_3})
    run.account(outcome, coming)
    reminders = Counter(
        late.mails.filter(kind__startswith="reminder").values_list("kind", flat=True)
    )
    outcome.check(
        reminders == Counter({MailKind.REMINDER_2: 40}),
        f"expected only the second reminder, 40 times: {dict(reminders)}",
    )
    invited = coming.mails.filter(kind=MailKind.INVITATION, status="sent").count()
    outcome.check(invited == 20, f"{invited} of 20 invitations of the cycle that opened")


def smtp_refuses(run: Run, outcome: Outcome) -> None:
    """451 for two attempts then accepted: retried, delivered once. 550: failed at once and
    shown to the bridge-builder on the cycle page."""
    from evaluations.models import DeliveryStatus, MailDelivery

    cycle, coordinator = run.workplace("faults-smtp", 4, prefix="smtp")
    greylisted, refused = "smtp0@faults.example", "smtp1@faults.example"
    run.mail.refuse[greylisted] = ["451 4.7.1 Greylisted, try again later"] * 2
    run.mail.refuse[refused] = ["550 5.1.1 No such user"]
    run.sweep()
    for _ in range(3):
        run.settled(cycle, quiet=1)
        # The backoff passes (30 s, then 60 s): what is pending is due again.
        MailDelivery.objects.filter(cycle=cycle, status=DeliveryStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )
        run.sweep()
    outcome.check(run.settled(cycle), "the cycle did not settle")
    grey = MailDelivery.objects.get(cycle=cycle, person__email=greylisted)
    bounced = MailDelivery.objects.get(cycle=cycle, person__email=refused)
    outcome.check(grey.status == DeliveryStatus.SENT and grey.attempts == 3,
                  f"451 twice: {grey.status} after {grey.attempts} attempts")  # fmt: skip
    outcome.check(bounced.status == DeliveryStatus.FAILED and "550" in bounced.last_error,
                  f"550: {bounced.status} ({bounced.last_error})")  # fmt: skip
    run.account(outcome, cycle)
    status, page = run.cycle_page(cycle, coordinator)
    shown = status == 200 and bounced.person.name in page
    outcome.check(shown, f"the refused address is not shown on the cycle page ({status})")
    outcome.note(f"451 x2: sent after {grey.attempts} attempts; 550: failed, shown: {shown}")


# --- Answering through HTTP ---------------------------------------------------------------------
def latest_tokens(run: Run, cycle) -> dict[str, str]:
    """recipient → the answer link of the newest mail they received for the cycle."""
    people = set(cycle.invitations.values_list("person__email", flat=True))
    tokens: dict[str, str] = {}
    for mail in run.mail.snapshot():
        if mail.token and mail.recipient in people:
            tokens[mail.recipient] = mail.token
    return tokens


def intended(recipient: str, item: int) -> int:
    """The answer this respondent gives to this item (1..5, or 0 for "don't know")."""
    return int(hashlib.sha256(f"{recipient}:{item}".encode()).hexdigest(), 16) % 6


STEP = re.compile(r'name="item-(\d+)"')


def answer_all(browser: Browser, recipient: str, token: str) -> None:
    """One tab of one respondent: the link, every element's page, the open questions, submit."""
    status, where, _ = browser.request("GET", f"/e/{token}/")
    if status != 302:
        raise AssertionError(f"the link answered {status}")
    pk = where.rstrip("/").split("/")[-1]
    step = 1
    while True:
        status, _, page = browser.request("GET", f"/answer/{pk}/{step}/")
        if status != 200:
            raise AssertionError(f"step {step} answered {status}")
        items = sorted({int(i) for i in STEP.findall(page)})
        data = {"csrfmiddlewaretoken": browser.csrf(page)}
        if not items:  # the open questions
            data.update(went_well=f"went well for {recipient}", could_be_better="", submit="1")
            status, where, _ = browser.request("POST", f"/answer/{pk}/{step}/", data)
            if status != 302 or not where.endswith("/done/"):
                raise AssertionError(f"submit answered {status} → {where}")
            return
        data.update({f"item-{i}": str(intended(recipient, i)) for i in items})
        data["comment"] = ""
        status, where, _ = browser.request("POST", f"/answer/{pk}/{step}/", data)
        if status != 302:
            raise AssertionError(f"step {step} POST answered {status}")
        step += 1


def respondents(run: Run, outcome: Outcome, cycle, count: int, two_tabs: int,
                kill_web_worker: bool = False) -> None:  # fmt: skip
    """``count`` respondents answer at once; ``two_tabs`` of them in two tabs at the same time.
    Optionally one gunicorn worker is SIGKILLed while they do."""
    from evaluations.models import Answer, Item, Response

    tokens = sorted(latest_tokens(run, cycle).items())[:count]
    outcome.check(len(tokens) == count, f"only {len(tokens)} links for {count} respondents")
    tally = Tally()
    errors: list[str] = []
    threads = []
    for n, (recipient, token) in enumerate(tokens):
        browser = Browser(run.stack.base, tally)
        for _tab in range(2 if n < two_tabs else 1):
            threads.append(threading.Thread(target=_tab_thread,
                                            args=(browser, recipient, token, errors)))  # fmt: skip
    for thread in threads:
        thread.start()
    killed = 0
    if kill_web_worker:
        # A worker killed mid-request drops its connection; killed again (its replacement)
        # until a request was caught in flight, at most five times.
        deadline = time.monotonic() + 30
        while tally.requests < len(threads) * 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        while killed < 5 and not tally.dropped and any(t.is_alive() for t in threads):
            workers = run.stack.web_workers()
            if workers:
                os.kill(workers[killed % len(workers)], signal.SIGKILL)
                killed += 1
            time.sleep(0.5)
        outcome.check(killed > 0, "no gunicorn worker to kill")
    for thread in threads:
        thread.join(timeout=180)
    for error in errors:
        outcome.check(False, error)
    outcome.check(not tally.server_errors, f"5xx replies: {tally.server_errors[:5]}")
    # What was sent against what is stored.
    items = Item.objects.filter(version=cycle.instrument_version_id)
    items = list(items.values_list("pk", flat=True))
    sent = stored = 0
    responses = 0
    for recipient, _token in tokens:
        found = list(Response.objects.filter(invitation__cycle=cycle,
                                             invitation__person__email=recipient))  # fmt: skip
        responses += len(found)
        outcome.check(len(found) == 1, f"{recipient}: {len(found)} responses")
        if not found:
            continue
        response = found[0]
        outcome.check(response.submitted_at is not None, f"{recipient}: not submitted")
        kept = response.went_well == f"went well for {recipient}"
        outcome.check(kept, f"{recipient}: open answer lost")
        answers = dict(Answer.objects.filter(response=response).values_list("item_id", "value"))
        for item in items:
            sent += 1
            if answers.get(item) == intended(recipient, item):
                stored += 1
    outcome.check(sent == stored, f"{sent - stored} of {sent} answers lost or wrong")
    outcome.note(
        f"{len(tokens)} respondents ({two_tabs} in two tabs), {tally.requests} requests, "
        f"{len(tally.server_errors)} 5xx, {tally.dropped} dropped connections retried"
        + (f"; gunicorn workers killed: {killed}" if kill_web_worker else "")
    )
    outcome.note(f"answers sent {sent}, stored {stored}; responses {responses}")


def _tab_thread(browser: Browser, recipient: str, token: str, errors: list[str]) -> None:
    try:
        answer_all(browser, recipient, token)
    except Exception as exc:  # noqa: BLE001 — reported in the table
        errors.append(f"{recipient}: {type(exc).__name__}: {exc}")


def concurrent_submits(run: Run, outcome: Outcome) -> None:
    """50 respondents through HTTP at once, 10 of them in two tabs."""
    respondents(run, outcome, run.cycle_kill, 50, 10)


def web_worker_killed(run: Run, outcome: Outcome) -> None:
    """A burst of 40 respondents; one gunicorn worker SIGKILLed in the middle of it."""
    respondents(run, outcome, run.cycle_twice, 40, 5, kill_web_worker=True)


def nothing_sent_twice_later(run: Run, outcome: Outcome) -> None:
    """At the end, after every delayed retry had its chance: the whole ledger once more."""
    from evaluations.models import EvaluationCycle

    run.sweep()
    for cycle in EvaluationCycle.objects.filter(workplace__slug__startswith="faults-"):
        run.settled(cycle, quiet=1)
        run.account(outcome, cycle)


ALL = [
    ("worker SIGKILL mid-sweep (200 invitations, 200 reminders)", worker_killed_mid_sweep),
    ("two beats and two workers", two_beats_two_workers),
    ("Redis stopped while cycles fall due", redis_down),
    ("SMTP 451 twice, then accepted; 550", smtp_refuses),
    ("50 respondents at once through HTTP, 10 in two tabs", concurrent_submits),
    ("gunicorn worker killed during a burst of submits", web_worker_killed),
    ("the whole ledger at the end", nothing_sent_twice_later),
]
