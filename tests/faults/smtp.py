"""A local mail server that counts what it accepted and refuses on command (aiosmtpd)."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

LINK = re.compile(r"/e/([A-Za-z0-9_\-]+)/")


@dataclass(frozen=True)
class Accepted:
    recipient: str
    message_id: str
    subject: str
    token: str | None  # the answer link's token, when the mail carries one


class MailServer:
    """An SMTP handler: ``refuse[address]`` is a list of replies given at RCPT, one per attempt
    (``"451 ..."`` then ``"550 ..."``...); when it runs out the address is accepted. ``delay``
    holds the reply to DATA back, after the mail is counted, so a sender killed mid-send finds
    its mail taken and unconfirmed, which is the window SMTP cannot close."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: list[Accepted] = []
        self.refuse: dict[str, list[str]] = {}
        self.refused: list[tuple[str, str]] = []
        self.delay = 0.0
        self.controller: Controller | None = None

    # aiosmtpd's hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.lock:
            replies = self.refuse.get(address)
            reply = replies.pop(0) if replies else None
            if reply:
                self.refused.append((address, reply))
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=default_policy)
        body = message.get_body(preferencelist=("plain",))
        match = LINK.search(body.get_content() if body else "")
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.accepted.append(
                    Accepted(
                        recipient=recipient.lower(),
                        message_id=str(message["Message-ID"]).strip(),
                        subject=str(message["Subject"]),
                        token=match.group(1) if match else None,
                    )
                )
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def start(self, port: int) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()

    def count(self) -> int:
        with self.lock:
            return len(self.accepted)

    def snapshot(self) -> list[Accepted]:
        with self.lock:
            return list(self.accepted)
