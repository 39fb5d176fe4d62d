import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import crypto
from core.models import AuditEvent
from members.models import Person, PersonChange, Role
from members.services.people import (
    id_number_index,
    person_create,
    person_remove,
    person_restore,
    person_reveal_id_number,
    person_update,
)
from tests.factories import make_id_number, make_user

pytestmark = pytest.mark.django_db


def test_id_number_is_stored_encrypted_indexed_and_masked(school):
    number = make_id_number(dt.date(2001, 9, 9), serial=123)
    secretary = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    person = person_create(actor=secretary, unit=school.branch_a1, name="孙七", id_number=number)
    row = Person.objects.get(pk=person.pk)
    assert number.encode() not in bytes(row.id_number_encrypted)
    assert crypto.decrypt(row.id_number_encrypted) == number
    assert row.id_number_index == id_number_index(number)
    assert row.id_number_masked == number[:6] + "********" + number[-4:]
    assert row.birth_date == dt.date(2001, 9, 9)  # taken from the number when missing
    assert Person.objects.get(id_number_index=id_number_index(number.lower())) == row


def test_duplicate_id_number_is_refused(school):
    number = make_id_number(serial=77)
    person_create(actor=None, unit=school.branch_a1, name="甲", id_number=number)
    with pytest.raises(ValidationError) as exc:
        person_create(actor=None, unit=school.branch_a1, name="乙", id_number=number)
    assert "id_number" in exc.value.message_dict


def test_invalid_id_number_changes_nothing(school):
    before = Person.objects.count()
    with pytest.raises(ValidationError):
        person_create(actor=None, unit=school.branch_a1, name="丙", id_number="110105200305170001")
    assert Person.objects.count() == before


def test_update_records_who_when_before_after(school):
    secretary = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    person_update(
        person=school.alice,
        actor=secretary,
        data={"mobile": "13800000000", "major": "计算机"},
        reason="核对",
    )
    change = school.alice.changes.first()
    assert change.actor == secretary
    assert change.kind == PersonChange.Kind.UPDATED
    assert change.changes == {"mobile": ["", "13800000000"], "major": ["", "计算机"]}
    assert change.reason == "核对"
    assert AuditEvent.objects.filter(action="update", target_id=str(school.alice.pk)).exists()


def test_update_with_no_change_writes_no_history(school):
    count = school.alice.changes.count()
    person_update(person=school.alice, actor=None, data={"name": "张三"})
    assert school.alice.changes.count() == count


def test_stage_is_not_editable_through_update(school):
    with pytest.raises(ValueError):
        person_update(person=school.alice, actor=None, data={"stage": "full"})
    with pytest.raises(ValueError):
        person_create(actor=None, unit=school.branch_a1, name="丁", stage="full")


def test_edit_outside_scope_is_refused(school):
    secretary = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    with pytest.raises(PermissionDenied):
        person_update(person=school.carol, actor=secretary, data={"mobile": "1"})
    with pytest.raises(PermissionDenied):
        person_create(actor=secretary, unit=school.branch_b1, name="戊")


def test_move_out_of_editors_scope_is_refused(school):
    secretary = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    with pytest.raises(ValidationError) as exc:
        person_update(person=school.alice, actor=secretary, data={"unit": school.branch_b1})
    assert "unit" in exc.value.message_dict
    school.alice.refresh_from_db()
    assert school.alice.unit == school.branch_a1


def test_move_within_scope_is_allowed_and_recorded(school):
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    person_update(person=school.alice, actor=office, data={"unit": school.branch_a2})
    change = school.alice.changes.first()
    assert change.changes["unit"] == [school.branch_a1.name, school.branch_a2.name]


def test_remove_is_soft_and_restore_brings_back(school):
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    with pytest.raises(ValidationError):
        person_remove(person=school.alice, actor=office, reason=" ")
    person_remove(person=school.alice, actor=office, reason="重复录入")
    assert Person.objects.filter(pk=school.alice.pk).exists()
    assert not Person.objects.restrict(office).filter(pk=school.alice.pk).exists()
    person_restore(person=school.alice, actor=office)
    assert Person.objects.restrict(office).filter(pk=school.alice.pk).exists()
    kinds = list(school.alice.changes.values_list("kind", flat=True))
    assert kinds[:2] == [PersonChange.Kind.RESTORED, PersonChange.Kind.REMOVED]


def test_people_are_never_hard_deleted(school):
    with pytest.raises(RuntimeError):
        school.alice.delete()


def test_reveal_needs_the_grant_and_is_audited(school):
    secretary = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    with pytest.raises(PermissionDenied):
        person_reveal_id_number(person=school.alice, actor=secretary)
    office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    number = person_reveal_id_number(person=school.alice, actor=office)
    assert len(number) == 18 and "*" not in number
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert event.actor == office and event.target_id == str(school.alice.pk)
    with pytest.raises(PermissionDenied):
        person_reveal_id_number(person=school.carol, actor=office)  # other college
