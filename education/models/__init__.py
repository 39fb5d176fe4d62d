"""Education and check-ins (DESIGN §5): graduates' check-ins and Party dues."""

from education.models.checkins import (
    DEFAULT_RULES,
    CadenceUnit,
    Checkin,
    CheckinCategory,
    CheckinEvent,
    CheckinKind,
    CheckinPlan,
    CheckinRule,
    CheckinStatus,
    PlanStatus,
)
from education.models.dues import DuesAccount, DuesBasis, DuesPayment, PaymentSource

__all__ = [
    "DEFAULT_RULES",
    "CadenceUnit",
    "Checkin",
    "CheckinCategory",
    "CheckinEvent",
    "CheckinKind",
    "CheckinPlan",
    "CheckinRule",
    "CheckinStatus",
    "DuesAccount",
    "DuesBasis",
    "DuesPayment",
    "PaymentSource",
    "PlanStatus",
]
