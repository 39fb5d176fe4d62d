from transfers.models.campaign import GraduateException, GraduationCampaign
from transfers.models.letters import (
    IntroductionLetter,
    LetterCounter,
    LetterIssuer,
    LetterStatus,
)
from transfers.models.mobile import MobileMember, MobileVerification
from transfers.models.transfer import (
    OPEN_STATUSES,
    Category,
    DestinationKind,
    Direction,
    Reach,
    Transfer,
    TransferAction,
    TransferEvent,
    TransferStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "Category",
    "DestinationKind",
    "Direction",
    "GraduateException",
    "GraduationCampaign",
    "IntroductionLetter",
    "LetterCounter",
    "LetterIssuer",
    "LetterStatus",
    "MobileMember",
    "MobileVerification",
    "Reach",
    "Transfer",
    "TransferAction",
    "TransferEvent",
    "TransferStatus",
]
