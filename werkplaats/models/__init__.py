"""The core domain: people, organisations, professional workplaces (PW) and memberships.

One module per subject (issue 17), all in the ``werkplaats`` app: ``accounts`` (logins and the
audit log), ``choices`` (roles, sectors, languages), ``workplaces`` (organisations, PWs,
research access), ``people`` (people, memberships, account invitations, cohort imports),
``activities`` (the activity log and its counters), ``goals`` (shared learning goals and the
school year) and ``notifications`` (the notification ledger, digests and settings). Every
name is imported here, so ``from werkplaats.models import Person`` and the migrations keep
working, and Django finds every model of the app.
"""

from __future__ import annotations

from werkplaats.models.accounts import (
    AuditEvent,
    User,
    UserManager,
)
from werkplaats.models.activities import (
    Activity,
    ActivityElementCount,
    ActivityHeadcount,
    ActivityKind,
    ActivityQuerySet,
    Level,
)
from werkplaats.models.choices import (
    Language,
    OrganisationKind,
    Role,
    Sector,
)
from werkplaats.models.goals import (
    FEEDBACK_MAX_LENGTH,
    GoalReminder,
    GoalStatus,
    GoalSupport,
    GoalUpdate,
    GoalVisibility,
    LearningGoal,
    LearningGoalQuerySet,
    ReminderKind,
    SupportStatus,
    UpdateKind,
    school_year_bounds,
    school_year_of,
    school_year_start,
)
from werkplaats.models.notifications import (
    Channel,
    DigestFrequency,
    MailState,
    Notification,
    NotificationDigest,
    NotificationKind,
    NotificationSettings,
)
from werkplaats.models.people import (
    AccountInvitation,
    AccountInvitationQuerySet,
    CohortImport,
    InvitationStatus,
    Membership,
    MembershipQuerySet,
    Person,
    in_force,
)
from werkplaats.models.workplaces import (
    Organisation,
    ResearchGrant,
    ResearchGrantQuerySet,
    Workplace,
    WorkplaceQuerySet,
)

__all__ = [
    "AccountInvitation",
    "AccountInvitationQuerySet",
    "Activity",
    "ActivityElementCount",
    "ActivityHeadcount",
    "ActivityKind",
    "ActivityQuerySet",
    "AuditEvent",
    "Channel",
    "CohortImport",
    "DigestFrequency",
    "FEEDBACK_MAX_LENGTH",
    "GoalReminder",
    "GoalStatus",
    "GoalSupport",
    "GoalUpdate",
    "GoalVisibility",
    "InvitationStatus",
    "Language",
    "LearningGoal",
    "LearningGoalQuerySet",
    "Level",
    "MailState",
    "Membership",
    "MembershipQuerySet",
    "Notification",
    "NotificationDigest",
    "NotificationKind",
    "NotificationSettings",
    "Organisation",
    "OrganisationKind",
    "Person",
    "ReminderKind",
    "ResearchGrant",
    "ResearchGrantQuerySet",
    "Role",
    "Sector",
    "SupportStatus",
    "UpdateKind",
    "User",
    "UserManager",
    "Workplace",
    "WorkplaceQuerySet",
    "in_force",
    "school_year_bounds",
    "school_year_of",
    "school_year_start",
]
