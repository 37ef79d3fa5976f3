"""Everything held about one person: export (right of access and portability) and erasure
(right to be forgotten), across apps without the core importing them.

Each app registers what it holds in ``AppConfig.ready()``::

    register_personal_data(PersonalData(key="evaluations", export=..., erase=...))

``export(person)`` returns plain JSON-able data; ``erase(person)`` removes or anonymises what
the app holds, keeping aggregates correct. ``erase_person`` runs every eraser and then deletes
the person and their account, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from werkplaats.models import (
    GoalUpdate,
    LearningGoal,
    Membership,
    NotificationSettings,
    Person,
)
from werkplaats.security import erase_login_records, login_records


@dataclass(frozen=True)
class PersonalData:
    key: str
    export: Callable[[Person], Any]
    erase: Callable[[Person], None]


_registry: dict[str, PersonalData] = {}


def register_personal_data(entry: PersonalData) -> None:
    _registry[entry.key] = entry


def export_person(person: Person) -> dict[str, Any]:
    """All data about a person, per app, as JSON-able values."""
    data: dict[str, Any] = {
        "person": {
            "name": person.name,
            "email": person.email,
            "preferred_language": person.preferred_language,
            "account": person.user.email if person.user_id else None,
        }
    }
    for key in sorted(_registry):
        data[key] = _registry[key].export(person)
    return data


def erase_person(person: Person) -> None:
    """Erase a person everywhere: each app's eraser, then the person and their account."""
    with transaction.atomic():
        for key in sorted(_registry):
            _registry[key].erase(person)
        user = person.user
        person.delete()
        if user is not None:
            erase_login_records(user.email)
            user.delete()


# --- What the core holds ------------------------------------------------------------------
def export_core(person: Person) -> dict[str, Any]:
    return {
        "memberships": [
            {
                "workplace": m.workplace.name,
                "role": m.role,
                "starts_on": m.starts_on.isoformat(),
                "ends_on": m.ends_on.isoformat() if m.ends_on else None,
            }
            for m in Membership.objects.filter(person=person).select_related("workplace")
        ],
        "activities": [
            {"workplace": a.workplace.name, "date": a.date.isoformat(), "title": a.title}
            for a in person.activities.select_related("workplace")
        ],
        "learning_goals": [
            {
                "title": g.title,
                "description": g.description,
                "why": g.why,
                "how": g.how,
                "status": g.status,
                "school_year": g.school_year,
            }
            for g in LearningGoal.objects.filter(owner=person)
        ],
        "goal_updates": [
            {"goal": u.goal.title, "kind": u.kind, "text": u.text, "at": u.created_at.isoformat()}
            for u in GoalUpdate.objects.filter(author=person).select_related("goal")
        ],
        "login_records": login_records(person.user.email) if person.user else [],
        # The links themselves are never stored (only their hash): when and what became of it.
        "account_invitations": [
            {
                "workplace": i.workplace.name if i.workplace else None,
                "created_at": i.created_at.isoformat(),
                "expires_at": i.expires_at.isoformat(),
                "status": i.status,
                "used_at": i.used_at.isoformat() if i.used_at else None,
                "revoked_at": i.revoked_at.isoformat() if i.revoked_at else None,
            }
            for i in person.account_invitations.select_related("workplace").order_by("created_at")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "workplace": n.workplace.name if n.workplace else None,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
                "mail": n.mail,
            }
            for n in person.notifications.select_related("workplace").order_by("created_at")
        ],
        "notification_settings": [
            {"channels": s.channels, "digest": s.digest}
            for s in NotificationSettings.objects.filter(person=person)
        ],
    }


def erase_core(person: Person) -> None:
    """Memberships, own goals, goal updates, account invitations, notifications, digests and
    notification settings go with the person (CASCADE); they leave the participant lists of
    activities and the co-owners of goals (many-to-many rows)."""
    person.activities.clear()
    person.shared_goals.clear()
