"""Roster import (DESIGN §9, issue 2 point 11): reading ledgers, the preview, confirm in
one transaction, scope, and the files it must refuse."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.idnumber import normalize_id_number
from core.models import AuditEvent
from members.excel import services
from members.excel.columns import COLUMNS_BY_KEY, IGNORED, match_header
from members.excel.safety import ImportRefused, check_xlsx
from members.excel.values import CellError, parse_date
from members.models import Person, PersonChange, Role, Stage
from members.services.people import person_remove
from tests.excel_helpers import (
    declare_size,
    entries_of,
    error_cells,
    preview_url,
    token_of,
    upload,
    with_entries,
    xlsx,
    zip_bytes,
)
from tests.factories import make_id_number, make_person, make_user

BRANCH_A1 = "计算机本科生第一党支部"
BRANCH_A2 = "软件工程研究生党支部"
BRANCH_B1 = "农学本科生党支部"
ID_A = make_id_number(dt.date(2001, 4, 9), serial=101)  # odd serial: male
ID_B = make_id_number(dt.date(2002, 6, 1), serial=202)  # even serial: female
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def office(school):
    """Committee office of college A: import, change and see ID numbers in A's subtree."""
    return make_user("office_a", role=Role.COMMITTEE_OFFICE, unit=school.college_a)


@pytest.fixture
def secretary(school):
    return make_user("secretary_a1", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)


@pytest.fixture
def as_office(client, office):
    client.force_login(office)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def judge(user, content: bytes, name: str = "roster.xlsx", ignore_unknown: bool = False):
    """Plan a workbook through the service, as an upload does (it stores clean ones)."""
    return services.import_upload(
        user, io.BytesIO(content), size=len(content), name=name, ignore_unknown=ignore_unknown
    )


def stored(media: Path) -> list[Path]:
    root = media / "imports"
    return sorted(root.iterdir()) if root.exists() else []


def db_state() -> tuple[int, int, int]:
    return Person.objects.count(), PersonChange.objects.count(), AuditEvent.objects.count()


HEADER = ["姓名", "性别", "身份证号", "学号", "党支部", "申请书", "手机号码"]


def row(name="赵六", sex="男", id_number=ID_A, sn="2022001", unit=BRANCH_A1, **more):
    cells = [
        name,
        sex,
        id_number,
        sn,
        unit,
        more.pop("applied", "2021/3/5"),
        more.pop("mobile", None),
    ]
    assert not more
    return cells


# ---------------------------------------------------------------- cells and headers


@pytest.mark.parametrize(
    "raw",
    [
        "2024/3/5",
        "2024-03-05",
        "2024.3.5",
        "2024年3月5日",
        "2024年03月05日",
        "20240305",
        20240305,
        "２０２４．３．５",  # full-width digits, as some input methods type them
        "2024-03-05 00:00:00",
        dt.datetime(2024, 3, 5, 0, 0),
        dt.date(2024, 3, 5),
        45356,  # an Excel serial number in a cell without a date format
    ],
)
def test_full_date_spellings(raw):
    parsed = parse_date(raw)
    assert parsed.value == dt.date(2024, 3, 5)
    assert parsed.month_only is False


@pytest.mark.parametrize(
    "raw", ["202403", 202403, "2024.03", 2024.03, "2024-03", "2024/3", "2024年3月"]
)
def test_year_month_spellings_give_the_first_day(raw):
    parsed = parse_date(raw)
    assert parsed.value == dt.date(2024, 3, 1)
    assert parsed.month_only is True


@pytest.mark.parametrize(
    "raw, code",
    [
        ("2024/2/30", "invalid_date"),
        ("3/5/2024", "invalid_date"),
        ("明年春天", "invalid_date"),
        (2024.1, "ambiguous_month"),  # 2024.10 typed into a number cell
        (2024, "year_only"),
        ("1850-01-01", "invalid_date"),
    ],
)
def test_unreadable_dates_say_why(raw, code):
    with pytest.raises(CellError) as caught:
        parse_date(raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "text, key",
    [
        ("姓名", "name"),
        ("*姓名", "name"),
        ("身份证\n号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("预备（支部大会）", "joined_on"),  # full-width parentheses
        ("正式或预备", "category"),
        ("所在党支部", "unit"),
        ("申请书", "applied_on"),
        ("失去联系日期", "lost_contact_since"),
        ("外出流向", "mobile_destination"),
    ],
)
def test_headers_and_aliases(text, key):
    assert match_header(text) is COLUMNS_BY_KEY[key]


@pytest.mark.parametrize("text", ["序号", "培养联系人", "推优", "第3次思想汇报", "党委审批"])
def test_ledger_columns_are_known_and_skipped(text):
    assert match_header(text) is IGNORED


# ---------------------------------------------------------------- reading ledgers


def test_two_header_rows_with_title_and_vertically_merged_name(school, office):
    content = xlsx(
        {
            BRANCH_A1: [
                ["计算机本科生第一党支部发展党员台账"],
                ["姓名", "基本信息", None, "发展情况", None, "思想汇报"],
                [None, "性别", "身份证", "积极分子", "发展对象", "第1次"],
                ["赵六", "男", ID_A, "2021.9.1", "2022-09-01", "2021-10-01"],
            ]
        }
    )
    report = judge(office, content)
    assert report.ok, report.errors
    [plan] = report.plans
    assert (plan.sheet, plan.row, plan.action, plan.name) == (BRANCH_A1, 4, "new", "赵六")
    assert plan.unit == school.branch_a1  # from the sheet's name
    assert plan.stage == Stage.CANDIDATE and plan.stage_since == dt.date(2022, 9, 1)
    ignored = {(n.position.column, n.code) for n in report.notes}
    assert ("F", "column_ignored") in ignored  # 第1次 under 思想汇报


def test_one_sheet_per_branch(school, office):
    content = xlsx(
        {
            BRANCH_A1: [["姓名", "学号"], ["赵六", "2022001"]],
            BRANCH_A2: [["姓名", "学号"], ["钱七", "2022002"]],
            "说明": [["本表由各支部填写"]],
        }
    )
    report = judge(office, content)
    assert report.ok
    assert [(p.name, p.unit) for p in report.plans] == [
        ("赵六", school.branch_a1),
        ("钱七", school.branch_a2),
    ]
    assert any(n.code == "sheet_skipped" and n.position.sheet == "说明" for n in report.notes)


def test_every_date_spelling_is_imported(school, office, as_office):
    spellings = [
        "2021/3/5",
        "2021-03-05",
        "2021.3.5",
        "2021年3月5日",
        "20210305",
        dt.date(2021, 3, 5),  # an Excel date cell
        "202103",
        "2021.03",
    ]
    rows = [["姓名", "学号", "党支部", "申请入党日期"]]
    rows += [[f"学生{i}", f"20229{i:02d}", BRANCH_A1, value] for i, value in enumerate(spellings)]
    response = upload(as_office, xlsx(rows))
    assert response.status_code == 302
    response = as_office.post(preview_url(token_of(response)), {"action": "confirm"})
    assert response.status_code == 302
    dates = dict(
        Person.objects.filter(student_number__startswith="20229").values_list(
            "student_number", "applied_on"
        )
    )
    full, month = dt.date(2021, 3, 5), dt.date(2021, 3, 1)
    assert [dates[f"20229{i:02d}"] for i in range(len(spellings))] == [full] * 6 + [month] * 2


def test_the_preview_says_when_only_a_month_was_given(school, office):
    report = judge(office, xlsx([["姓名", "党支部", "申请书"], ["赵六", BRANCH_A1, "2021.03"]]))
    [note] = [n for n in report.notes if n.code == "month_only"]
    assert (note.position.row, note.position.column, note.position.header) == (2, "C", "申请书")


# ---------------------------------------------------------------- per-row errors


def test_errors_name_sheet_row_column_and_reason(school, office, media):
    bad_checksum = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
    content = xlsx(
        {
            BRANCH_A1: [
                HEADER,
                row(),  # 2: fine
                row(name="钱七", id_number=bad_checksum, sn="2022002"),  # 3: checksum
                row(name="孙八", id_number=None, sn="2022003", applied="2021/2/30"),  # 4
                row(name="李九", id_number=None, sn="2022004", unit="不存在的党支部"),  # 5
                row(name="周十", id_number=None, sn="2022001"),  # 6: same student number as 2
                row(name=None, id_number=None, sn="2022005"),  # 7: no name
                row(name="吴一", id_number=ID_A, sn="2022006"),  # 8: same ID number as 2
                row(name="郑二", sex="女", id_number=ID_B[:17] + "Y", sn="2022007"),  # 9
            ]
        }
    )
    before = db_state()
    report = judge(office, content)
    assert not report.ok and report.token is None
    assert error_cells(report) == [
        (BRANCH_A1, 3, "C", "checksum"),
        (BRANCH_A1, 4, "F", "invalid_date"),
        (BRANCH_A1, 5, "E", "unknown_unit"),
        (BRANCH_A1, 6, "D", "duplicate"),
        (BRANCH_A1, 7, "A", "name_required"),
        (BRANCH_A1, 8, "C", "duplicate"),
        (BRANCH_A1, 9, "C", "characters"),
    ]
    with pytest.raises(ValidationError) as caught:
        normalize_id_number(bad_checksum)
    assert report.errors[0].message == caught.value.messages[0]  # the exact GB 11643 reason
    assert report.errors[0].header == "身份证号"
    assert "2021-02-30" in report.errors[1].message
    assert "row 2" in report.errors[3].message  # the duplicate says where the first one is
    assert report.counts["error_rows"] == 7
    assert db_state() == before
    assert stored(media) == []


def test_error_page_lists_every_error_and_stores_nothing(school, as_office, media):
    content = xlsx([HEADER, row(id_number="110105200104091235"), row(name="钱七", sn="x" * 40)])
    before = db_state()
    response = upload(as_office, content)
    assert response.status_code == 400
    html = response.content.decode()
    codes = re.findall(r'<tr data-code="([a-z_]+)"', html)
    assert codes == ["checksum", "too_long"]
    assert 'value="confirm"' not in html
    assert db_state() == before and stored(media) == []


def test_pipeline_rules_are_checked_per_row(school, office):
    rows = [
        ["姓名", "身份证号", "党支部", "人员类别", "申请书", "入党日期", "转正日期"],
        ["甲", None, BRANCH_A1, "正式党员", "2019-03-01", "2020-06-01", None],  # 2 no 转正
        ["乙", None, BRANCH_A1, "入党积极分子", "2019-03-01", "2020-06-01", None],  # 3
        ["丙", None, BRANCH_A1, "预备党员", "2021-03-01", "2020-06-01", None],  # 4 order
        ["丁", None, BRANCH_A1, "正式党员", "2019-03-01", "2020-06-01", "2021-01-01"],  # 5
        ["戊", ID_A, BRANCH_A1, "入党申请人", "2018-03-01", None, None],  # 6 under 18
        ["己", None, BRANCH_A1, "预备党员", "2019-03-01", "2099-06-01", None],  # 7 future
        ["庚", None, BRANCH_A1, "已转出", None, None, None],  # 8 not loadable
        ["辛", None, BRANCH_A1, "预备党员", "2019-03-01", "2020-06-01", None],  # 9 fine
    ]
    report = judge(office, xlsx(rows))
    assert error_cells(report) == [
        ("Sheet1", 2, "D", "stage_dates"),
        ("Sheet1", 3, "F", "step_after_stage"),
        ("Sheet1", 4, "F", "date_order"),
        ("Sheet1", 5, "D", "stage_dates"),
        ("Sheet1", 6, "E", "under_age"),
        ("Sheet1", 7, "F", "future_date"),
        ("Sheet1", 8, "D", "stage_not_loadable"),
    ]
    assert [p.name for p in report.plans] == ["辛"]


def test_identity_must_agree_with_the_id_number(school, office):
    rows = [
        ["姓名", "性别", "身份证号", "出生日期", "党支部"],
        ["甲", "女", ID_A, None, BRANCH_A1],  # ID_A is a man's
        ["乙", None, ID_B, "2002-06-02", BRANCH_A1],  # ID_B: born 2002-06-01
    ]
    report = judge(office, xlsx(rows))
    assert error_cells(report) == [
        ("Sheet1", 2, "B", "sex_mismatch"),
        ("Sheet1", 3, "D", "birth_date_mismatch"),
    ]


def test_masked_id_number_cannot_create_anyone(school, office):
    report = judge(
        office, xlsx([["姓名", "身份证号", "党支部"], ["甲", "110105********0011", BRANCH_A1]])
    )
    assert error_cells(report) == [("Sheet1", 2, "B", "masked_id_number")]


# ---------------------------------------------------------------- flow


def test_upload_preview_confirm(school, office, as_office, media):
    content = xlsx(
        [
            ["姓名", "性别", "身份证号", "学号", "党支部", "人员类别", "入党日期", "转正日期"],
            ["赵六", "男", ID_A, "2022001", BRANCH_A1, "正式党员", "2020/6/1", "2021/6/2"],
            ["张三", None, None, "2021001", BRANCH_A1, None, None, None],  # alice, unchanged
        ]
    )
    before = db_state()
    response = upload(as_office, content, name="名册.xlsx")
    assert response.status_code == 302
    token = token_of(response)
    [folder] = stored(media)
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["uploader"] == office.pk and meta["original_name"] == "名册.xlsx"
    assert db_state() == before  # nothing written by the upload

    response = as_office.get(preview_url(token))
    assert response.status_code == 200
    assert response.context["counts"] == {"new": 1, "update": 0, "unchanged": 1, "error_rows": 0}
    assert 'value="confirm"' in response.content.decode()
    assert db_state() == before  # nor by the preview

    response = as_office.post(preview_url(token), {"action": "confirm"})
    assert response.status_code == 302 and response["Location"] == reverse("people_import")
    person = Person.objects.get(student_number="2022001")
    assert (person.unit, person.stage, person.stage_since) == (
        school.branch_a1,
        Stage.FULL,
        dt.date(2021, 6, 2),
    )
    assert person.id_number_index == services.id_number_index(ID_A)
    stage_change = person.changes.get(changes__has_key="stage")
    assert stage_change.kind == PersonChange.Kind.IMPORTED
    assert stage_change.reason == "名册.xlsx（Sheet1）第2行"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, target_id="").get()
    assert event.actor == office
    assert event.detail["new"] == 1 and event.detail["unchanged"] == 1
    assert event.detail["file"] == "名册.xlsx"
    assert stored(media) == []  # deleted after confirm
    assert as_office.get(preview_url(token)).status_code == 404


def test_updates_people_matched_by_student_number_or_id_number(school, office, as_office):
    bob_id = make_id_number(dt.date(1999, 12, 1), serial=907)
    bob = make_person(school.branch_a2, "李四二", id_number=bob_id)
    content = xlsx(
        [
            ["姓名", "学号", "身份证号", "手机号码", "宿舍"],
            ["张三", "2021001", None, "13800000001", None],  # alice by student number
            ["李四二", None, bob_id, None, "东区3-101"],  # by the ID number's blind index
        ]
    )
    response = upload(as_office, content)
    token = token_of(response)
    preview = as_office.get(preview_url(token))
    assert preview.context["counts"]["update"] == 2
    as_office.post(preview_url(token), {"action": "confirm"})
    school.alice.refresh_from_db()
    bob.refresh_from_db()
    assert school.alice.mobile == "13800000001" and school.alice.unit == school.branch_a1
    assert bob.dormitory == "东区3-101" and bob.unit == school.branch_a2
    change = bob.changes.first()
    assert change.kind == PersonChange.Kind.IMPORTED
    assert change.changes == {"dormitory": ["", "东区3-101"]}
    assert change.reason == "roster.xlsx（Sheet1）第3行"


def test_blank_cells_leave_values_and_same_values_change_nothing(school, office):
    content = xlsx([["姓名", "学号", "手机号码"], ["张三", "2021001", None]])
    report = judge(office, content)
    assert [p.action for p in report.plans] == ["unchanged"]


def test_whereabouts_free_text_is_kept_as_detail(school, office):
    report = judge(
        office, xlsx([["姓名", "学号", "去向"], ["张三", "2021001", "华为技术有限公司"]])
    )
    [plan] = report.plans
    assert plan.fields == {"whereabouts_detail": "华为技术有限公司"}


def test_confirm_checks_again_against_the_database(school, office, as_office):
    content = xlsx(
        [["姓名", "学号", "党支部"], ["赵六", "2022001", BRANCH_A1], ["钱七", "2022002", BRANCH_A1]]
    )
    token = token_of(upload(as_office, content))
    # Meanwhile someone registers student 2022002 in college B, outside this office's scope.
    make_person(school.branch_b1, "另一人", student_number="2022002")
    before = db_state()
    response = as_office.post(preview_url(token), {"action": "confirm"})
    assert response.status_code == 409
    assert error_cells(response.context["report"]) == [("Sheet1", 3, "B", "out_of_scope")]
    assert db_state() == before
    assert not Person.objects.filter(student_number="2022001").exists()


def test_confirm_is_one_transaction(school, office, as_office, monkeypatch, media):
    content = xlsx(
        [["姓名", "学号", "党支部"], ["赵六", "2022001", BRANCH_A1], ["钱七", "2022002", BRANCH_A1]]
    )
    token = token_of(upload(as_office, content))
    real_create = services.person_create
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise ValidationError("the database said no")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "person_create", failing_create)
    before = db_state()
    response = as_office.post(preview_url(token), {"action": "confirm"})
    assert calls == ["赵六", "钱七"]  # the first row was written, then rolled back
    assert response.status_code == 409
    assert error_cells(response.context["report"]) == [("Sheet1", 3, "", "write_failed")]
    assert db_state() == before
    assert len(stored(media)) == 1  # kept: the importer may discard it or try again


def test_discard_deletes_the_upload(school, as_office, media):
    token = token_of(upload(as_office, xlsx([["姓名", "党支部"], ["赵六", BRANCH_A1]])))
    response = as_office.post(preview_url(token), {"action": "discard"})
    assert response.status_code == 302
    assert stored(media) == [] and not Person.objects.filter(name="赵六").exists()


def test_only_the_uploader_may_see_or_confirm(school, client, as_office):
    token = token_of(upload(as_office, xlsx([["姓名", "党支部"], ["赵六", BRANCH_A1]])))
    other = make_user("office_a_2", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    client.force_login(other)
    assert client.get(preview_url(token)).status_code == 404
    assert client.post(preview_url(token), {"action": "confirm"}).status_code == 404
    assert client.post(preview_url(token), {"action": "discard"}).status_code == 404
    assert not Person.objects.filter(name="赵六").exists()
    assert client.get(preview_url("A" * 32)).status_code == 404
    assert client.get(preview_url("..%2F..%2Fetc")).status_code == 404


@pytest.mark.parametrize("role", [None, Role.BRANCH_COMMITTEE, Role.ORGANIZER])
def test_no_import_grant_answers_404(school, client, role):
    user = make_user(role=role, unit=school.branch_a1 if role else None)
    client.force_login(user)
    assert client.get(reverse("people_import")).status_code == 404
    response = upload(client, xlsx([["姓名", "党支部"], ["赵六", BRANCH_A1]]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("people_import"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_upload_page_renders(school, as_office):
    response = as_office.get(reverse("people_import"))
    assert response.status_code == 200
    assert "公民身份号码" in response.content.decode()


# ---------------------------------------------------------------- scope


def test_a_secretary_cannot_import_into_another_branch(school, secretary):
    content = xlsx(
        {
            BRANCH_A1: [
                ["姓名", "学号", "党支部"],
                ["赵六", "2022001", BRANCH_B1],  # 2: a unit outside the scope
                ["钱七", "2022002", BRANCH_A2],  # 3: a sibling branch, also outside
                ["张三", "2021001", BRANCH_B1],  # 4: moving alice out of scope
                ["孙八", "2022003", None],  # 5: fine, the sheet's branch
            ],
            BRANCH_B1: [["姓名", "学号"], ["李九", "2022004"]],  # sheet named after B1
        }
    )
    report = judge(secretary, content)
    assert error_cells(report) == [
        (BRANCH_A1, 2, "C", "unknown_unit"),
        (BRANCH_A1, 3, "C", "unknown_unit"),
        (BRANCH_A1, 4, "C", "unknown_unit"),
        (BRANCH_B1, 2, "", "no_unit"),
    ]
    assert [p.name for p in report.plans] == ["孙八"]


def test_a_match_outside_scope_is_an_error_that_names_nobody(school, secretary, client):
    carol = school.carol
    carol_id = make_id_number(dt.date(1998, 1, 1), serial=303)
    Person.objects.filter(pk=carol.pk).update(id_number_index=services.id_number_index(carol_id))
    content = xlsx(
        {
            BRANCH_A1: [
                ["姓名", "学号", "身份证号", "手机号码"],
                ["某人", "2021003", None, "13900000000"],  # carol's student number
                ["某人二", None, carol_id, "13900000001"],  # carol's ID number
            ]
        }
    )
    client.force_login(secretary)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, content)
    assert response.status_code == 400
    report = response.context["report"]
    assert error_cells(report) == [
        (BRANCH_A1, 2, "B", "out_of_scope"),
        (BRANCH_A1, 3, "C", "out_of_scope"),
    ]
    html = response.content.decode()
    assert "王五" not in html and BRANCH_B1 not in html and "农学" not in html
    carol.refresh_from_db()
    assert carol.mobile == "" and carol.changes.count() == 1


def test_a_removed_person_is_not_updated(school, office):
    person_remove(person=school.alice, actor=None, reason="test")
    report = judge(office, xlsx([["姓名", "学号", "手机号码"], ["张三", "2021001", "1"]]))
    assert error_cells(report) == [("Sheet1", 2, "A", "removed")]


def test_a_loaded_stage_is_not_loaded_twice(school, office, as_office):
    rows = [["姓名", "学号", "党支部", "人员类别", "入党日期"]]
    first = xlsx([*rows, ["赵六", "2022001", BRANCH_A1, "预备党员", "2021-06-01"]])
    as_office.post(preview_url(token_of(upload(as_office, first))), {"action": "confirm"})
    assert Person.objects.get(student_number="2022001").stage == Stage.PROBATIONARY
    second = xlsx([*rows, ["赵六", "2022001", BRANCH_A1, "入党积极分子", None]])
    report = judge(office, second)
    assert error_cells(report) == [("Sheet1", 2, "D", "stage_history")]


# ---------------------------------------------------------------- refused files


def refused(response) -> str:
    assert response.status_code == 400
    report = response.context["report"]
    assert report.refused is not None and report.token is None
    return report.refused.code


@pytest.fixture
def uploads(school, as_office, media):
    """Upload as the office; every refusal must leave the database and the disk alone."""
    before = db_state()

    def send(content: bytes, name: str = "roster.xlsx", **data):
        return upload(as_office, content, name=name, **data)

    yield send
    assert db_state() == before
    assert stored(media) == []


def test_refuses_an_exe_named_xlsx(uploads):
    assert refused(uploads(b"MZ\x90\x00\x03" + bytes(2000))) == "not_xlsx"


def test_refuses_a_csv(uploads):
    assert refused(uploads("姓名,性别\n张三,男\n".encode(), name="roster.csv")) == "not_xlsx"


def test_refuses_an_old_xls_or_an_encrypted_workbook(uploads):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)
    assert refused(uploads(ole)) == "not_xlsx"


def test_refuses_a_zip_that_is_not_a_workbook(uploads):
    assert refused(uploads(zip_bytes([("readme.txt", b"hello")]))) == "not_xlsx"


def test_refuses_an_oversized_file(uploads, settings):
    settings.IMPORT_MAX_BYTES = 1000
    assert refused(uploads(xlsx([["姓名"], ["张三"]]))) == "too_large"


SMALL = [["姓名", "党支部"], ["赵六", BRANCH_A1]]


def test_refuses_a_highly_compressed_zip_bomb(uploads):
    # 60 MB of spaces compress to a few tens of kilobytes: far beyond a real roster's ratio,
    # yet under the 200 MB limit on declared sizes.
    sheet = b"<worksheet>" + b" " * (60 * 1024 * 1024)
    bomb = with_entries(xlsx(SMALL), replace={"xl/worksheets/sheet1.xml": sheet})
    assert len(bomb) < 1024 * 1024
    assert refused(uploads(bomb)) == "zip_bomb"


def test_refuses_declared_sizes_over_the_limit_before_unpacking(uploads, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2000
    assert refused(uploads(xlsx(SMALL))) == "zip_bomb"


def test_refuses_an_entry_that_declares_a_huge_size(uploads):
    lying = declare_size(xlsx(SMALL), "xl/worksheets/sheet1.xml", 2**31)
    assert refused(uploads(lying)) == "zip_bomb"


def test_refuses_an_entry_that_holds_more_than_it_declares(uploads):
    content = xlsx(SMALL)
    sheet = "xl/worksheets/sheet1.xml"
    lying = declare_size(content, sheet, len(entries_of(content)[sheet]) // 2)
    assert refused(uploads(lying)) in ("zip_bomb", "not_xlsx")


def test_refuses_a_workbook_with_macros(uploads):
    xlsm = with_entries(xlsx(SMALL), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)})
    assert refused(uploads(xlsm, name="roster.xlsx")) == "macros"


def test_refuses_a_macro_enabled_content_type(uploads):
    content = xlsx(SMALL)
    types = entries_of(content)["[Content_Types].xml"]
    macro = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert macro != types
    assert (
        refused(uploads(with_entries(content, replace={"[Content_Types].xml": macro}))) == "macros"
    )


def test_refuses_xml_with_entities(uploads):
    content = xlsx(SMALL)
    sheet = entries_of(content)["xl/worksheets/sheet1.xml"]
    evil = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + sheet.split(b"?>", 1)[-1]
    evil_file = with_entries(content, replace={"xl/worksheets/sheet1.xml": evil})
    assert refused(uploads(evil_file)) == "not_xlsx"


def test_refuses_too_many_rows(uploads, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["姓名", "党支部"]] + [[f"学生{i}", BRANCH_A1] for i in range(4)]
    assert refused(uploads(xlsx(rows))) == "too_many_rows"


def test_refuses_a_workbook_without_a_header_row(uploads):
    assert refused(uploads(xlsx([["a", "b"], [1, 2]]))) == "no_header"


def test_refuses_unknown_columns_and_lists_them(uploads):
    response = uploads(xlsx([["姓名", "党支部", "爱好", "血型"], ["赵六", BRANCH_A1, "", ""]]))
    assert refused(response) == "unknown_columns"
    details = response.context["report"].refused.details
    assert len(details) == 2 and "爱好" in details[0] and "C1" in details[0]
    assert "血型" in response.content.decode()


def test_unknown_columns_can_be_ignored_when_asked(school, as_office, media):
    content = xlsx([["姓名", "党支部", "爱好"], ["赵六", BRANCH_A1, "围棋"]])
    response = upload(as_office, content, ignore_unknown="on")
    assert response.status_code == 302
    preview = as_office.get(preview_url(token_of(response)))
    notes = [(n.position.column, n.code) for n in preview.context["report"].notes]
    assert ("C", "column_ignored") in notes


def test_refuses_two_columns_for_one_field(uploads):
    response = uploads(xlsx([["姓名", "电话", "手机号码"], ["赵六", "1", "2"]]))
    assert refused(response) == "unknown_columns"
    assert "C1" in response.context["report"].refused.details[0]


def test_check_xlsx_passes_a_real_workbook():
    content = xlsx([["姓名"], ["张三"]])
    stream = io.BytesIO(content)
    check_xlsx(stream, len(content))
    assert stream.tell() == 0
    with pytest.raises(ImportRefused):
        check_xlsx(io.BytesIO(b"PK\x03\x04garbage"), 12)


# ---------------------------------------------------------------- translations


def test_every_new_msgid_has_a_chinese_translation(tmp_path):
    """locale/_fragments/excel.json covers every msgid of members/excel and its templates."""
    if not shutil.which("xgettext"):
        pytest.skip("xgettext is not installed")
    from django.utils.translation.template import templatize

    sources = sorted((ROOT / "members" / "excel").glob("*.py"))
    for template in sorted((ROOT / "templates" / "members" / "excel").glob("*.html")):
        target = tmp_path / f"{template.name}.py"
        target.write_text(templatize(template.read_text(), origin=str(template)))
        sources.append(target)
    pot = tmp_path / "excel.pot"
    subprocess.run(
        ["xgettext", "-L", "Python", "--from-code=UTF-8", "-o", str(pot), "--keyword=_",
         "--keyword=gettext_lazy", "--keyword=gettext_noop", "--keyword=ngettext:1,2",
         "--keyword=pgettext:1c,2", *map(str, sources)],
        check=True,
    )  # fmt: skip
    msgids = set()
    for block in pot.read_text().split("\n\n")[1:]:
        parts = re.findall(r'^msgid(?:_plural)? ((?:".*"\n?)+)', block, re.M)
        for part in parts:
            text = "".join(json.loads(line) for line in part.strip().splitlines())
            if text:
                msgids.add(text)
    fragment = json.loads((ROOT / "locale" / "_fragments" / "excel.json").read_text())
    assert sorted(msgids - set(fragment)) == []
    placeholder = re.compile(r"%\(\w+\)\w")
    for msgid, msgstr in fragment.items():
        assert isinstance(msgstr, str) and msgstr, msgid
        assert sorted(placeholder.findall(msgid)) == sorted(placeholder.findall(msgstr)), msgid
