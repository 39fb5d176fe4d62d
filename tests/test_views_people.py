"""People pages: scope per role (a generated matrix), filters and search, forms and their
errors, history, soft removal, the audited ID-number reveal, and a member's own record.

Assertions look at data, status codes and element ids / data attributes, never at
translated text, and English is active so messages read the same without compiled
catalogues."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.models import AuditEvent
from members.filters import SORTS, filter_people
from members.models import OrgUnit, Person, PersonChange, User
from members.models.access import ROLE_PERMISSIONS, Role
from members.services.people import person_link_account, person_remove
from tests.factories import School, make_id_number, make_person, make_user


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class Actors:
    """One account per role, each on the unit a real one would hold it on."""

    school: School
    admin: User  # organization department, whole school
    office: User  # committee office, college A
    organizer: User  # organizer, college A
    secretary: User  # branch secretary, branch A1
    committee: User  # branch committee member, branch A1
    member: User  # no role; linked to 张三 (alice, in branch A1)
    outsider: User  # no role, no record

    # Where each role account is granted, for computing the expected answers.
    def grant(self, name: str) -> tuple[str, OrgUnit] | None:
        s = self.school
        return {
            "admin": (Role.SCHOOL_ADMIN, s.school),
            "office": (Role.COMMITTEE_OFFICE, s.college_a),
            "organizer": (Role.ORGANIZER, s.college_a),
            "secretary": (Role.BRANCH_SECRETARY, s.branch_a1),
            "committee": (Role.BRANCH_COMMITTEE, s.branch_a1),
        }.get(name)

    def may(self, name: str, perm: str, unit: OrgUnit) -> bool:
        """What the role table says: the perm is in the role and the unit in its subtree."""
        grant = self.grant(name)
        if grant is None:
            return False
        role, granted_on = grant
        return perm in ROLE_PERMISSIONS[role] and unit.path.startswith(granted_on.path)


def make_actors(school: School) -> Actors:
    member = make_user("member")
    person_link_account(person=school.alice, user=member, actor=None)
    return Actors(
        school=school,
        admin=make_user("admin", role=Role.SCHOOL_ADMIN, unit=school.school),
        office=make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a),
        organizer=make_user("organizer", role=Role.ORGANIZER, unit=school.college_a),
        secretary=make_user("secretary", role=Role.BRANCH_SECRETARY, unit=school.branch_a1),
        committee=make_user("committee", role=Role.BRANCH_COMMITTEE, unit=school.branch_a1),
        member=member,
        outsider=make_user("outsider"),
    )


@pytest.fixture
def actors(school) -> Actors:
    return make_actors(school)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-person-id="(\d+)"', response.content.decode())}


ACTOR_NAMES = ("admin", "office", "organizer", "secretary", "committee", "member", "outsider")
PEOPLE = ("alice", "bob", "carol")  # branch A1, branch A2 (college A), branch B1 (college B)


# --- The generated matrix: every role × every person × every person page. -----------------

PERSON_PAGES = (
    # (url name, method, permission it needs)
    ("person_detail", "get", "view_people"),
    ("person_edit", "get", "change_people"),
    ("person_remove", "get", "change_people"),
    ("person_id_number", "post", "view_id_number"),
)


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_person_pages_answer_by_scope(actors, actor_name):
    user = getattr(actors, actor_name)
    client = client_for(user)
    for person_attr in PEOPLE:
        person: Person = getattr(actors.school, person_attr)
        for url_name, method, perm in PERSON_PAGES:
            expected = actors.may(actor_name, perm, person.unit)
            # A member sees their own record, read-only.
            if url_name == "person_detail" and person.user_id == user.pk:
                expected = True
            url = reverse(url_name, args=[person.pk])
            response = getattr(client, method)(url)
            assert response.status_code == (200 if expected else 404), (
                actor_name,
                person_attr,
                url_name,
            )


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_people_list_shows_exactly_the_scope(actors, actor_name):
    user = getattr(actors, actor_name)
    response = client_for(user).get(reverse("people_list"))
    if actors.grant(actor_name) is None:
        assert response.status_code == 404  # staff page; members use my_record
        return
    expected = {
        getattr(actors.school, p).pk
        for p in PEOPLE
        if actors.may(actor_name, "view_people", getattr(actors.school, p).unit)
    }
    assert response.status_code == 200
    assert listed_ids(response) == expected


def test_anonymous_is_sent_to_login(school):
    response = Client().get(reverse("people_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- Filters, search, sorting and pagination ---------------------------------------------


def test_unit_filter_offers_only_units_in_scope(actors):
    s = actors.school
    response = client_for(actors.office).get(reverse("people_list"))
    form = response.context["form"]
    offered = {value for value, _label in form.fields["unit"].choices if value != ""}
    assert offered == {s.college_a.pk, s.general_a.pk, s.branch_a1.pk, s.branch_a2.pk}


def test_unit_filter_outside_scope_is_refused_not_applied(actors):
    s = actors.school
    response = client_for(actors.office).get(reverse("people_list"), {"unit": s.branch_b1.pk})
    assert response.context["form"].errors.get("unit")
    assert "unit" not in response.context["cleaned"]
    assert s.carol.pk not in listed_ids(response)
    assert listed_ids(response) == {s.alice.pk, s.bob.pk}


def test_unit_filter_takes_the_subtree(actors):
    s = actors.school
    response = client_for(actors.admin).get(reverse("people_list"), {"unit": s.college_a.pk})
    assert listed_ids(response) == {s.alice.pk, s.bob.pk}
    response = client_for(actors.admin).get(reverse("people_list"), {"unit": s.general_a.pk})
    assert listed_ids(response) == {s.alice.pk}


def test_filters_by_stage_grade_graduation_year_and_whereabouts(actors):
    s = actors.school
    a = make_person(
        s.branch_a1,
        "甲",
        stage="activist",
        grade=2021,
        expected_graduation=dt.date(2025, 6, 30),
        whereabouts=Person.Whereabouts.ABROAD,
    )
    b = make_person(s.branch_a1, "乙", grade=2022, expected_graduation=dt.date(2026, 6, 30))
    client = client_for(actors.secretary)
    url = reverse("people_list")
    assert listed_ids(client.get(url, {"stage": "activist"})) == {a.pk}
    assert listed_ids(client.get(url, {"grade": 2022})) == {b.pk}
    assert listed_ids(client.get(url, {"graduation_year": 2025})) == {a.pk}
    assert listed_ids(client.get(url, {"whereabouts": "abroad"})) == {a.pk}
    # Invalid values are reported and ignored, never a server error.
    response = client.get(url, {"grade": "abc", "stage": "emperor"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"grade", "stage"}
    assert listed_ids(response) == {s.alice.pk, a.pk, b.pk}


def test_search_by_name_and_student_number(actors):
    s = actors.school
    client = client_for(actors.admin)
    url = reverse("people_list")
    assert listed_ids(client.get(url, {"q": "张"})) == {s.alice.pk}
    assert listed_ids(client.get(url, {"q": "2021002"})) == {s.bob.pk}  # exact
    assert listed_ids(client.get(url, {"q": "202100"})) == {s.alice.pk, s.bob.pk, s.carol.pk}
    assert listed_ids(client.get(url, {"q": "9999"})) == set()


def test_search_by_exact_id_number_uses_the_blind_index(actors, monkeypatch):
    s = actors.school
    number = make_id_number(dt.date(2000, 1, 2), serial=777)
    dora = make_person(s.branch_a2, "赵六", id_number=number)

    def no_decrypt(*args, **kwargs):
        raise AssertionError("the list must never decrypt an ID number")

    monkeypatch.setattr("core.crypto.decrypt", no_decrypt)
    client = client_for(actors.office)
    response = client.get(reverse("people_list"), {"q": number.lower()})
    assert listed_ids(response) == {dora.pk}
    assert response.context["cleaned"]["q_kind"] == "id_number"
    # The rows show the masked form, never the number (the search box echoes the query).
    table = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert number not in table
    assert dora.id_number_masked in table
    # A number outside scope finds nothing.
    carol_number = make_id_number(dt.date(2002, 2, 28), serial=778)
    make_person(s.branch_b1, "钱七", id_number=carol_number)
    assert listed_ids(client.get(reverse("people_list"), {"q": carol_number})) == set()


def test_search_with_an_invalid_id_number_says_why(actors):
    response = client_for(actors.admin).get(reverse("people_list"), {"q": "110105200305170011"})
    assert response.status_code == 200
    assert response.context["cleaned"].get("q_error")
    assert 'id="search-note"' in response.content.decode()


def test_sorting_is_whitelisted_and_total(actors):
    s = actors.school
    client = client_for(actors.admin)
    url = reverse("people_list")
    names = lambda r: [p.name for p in r.context["page"].object_list]  # noqa: E731
    ascending = names(client.get(url, {"sort": "student_number"}))
    assert ascending == ["张三", "李四", "王五"]
    assert names(client.get(url, {"sort": "-student_number"})) == ascending[::-1]
    # Anything outside the whitelist is an error and falls back to the default order.
    response = client.get(url, {"sort": "id_number_encrypted"})
    assert response.status_code == 200
    assert response.context["cleaned"]["sort"] == "name"
    # Every sort ends with the primary key: a total order, so pages never overlap.
    assert all(columns[-1] == "id" for columns in SORTS.values())
    assert s.alice.pk in listed_ids(response)


def test_pagination_by_page_numbers(actors):
    s = actors.school
    for i in range(60):
        make_person(s.branch_a1, f"学生{i:02d}")
    client = client_for(actors.secretary)
    first = client.get(reverse("people_list"))
    second = client.get(reverse("people_list"), {"page": 2})
    assert first.context["page"].paginator.count == 61
    assert len(listed_ids(first)) == 50
    assert len(listed_ids(second)) == 11
    assert not listed_ids(first) & listed_ids(second)
    smaller = client.get(reverse("people_list"), {"per_page": 20, "page": 4})
    assert len(listed_ids(smaller)) == 1
    # A page past the end shows the last page rather than failing.
    assert client.get(reverse("people_list"), {"page": 99}).context["page"].number == 2


def test_export_link_keeps_the_query_and_needs_export_people(actors):
    response = client_for(actors.secretary).get(reverse("people_list"), {"q": "张", "page": 1})
    html = response.content.decode()
    assert 'id="people-export"' in html
    assert response.context["export_url"] == reverse("people_export") + "?q=%E5%BC%A0"
    committee = client_for(actors.committee).get(reverse("people_list"))
    assert 'id="people-export"' not in committee.content.decode()


def test_filter_people_is_reusable_with_a_user(actors):
    s = actors.school
    qs = Person.objects.restrict(actors.office)
    found, cleaned = filter_people(qs, {"unit": str(s.branch_b1.pk)}, user=actors.office)
    assert "unit" not in cleaned and cleaned["errors"]
    found, cleaned = filter_people(qs, {"unit": str(s.branch_a2.pk)}, user=actors.office)
    assert list(found) == [s.bob]
    assert cleaned["unit"] == s.branch_a2


def test_removed_people_are_listed_only_when_asked(actors):
    s = actors.school
    person_remove(person=s.alice, actor=None, reason="毕业离校")
    client = client_for(actors.secretary)
    assert listed_ids(client.get(reverse("people_list"))) == set()
    assert listed_ids(client.get(reverse("people_list"), {"removed": "on"})) == {s.alice.pk}


# --- Person page ---------------------------------------------------------------------------


def test_person_page_shows_groups_history_and_actions(actors):
    s = actors.school
    response = client_for(actors.secretary).get(reverse("person_detail", args=[s.alice.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert s.alice.id_number_masked in html
    assert 'id="history"' in html and 'data-kind="created"' in html
    assert 'id="person-edit"' in html and 'id="person-remove"' in html
    assert 'id="reveal-id-number"' not in html  # a secretary has no view_id_number
    # Read-only roles see no edit buttons; the ID reveal appears only for view_id_number.
    committee = client_for(actors.committee).get(reverse("person_detail", args=[s.alice.pk]))
    assert 'id="person-edit"' not in committee.content.decode()
    office = client_for(actors.office).get(reverse("person_detail", args=[s.alice.pk]))
    assert 'id="reveal-id-number"' in office.content.decode()


def test_member_sees_own_record_only(actors):
    s = actors.school
    client = client_for(actors.member)
    own = client.get(reverse("my_record"))
    html = own.content.decode()
    assert own.status_code == 200
    assert f'data-person-id="{s.alice.pk}"' in html
    assert 'data-stage="applicant"' in html and 'id="stage-since"' in html
    assert 'id="person-edit"' not in html
    assert client.get(reverse("person_detail", args=[s.alice.pk])).status_code == 200
    assert client.get(reverse("person_detail", args=[s.bob.pk])).status_code == 404
    assert client.get(reverse("person_edit", args=[s.alice.pk])).status_code == 404
    assert client.get(reverse("people_list")).status_code == 404
    # Home sends members to their record and staff to their home page.
    assert client.get(reverse("home"))["Location"] == reverse("my_record")
    assert client_for(actors.secretary).get(reverse("home"))["Location"] == reverse("home_branch")


def test_account_without_record_gets_a_note_not_an_error(actors):
    response = client_for(actors.outsider).get(reverse("my_record"))
    assert response.status_code == 200
    assert 'id="no-record"' in response.content.decode()


# --- ID number reveal ----------------------------------------------------------------------


def test_id_reveal_returns_the_number_and_is_audited(actors):
    s = actors.school
    url = reverse("person_id_number", args=[s.alice.pk])
    client = client_for(actors.office)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count()
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    number = json.loads(response.content)["id_number"]
    assert len(number) == 18 and number[:6] + "*" * 8 + number[-4:] == s.alice.id_number_masked
    assert "no-store" in response["Cache-Control"]
    events = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL)
    assert events.count() == before + 1
    event = events.first()
    assert event.actor == actors.office and event.target_id == str(s.alice.pk)
    # Without JavaScript the answer is a page with the number.
    page = client.post(url)
    assert page.status_code == 200 and number in page.content.decode()
    # GET never reveals.
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("actor_name", ["secretary", "committee", "organizer", "member"])
def test_id_reveal_refused_without_the_permission(actors, actor_name):
    s = actors.school
    response = client_for(getattr(actors, actor_name)).post(
        reverse("person_id_number", args=[s.alice.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_id_reveal_outside_scope_is_404(actors):
    s = actors.school
    response = client_for(actors.office).post(reverse("person_id_number", args=[s.carol.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


# --- Create and edit -----------------------------------------------------------------------


def form_data(person: Person | None = None, **overrides) -> dict[str, str]:
    """POST data for the person form: the stored values, or a blank new person."""
    data: dict[str, str] = {"name": "", "unit": "", "whereabouts": "on_campus"}
    if person is not None:
        data.update(
            name=person.name,
            unit=str(person.unit_id),
            sex=person.sex,
            ethnicity=person.ethnicity,
            birth_date=person.birth_date.isoformat() if person.birth_date else "",
            student_number=person.student_number or "",
            mobile=person.mobile,
            whereabouts=person.whereabouts,
        )
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def test_create_saves_through_the_service_with_history(actors):
    s = actors.school
    number = make_id_number(dt.date(2004, 9, 1), serial=321)
    response = client_for(actors.secretary).post(
        reverse("person_create"),
        form_data(name="孙八", unit=s.branch_a1.pk, id_number=number, student_number="2023001"),
    )
    assert response.status_code == 302
    person = Person.objects.get(student_number="2023001")
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert person.unit == s.branch_a1 and person.stage == "applicant"
    assert person.birth_date == dt.date(2004, 9, 1)  # read from the ID number
    assert person.id_number_masked.startswith("110105")
    assert person.changes.get().kind == PersonChange.Kind.CREATED
    assert person.changes.get().actor == actors.secretary


def test_create_offers_only_units_with_change_people(actors):
    s = actors.school
    response = client_for(actors.office).get(reverse("person_create"))
    offered = {unit.pk for unit in response.context["form"].fields["unit"].queryset}
    assert offered == {s.college_a.pk, s.general_a.pk, s.branch_a1.pk, s.branch_a2.pk}
    # Roles without change_people have no create page at all.
    assert client_for(actors.organizer).get(reverse("person_create")).status_code == 404


def test_create_outside_scope_is_refused_and_nothing_saved(actors):
    s = actors.school
    count = Person.objects.count()
    response = client_for(actors.secretary).post(
        reverse("person_create"), form_data(name="周九", unit=s.branch_b1.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert Person.objects.count() == count


@pytest.mark.parametrize(
    "id_number, code",
    [
        ("11010520030517001", "length"),
        ("11010520030517A01X", "characters"),
        ("110105200302300010", "birth_date"),
        ("110105200305170011", "checksum"),
    ],
)
def test_create_reports_id_number_errors(actors, id_number, code):
    s = actors.school
    count = Person.objects.count()
    response = client_for(actors.secretary).post(
        reverse("person_create"), form_data(name="吴十", unit=s.branch_a1.pk, id_number=id_number)
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert [e.code for e in form.errors.as_data()["id_number"]] == [code]
    assert 'data-error-for="id_number"' in response.content.decode()
    assert Person.objects.count() == count


def test_create_reports_duplicates(actors):
    s = actors.school
    number = make_id_number(dt.date(2001, 3, 3), serial=555)
    make_person(s.branch_b1, "郑一", id_number=number, student_number="2020999")
    count = Person.objects.count()
    client = client_for(actors.secretary)
    # The clash is with a person the secretary cannot see: still refused, nothing shown.
    response = client.post(
        reverse("person_create"), form_data(name="郑二", unit=s.branch_a1.pk, id_number=number)
    )
    assert response.context["form"].errors["id_number"]
    assert "郑一" not in response.content.decode()
    response = client.post(
        reverse("person_create"),
        form_data(name="郑三", unit=s.branch_a1.pk, student_number="2020999"),
    )
    assert response.context["form"].errors["student_number"]
    assert Person.objects.count() == count


def test_edit_records_history_shown_on_the_person_page(actors):
    s = actors.school
    client = client_for(actors.secretary)
    response = client.post(
        reverse("person_edit", args=[s.alice.pk]),
        form_data(s.alice, mobile="13912345678", reason="本人告知"),
    )
    assert response.status_code == 302
    s.alice.refresh_from_db()
    assert s.alice.mobile == "13912345678"
    change = s.alice.changes.first()  # the newest
    assert change.kind == PersonChange.Kind.UPDATED
    assert change.changes == {"mobile": ["", "13912345678"]}
    assert change.reason == "本人告知" and change.actor == actors.secretary
    page = client.get(reverse("person_detail", args=[s.alice.pk])).content.decode()
    assert f'data-change-id="{change.pk}"' in page and "13912345678" in page


def test_edit_keeps_the_id_number_when_left_empty_and_ignores_stage(actors):
    s = actors.school
    masked = s.alice.id_number_masked
    client_for(actors.secretary).post(
        reverse("person_edit", args=[s.alice.pk]),
        form_data(s.alice, name="张三丰", stage="full", id_number=""),
    )
    s.alice.refresh_from_db()
    assert s.alice.name == "张三丰"
    assert s.alice.id_number_masked == masked
    assert s.alice.stage == "applicant"


def test_edit_refuses_a_move_outside_scope(actors):
    s = actors.school
    client = client_for(actors.office)
    history_before = s.alice.changes.count()
    response = client.post(
        reverse("person_edit", args=[s.alice.pk]), form_data(s.alice, unit=s.branch_b1.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    s.alice.refresh_from_db()
    assert s.alice.unit == s.branch_a1
    assert s.alice.changes.count() == history_before
    # Inside the scope the move is fine.
    response = client.post(
        reverse("person_edit", args=[s.alice.pk]), form_data(s.alice, unit=s.branch_a2.pk)
    )
    assert response.status_code == 302
    s.alice.refresh_from_db()
    assert s.alice.unit == s.branch_a2


def test_edit_form_shows_the_stage_but_does_not_edit_it(actors):
    s = actors.school
    response = client_for(actors.secretary).get(reverse("person_edit", args=[s.alice.pk]))
    assert "stage" not in response.context["form"].fields
    assert 'id="person-stage"' in response.content.decode()


def test_edit_reports_date_order(actors):
    s = actors.school
    response = client_for(actors.secretary).post(
        reverse("person_edit", args=[s.alice.pk]),
        form_data(s.alice, joined_on="2024-06-01", full_member_on="2023-06-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_member_on"]


# --- Remove and restore --------------------------------------------------------------------


def test_remove_needs_a_reason_and_restore_brings_back(actors):
    s = actors.school
    client = client_for(actors.secretary)
    url = reverse("person_remove", args=[s.alice.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    s.alice.refresh_from_db()
    assert s.alice.removed_at is None

    assert client.post(url, {"reason": "毕业离校"}).status_code == 302
    s.alice.refresh_from_db()
    assert s.alice.removed_at is not None and s.alice.removed_reason == "毕业离校"
    # Still reachable (with a restore button), no longer editable.
    page = client.get(reverse("person_detail", args=[s.alice.pk])).content.decode()
    assert 'id="removed-note"' in page and 'id="person-restore"' in page
    assert client.get(reverse("person_edit", args=[s.alice.pk])).status_code == 404

    # Restoring is for change_people in scope only.
    restore = reverse("person_restore", args=[s.alice.pk])
    assert client_for(actors.committee).post(restore).status_code == 404
    assert client.post(restore, {"reason": "误操作"}).status_code == 302
    s.alice.refresh_from_db()
    assert s.alice.removed_at is None
    kinds = list(s.alice.changes.values_list("kind", flat=True))
    assert kinds[:2] == [PersonChange.Kind.RESTORED, PersonChange.Kind.REMOVED]


def test_restore_of_a_person_not_removed_is_404(actors):
    s = actors.school
    response = client_for(actors.secretary).post(reverse("person_restore", args=[s.alice.pk]))
    assert response.status_code == 404


# --- Navigation and language -----------------------------------------------------------------


def test_navigation_follows_grants(actors):
    staff = client_for(actors.secretary).get(reverse("people_list")).context["nav_items"]
    assert [url for url, _label in staff] == [
        reverse("home"),
        reverse("people_list"),
        reverse("dev_board"),
        reverse("meeting_list"),
        reverse("checkin_queue"),
        reverse("dues_index"),
        reverse("retention_list"),
        reverse("transfer_list"),
        reverse("lapse_list"),
        reverse("org_tree"),
        reverse("people_import"),
        reverse("dev_ledger_import"),
    ]
    home = client_for(actors.secretary).get(reverse("home_branch")).context
    assert home["nav_active"] == reverse("home")
    listing = client_for(actors.secretary).get(reverse("people_list")).context
    assert listing["nav_active"] == reverse("people_list")
    member = client_for(actors.member).get(reverse("my_record")).context["nav_items"]
    assert [url for url, _label in member] == [
        reverse("my_record"),
        reverse("my_meetings"),
        reverse("checkin_mine"),
        reverse("retention_mine"),
    ]


def test_the_menu_reads_scope_once_whatever_it_asks(actors):
    """Ten entries over six permissions: one query for the user's whole scope."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from core.context_processors import navigation

    request = RequestFactory().get("/people/")
    request.user = type(actors.secretary).objects.get(pk=actors.secretary.pk)
    with CaptureQueriesContext(connection) as queries:
        navigation(request)
    scope = [q for q in queries.captured_queries if "orgunituserobjectpermission" in q["sql"]]
    assert len(scope) == 1


def test_language_switch_sets_the_language(actors):
    client = client_for(actors.secretary)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("people_list")}
    )
    assert response.status_code == 302
    page = client.get(reverse("people_list"))
    assert 'lang="en"' in page.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get(reverse("people_list")).content.decode()
