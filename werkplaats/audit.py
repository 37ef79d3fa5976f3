"""The audit log: one call per event, from views and signals. Records ids, never names."""

from __future__ import annotations

from django.http import HttpRequest

from werkplaats.models import AuditEvent
from werkplaats.security import client_ip


def record(
    request: HttpRequest | None,
    action: str,
    *,
    workplace=None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
) -> None:
    """Write one audit event: the logged-in user (if any), the action, the PW and object ids,
    and the client address. Written in the request's transaction."""
    user = getattr(request, "user", None)
    AuditEvent.objects.create(
        actor=user if user is not None and user.is_authenticated else None,
        action=action,
        workplace_id=getattr(workplace, "pk", workplace),
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id or (obj.pk if obj is not None else "")),
        address=client_ip(request) if request is not None else None,
    )


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A failed login: when and from where, not the name that was tried (an e-mail address)."""
    record(request, "login.failed")
