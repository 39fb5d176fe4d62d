from members.models.access import (
    OrgUnitGroupObjectPermission,
    OrgUnitUserObjectPermission,
    Role,
    RoleGrant,
    User,
)
from members.models.lapses import LapseCase, LapseCount, LapseStatus, LapseStep
from members.models.org import BranchPost, OrgUnit
from members.models.people import Person, PersonChange, Stage

__all__ = [
    "BranchPost",
    "LapseCase",
    "LapseCount",
    "LapseStatus",
    "LapseStep",
    "OrgUnit",
    "OrgUnitGroupObjectPermission",
    "OrgUnitUserObjectPermission",
    "Person",
    "PersonChange",
    "Role",
    "RoleGrant",
    "Stage",
    "User",
]
