"""The e-mail backend of the embedded default (DEBUG): each mail is logged at INFO, whole,
with its links, so a newcomer running ``make run`` can follow an invitation from the log.

Real logs never carry a secret link: ``RedactTokens`` redacts every other log line, and this
backend is used only with DEBUG on (settings), where the mails are the developer's own.
"""

from __future__ import annotations

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("werkplaats.mail")


class LoggingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            text = message.message().as_string()
            logger.info("mail to %s\n%s", ", ".join(message.recipients()), text,
                        extra={"dev_mail": True})  # fmt: skip
        return len(email_messages)
