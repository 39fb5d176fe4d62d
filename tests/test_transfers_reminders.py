"""Transfers' reminders (issue 6): the retention's apply-to-transfer-out day and its end,
letters whose receipt is overdue and mobile members not re-verified. Each is tested on
the day before its boundary, on it and after it (the dates are transfers.clock's), for its
recipients, for running twice (nothing new) and for one statement whatever the size."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Notification
from core.notifications.registry import SOURCES, load_sources, notify_rows, reminders_run
from members.models import OrgUnit, Person, Role
from members.services.people import person_link_account
from tests.factories import make_person, make_unit, make_user
from tests.transfer_helpers import make_member, start_out
from transfers import clock
from transfers.models import (
    ApplicationStatus,
    IntroductionLetter,
    MobileMember,
    Retention,
    RetentionApplication,
)
from transfers.services import letters as L

D = dt.date
ONE = dt.timedelta(days=1)
pytestmark = pytest.mark.django_db

TRANSFERS = (
    "retention_transfer_due",
    "retention_transfer_due_graduate",
    "retention_expired",
    "receipt_overdue",
    "mobile_verification_overdue",
)


@pytest.fixture
def world(school):
    retained = make_unit(
        "信息工程学院留校党员党支部", OrgUnit.Kind.BRANCH, school.college_a,
        branch_kind=OrgUnit.BranchKind.RETAINED,
    )  # fmt: skip
    keeper = make_user("keeper", role=Role.BRANCH_SECRETARY, unit=retained)
    office = make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    make_user("elsewhere", role=Role.BRANCH_SECRETARY, unit=school.branch_b1)
    contact = make_person(retained, "联系人", stage="full")
    return school, retained, keeper, office, contact


def retain(world, name: str, ends_on: dt.date, *, account: bool = False) -> Retention:
    """A retained graduate (a fixture: the services are tested in test_retention)."""
    _s, retained, _k, _o, contact = world
    person = make_member(retained, name)
    if account:
        person_link_account(person=person, user=make_user(f"grad_{name}"), actor=None)
    application = RetentionApplication.objects.create(
        person=person, unit=retained, status=ApplicationStatus.APPROVED
    )
    starts_on = D(ends_on.year - 2, ends_on.month, 1)
    return Retention.objects.create(
        person=person, application=application, branch=retained, contact_person=contact,
        category="away", starts_on=starts_on, ends_on=ends_on,
        transfer_apply_by=clock.transfer_apply_by(ends_on),
    )  # fmt: skip


def run(name: str, today: dt.date) -> list[tuple]:
    """Run one source on `today`: who holds its notifications now (all of its kind)."""
    load_sources()
    notify_rows(SOURCES[name].kind, SOURCES[name].rows(today))
    return sorted(
        Notification.objects.filter(kind=SOURCES[name].kind).values_list(
            "user__username", "subject", "due_on"
        )
    )


def test_apply_to_transfer_out_reminder_from_fourteen_days_before_the_apply_by_day(world):
    r = retain(world, "留校甲", D(2027, 7, 1), account=True)  # apply by 2027-06-01
    start = clock.transfer_reminder_from(r.ends_on)
    assert start == D(2027, 5, 18) and r.transfer_apply_by == D(2027, 6, 1)
    assert run("retention_transfer_due", start - ONE) == []
    assert run("retention_transfer_due_graduate", start - ONE) == []
    due = [("keeper", "留校甲", D(2027, 6, 1))]
    assert run("retention_transfer_due", start) == due
    assert run("retention_transfer_due", start + ONE) == due  # the same event, not again
    assert run("retention_transfer_due_graduate", start) == [
        ("grad_留校甲", "留校甲", D(2027, 6, 1))
    ]
    # The link opens the application; the graduate may read their own.
    n = Notification.objects.get(user__username="grad_留校甲")
    assert n.object_id == r.application_id


def test_no_apply_reminder_once_a_transfer_out_is_under_way_or_after_the_deadline(world):
    r = retain(world, "留校乙", D(2027, 7, 1))
    start_out(r.person, actor=None)
    assert run("retention_transfer_due", D(2027, 6, 1)) == []
    late = retain(world, "留校丙", D(2027, 7, 1))
    assert run("retention_transfer_due", D(2027, 7, 2)) == []  # expired: the other source
    assert run("retention_transfer_due", D(2027, 7, 1)) == [("keeper", "留校丙", D(2027, 6, 1))]
    del late


def test_retention_expired_from_the_day_after_the_deadline(world):
    r = retain(world, "留校丁", D(2027, 7, 1))
    assert not clock.retention_expired(r.ends_on, r.ends_on)
    assert run("retention_expired", r.ends_on - ONE) == []
    assert run("retention_expired", r.ends_on) == []
    assert clock.retention_expired(r.ends_on, r.ends_on + ONE)
    assert run("retention_expired", r.ends_on + ONE) == [("keeper", "留校丁", D(2027, 7, 1))]
    # Ended (transferred out) or with a transfer under way: nothing more to say.
    Notification.objects.all().delete()
    Retention.objects.filter(pk=r.pk).update(
        status=Retention.Status.ENDED, ended_on=D(2027, 6, 20), end_reason="transferred_out"
    )
    other = retain(world, "留校戊", D(2027, 7, 1))
    start_out(other.person, actor=None)
    assert run("retention_expired", D(2027, 8, 1)) == []


def issued_letter(world, name: str = "赵六") -> IntroductionLetter:
    school, *_rest = world
    office = _rest[2]
    member = make_member(school.branch_a1, name)
    return L.letter_issue(transfer=start_out(member, actor=None), actor=office)


def test_receipt_overdue_the_day_after_validity_plus_a_month(world):
    letter = issued_letter(world)
    due = clock.receipt_due(letter.valid_until)
    assert letter.receipt_due == due
    assert run("receipt_overdue", due - ONE) == []
    assert run("receipt_overdue", due) == []  # on its day it is not late yet
    assert clock.receipt_overdue(letter.valid_until, due + ONE)
    expected = [("office", f"{letter.serial} 赵六", due)]
    assert run("receipt_overdue", due + ONE) == expected
    assert run("receipt_overdue", due + 10 * ONE) == expected
    assert Notification.objects.get().object_id == letter.transfer_id


def test_a_registered_receipt_is_never_overdue(world):
    letter = issued_letter(world)
    L.letter_register_receipt(letter=letter, receipt_from="中共某某委员会", actor=None)
    assert run("receipt_overdue", letter.receipt_due + ONE) == []


def mobile(world, name: str, last: dt.date, *, abroad: bool = False) -> MobileMember:
    _s, retained, *_ = world
    person = make_member(retained, name)
    return MobileMember.objects.create(
        person=person, unit=retained, destination="深圳", abroad=abroad, contact="138",
        started_on=last, last_verified_on=last,
        verification_due=clock.mobile_verification_due(last, abroad),
    )  # fmt: skip


def test_mobile_verification_overdue_the_day_after_its_due_day(world):
    home = mobile(world, "流动甲", D(2026, 3, 31))  # yearly: due 2027-03-31
    away = mobile(world, "流动乙", D(2026, 8, 31), abroad=True)  # half-yearly: due 2027-02-28
    assert away.verification_due == D(2027, 2, 28)
    assert run("mobile_verification_overdue", D(2027, 2, 27)) == []
    assert run("mobile_verification_overdue", D(2027, 2, 28)) == []
    assert run("mobile_verification_overdue", D(2027, 3, 1)) == [
        ("keeper", "流动乙", D(2027, 2, 28))
    ]
    assert run("mobile_verification_overdue", D(2027, 4, 1)) == [
        ("keeper", "流动乙", D(2027, 2, 28)), ("keeper", "流动甲", D(2027, 3, 31)),
    ]  # fmt: skip
    # Re-verified: the new due day is a new event, the old one is not repeated.
    MobileMember.objects.filter(pk=home.pk).update(
        last_verified_on=D(2027, 4, 1), verification_due=D(2028, 4, 1)
    )
    MobileMember.objects.filter(pk=away.pk).update(ended_on=D(2027, 3, 15))
    assert len(run("mobile_verification_overdue", D(2028, 5, 1))) == 3


def _populate(world, n: int, offset: int) -> None:
    for i in range(n):
        retain(world, f"到期{offset + i}", D(2027, 7, 1), account=True)
        retain(world, f"过期{offset + i}", D(2027, 5, 1))
        mobile(world, f"流动{offset + i}", D(2026, 1, 10))
        issued_letter(world, f"转出{offset + i}")
    IntroductionLetter.objects.update(receipt_due=D(2027, 5, 1))


@pytest.mark.parametrize("n", [1, 6])
def test_one_statement_per_source_whatever_the_size(world, n, django_assert_num_queries):
    _populate(world, n, 0)
    load_sources()
    today = D(2027, 6, 1)
    for name in TRANSFERS:
        source = SOURCES[name]
        with django_assert_num_queries(1):
            assert notify_rows(source.kind, source.rows(today)) == n
        with django_assert_num_queries(1):  # run again: the same events, nothing new
            assert notify_rows(source.kind, source.rows(today)) == 0


def test_every_transfers_source_is_registered_and_runs_with_the_rest(world):
    _populate(world, 2, 0)
    first = reminders_run(D(2027, 6, 1))
    assert {name: first[name] for name in TRANSFERS} == dict.fromkeys(TRANSFERS, 2)
    again = reminders_run(D(2027, 6, 2))
    assert {name: again[name] for name in TRANSFERS} == dict.fromkeys(TRANSFERS, 0)
    # Other apps' sources may tell "elsewhere" about their branch (a silent branch, say):
    # none of the transfers events reaches them.
    kinds = {SOURCES[name].kind for name in TRANSFERS}
    assert not Notification.objects.filter(user__username="elsewhere", kind__in=kinds).exists()
    assert Person.objects.count() > 0
