"""Home pages by role, a module each; see `common` for how a user's homes are chosen."""

from partyadmin.home.views.branch import home_branch
from partyadmin.home.views.committee import home_committee
from partyadmin.home.views.common import home
from partyadmin.home.views.inspection import home_inspection
from partyadmin.home.views.retained import home_retained
from partyadmin.home.views.school import home_school

__all__ = [
    "home",
    "home_branch",
    "home_committee",
    "home_inspection",
    "home_retained",
    "home_school",
]
