"""Every edge of the transfer and letter state machines, allowed and refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.models import AuditEvent
from members.models import PersonChange, Stage
from tests.factories import make_id_number, make_person
from tests.transfer_helpers import make_member, office, secretary, start_out
from transfers.models import (
    Category,
    Direction,
    IntroductionLetter,
    LetterStatus,
    Reach,
    TransferStatus,
)
from transfers.services import letters as L
from transfers.services import transfers as T

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages(exc) -> str:
    return " ".join(exc.value.messages)


ID_NUMBER = make_id_number(dt.date(2002, 3, 4), serial=128)


@pytest.fixture
def member(school):
    return make_member(
        school.branch_a1, expected_graduation=dt.date(2026, 6, 30), id_number=ID_NUMBER
    )


def test_start_records_who_and_takes_category(school, member):
    sec = secretary(school)
    t = start_out(member, actor=sec, reason="就业")
    assert t.status == TransferStatus.REQUESTED and t.direction == Direction.OUTGOING
    assert t.category == Category.FULL and t.campaign_year == 2026 and t.unit == school.branch_a1
    assert t.created_by == sec
    event = t.events.get()
    assert (event.action, event.status_after, event.actor) == ("started", "requested", sec)
    assert AuditEvent.objects.filter(target_type="transfers.transfer", target_id=str(t.pk)).exists()


def test_start_refuses_non_members_and_missing_heading(school):
    applicant = make_person(school.branch_a1, "申请人")
    with pytest.raises(ValidationError) as exc:
        start_out(applicant, other_heading=" ")
    assert "Only probationary and full members" in messages(exc)
    assert "exact heading" in messages(exc)


def test_start_refuses_a_second_open_transfer(school, member):
    start_out(member)
    with pytest.raises(ValidationError) as exc:
        start_out(member)
    assert "already has a transfer under way" in messages(exc)


def test_start_outside_scope_is_not_allowed(school):
    bob = make_member(school.branch_a2, "钱七")
    with pytest.raises(PermissionDenied):
        start_out(bob, actor=secretary(school))


def test_start_refuses_future_dates(school, member):
    with pytest.raises(ValidationError) as exc:
        start_out(member, requested_on=dt.date.today() + dt.timedelta(days=2))
    assert "future" in messages(exc)


def test_in_province_goes_online_then_completes_to_transferred_out(school, member):
    sec = secretary(school)
    t = start_out(member, reach=Reach.IN_PROVINCE, actor=sec)
    with pytest.raises(ValidationError) as exc:
        T.transfer_complete(transfer=t, evidence="系统显示已接收", actor=sec)
    assert "Record the online system's reference" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        T.transfer_record_online(transfer=t, reference=" ", actor=sec)
    assert "reference" in messages(exc)
    T.transfer_record_online(transfer=t, reference="ZZ2026-0042", actor=sec)
    t.refresh_from_db()
    assert t.status == TransferStatus.SENT and t.online_reference == "ZZ2026-0042"
    with pytest.raises(ValidationError) as exc:
        T.transfer_complete(transfer=t, evidence="", actor=sec)
    assert "evidence" in messages(exc)
    T.transfer_complete(transfer=t, evidence="系统显示已接收", actor=sec)
    t.refresh_from_db()
    member.refresh_from_db()
    assert t.status == TransferStatus.COMPLETED and t.completed_on == dt.date.today()
    assert member.stage == Stage.TRANSFERRED_OUT
    change = PersonChange.objects.filter(person=member, kind=PersonChange.Kind.STAGE).get()
    assert change.actor == sec and "stage" in change.changes
    # Done is done: nothing moves a completed transfer.
    for call in (
        lambda: T.transfer_complete(transfer=t, evidence="x", actor=sec),
        lambda: T.transfer_cancel(transfer=t, reason="x", actor=sec),
        lambda: T.transfer_record_online(transfer=t, reference="x", actor=sec),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert "transfer completed" in messages(exc)


def test_out_of_province_cannot_be_completed_by_hand(school, member):
    t = start_out(member)
    with pytest.raises(ValidationError) as exc:
        T.transfer_complete(transfer=t, evidence="x", actor=None)
    assert "registering the receipt" in messages(exc)


def test_online_reference_outside_the_province_keeps_waiting_for_the_letter(school, member):
    t = start_out(member)
    T.transfer_record_online(transfer=t, reference="ABC", actor=None)
    t.refresh_from_db()
    assert t.status == TransferStatus.REQUESTED and t.online_reference == "ABC"


def test_cancel_needs_a_reason_and_voids_the_letter(school, member):
    t = start_out(member)
    letter = L.letter_issue(transfer=t, actor=None)
    with pytest.raises(ValidationError):
        T.transfer_cancel(transfer=t, reason="  ", actor=None)
    T.transfer_cancel(transfer=t, reason="本人改为省内就业", actor=None)
    t.refresh_from_db()
    letter.refresh_from_db()
    assert t.status == TransferStatus.CANCELLED and letter.status == LetterStatus.VOIDED
    member.refresh_from_db()
    assert member.stage == Stage.FULL
    # A new transfer may start once the old one is cancelled.
    assert start_out(member).status == TransferStatus.REQUESTED


def test_letter_needs_the_office_and_an_out_of_province_outgoing_transfer(school, member):
    sec = secretary(school)
    t = start_out(member, actor=sec)
    with pytest.raises(PermissionDenied):
        L.letter_issue(transfer=t, actor=sec)  # secretaries start, offices issue
    letter = L.letter_issue(transfer=t, actor=office(school))
    t.refresh_from_db()
    assert t.status == TransferStatus.SENT and letter.status == LetterStatus.ISSUED
    with pytest.raises(ValidationError) as exc:
        L.letter_issue(transfer=t, actor=None)
    assert "already out" in messages(exc)
    other = make_member(school.branch_a1, "孙八")
    inside = start_out(other, reach=Reach.IN_PROVINCE)
    with pytest.raises(ValidationError) as exc:
        L.letter_issue(transfer=inside, actor=None)
    assert "online Party system" in messages(exc)


def test_letter_snapshot_and_defaults(school, member):
    letter = L.letter_issue(transfer=start_out(member), actor=None)
    today = dt.date.today()
    assert letter.validity_days == (90 if today.year == 2026 else 30)
    assert letter.person_name == "赵六" and letter.category == Category.FULL
    assert letter.dues_paid_through == dt.date(2026, 6, 1)
    assert letter.from_org == "信息工程学院党委计算机本科生第一党支部"
    assert letter.to_org == "中共某某科技有限公司委员会研发部党支部"
    assert letter.committee == school.college_a and letter.year == today.year
    assert letter.serial == f"{today.year}001" and letter.number == 1
    assert letter.valid_until == today + dt.timedelta(days=letter.validity_days - 1)


def test_letter_refuses_bad_validity_and_missing_dues(school):
    p = make_person(school.branch_a1, "周九", stage="probationary")
    t = start_out(p)
    with pytest.raises(ValidationError) as exc:
        L.letter_issue(
            transfer=t, validity_days=91, dues_paid_through=dt.date(2026, 5, 1), actor=None
        )
    assert "at most three months" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        L.letter_issue(transfer=t, validity_days=30, actor=None)
    assert "dues" in messages(exc)
    assert not IntroductionLetter.objects.exists()
    letter = L.letter_issue(
        transfer=t, validity_days=30, dues_paid_through=dt.date(2026, 5, 17), actor=None
    )
    assert letter.dues_paid_through == dt.date(2026, 5, 1) and letter.category == "probationary"


def test_serials_count_per_committee_and_year(school, member):
    a = L.letter_issue(transfer=start_out(member), actor=None)
    b = L.letter_issue(transfer=start_out(make_member(school.branch_a2, "吴十")), actor=None)
    c = L.letter_issue(transfer=start_out(make_member(school.branch_b1, "郑一")), actor=None)
    assert (a.number, b.number) == (1, 2) and c.number == 1 and c.committee == school.college_b


def test_receipt_closes_the_letter_and_completes(school, member):
    sec = secretary(school)
    t = start_out(member, actor=sec)
    letter = L.letter_issue(transfer=t, actor=office(school))
    with pytest.raises(ValidationError) as exc:
        L.letter_register_receipt(
            letter=letter, received_on=letter.issued_on - dt.timedelta(days=1), actor=sec
        )
    assert "before" in messages(exc)
    L.letter_register_receipt(letter=letter, receipt_from="中共某某科技有限公司委员会", actor=sec)
    letter.refresh_from_db()
    t.refresh_from_db()
    member.refresh_from_db()
    assert letter.status == LetterStatus.CLOSED and letter.receipt_by == sec
    assert t.status == TransferStatus.COMPLETED and member.stage == Stage.TRANSFERRED_OUT
    with pytest.raises(ValidationError) as exc:
        L.letter_register_receipt(letter=letter, actor=sec)
    assert "closed" in messages(exc)


def _age(letter, days_ago: int) -> None:
    """Move a letter back in time (a fixture only)."""
    issued = dt.date.today() - dt.timedelta(days=days_ago)
    from transfers import clock

    until = clock.letter_valid_until(issued, letter.validity_days)
    IntroductionLetter.objects.filter(pk=letter.pk).update(
        issued_on=issued, valid_until=until, receipt_due=clock.receipt_due(until)
    )
    letter.refresh_from_db()


def test_reissue_only_after_expiry_and_within_six_months(school, member):
    t = start_out(member)
    letter = L.letter_issue(transfer=t, validity_days=30, actor=None)
    with pytest.raises(ValidationError) as exc:
        L.letter_reissue(letter=letter, actor=None)
    assert "re-issue it only once it has expired" in messages(exc)
    _age(letter, 30)  # last valid day was yesterday
    new = L.letter_reissue(letter=letter, actor=None)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.REISSUED and new.reissue_of == letter
    assert new.number == letter.number + 1 and new.status == LetterStatus.ISSUED
    with pytest.raises(ValidationError) as exc:
        L.letter_register_receipt(letter=letter, actor=None)
    assert new.serial in messages(exc)
    _age(new, 30 + 200)
    with pytest.raises(ValidationError) as exc:
        L.letter_reissue(letter=new, actor=None)
    assert "more than six months" in messages(exc)


def test_overdue_flags(school, member):
    letter = L.letter_issue(transfer=start_out(member), validity_days=30, actor=None)
    assert L.letter_flags(letter) == {
        "expired": False,
        "overdue": False,
        "can_reissue": False,
    }
    _age(letter, 30 + 40)
    assert L.letter_flags(letter) == {
        "expired": True,
        "overdue": True,
        "can_reissue": True,
    }


def test_incoming_registers_and_makes_a_member(school):
    newcomer = make_person(school.branch_a1, "新来的")
    with pytest.raises(ValidationError) as exc:
        T.transfer_register_incoming(
            person=newcomer, reach=Reach.OUT_OF_PROVINCE, other_heading="中共外省某大学委员会",
            category=Category.PROBATIONARY, actor=None,
        )  # fmt: skip
    assert "give its number" in messages(exc)
    t = T.transfer_register_incoming(
        person=newcomer, reach=Reach.OUT_OF_PROVINCE, other_heading="中共外省某大学委员会",
        category=Category.PROBATIONARY, incoming_letter_number="外2026015", actor=None,
    )  # fmt: skip
    T.transfer_complete(transfer=t, actor=None)
    newcomer.refresh_from_db()
    assert newcomer.stage == Stage.PROBATIONARY
    with pytest.raises(ValidationError) as exc:
        T.transfer_register_incoming(
            person=newcomer, reach=Reach.IN_PROVINCE, other_heading="x", category="full",
            actor=None,
        )  # fmt: skip
    assert "already a member" in messages(exc)


def test_printout_reveals_the_id_number_and_audits_it(school, member):
    off = office(school)
    letter = L.letter_issue(transfer=start_out(member), actor=off)
    printed = L.letter_printout(letter=letter, actor=off)
    assert printed.category_text == "正式" and printed.dues_text == "贰零贰陆年陆月"
    assert printed.id_number == ID_NUMBER
    reveal = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert reveal.actor == off and reveal.target_id == str(member.pk)
    with pytest.raises(PermissionDenied):
        L.letter_printout(letter=letter, actor=secretary(school))
