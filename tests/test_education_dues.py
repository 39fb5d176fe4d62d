"""Party dues: rates at every bracket boundary, rounding to the fen, the six-month limits
(5, 6, 7 months late and ahead), the first month of a probationary member, paid-up-to kept
current, and all-or-nothing recording."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from education.models import DuesPayment
from education.services import dues as svc
from members.models import Person, Role
from tests.factories import make_person, make_user

D = dt.date
TODAY = D(2026, 3, 15)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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


# ---- pages, Excel -------------------------------------------------------------------------

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.urls import reverse  # noqa: E402

from tests.excel_helpers import read_xlsx, xlsx  # noqa: E402


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def dues_upload(client, rows):
    content = xlsx([["学号", "姓名", "月份", "金额（元）", "交纳日期"], *rows])
    return client.post(reverse("dues_import"), {"file": SimpleUploadedFile("党费.xlsx", content)})


@pytest.mark.django_db
def test_import_previews_errors_with_row_and_column_and_records_nothing(
    client, school, secretary, media
):
    a = make_person(school.branch_a1, "党员甲", stage="full", joined_on=D(2024, 1, 5),
                    student_number="S1")  # fmt: skip
    make_person(school.branch_b1, "外院乙", stage="full", joined_on=D(2024, 1, 5),
                student_number="S2")  # fmt: skip
    client.force_login(secretary)
    response = dues_upload(client, [
        ["S1", "党员甲", "2026-02", "0.2", "2026-03-01"],
        ["S1", "党员丙", "2026-03", "", "2026-03-01"],  # wrong name
        ["S2", "外院乙", "2026-03", "", "2026-03-01"],  # out of scope
        ["S1", "党员甲", "2025-08", "", "2026-03-01"],  # 7 months late
        ["S1", "党员甲", "2026-01", "abc", "2026-03-01"],  # bad amount
        ["S1", "党员甲", "2026-02", "", "2026-03-01"],  # twice in the file
    ])  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    cells = {(r, c) for r, c in [
        ("3", "B"), ("4", "A"), ("5", "C"), ("6", "D"), ("7", "C"),
    ]}  # fmt: skip
    for row, column in cells:
        assert f'data-row="{row}" data-column="{column}"' in body, (row, column)
    assert not DuesPayment.objects.exists()
    assert Person.objects.get(pk=a.pk).dues_paid_through is None


@pytest.mark.django_db
def test_import_preview_then_confirm_all(client, school, secretary, media):
    a = make_person(school.branch_a1, "党员甲", stage="full", joined_on=D(2024, 1, 5),
                    student_number="S1")  # fmt: skip
    client.force_login(secretary)
    response = dues_upload(client, [
        ["S1", "党员甲", "2026-01", "", "2026-03-01"],
        ["S1", "", "2026/2", "0.5", "2026-03-01"],
    ])  # fmt: skip
    assert response.status_code == 302
    preview = response["Location"]
    assert 'data-rows="2"' in client.get(preview).content.decode()
    assert not DuesPayment.objects.exists()
    assert client.post(preview, {"action": "confirm"}).status_code == 302
    assert sorted(DuesPayment.objects.values_list("month", "amount")) == [
        (D(2026, 1, 1), Decimal("0.20")), (D(2026, 2, 1), Decimal("0.50")),
    ]  # fmt: skip
    assert Person.objects.get(pk=a.pk).dues_paid_through == D(2026, 2, 1)
    assert client.get(preview).status_code == 404  # the pending file is gone


@pytest.mark.django_db
def test_import_refuses_a_file_that_is_not_a_workbook(client, secretary, media):
    client.force_login(secretary)
    response = client.post(
        reverse("dues_import"), {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")}
    )
    assert response.status_code == 400 and 'id="import-refused"' in response.content.decode()


@pytest.mark.django_db
def test_export_is_scoped(client, school, secretary):
    a = make_person(school.branch_a1, "党员甲", stage="full", joined_on=D(2024, 1, 5),
                    student_number="S1")  # fmt: skip
    b = make_person(school.branch_b1, "外院乙", stage="full", joined_on=D(2024, 1, 5))
    for person in (a, b):
        svc.dues_record(person=person, first_month=D(2026, 3, 1), paid_on=TODAY, actor=None)
    client.force_login(secretary)
    response = client.get(reverse("dues_export"), {"year": 2026})
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0][:5] == ["党支部", "学号", "姓名", "月份", "金额（元）"]
    assert [r[2] for r in rows[1:]] == ["党员甲"]
    assert rows[1][3] == "2026-03" and rows[1][7] == "2026-03"


@pytest.mark.django_db
def test_person_page_records_months_and_refuses_with_the_rule(client, member, secretary):
    client.force_login(secretary)
    url = reverse("dues_person", kwargs={"pk": member.pk})
    assert client.get(url).status_code == 200
    data = {"action": "pay", "first_month": "2025-08", "last_month": "", "paid_on": "2026-03-15"}
    response = client.post(url, data)
    assert response.status_code == 400 and not DuesPayment.objects.exists()
    data.update(first_month="2026-01", last_month="2026-03")
    assert client.post(url, data).status_code == 302
    assert Person.objects.get(pk=member.pk).dues_paid_through == D(2026, 3, 1)
    data = {"action": "account", "basis": "stipend", "monthly_income": "3000"}
    assert client.post(url, data).status_code == 302
    assert 'id="monthly-dues">15.00<' in client.get(url).content.decode()


SHEET_QUERIES = 11


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 12])
def test_monthly_sheet_records_ticked_members(
    client, school, secretary, django_assert_num_queries, n
):
    people = [
        make_person(school.branch_a1, f"党员{i}", stage="full", joined_on=D(2025, 1, 1))
        for i in range(n)
    ]
    make_person(school.branch_a1, "新党员", stage="probationary", joined_on=D(2026, 4, 2))
    svc.dues_record(person=people[0], first_month=D(2026, 3, 1), paid_on=TODAY, actor=None)
    client.force_login(secretary)
    url = reverse("dues_sheet", kwargs={"pk": school.branch_a1.pk})
    with django_assert_num_queries(SHEET_QUERIES):
        response = client.get(url, {"month": "2026-03"})
    body = response.content.decode()
    assert f'data-paid="1" data-members="{n}"' in body  # admitted in April: not on March
    response = client.post(
        f"{url}?month=2026-03", {"person": [p.pk for p in people[1:]], "paid_on": "2026-03-15"}
    )
    assert response.status_code == 302
    assert DuesPayment.objects.filter(month=D(2026, 3, 1)).count() == n


@pytest.mark.django_db
def test_unpaid_months_within_the_payable_window(member, school):
    # Admitted June 2025; on 15 March 2026 the payable window starts in September 2025.
    paid = {D(2025, 10, 1), D(2026, 1, 1)}
    assert svc.unpaid_months(member, paid, on=TODAY) == [
        D(2025, 9, 1), D(2025, 11, 1), D(2025, 12, 1), D(2026, 2, 1), D(2026, 3, 1),
    ]  # fmt: skip
    new = make_person(school.branch_a1, stage="probationary", joined_on=D(2026, 3, 2))
    assert svc.unpaid_months(new, set(), on=TODAY) == [D(2026, 3, 1)]
    assert svc.unpaid_months(school.alice, set(), on=TODAY) == []
