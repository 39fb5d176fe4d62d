"""Read side of transfers/: retained graduates (retention) and transfers, letters, campaigns
and mobile members (movement). Every queryset goes through the one scoping method."""

from transfers.selectors.movement import (
    Progress,
    campaign_exceptions,
    campaign_progress,
    campaign_scope_q,
    campaign_transfers,
    campaigns_for,
    graduates,
    late_mobile,
    letters_for,
    members_for,
    mobile_for,
    overdue_letters,
    transfers_for,
)
from transfers.selectors.retention import (
    QueueRow,
    RetainedRow,
    applications_in_scope,
    awaiting_employer_report,
    deadline_state,
    own_applications,
    retained_graduates,
    retention_queue,
)

__all__ = [
    "Progress",
    "QueueRow",
    "RetainedRow",
    "applications_in_scope",
    "awaiting_employer_report",
    "campaign_exceptions",
    "campaign_progress",
    "campaign_scope_q",
    "campaign_transfers",
    "campaigns_for",
    "deadline_state",
    "graduates",
    "late_mobile",
    "letters_for",
    "members_for",
    "mobile_for",
    "overdue_letters",
    "own_applications",
    "retained_graduates",
    "retention_queue",
    "transfers_for",
]
