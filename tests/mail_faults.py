"""A mail server that refuses some addresses, for the tests of the notification ledger."""

from __future__ import annotations


def refuse(monkeypatch, addresses, exc: Exception | None = None) -> None:
    """Every mail to one of ``addresses`` raises ``exc`` (by default a temporary OSError)
    in Django's in-memory backend; ``monkeypatch.undo()`` lets them through again."""
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & set(addresses):
                raise exc if exc is not None else OSError("mailbox busy")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
