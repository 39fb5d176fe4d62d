import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from members.models import BranchPost, OrgUnit, Role, Stage
from members.selectors import branch_warnings
from members.services.org import (
    branch_post_assign,
    branch_post_end,
    org_unit_create,
    org_unit_move,
    org_unit_update,
)
from tests.factories import make_person, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The assertions read the English messages."""
    with translation.override("en"):
        yield
K = OrgUnit.Kind


def test_paths_are_prefixes_of_children(school):
    assert school.branch_a1.path.startswith(school.general_a.path)
    assert school.general_a.path.startswith(school.college_a.path)
    assert school.branch_a1.depth == 3


@pytest.mark.parametrize(
    "kind, parent_attr",
    [
        (K.BRANCH, "school"),
        (K.GROUP, "college_a"),
        (K.COMMITTEE, "branch_a1"),
        (K.GENERAL_BRANCH, "general_a"),
    ],
)
def test_kinds_only_under_their_parents(school, kind, parent_attr):
    with pytest.raises(ValidationError):
        org_unit_create(name="x", kind=kind, parent=getattr(school, parent_attr), actor=None)


def test_move_rewrites_the_whole_subtree_in_one_go(school):
    group = make_unit("党小组", K.GROUP, school.branch_a1)
    org_unit_move(unit=school.general_a, new_parent=school.college_b, actor=None)
    for unit in (school.general_a, school.branch_a1, group):
        unit.refresh_from_db()
    assert school.general_a.path.startswith(school.college_b.path)
    assert group.path.startswith(school.branch_a1.path)
    assert school.branch_a1.path.startswith(school.general_a.path)
    assert group.depth == 4
    assert not OrgUnit.objects.filter(
        path__startswith=school.college_a.path + school.general_a.path[-9:]
    ).exists()


def test_cannot_move_into_own_subtree(school):
    with pytest.raises(ValidationError):
        org_unit_move(unit=school.college_a, new_parent=school.general_a, actor=None)


def test_tree_changes_need_manage_tree_on_both_ends(school):
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    with pytest.raises(PermissionDenied):
        org_unit_create(name="x", kind=K.BRANCH, parent=school.college_a, actor=office)
    admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    unit = org_unit_create(name="新支部", kind=K.BRANCH, parent=school.college_a, actor=admin)
    assert unit.parent == school.college_a
    org_unit_update(unit=unit, actor=admin, name="新支部（改）")
    unit.refresh_from_db()
    assert unit.name == "新支部（改）"


def _seat(school, stage, full_on, post=BranchPost.Post.SECRETARY, start=dt.date(2025, 9, 1)):
    person = make_person(
        school.branch_a1,
        stage=stage,
        full_member_on=full_on,
        joined_on=full_on and full_on - dt.timedelta(days=365),
    )
    return branch_post_assign(
        unit=school.branch_a1, person=person, post=post, term_start=start, actor=None
    )


@pytest.mark.parametrize(
    "full_on, today, warned",
    [
        (dt.date(2024, 9, 1), dt.date(2025, 9, 1), True),  # exactly one year: not more than one
        (dt.date(2024, 9, 1), dt.date(2025, 9, 2), False),  # one year and a day
        (dt.date(2024, 9, 2), dt.date(2025, 9, 1), True),  # a day short
    ],
)
def test_student_secretary_needs_more_than_one_year_standing(school, full_on, today, warned):
    _seat(school, Stage.FULL, full_on, start=dt.date(2025, 9, 1))
    messages = [w.message for w in branch_warnings([school.branch_a1], today)]
    assert any("Party standing" in m for m in messages) is warned


def test_committee_members_must_be_full_members(school):
    _seat(school, Stage.FULL, dt.date(2020, 7, 1))
    _seat(school, Stage.PROBATIONARY, None, post=BranchPost.Post.ORGANIZATION)
    messages = [w.message for w in branch_warnings([school.branch_a1], dt.date(2025, 10, 1))]
    assert sum("not a full member" in m for m in messages) == 1


def test_missing_secretary_and_off_month_start_are_warned(school):
    messages = [w.message for w in branch_warnings([school.branch_a1], dt.date(2025, 10, 1))]
    assert any("no secretary" in m for m in messages)
    _seat(school, Stage.FULL, dt.date(2020, 7, 1), start=dt.date(2025, 3, 1))
    messages = [w.message for w in branch_warnings([school.branch_a1], dt.date(2025, 10, 1))]
    assert any("first month" in m for m in messages)
    assert not any("no secretary" in m for m in messages)


def test_ended_term_no_longer_counts(school):
    seat = _seat(school, Stage.FULL, dt.date(2020, 7, 1))
    with pytest.raises(ValidationError):
        branch_post_end(seat=seat, on=dt.date(2025, 8, 1), actor=None)
    branch_post_end(seat=seat, on=dt.date(2025, 9, 30), actor=None)
    messages = [w.message for w in branch_warnings([school.branch_a1], dt.date(2025, 10, 1))]
    assert any("no secretary" in m for m in messages)


def test_posts_only_for_people_of_the_branch(school):
    with pytest.raises(ValidationError):
        branch_post_assign(
            unit=school.branch_a1,
            person=school.carol,
            post="secretary",
            term_start=dt.date(2025, 9, 1),
            actor=None,
        )
