"""manage.py seed_demo: the demo school is plausible, deterministic, idempotent, valid, and
its printed logins work. Sizes are kept small; the bulk path is the same code at any size."""

import hashlib
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import crypto
from core.idnumber import birth_date, mask_id_number, normalize_id_number, sex_from_id
from core.models import AuditEvent
from development.models import STAGE_REQUIRES, Decision, StepRecord
from development.selectors import due_and_overdue
from members.demo.dates import Calendar, add_years
from members.demo.people import ID_SPACE, PeopleGenerator, id_slot
from members.demo.tree import ORGANS_CODE, SCHOOL_CODE, describe_tree
from members.models import (
    BranchPost,
    OrgUnit,
    OrgUnitUserObjectPermission,
    Person,
    PersonChange,
    Role,
    RoleGrant,
    Stage,
    User,
)
from members.selectors import branch_warnings
from members.services.people import id_number_index
from tests.factories import make_unit
from tests.test_dev_property import BEFORE

SMALL = 90  # every login's person, a secretary for each branch, and a few more
LOGIN_LINE = re.compile(r"^\s+(demo_\w+)\s+(\S+)\s", re.MULTILINE)


def seed(**options) -> str:
    out = io.StringIO()
    options.setdefault("people", SMALL)
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def demo_people():
    school = OrgUnit.objects.get(code=SCHOOL_CODE)
    return Person.objects.filter(unit__path__startswith=school.path)


def digest() -> str:
    """What a seed decides, without database ids or creation times."""
    h = hashlib.sha256()
    for unit in OrgUnit.objects.order_by("code"):
        h.update(f"{unit.code}|{unit.name}|{unit.kind}|{unit.branch_kind}|{unit.depth}\n".encode())
    for p in Person.objects.select_related("unit").order_by("id_number_index"):
        clear = crypto.decrypt(p.id_number_encrypted)
        h.update(
            f"{clear}|{p.name}|{p.student_number}|{p.unit.code}|{p.stage}|{p.stage_since}|"
            f"{p.applied_on}|{p.joined_on}|{p.full_member_on}|{p.major}|{p.dormitory}|"
            f"{p.post}|{p.whereabouts_detail}\n".encode()
        )
    for seat in BranchPost.objects.select_related("unit", "person").order_by("unit__code", "post"):
        row = f"{seat.unit.code}|{seat.post}|{seat.person.student_number}|{seat.term_start}\n"
        h.update(row.encode())
    return h.hexdigest()


def seeded_digest(seed_value: int) -> str:
    """Build the demo in a savepoint, take its digest, and roll it back: a fresh database."""
    with transaction.atomic():
        seed(seed=seed_value, people=40)
        value = digest()
        transaction.set_rollback(True)
    return value


# --- Pure generator -----------------------------------------------------------------------


def test_id_slots_are_a_bijection_so_demo_id_numbers_never_clash():
    slots = {id_slot(i) for i in range(200_000)}
    assert len(slots) == 200_000
    assert ID_SPACE > 10_000_000
    with pytest.raises(ValueError):
        id_slot(ID_SPACE)


def test_a_person_depends_only_on_seed_and_index():
    cal = Calendar.for_today(timezone.localdate())
    tree = describe_tree(cal)
    a, b = PeopleGenerator(3, cal, tree), PeopleGenerator(3, cal, tree)
    other = PeopleGenerator(4, cal, tree)
    for index in (0, 7, 500, 123_456):
        assert a.person(index) == b.person(index)
    assert [a.person(i).fields["name"] for i in range(200, 220)] != [
        other.person(i).fields["name"] for i in range(200, 220)
    ]


# --- The small demo -----------------------------------------------------------------------


@pytest.mark.django_db
def test_small_demo_is_a_plausible_university():
    seed()
    school = OrgUnit.objects.get(code=SCHOOL_CODE, kind=OrgUnit.Kind.SCHOOL)
    units = list(OrgUnit.objects.subtree_of(school))
    kinds = Counter(u.kind for u in units)
    colleges = [u for u in units if u.kind == OrgUnit.Kind.COMMITTEE]
    assert 6 <= len(colleges) - 1 <= 10  # colleges, and the school organs' committee
    assert all(c.has_approval_power for c in colleges)
    assert kinds[OrgUnit.Kind.GENERAL_BRANCH] and kinds[OrgUnit.Kind.GROUP]
    assert {u.branch_kind for u in units if u.kind == OrgUnit.Kind.BRANCH} == {
        k.value for k in OrgUnit.BranchKind if k.value
    }
    people = list(demo_people())
    assert len(people) == SMALL
    assert set(Stage.values[:5]) <= {p.stage for p in people}  # every pipeline stage
    retained = [p for p in people if p.unit.branch_kind == OrgUnit.BranchKind.RETAINED]
    assert any(p.whereabouts in ("away", "abroad") and p.is_member for p in retained)
    assert any(p.is_mobile_member and p.mobile_destination for p in people)
    students = [p for p in people if p.grade]
    assert all(
        p.student_number and p.major and p.class_name and p.expected_graduation for p in students
    )
    assert all(p.household_registration and p.emergency_contact for p in people)
    assert len({p.name for p in people}) > SMALL * 0.9  # realistic, varied names


@pytest.mark.django_db
def test_branch_committees_mostly_meet_seed_002():
    seed()
    branches = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH))
    with_secretary = BranchPost.objects.filter(post=BranchPost.Post.SECRETARY).values("unit")
    assert len({row["unit"] for row in with_secretary}) == len(branches)
    warnings = branch_warnings(branches, timezone.localdate())
    assert 0 < len(warnings) <= len(branches) // 10  # mostly, but the warnings show


@pytest.mark.django_db
def test_every_id_number_is_valid_encrypted_indexed_and_masked():
    seed()
    for p in demo_people():
        clear = crypto.decrypt(p.id_number_encrypted)
        assert normalize_id_number(clear) == clear  # GB 11643 checksum, real birth date
        assert birth_date(clear) == p.birth_date
        assert sex_from_id(clear) == p.sex
        assert p.id_number_index == id_number_index(clear)
        assert p.id_number_masked == mask_id_number(clear)


def assert_dates_consistent(p: Person, today) -> None:
    assert p.applied_on is not None and p.applied_on <= today
    assert add_years(p.birth_date, 18) <= p.applied_on, p.name  # 18 at application
    assert p.stage_since is not None and p.stage_since <= today
    if p.stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE):
        assert p.joined_on is None and p.full_member_on is None
        assert p.applied_on <= p.stage_since
    if p.stage == Stage.APPLICANT:
        assert p.stage_since == p.applied_on
    if p.stage == Stage.PROBATIONARY:
        assert p.applied_on < p.joined_on == p.stage_since and p.full_member_on is None
        assert add_years(p.joined_on, 1) > today  # probation not over yet
    if p.stage == Stage.FULL:
        assert p.applied_on < p.joined_on
        assert p.full_member_on == add_years(p.joined_on, 1) == p.stage_since


@pytest.mark.django_db
def test_stages_agree_with_dates_and_have_history():
    seed()
    today = timezone.localdate()
    for p in demo_people():
        assert_dates_consistent(p, today)
        loaded = PersonChange.objects.filter(
            person=p, kind=PersonChange.Kind.IMPORTED, changes__has_key="stage"
        )
        assert loaded.exists() == (p.stage != Stage.APPLICANT), p.name
        assert PersonChange.objects.filter(person=p, kind=PersonChange.Kind.CREATED).exists()


@pytest.mark.django_db
def test_same_seed_same_school_other_seed_other_people():
    first, again, other = seeded_digest(5), seeded_digest(5), seeded_digest(6)
    assert first == again
    assert first != other


@pytest.mark.django_db
def test_second_run_adds_nothing():
    def counts():
        return [
            model.objects.count()
            for model in (OrgUnit, Person, PersonChange, BranchPost, User, RoleGrant, AuditEvent)
        ] + [OrgUnitUserObjectPermission.objects.count()]

    seed()
    before = counts()
    out = seed()
    assert counts() == before
    assert "Topping up" in out
    seed(people=SMALL + 5, detailed=SMALL + 5)  # a top-up adds just the difference
    assert demo_people().count() == SMALL + 5


@pytest.mark.django_db
def test_every_role_has_an_account_with_a_grant_on_a_fitting_unit():
    seed()
    fitting = {
        Role.SCHOOL_ADMIN: OrgUnit.Kind.SCHOOL,
        Role.COMMITTEE_OFFICE: OrgUnit.Kind.COMMITTEE,
        Role.ORGANIZER: OrgUnit.Kind.COMMITTEE,
        Role.BRANCH_SECRETARY: OrgUnit.Kind.BRANCH,
        Role.BRANCH_COMMITTEE: OrgUnit.Kind.BRANCH,
    }
    for role, kind in fitting.items():
        grant = RoleGrant.objects.get(role=role, revoked_at=None)
        assert grant.unit.kind == kind
        assert OrgUnitUserObjectPermission.objects.filter(user=grant.user).exists()
    secretary = User.objects.get(username="demo_secretary")
    assert BranchPost.objects.filter(
        person__user=secretary, post=BranchPost.Post.SECRETARY
    ).exists()
    member = Person.objects.get(user__username="demo_member")
    assert member.is_member and not member.user.role_grants.exists()
    graduate = Person.objects.get(user__username="demo_graduate")
    assert graduate.unit.branch_kind == OrgUnit.BranchKind.RETAINED
    assert graduate.whereabouts in ("away", "abroad")


@pytest.mark.django_db
def test_each_printed_login_logs_in(client):
    out = seed()
    logins = LOGIN_LINE.findall(out)
    assert {username for username, _ in logins} == {
        "demo_school", "demo_office", "demo_organizer", "demo_secretary", "demo_committee",
        "demo_member", "demo_graduate",
    }  # fmt: skip
    again = LOGIN_LINE.findall(seed())  # printed again on a later run
    assert again == logins
    for username, password in logins:
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.post(reverse("logout"))


@pytest.mark.django_db
def test_if_empty_skips_a_database_with_units():
    make_unit("其他大学党委", OrgUnit.Kind.SCHOOL)
    out = seed(if_empty=True)
    assert "not loaded" in out
    assert OrgUnit.objects.count() == 1 and not Person.objects.exists()


@pytest.mark.django_db
def test_if_empty_builds_an_empty_database():
    seed(if_empty=True, people=20)
    assert demo_people().count() == 20


@pytest.mark.django_db
def test_bulk_path_gives_decryptable_indexed_consistent_people():
    out = seed(people=2000, detailed=20, chunk=700)
    assert "1980 people bulk-inserted" in out
    people = list(demo_people().select_related("unit"))
    assert len(people) == 2000
    today = timezone.localdate()
    for p in people:
        clear = crypto.decrypt(p.id_number_encrypted)
        assert normalize_id_number(clear) == clear
        assert p.id_number_index == id_number_index(clear)
        assert p.id_number_masked == mask_id_number(clear)
        assert_dates_consistent(p, today)
    committees = {u.path: u.code for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)}
    per_college = Counter(committees[p.unit.path[:18]] for p in people)
    per_college.pop(ORGANS_CODE)  # the school's offices are not a college
    assert len(per_college) == 8
    mean = sum(per_college.values()) / len(per_college)
    assert all(0.7 * mean < n < 1.3 * mean for n in per_college.values()), per_college
    assert AuditEvent.objects.filter(summary__contains="in bulk").count() == 1


@pytest.mark.django_db
def test_bulk_people_in_the_pipeline_have_the_step_records_their_stage_requires():
    seed(people=1200, detailed=20, chunk=500)
    bulk = demo_people().order_by("id")[20:]
    records: dict[int, list] = {}
    for record in StepRecord.objects.filter(person__in=bulk).order_by("id"):
        records.setdefault(record.person_id, []).append(record)
    today = timezone.localdate()
    active = 0
    for person in bulk:
        mine = records.get(person.pk, [])
        if person.stage == Stage.FULL:
            assert not mine  # their history predates the system
            continue
        active += 1
        kept = {r.step for r in mine if r.decision != Decision.REFUSED}
        assert set(STAGE_REQUIRES.get(person.stage, ())) <= kept, (
            person.stage,
            set(STAGE_REQUIRES[person.stage]) - kept,
        )
        assert mine[0].step == "application" and mine[0].on == person.applied_on
        assert all(r.on <= today and r.on >= person.applied_on for r in mine)
        assert [r.on for r in mine] == sorted(r.on for r in mine)
        for r in mine:
            for before in BEFORE.get(r.step, ()):
                assert any(b.step == before and b.on <= r.on for b in mine), (r.step, before)
    assert active > 500
    # Now the due list has people to find: overdue talks, assessments, conversions.
    due = due_and_overdue(demo_people(), today)
    assert 0 < len(due) < active


# Enough people that some are free to leave (at SMALL nearly every member holds a seat).
TRANSFERS_DEMO = 150


@pytest.mark.django_db
def test_transfers_pages_have_something_to_show(client):
    """Retention in every state, transfers with a closed and an overdue letter, and mobile
    members, one late: made through the services, once."""
    from transfers import selectors
    from transfers.models import (
        IntroductionLetter,
        MobileMember,
        Retention,
        RetentionApplication,
        Transfer,
    )

    seed(people=TRANSFERS_DEMO)
    today = timezone.localdate()
    statuses = Counter(RetentionApplication.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "approved"} <= set(statuses)
    retentions = list(Retention.objects.filter(status="active").select_related("person", "branch"))
    # two from the transfers demo, more from the education demo's graduates with check-ins
    assert len(retentions) >= 2 and all(r.person.unit == r.branch for r in retentions)
    assert any(r.transfer_apply_by <= today <= r.ends_on for r in retentions)  # apply now
    assert Retention.objects.filter(person__user__username="demo_graduate").exists()
    assert set(Transfer.objects.values_list("status", flat=True)) == {"completed", "sent"}
    letters = IntroductionLetter.objects.all()
    assert letters.filter(status="closed").count() == 1
    assert selectors.overdue_letters(letters, today).count() == 1
    ledger = MobileMember.objects.filter(ended_on__isnull=True)
    assert ledger.count() == 3 and selectors.late_mobile(ledger, today).count() == 1
    counts = (
        RetentionApplication.objects.count(), Transfer.objects.count(), MobileMember.objects.count()
    )  # fmt: skip
    seed(people=TRANSFERS_DEMO)  # a second run adds nothing
    assert counts == (
        RetentionApplication.objects.count(), Transfer.objects.count(), MobileMember.objects.count()
    )  # fmt: skip
    # The demo logins see every transfers page populated.
    client.force_login(User.objects.get(username="demo_office"))
    for name, marker in (
        ("retention_list", "data-application-id"),
        ("retention_queue", "data-application-id"),
        ("retained_list", "data-retention-id"),
    ):
        page = client.get(reverse(name)).content.decode()
        assert marker in page, name
    client.force_login(User.objects.get(username="demo_school"))
    for name, marker in (
        ("transfer_list", "data-transfer-id"),
        ("letter_list", "data-letter-id"),
        ("mobile_list", "data-mobile-id"),
    ):
        assert marker in client.get(reverse(name)).content.decode(), name
    client.force_login(User.objects.get(username="demo_graduate"))
    assert 'id="retention"' in client.get(reverse("retention_mine")).content.decode()
