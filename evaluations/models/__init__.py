"""Structural evaluation: instruments, cycles, invitations, responses and the mail ledger.

The flow (DOMAIN.md, "Evaluation: the structural cycle"):
1. A PW's ``EvaluationPlan`` says when its yearly cycle and optional check-ins run.
2. The beat sweep (``cycles.run_schedule``) creates each ``EvaluationCycle`` from the plan as a
   draft two weeks ahead, opens it on its date (inviting the current members) and closes it.
3. Every invited person gets one ``Invitation``; they answer through a secret link
   (``AccessToken``, stored as a hash only) or, with an account, from their home page.
4. ``Response`` holds one person's answers (one per invitation, enforced by the database).
5. Every mail is a row in ``MailDelivery`` with a unique (cycle, person, kind) key, so a mail is
   decided once and sent once, whatever beat or the broker did.
"""

from __future__ import annotations

from evaluations.models.cycles import (
    AccessToken,
    Answer,
    CheckIns,
    CycleKind,
    CycleQuerySet,
    CycleStatus,
    ElementComment,
    EvaluationCycle,
    EvaluationPlan,
    Invitation,
    Response,
    default_offsets,
    default_roles,
)
from evaluations.models.instruments import (
    NOT_APPLICABLE,
    PLAIN_LANGUAGE_ROLES,
    SCALE,
    Instrument,
    InstrumentVersion,
    Item,
)
from evaluations.models.mail import (
    DeliveryQuerySet,
    DeliveryStatus,
    MailDelivery,
    MailKind,
)
from evaluations.models.records import (
    ActionStatus,
    CharacteristicScan,
    ImprovementAction,
    Indicator,
    IndicatorValue,
    ItemTally,
    ScanStatus,
)

__all__ = [
    "NOT_APPLICABLE",
    "SCALE",
    "PLAIN_LANGUAGE_ROLES",
    "Instrument",
    "InstrumentVersion",
    "Item",
    "CycleKind",
    "CycleStatus",
    "CheckIns",
    "default_roles",
    "default_offsets",
    "EvaluationPlan",
    "CycleQuerySet",
    "EvaluationCycle",
    "Invitation",
    "AccessToken",
    "Response",
    "Answer",
    "ElementComment",
    "MailKind",
    "DeliveryStatus",
    "DeliveryQuerySet",
    "MailDelivery",
    "Indicator",
    "IndicatorValue",
    "ScanStatus",
    "CharacteristicScan",
    "ItemTally",
    "ActionStatus",
    "ImprovementAction",
]
