"""Every transition of the development pipeline: one guarded service each, in a transaction,
with the person locked, every precondition checked (development.requirements), the step
recorded with actor, date, decision and evidence, and the stage moved with its history."""

from development.services.activist import (
    activist_file,
    assessment_record,
    candidate_determine,
    contacts_assign,
)
from development.services.admission import (
    admission_approve,
    admission_file,
    application_form_issue,
    approval_special_case_record,
    higher_talk_record,
    pre_review_decide,
)
from development.services.applicant import (
    activist_determine,
    applicant_talk_record,
    application_withdraw,
    person_apply,
    recommendation_record,
    thought_report_record,
)
from development.services.candidate import (
    branch_review_record,
    candidate_file,
    introducers_assign,
    political_review_record,
    training_record,
)
from development.services.evidence import step_documents_attach, step_record_with_documents
from development.services.facts import (
    experience_record,
    local_rules_update,
    veto_lift,
    veto_raise,
    volunteer_record,
)
from development.services.meetings import (
    VoteInput,
    admission_meeting_record,
    conversion_meeting_record,
)
from development.services.notices import (
    notice_objection_record,
    notice_objection_resolve,
    notice_open,
)
from development.services.probation import (
    archive_record,
    conversion_apply,
    conversion_approve,
    conversion_pre_review_decide,
    oath_record,
    placement_record,
    probation_cancel,
    probation_extend,
)

__all__ = [
    "VoteInput",
    "activist_determine",
    "activist_file",
    "admission_approve",
    "admission_file",
    "admission_meeting_record",
    "applicant_talk_record",
    "application_form_issue",
    "application_withdraw",
    "approval_special_case_record",
    "archive_record",
    "assessment_record",
    "branch_review_record",
    "candidate_determine",
    "candidate_file",
    "contacts_assign",
    "conversion_apply",
    "conversion_approve",
    "conversion_meeting_record",
    "conversion_pre_review_decide",
    "experience_record",
    "higher_talk_record",
    "introducers_assign",
    "local_rules_update",
    "notice_objection_record",
    "notice_objection_resolve",
    "notice_open",
    "oath_record",
    "person_apply",
    "placement_record",
    "political_review_record",
    "pre_review_decide",
    "probation_cancel",
    "probation_extend",
    "recommendation_record",
    "thought_report_record",
    "step_documents_attach",
    "step_record_with_documents",
    "training_record",
    "veto_lift",
    "veto_raise",
    "volunteer_record",
]
