"""Education and branch life (DESIGN §5): meetings, attendance and leave; Party-school
training; volunteer service, the graduates' "five ones" and assigned work; the annual
democratic appraisal. Check-ins and dues live beside them (checkins.py, dues.py)."""

from education.models.appraisal import (
    Appraisal,
    AppraisalEntry,
    AppraisalStatus,
    GraduateNomination,
    NominationStatus,
    Rating,
)
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
from education.models.meetings import (
    ORG_LIFE_KINDS,
    TARGETS,
    Attendance,
    AttendanceStatus,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingStatus,
)
from education.models.service import (
    FiveOne,
    FiveOnesRecord,
    VolunteerService,
    WorkAssignment,
    WorkStatus,
)
from education.models.training import Course, CourseSession, PartySchool, TrainingResult

__all__ = [
    "Appraisal",
    "AppraisalEntry",
    "AppraisalStatus",
    "Attendance",
    "AttendanceStatus",
    "CadenceUnit",
    "Checkin",
    "CheckinCategory",
    "CheckinEvent",
    "CheckinKind",
    "CheckinPlan",
    "CheckinRule",
    "CheckinStatus",
    "Course",
    "CourseSession",
    "DEFAULT_RULES",
    "DuesAccount",
    "DuesBasis",
    "DuesPayment",
    "FiveOne",
    "FiveOnesRecord",
    "GraduateNomination",
    "LeaveRequest",
    "LeaveStatus",
    "Meeting",
    "MeetingAttachment",
    "MeetingKind",
    "MeetingStatus",
    "NominationStatus",
    "ORG_LIFE_KINDS",
    "PartySchool",
    "PaymentSource",
    "PlanStatus",
    "Rating",
    "TARGETS",
    "TrainingResult",
    "VolunteerService",
    "WorkAssignment",
    "WorkStatus",
]
