"""Party dues: rates at every bracket boundary, rounding to the fen, the six-month limits
(5, 6, 7 months late and ahead), the first month of a probationary member, paid-up-to kept
current, and all-or-nothing recording."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from education.models import DuesPayment
from education.services import dues as svc
from members.models import Person, Role
from tests.factories import make_person, make_user

D = dt.date
TODAY = D(2026, 3, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(svc, "today", lambda: TODAY)


@pytest.mark.parametrize(
    "income, rate, amount",
    [
        ("2999.99", "0.005", "15.00"),
        ("3000", "0.005", "15.00"),  # 3000 is in the first bracket
        ("3000.01", "0.01", "30.00"),  # and the whole amount moves to 1 %
        ("5000", "0.01", "50.00"),
        ("5000.01", "0.015", "75.00"),
        ("10000", "0.015", "150.00"),
        ("10000.01", "0.02", "200.00"),
        ("1234.50", "0.005", "6.17"),  # 6.1725 rounds to 6.17
        ("1233", "0.005", "6.17"),  # 6.165: half up to 6.17
        ("4444.50", "0.01", "44.45"),  # 44.445: half up
    ],
)
def test_salaried_rates_on_the_whole_stipend(income, rate, amount):
    income = Decimal(income)
    assert svc.salary_rate(income) == Decimal(rate)
    result = svc.monthly_dues("stipend", income)
    assert result == Decimal(amount) and result.as_tuple().exponent == -2


def test_students_pay_twenty_fen():
    assert svc.monthly_dues("student", None) == Decimal("0.20")
    assert svc.monthly_dues("student", Decimal(8000)) == Decimal("0.20")


@pytest.fixture
def member(school):
    return make_person(school.branch_a1, "党员甲", stage="probationary", joined_on=D(2025, 6, 20))


@pytest.fixture
def secretary(school):
    return make_user("sec", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "month, ok",
    [
        (D(2025, 10, 1), True),  # 5 months late
        (D(2025, 9, 1), True),  # 6 months late
        (D(2025, 8, 1), False),  # 7 months late
        (D(2026, 8, 1), True),  # 5 ahead
        (D(2026, 9, 1), True),  # 6 ahead
        (D(2026, 10, 1), False),  # 7 ahead
    ],
)
def test_six_month_limit(member, secretary, month, ok):
    if ok:
        svc.dues_record(person=member, first_month=month, paid_on=TODAY, actor=secretary)
        assert DuesPayment.objects.get().month == month
    else:
        with pytest.raises(ValidationError) as error:
            svc.dues_record(person=member, first_month=month, paid_on=TODAY, actor=secretary)
        assert "7 months" in error.value.messages[0] and "6 months" in error.value.messages[0]
        assert not DuesPayment.objects.exists()


@pytest.mark.django_db
def test_pays_from_the_month_of_admission(school, secretary):
    member = make_person(school.branch_a1, stage="probationary", joined_on=D(2026, 1, 31))
    with pytest.raises(ValidationError):
        svc.dues_record(person=member, first_month=D(2025, 12, 1), paid_on=TODAY, actor=secretary)
    svc.dues_record(person=member, first_month=D(2026, 1, 1), paid_on=TODAY, actor=secretary)
    applicant = make_person(school.branch_a1)
    with pytest.raises(ValidationError):
        svc.dues_record(person=applicant, first_month=D(2026, 1, 1), paid_on=TODAY, actor=None)


@pytest.mark.django_db
def test_paid_through_is_the_last_month_paid(member, secretary):
    svc.dues_record(
        person=member, first_month=D(2025, 10, 1), last_month=D(2026, 3, 1), paid_on=TODAY,
        actor=secretary,
    )  # fmt: skip
    assert Person.objects.get(pk=member.pk).dues_paid_through == D(2026, 3, 1)
    assert DuesPayment.objects.count() == 6
    assert all(p.amount == Decimal("0.20") for p in DuesPayment.objects.all())
    with pytest.raises(ValidationError):  # March again: all refused, nothing added
        svc.dues_record(
            person=member, first_month=D(2026, 3, 1), last_month=D(2026, 4, 1), paid_on=TODAY,
            actor=secretary,
        )  # fmt: skip
    assert DuesPayment.objects.count() == 6
    svc.dues_record(person=member, first_month=D(2026, 4, 1), paid_on=TODAY, actor=secretary)
    assert Person.objects.get(pk=member.pk).dues_paid_through == D(2026, 4, 1)


@pytest.mark.django_db
def test_stipend_amount_is_recorded(member, secretary):
    svc.dues_account_set(
        person=member, basis="stipend", monthly_income=Decimal(3500), actor=secretary
    )
    svc.dues_record(person=member, first_month=D(2026, 3, 1), paid_on=TODAY, actor=secretary)
    assert DuesPayment.objects.get().amount == Decimal("35.00")
    with pytest.raises(ValidationError):
        svc.dues_account_set(person=member, basis="stipend", monthly_income=None, actor=None)


@pytest.mark.django_db
def test_less_than_the_dues_and_future_dates_are_refused(member):
    entry = svc.Entry(member, D(2026, 3, 1), TODAY, Decimal("0.10"))
    with pytest.raises(ValidationError):
        svc.dues_record_many(entries=[entry], actor=None)
    with pytest.raises(ValidationError):
        svc.dues_record(person=member, first_month=D(2026, 3, 1), paid_on=D(2026, 3, 16),
                        actor=None)  # fmt: skip
    more = svc.Entry(member, D(2026, 3, 1), TODAY, Decimal("1"))  # paying more is allowed
    assert svc.dues_record_many(entries=[more], actor=None)[0].amount == Decimal("1.00")


@pytest.mark.django_db
def test_scope(member, school):
    outsider = make_user("o", role=Role.BRANCH_COMMITTEE, unit=school.branch_b1)
    with pytest.raises(PermissionDenied):
        svc.dues_record(person=member, first_month=D(2026, 3, 1), paid_on=TODAY, actor=outsider)
