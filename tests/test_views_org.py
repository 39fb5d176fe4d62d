"""Organization pages: the tree of a user's scope, unit pages, creating / editing / moving
units, committee posts and their warnings, and granting roles — each per role and scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import AuditEvent
from members.models import BranchPost, OrgUnit, Person, RoleGrant
from members.models.access import Role
from members.scoping import forget_scope, granted_paths
from members.services.org import branch_post_assign
from tests.factories import make_person, make_unit, make_user
from tests.test_views_people import ACTOR_NAMES, Actors, client_for, make_actors


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def actors(school) -> Actors:
    return make_actors(school)


def tree_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li data-unit-id="(\d+)"', response.content.decode())]


UNITS = ("school", "college_a", "general_a", "branch_a1", "branch_a2", "college_b", "branch_b1")

UNIT_PAGES = (
    # (url name, permission it needs, only for branches)
    ("org_unit_detail", "view_people", False),
    ("org_unit_edit", "manage_tree", False),
    ("org_unit_move", "manage_tree", False),
    ("org_post_create", "manage_tree", True),
    ("org_roles", "manage_roles", False),
)


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_unit_pages_answer_by_scope(actors, actor_name):
    """The generated matrix: every role × every unit × every unit page."""
    client = client_for(getattr(actors, actor_name))
    for unit_attr in UNITS:
        unit: OrgUnit = getattr(actors.school, unit_attr)
        for url_name, perm, branches_only in UNIT_PAGES:
            expected = actors.may(actor_name, perm, unit)
            if branches_only and unit.kind != OrgUnit.Kind.BRANCH:
                expected = False
            response = client.get(reverse(url_name, args=[unit.pk]))
            assert response.status_code == (200 if expected else 404), (
                actor_name,
                unit_attr,
                url_name,
            )
        create = client.get(reverse("org_unit_create"), {"parent": unit.pk})
        expected = actors.may(actor_name, "manage_tree", unit)
        assert create.status_code == (200 if expected else 404), (actor_name, unit_attr)


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_tree_shows_exactly_the_scope_nested(actors, actor_name):
    s = actors.school
    response = client_for(getattr(actors, actor_name)).get(reverse("org_tree"))
    if actors.grant(actor_name) is None:
        assert response.status_code == 404
        return
    expected = [
        getattr(s, u).pk
        for u in sorted(UNITS, key=lambda u: getattr(s, u).path)
        if actors.may(actor_name, "view_people", getattr(s, u))
    ]
    assert tree_ids(response) == expected
    # The nesting is balanced and follows the tree.
    html = response.content.decode()
    tree = html.split('id="org-tree"')[1]
    assert tree.count("<ul") == tree.count("</ul>") > 0
    assert tree.count("<li data-unit-id") == len(expected)


def test_tree_nests_by_depth_and_counts_people_per_subtree(actors):
    s = actors.school
    make_person(s.branch_a1, "钱一")
    response = client_for(actors.admin).get(reverse("org_tree"))
    nodes = {node.unit.pk: node for node in response.context["nodes"]}
    assert nodes[s.school.pk].level == 0
    assert nodes[s.branch_a1.pk].level == 3
    assert nodes[s.branch_a2.pk].level == 2
    assert nodes[s.branch_a1.pk].people == 2
    assert nodes[s.general_a.pk].people == 2 and nodes[s.general_a.pk].own_people == 0
    assert nodes[s.college_a.pk].people == 3
    assert nodes[s.school.pk].people == 4
    # Removed people are not counted.
    from members.services.people import person_remove

    person_remove(person=s.carol, actor=None, reason="转出")
    response = client_for(actors.admin).get(reverse("org_tree"))
    nodes = {node.unit.pk: node for node in response.context["nodes"]}
    assert nodes[s.college_b.pk].people == 0


def test_tree_roots_are_the_granted_units(actors):
    s = actors.school
    response = client_for(actors.secretary).get(reverse("org_tree"))
    nodes = response.context["nodes"]
    assert [(n.unit.pk, n.level) for n in nodes] == [(s.branch_a1.pk, 0)]


def test_tree_shows_seed_002_warnings(actors):
    s = actors.school
    # A probationary member as secretary of a student branch, taking office in March.
    Person.objects.filter(pk=s.bob.pk).update(stage="probationary")
    branch_post_assign(
        unit=s.branch_a2, person=s.bob, post="secretary", term_start=dt.date(2024, 3, 1), actor=None
    )
    # A full member of long standing, taking office in September: no warning.
    Person.objects.filter(pk=s.alice.pk).update(stage="full", full_member_on=dt.date(2019, 9, 1))
    branch_post_assign(
        unit=s.branch_a1,
        person=s.alice,
        post="secretary",
        term_start=dt.date(2024, 9, 1),
        actor=None,
    )
    response = client_for(actors.admin).get(reverse("org_tree"))
    nodes = {node.unit.pk: node for node in response.context["nodes"]}
    assert nodes[s.branch_a1.pk].warnings == []
    assert len(nodes[s.branch_a2.pk].warnings) == 3  # not full, standing, not September
    assert len(nodes[s.branch_b1.pk].warnings) == 1  # no secretary
    assert response.context["warning_count"] == 4
    html = response.content.decode()
    assert html.count(f'data-warning-unit="{s.branch_a2.pk}"') == 3
    detail = client_for(actors.admin).get(reverse("org_unit_detail", args=[s.branch_a2.pk]))
    assert len(detail.context["warnings"]) == 3
    assert (
        f'data-post-id="{BranchPost.objects.get(unit=s.branch_a2).pk}"' in detail.content.decode()
    )


def test_unit_detail_lists_only_visible_children_and_ancestors(actors):
    s = actors.school
    response = client_for(actors.office).get(reverse("org_unit_detail", args=[s.general_a.pk]))
    assert [u.pk for u in response.context["ancestors"]] == [s.college_a.pk]
    assert [u.pk for u in response.context["children"]] == [s.branch_a1.pk]
    assert response.context["people_count"] == 1


# --- Creating, editing and moving units ----------------------------------------------------


def test_create_child_offers_kinds_valid_for_the_parent(actors):
    s = actors.school
    client = client_for(actors.admin)
    kinds = lambda parent: [  # noqa: E731
        k
        for k, _label in client.get(reverse("org_unit_create"), {"parent": parent.pk})
        .context["form"]
        .fields["kind"]
        .choices
    ]
    assert kinds(s.school) == ["committee"]
    assert kinds(s.college_a) == ["general_branch", "branch"]
    assert kinds(s.general_a) == ["branch"]
    assert kinds(s.branch_a1) == ["group"]


def test_create_child_unit_through_the_service(actors):
    s = actors.school
    response = client_for(actors.admin).post(
        reverse("org_unit_create") + f"?parent={s.general_a.pk}",
        {"name": "计算机本科生第二党支部", "kind": "branch", "branch_kind": "undergraduate"},
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(name="计算机本科生第二党支部")
    assert unit.parent == s.general_a and unit.path.startswith(s.general_a.path)
    assert unit.depth == s.general_a.depth + 1
    assert AuditEvent.objects.filter(action="create", target_id=str(unit.pk)).exists()


def test_create_refuses_an_invalid_kind_and_a_branch_without_type(actors):
    s = actors.school
    client = client_for(actors.admin)
    count = OrgUnit.objects.count()
    url = reverse("org_unit_create") + f"?parent={s.college_a.pk}"
    response = client.post(url, {"name": "x", "kind": "committee"})
    assert response.status_code == 200 and response.context["form"].errors["kind"]
    response = client.post(url, {"name": "x", "kind": "branch", "branch_kind": ""})
    assert response.context["form"].errors["branch_kind"]
    assert OrgUnit.objects.count() == count


def test_create_without_parent_offers_only_managed_units(actors):
    s = actors.school
    response = client_for(actors.admin).get(reverse("org_unit_create"))
    assert response.status_code == 200
    assert s.school in response.context["parents"]
    assert client_for(actors.office).get(reverse("org_unit_create")).status_code == 404


def test_edit_unit_records_before_and_after(actors):
    s = actors.school
    response = client_for(actors.admin).post(
        reverse("org_unit_edit", args=[s.branch_a1.pk]),
        {
            "name": "计算机本科生一支部",
            "branch_kind": "undergraduate",
            "code": "CS1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    s.branch_a1.refresh_from_db()
    assert s.branch_a1.name == "计算机本科生一支部" and s.branch_a1.code == "CS1"
    event = AuditEvent.objects.filter(action="update", target_id=str(s.branch_a1.pk)).get()
    assert event.detail["name"] == ["计算机本科生第一党支部", "计算机本科生一支部"]


def test_move_targets_stay_in_scope_and_out_of_the_subtree(actors):
    s = actors.school
    scoped_admin = make_user("college_admin", role=Role.SCHOOL_ADMIN, unit=s.college_a)
    response = client_for(scoped_admin).get(reverse("org_unit_move", args=[s.branch_a1.pk]))
    targets = set(response.context["form"].fields["new_parent"].queryset)
    # Branches go under committees or general branches; its current parent is left out, and
    # college B is outside this admin's scope.
    assert targets == {s.college_a}
    response = client_for(actors.admin).get(reverse("org_unit_move", args=[s.general_a.pk]))
    targets = set(response.context["form"].fields["new_parent"].queryset)
    assert targets == {s.college_b}


def test_move_subtree_and_refusals(actors):
    s = actors.school
    client = client_for(actors.admin)
    url = reverse("org_unit_move", args=[s.general_a.pk])
    # Not under itself or its own subtree (not among the choices, so a form error).
    response = client.post(url, {"new_parent": s.branch_a1.pk})
    assert response.status_code == 200 and response.context["form"].errors["new_parent"]
    response = client.post(url, {"new_parent": s.college_b.pk})
    assert response.status_code == 302
    s.branch_a1.refresh_from_db()
    assert s.branch_a1.path.startswith(s.college_b.path)
    # The people moved with it: the college A office no longer sees alice.
    office = client_for(actors.office)
    assert office.get(reverse("person_detail", args=[s.alice.pk])).status_code == 404


def test_move_into_a_unit_outside_scope_is_refused(actors):
    s = actors.school
    scoped_admin = make_user("college_admin", role=Role.SCHOOL_ADMIN, unit=s.college_a)
    response = client_for(scoped_admin).post(
        reverse("org_unit_move", args=[s.branch_a1.pk]), {"new_parent": s.college_b.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["new_parent"]
    s.branch_a1.refresh_from_db()
    assert s.branch_a1.parent == s.general_a


# --- Committee posts -----------------------------------------------------------------------


def test_add_and_end_a_post(actors):
    s = actors.school
    client = client_for(actors.admin)
    url = reverse("org_post_create", args=[s.branch_a1.pk])
    people = set(client.get(url).context["form"].fields["person"].queryset)
    assert people == {s.alice}  # only the branch's own people
    response = client.post(
        url, {"person": s.bob.pk, "post": "secretary", "term_start": "2024-09-01"}
    )
    assert response.status_code == 200 and response.context["form"].errors["person"]
    response = client.post(
        url,
        {
            "person": s.alice.pk,
            "post": "secretary",
            "term_start": "2024-09-01",
            "term_end": "2024-08-01",
        },
    )
    assert response.context["form"].errors["term_end"]
    response = client.post(
        url, {"person": s.alice.pk, "post": "secretary", "term_start": "2024-09-01"}
    )
    assert response.status_code == 302
    seat = BranchPost.objects.get()
    assert seat.person == s.alice and seat.term_end is None
    # The person page lists the current post.
    page = client.get(reverse("person_detail", args=[s.alice.pk]))
    assert page.context["posts"] == [seat]

    end = reverse("org_post_end", args=[seat.pk])
    assert client_for(actors.secretary).post(end, {"on": "2025-07-01"}).status_code == 404
    assert client.post(end, {"on": "2025-07-01"}).status_code == 302
    seat.refresh_from_db()
    assert seat.term_end == dt.date(2025, 7, 1)


def test_post_end_before_start_is_refused(actors):
    s = actors.school
    seat = branch_post_assign(
        unit=s.branch_a1, person=s.alice, post="propaganda", term_start=dt.date(2024, 9, 1),
        actor=None,
    )  # fmt: skip
    response = client_for(actors.admin).post(
        reverse("org_post_end", args=[seat.pk]), {"on": "2024-01-01"}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.term_end is None


# --- Roles ---------------------------------------------------------------------------------


def test_grant_and_revoke_a_role(actors):
    s = actors.school
    newcomer = make_user("newcomer")
    client = client_for(actors.office)
    url = reverse("org_roles", args=[s.branch_a2.pk])
    response = client.post(url, {"grant": "1", "username": "newcomer", "role": "branch_secretary"})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=newcomer)
    assert grant.unit == s.branch_a2 and grant.granted_by == actors.office
    assert granted_paths(newcomer, "change_people") == (s.branch_a2.path,)
    assert f'data-grant-id="{grant.pk}"' in client.get(url).content.decode()

    assert client.post(url, {"revoke": str(grant.pk)}).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    newcomer.refresh_from_db()
    forget_scope(newcomer)  # this object still holds the scope read before the revoke
    assert granted_paths(newcomer, "view_people") == ()


def test_roles_cannot_exceed_the_granter(actors):
    s = actors.school
    newcomer = make_user("newcomer")
    client = client_for(actors.office)
    url = reverse("org_roles", args=[s.branch_a2.pk])
    roles = [r for r, _label in client.get(url).context["form"].fields["role"].choices]
    assert Role.SCHOOL_ADMIN not in roles and Role.BRANCH_SECRETARY in roles
    response = client.post(url, {"grant": "1", "username": "newcomer", "role": "school_admin"})
    assert response.status_code == 200 and response.context["form"].errors["role"]
    assert not RoleGrant.objects.filter(user=newcomer).exists()


def test_role_grant_reports_unknown_accounts(actors):
    s = actors.school
    response = client_for(actors.office).post(
        reverse("org_roles", args=[s.branch_a2.pk]),
        {"grant": "1", "username": "nobody", "role": "organizer"},
    )
    assert response.status_code == 200 and response.context["form"].errors["username"]


def test_revoking_a_grant_on_another_unit_is_404(actors):
    s = actors.school
    other = RoleGrant.objects.get(user=actors.secretary)  # on branch A1
    response = client_for(actors.office).post(
        reverse("org_roles", args=[s.branch_a2.pk]), {"revoke": str(other.pk)}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_inactive_units_show_in_the_tree_marked(actors):
    s = actors.school
    closed = make_unit("已撤销党支部", OrgUnit.Kind.BRANCH, s.college_b, is_active=False)
    response = client_for(actors.admin).get(reverse("org_tree"))
    assert f'<li data-unit-id="{closed.pk}" data-depth="2" class="inactive">' in (
        response.content.decode()
    )
