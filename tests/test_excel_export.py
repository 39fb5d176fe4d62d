"""Roster export (issue 2 point 12) and the import ↔ export round trip."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.models import AuditEvent
from members.excel import services
from members.excel.columns import EXPORT_COLUMNS
from members.models import Person, Role, Stage
from members.services.people import person_remove, person_update
from tests.excel_helpers import preview_url, read_xlsx, token_of, upload
from tests.factories import make_id_number, make_person, make_user

NATIONAL_ORDER = [
    "姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "人员类别", "所在党支部",
    "入党日期", "转正日期", "工作岗位", "手机号码", "固定电话", "家庭住址", "党籍状态",
    "是否失联", "失去联系日期", "是否为流动党员", "外出流向",
]  # fmt: skip
ID_COLUMN = [c.key for c in EXPORT_COLUMNS].index("id_number")
NAME_COLUMN = 0


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def export(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("people_export"), params)
    return response


def rows_of(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response.streaming
    return read_xlsx(b"".join(response.streaming_content))


def names(response) -> list[str]:
    return sorted(row[NAME_COLUMN] for row in rows_of(response)[1:])


# ---------------------------------------------------------------- who may export what


@pytest.mark.parametrize("role", [None, Role.BRANCH_COMMITTEE])
def test_no_export_grant_answers_404(school, client, role):
    user = make_user(role=role, unit=school.branch_a1 if role else None)
    assert export(client, user).status_code == 404


def test_a_member_with_an_account_but_no_grant_gets_404(school, client):
    user = make_user()
    Person.objects.filter(pk=school.alice.pk).update(user=user)
    assert export(client, user).status_code == 404


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("people_export"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_secretary_exports_their_branch_with_masked_id_numbers(school, client):
    user = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    response = export(client, user)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert [r[NAME_COLUMN] for r in rows[1:]] == ["张三"]
    assert rows[1][ID_COLUMN] == school.alice.id_number_masked
    assert "*" in rows[1][ID_COLUMN]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == user
    assert event.detail["rows"] == 1 and event.detail["unmasked_id_numbers"] == 0


def test_a_committee_office_exports_its_subtree_with_full_id_numbers(school, client):
    user = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    rows = rows_of(export(client, user))
    assert sorted(r[NAME_COLUMN] for r in rows[1:]) == ["张三", "李四"]
    ids = {r[ID_COLUMN] for r in rows[1:]}
    assert all(len(i) == 18 and "*" not in i for i in ids)
    assert services.id_number_index(rows[1][ID_COLUMN]) in {
        school.alice.id_number_index,
        school.bob.id_number_index,
    }
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.detail["unmasked_id_numbers"] == 2
    assert "2 unmasked" in event.summary


def test_an_organizer_may_export_but_not_unmask(school, client):
    user = make_user(role=Role.ORGANIZER, unit=school.college_a)
    rows = rows_of(export(client, user))
    assert all("*" in r[ID_COLUMN] for r in rows[1:]) and len(rows) == 3


def test_the_school_sees_everyone_but_removed_people(school, client):
    person_remove(person=school.bob, actor=None, reason="test")
    user = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    assert names(export(client, user)) == ["张三", "王五"]


def test_headers_are_the_national_data_items_in_order(school, client):
    user = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    header = rows_of(export(client, user))[0]
    assert header[: len(NATIONAL_ORDER)] == NATIONAL_ORDER
    assert header == [c.header for c in EXPORT_COLUMNS]
    assert {"学号", "学院", "专业", "班级", "年级", "预计毕业时间", "去向"} <= set(header)


# ---------------------------------------------------------------- filters


@pytest.fixture
def filtered(school):
    person_update(
        person=school.alice,
        actor=None,
        data={"grade": 2021, "expected_graduation": dt.date(2025, 6, 30), "whereabouts": "away"},
    )
    Person.objects.filter(pk=school.bob.pk).update(stage=Stage.FULL, grade=2020)
    return make_user(role=Role.SCHOOL_ADMIN, unit=school.school)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"stage": "full"}, ["李四"]),
        ({"grade": "2021"}, ["张三"]),
        ({"graduation_year": "2025"}, ["张三"]),
        ({"grad_year": "2025"}, ["张三"]),
        ({"whereabouts": "away"}, ["张三"]),
        ({"q": "王"}, ["王五"]),
        ({"q": "2021002"}, ["李四"]),
    ],
)
def test_export_uses_the_people_list_filters(school, client, filtered, params, expected):
    assert names(export(client, filtered, **params)) == expected


def test_unit_filter_takes_the_subtree(school, client, filtered):
    assert names(export(client, filtered, unit=school.college_a.pk)) == ["张三", "李四"]
    assert names(export(client, filtered, unit=school.branch_a2.pk)) == ["李四"]


def test_exact_id_number_search(school, client, filtered):
    id_number = make_id_number(dt.date(1995, 1, 1), serial=555)
    make_person(school.branch_b1, "赵钱", id_number=id_number)
    assert names(export(client, filtered, q=id_number)) == ["赵钱"]


def test_a_unit_filter_cannot_widen_scope(school, client):
    user = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    assert names(export(client, user, unit=school.branch_b1.pk)) in ([], ["张三"])
    assert "王五" not in names(export(client, user, unit=school.school.pk))


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "dangerous",
    ["=1+2", "+8613800000000", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'],
)
def test_formula_cells_are_neutralised(school, client, dangerous):
    make_person(school.branch_a1, dangerous, remarks=dangerous, mobile=dangerous[:20])
    user = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    response = export(client, user)
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    found = [r for r in sheet.iter_rows(min_row=2) if r[0].value != "张三"]
    [row] = found
    for key, given in (("姓名", dangerous), ("手机号码", dangerous[:20]), ("备注", dangerous)):
        cell = row[header.index(key)]
        assert cell.data_type == "s", (key, cell.data_type)
        assert cell.value.startswith("'")
        # XML turns a carriage return into a line feed when the file is read back.
        assert cell.value[1:] == given.replace("\r", "\n")


def test_plain_values_are_written_as_they_are(school, client):
    user = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    person_update(
        person=school.alice,
        actor=None,
        data={"joined_on": dt.date(2022, 6, 1), "grade": 2021, "is_mobile_member": True},
    )
    Person.objects.filter(pk=school.alice.pk).update(stage=Stage.PROBATIONARY)
    rows = rows_of(export(client, user))
    header = rows[0]
    alice = next(r for r in rows[1:] if r[0] == "张三")
    value = dict(zip(header, alice, strict=True))
    assert value["入党日期"].date() == dt.date(2022, 6, 1)  # a real date cell
    assert value["人员类别"] == "预备党员" and value["党籍状态"] == "正常"
    assert value["年级"] == 2021 and value["是否为流动党员"] == "是"
    assert value["所在党支部"] == "计算机本科生第一党支部"
    assert value["性别"] == {"male": "男", "female": "女"}[school.alice.sex]


# ---------------------------------------------------------------- queries


def test_query_count_does_not_grow_with_rows(school, client, django_assert_max_num_queries):
    user = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("people_export"))
            b"".join(response.streaming_content)
        return len(queries)

    few = count()
    for i in range(40):
        make_person([school.branch_a1, school.branch_a2, school.branch_b1][i % 3], f"学生{i}")
    many = count()
    assert many == few
    with django_assert_max_num_queries(15):
        response = client.get(reverse("people_export"))
        b"".join(response.streaming_content)


# ---------------------------------------------------------------- round trip


def round_trip(client, user):
    """Export as `user`, import the same file as `user`: the preview of that import."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse("people_export"))
    content = b"".join(response.streaming_content)
    response = upload(client, content, name="export.xlsx")
    assert response.status_code == 302, response.context["report"].errors
    return client.get(preview_url(token_of(response)))


@pytest.fixture
def rich(school):
    """People with every kind of value the export writes."""
    make_person(
        school.branch_a1,
        "钱七",
        id_number=make_id_number(dt.date(1999, 9, 9), serial=11),
        student_number="=2022007",
        sex="male",
        ethnicity="回族",
        education="大学本科",
        joined_on=dt.date(2020, 6, 1),
        full_member_on=dt.date(2021, 6, 1),
        applied_on=dt.date(2018, 10, 1),
        post="学生",
        mobile="+8613800000000",
        landline="010-12345678",
        home_address="北京市海淀区",
        lost_contact=True,
        lost_contact_since=dt.date(2024, 1, 1),
        is_mobile_member=True,
        mobile_destination="上海",
        college="信息工程学院",
        major="计算机科学与技术",
        class_name="计科2001",
        grade=2020,
        degree_level="bachelor",
        dormitory="东区3-101",
        household_registration="北京市",
        native_place="河北保定",
        emergency_contact="钱父",
        emergency_phone="13900000000",
        expected_graduation=dt.date(2024, 6, 30),
        whereabouts="abroad",
        whereabouts_detail="英国",
        email="q@example.com",
        remarks="@备注 -1 =1+1",
        stage=Stage.FULL,
    )
    make_person(school.branch_a2, "孙八", stage=Stage.TRANSFERRED_OUT)
    make_person(school.branch_a2, "周九", stage=Stage.SUSPENDED, joined_on=dt.date(2019, 1, 1))


def test_round_trip_with_full_id_numbers_changes_nothing(school, client, rich):
    user = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    preview = round_trip(client, user)
    report = preview.context["report"]
    assert report.ok, report.errors
    assert report.counts == {"new": 0, "update": 0, "unchanged": 6, "error_rows": 0}


def test_round_trip_with_masked_id_numbers_changes_nothing(school, client, rich):
    # A secretary sees masked ID numbers: people are matched by student number instead.
    user = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
    preview = round_trip(client, user)
    report = preview.context["report"]
    assert report.ok, report.errors
    assert report.counts == {"new": 0, "update": 0, "unchanged": 2, "error_rows": 0}


def test_round_trip_then_an_edit_is_one_update(school, client, rich):
    user = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    client.force_login(user)
    content = b"".join(client.get(reverse("people_export")).streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "张三":
            row[header.index("宿舍")].value = "西区1-202"
    out = io.BytesIO()
    workbook.save(out)
    response = upload(client, out.getvalue())
    token = token_of(response)
    report = client.get(preview_url(token)).context["report"]
    assert report.counts["update"] == 1 and report.counts["new"] == 0
    client.post(preview_url(token), {"action": "confirm"})
    school.alice.refresh_from_db()
    assert school.alice.dormitory == "西区1-202"
