from transfers.models.campaign import GraduateException, GraduationCampaign
from transfers.models.letters import (
    IntroductionLetter,
    LetterCounter,
    LetterIssuer,
    LetterStatus,
)
from transfers.models.mobile import MobileMember, MobileVerification
from transfers.models.retention import (
    COMMITMENTS,
    ApplicationEvent,
    ApplicationStatus,
    EmployerReportLink,
    Examination,
    Retention,
    RetentionApplication,
    RetentionCategory,
    RetentionReason,
)
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
    "ApplicationEvent",
    "ApplicationStatus",
    "COMMITMENTS",
    "Category",
    "DestinationKind",
    "Direction",
    "EmployerReportLink",
    "Examination",
    "GraduateException",
    "GraduationCampaign",
    "IntroductionLetter",
    "LetterCounter",
    "LetterIssuer",
    "LetterStatus",
    "MobileMember",
    "MobileVerification",
    "OPEN_STATUSES",
    "Reach",
    "Retention",
    "RetentionApplication",
    "RetentionCategory",
    "RetentionReason",
    "Transfer",
    "TransferAction",
    "TransferEvent",
    "TransferStatus",
]
