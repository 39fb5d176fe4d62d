"""Retained graduates (retention.py) and transfers; each module re-exported here."""

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

__all__ = [
    "COMMITMENTS",
    "ApplicationEvent",
    "ApplicationStatus",
    "EmployerReportLink",
    "Examination",
    "Retention",
    "RetentionApplication",
    "RetentionCategory",
    "RetentionReason",
]
