from members.models.access import (
    OrgUnitGroupObjectPermission,
    OrgUnitUserObjectPermission,
    Role,
    RoleGrant,
    User,
)
from members.models.org import BranchPost, OrgUnit
from members.models.people import Person, PersonChange, Stage

__all__ = [
    "BranchPost",
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
