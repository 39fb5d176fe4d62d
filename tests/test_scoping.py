"""Scope: a grant on a unit holds for its whole subtree and nowhere else."""

import pytest

from members.models import OrgUnit, Person, Role
from members.scoping import forget_scope, granted_paths, has_unit_perm
from members.services.access import role_grant, role_revoke
from members.services.org import org_unit_move
from tests.factories import make_person, make_unit, make_user


def names(qs):
    return sorted(qs.values_list("name", flat=True))


@pytest.mark.django_db
def test_college_office_sees_its_whole_subtree_only(school):
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    assert names(Person.objects.restrict(office)) == ["张三", "李四"]
    assert school.carol.pk not in Person.objects.restrict(office).values_list("pk", flat=True)


@pytest.mark.django_db
def test_branch_secretary_sees_only_the_branch(school):
    secretary = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    assert names(Person.objects.restrict(secretary)) == ["张三"]
    assert names(OrgUnit.objects.restrict(secretary)) == [school.branch_a1.name]


@pytest.mark.django_db
def test_school_admin_sees_everyone(school):
    admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    assert Person.objects.restrict(admin).count() == 3


@pytest.mark.django_db
def test_member_sees_only_own_record(school):
    member = make_user()
    school.alice.user = member
    school.alice.save(update_fields=["user"])
    assert names(Person.objects.restrict(member)) == ["张三"]
    assert not Person.objects.restrict(member, "change_people").exists()


@pytest.mark.django_db
def test_global_permissions_and_superuser_do_not_widen_scope(school):
    from django.contrib.auth.models import Permission

    boss = make_user(is_superuser=True, is_staff=True)
    boss.user_permissions.add(Permission.objects.get(codename="view_people"))
    assert not Person.objects.restrict(boss).exists()


@pytest.mark.django_db
def test_anonymous_sees_nothing(school):
    from django.contrib.auth.models import AnonymousUser

    assert not Person.objects.restrict(AnonymousUser()).exists()


@pytest.mark.django_db
def test_nested_grants_collapse_and_scope_is_one_query(school, django_assert_num_queries):
    user = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    role_grant(user=user, unit=school.branch_a1, role=Role.BRANCH_SECRETARY, actor=None)
    forget_scope(user)
    with django_assert_num_queries(1):
        assert granted_paths(user, "view_people") == (school.college_a.path,)
        granted_paths(user, "view_people")  # cached for the request
    with django_assert_num_queries(1):
        list(Person.objects.restrict(user))


@pytest.mark.django_db
def test_revoking_removes_scope_but_keeps_other_roles(school):
    user = make_user()
    secretary = role_grant(user=user, unit=school.branch_a1, role=Role.BRANCH_SECRETARY, actor=None)
    role_grant(user=user, unit=school.branch_a1, role=Role.BRANCH_COMMITTEE, actor=None)
    role_revoke(grant=secretary, actor=None)
    assert has_unit_perm(user, "view_people", school.branch_a1)  # still a committee member
    assert not has_unit_perm(user, "change_people", school.branch_a1)


@pytest.mark.django_db
def test_scope_follows_a_moved_subtree(school):
    office_b = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_b)
    assert "李四" not in names(Person.objects.restrict(office_b))
    org_unit_move(unit=school.branch_a2, new_parent=school.college_b, actor=None)
    forget_scope(office_b)
    assert "李四" in names(Person.objects.restrict(office_b))


@pytest.mark.django_db
def test_inactive_unit_grants_give_nothing(school):
    user = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_b1)
    OrgUnit.objects.filter(pk=school.branch_b1.pk).update(is_active=False)
    forget_scope(user)
    assert not Person.objects.restrict(user).exists()


@pytest.mark.django_db
def test_removed_people_are_hidden_unless_asked(school):
    from members.services.people import person_remove

    admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    person_remove(person=school.carol, actor=admin, reason="毕业离校")
    assert "王五" not in names(Person.objects.restrict(admin))
    assert "王五" in names(Person.objects.restrict(admin, include_removed=True))


@pytest.mark.django_db
def test_deep_tree_scope_is_a_prefix(school):
    group = make_unit("第一党小组", OrgUnit.Kind.GROUP, school.branch_a1)
    deep = make_person(group, "赵六")
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    assert deep in Person.objects.restrict(office)


@pytest.mark.django_db
def test_nobody_grants_more_than_they_hold(school):
    from django.core.exceptions import PermissionDenied

    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    target = make_user()
    with pytest.raises(PermissionDenied):
        role_grant(user=target, unit=school.college_a, role=Role.SCHOOL_ADMIN, actor=office)
    grant = role_grant(user=target, unit=school.branch_a1, role=Role.BRANCH_SECRETARY, actor=office)
    assert grant.unit == school.branch_a1
    with pytest.raises(PermissionDenied):  # outside the office's subtree
        role_grant(user=target, unit=school.branch_b1, role=Role.BRANCH_SECRETARY, actor=office)
