"""Every view × every role, inside and outside its scope: a generated matrix.

Each view names the permission it needs and the object it acts on. For each actor the
expected answer is computed from ROLE_PERMISSIONS and where the role is granted, never
written by hand: allowed (a page, a form with errors, or a redirect that is not to the
login page) or 404 (never 403). Anonymous users are sent to the login page. A test also
checks that every routed view of the app is in the matrix, so a new view cannot skip it.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from members.models import BranchPost, OrgUnit, Role
from members.models.access import ROLE_PERMISSIONS
from members.services.org import branch_post_assign
from members.services.people import person_remove
from tests.factories import School, make_person, make_unit, make_user

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class View:
    name: str
    perm: str
    target: str  # "none", "person", "removed_person", "unit", "branch", "post"
    method: str = "get"


VIEWS = [
    View("people_list", "view_people", "none"),
    View("person_create", "change_people", "none"),
    View("person_detail", "view_people", "person"),
    View("person_edit", "change_people", "person"),
    View("person_remove", "change_people", "person"),
    View("person_restore", "change_people", "removed_person", "post"),
    View("person_id_number", "view_id_number", "person", "post"),
    View("org_tree", "view_people", "none"),
    View("org_unit_create", "manage_tree", "none"),
    View("org_unit_detail", "view_people", "unit"),
    View("org_unit_edit", "manage_tree", "unit"),
    View("org_unit_move", "manage_tree", "unit"),
    View("org_post_create", "manage_tree", "branch"),
    View("org_post_end", "manage_tree", "post", "post"),
    View("org_roles", "manage_roles", "unit"),
    View("people_export", "export_people", "none"),
    View("people_import", "import_people", "none"),
    View("dev_ledger_import", "import_people", "none"),
]
# Views outside the generated matrix, each with where it is tested instead.
ELSEWHERE = {
    "people_import_preview": "tests/test_excel_import.py (a token owned by its uploader)",
    "dev_ledger_preview": "tests/test_dev_ledger_import.py (a token owned by its uploader)",
    "my_record": "test_my_record_shows_only_own_record below",
    "home": "test_home_sends_each_actor_somewhere_they_may_go below",
    "healthz": "tests/test_accounts.py",
    "home_school": "tests/test_home.py (by where the grants sit, and ?unit= inside scope)",
    "home_committee": "tests/test_home.py",
    "home_branch": "tests/test_home.py",
    "document_download": "tests/test_uploads.py (by unit scope and by whom it is about)",
}

# (actor name, role, attribute of the fixture naming the unit it is granted on)
ACTORS = [
    ("school_admin", Role.SCHOOL_ADMIN, "school"),
    ("committee_office", Role.COMMITTEE_OFFICE, "college_a"),
    ("organizer", Role.ORGANIZER, "college_a"),
    ("branch_secretary", Role.BRANCH_SECRETARY, "branch_a1"),
    ("branch_committee", Role.BRANCH_COMMITTEE, "branch_a1"),
    ("member", None, None),
]


class World:
    """The fixture school plus a second school, so even the school-wide role has an
    outside; targets inside every role's scope sit in branch_a1."""

    def __init__(self) -> None:
        self.s = School()
        other_root = make_unit("另一所大学党委", OrgUnit.Kind.SCHOOL)
        other_college = make_unit("外校学院党委", OrgUnit.Kind.COMMITTEE, other_root)
        self.other_branch = make_unit("外校党支部", OrgUnit.Kind.BRANCH, other_college)
        self.stranger = make_person(self.other_branch, "外校学生")
        secretary_in = make_person(self.s.branch_a1, "书记甲", stage="full")
        secretary_out = make_person(self.other_branch, "书记乙", stage="full")
        day = dt.date(2025, 9, 1)
        self.post_in = branch_post_assign(
            unit=self.s.branch_a1,
            person=secretary_in,
            post=BranchPost.Post.SECRETARY,
            term_start=day,
            actor=None,
        )
        self.post_out = branch_post_assign(
            unit=self.other_branch,
            person=secretary_out,
            post=BranchPost.Post.SECRETARY,
            term_start=day,
            actor=None,
        )
        self.removed_in = make_person(self.s.branch_a1, "已移除甲")
        self.removed_out = make_person(self.other_branch, "已移除乙")
        for person in (self.removed_in, self.removed_out):
            person_remove(person=person, actor=None, reason="测试")

    def target(self, kind: str, inside: bool):
        return {
            "person": self.s.alice if inside else self.stranger,
            "removed_person": self.removed_in if inside else self.removed_out,
            "unit": self.s.branch_a1 if inside else self.other_branch,
            "branch": self.s.branch_a1 if inside else self.other_branch,
            "post": self.post_in if inside else self.post_out,
        }[kind]


def holds(role: str | None, perm: str) -> bool:
    return role is not None and perm in ROLE_PERMISSIONS[role]


def make_actor(world: World, actor: str, role, unit_attr):
    if role is None:
        user = make_user(f"m_{actor}")
        world.s.alice.user = user
        world.s.alice.save(update_fields=["user"])
        return user
    return make_user(f"u_{actor}", role=role, unit=getattr(world.s, unit_attr))


def call(client, view: View, obj):
    url = reverse(view.name, kwargs={"pk": obj.pk} if obj is not None else None)
    return client.post(url, {}) if view.method == "post" else client.get(url)


def is_allowed(response) -> bool:
    if response.status_code in (200, 400):
        return True
    return response.status_code in (301, 302) and reverse("login") not in response["Location"]


CASES = [
    (actor, view, inside)
    for actor in ACTORS
    for view in VIEWS
    for inside in ((True, False) if view.target != "none" else (True,))
]


@pytest.mark.parametrize(
    "actor, view, inside",
    CASES,
    ids=[f"{a[0]}-{v.name}-{'in' if i else 'out'}" for a, v, i in CASES],
)
def test_matrix(client, actor, view, inside):
    world = World()
    name, role, unit_attr = actor
    client.force_login(make_actor(world, name, role, unit_attr))
    obj = None if view.target == "none" else world.target(view.target, inside)
    expected = holds(role, view.perm) and inside
    # A member reads their own record: the one object outside every grant they may see.
    if role is None and view.name == "person_detail" and inside:
        expected = True
    response = call(client, view, obj)
    if expected:
        assert is_allowed(response), f"{name} should reach {view.name}: {response.status_code}"
    else:
        assert response.status_code == 404, (
            f"{name} must get 404 on {view.name}, got {response.status_code}"
        )


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_anonymous_is_sent_to_login(client, view):
    world = World()
    obj = None if view.target == "none" else world.target(view.target, True)
    response = call(client, view, obj)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_every_routed_view_is_in_the_matrix():
    def names(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin" and pattern.namespace is None:
                    yield from names(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    app_views = {n for n in names(get_resolver().url_patterns)} - {
        "login", "logout", "password_change", "password_change_done", "set_language",
    }  # fmt: skip
    covered = {v.name for v in VIEWS} | set(ELSEWHERE)
    assert app_views - covered == set()


def test_my_record_shows_only_own_record(client):
    world = World()
    user = make_actor(world, "member", None, None)
    client.force_login(user)
    response = client.get(reverse("my_record"))
    assert response.status_code == 200
    assert world.s.alice.name in response.content.decode()
    assert world.s.bob.name not in response.content.decode()


@pytest.mark.parametrize("actor", ACTORS, ids=[a[0] for a in ACTORS])
def test_home_sends_each_actor_somewhere_they_may_go(client, actor):
    world = World()
    client.force_login(make_actor(world, *actor))
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
