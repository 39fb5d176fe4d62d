"""Development ledger import (DESIGN §9, issue 3 point 8): historical dates through the
pipeline's rules, row / column / rule in every error, all or nothing unless the valid rows are
confirmed explicitly, scope, re-import."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl.utils import get_column_letter

from core.models import AuditEvent
from development.ledger import rules, service
from development.ledger.columns import match_ledger_header, step_key
from development.models import Decision, Step, StepRecord
from development.selectors import next_steps
from members.excel import services as roster_services
from members.excel.columns import IGNORED
from members.models import Person, PersonChange, Role, Stage
from tests.excel_helpers import xlsx
from tests.factories import make_id_number, make_user

pytestmark = pytest.mark.django_db

BRANCH_A1 = "计算机本科生第一党支部"
BRANCH_A2 = "软件工程研究生党支部"
BRANCH_B1 = "农学本科生党支部"
ID_A = make_id_number(dt.date(2001, 4, 9), serial=101)  # odd serial: male
ID_B = make_id_number(dt.date(2001, 6, 1), serial=202)  # even serial: female
D = dt.date

# The typical ledger's field row (DESIGN §9), under a group row.
FIELDS = [
    "学号", "姓名", "出生", "性别", "民族", "籍贯", "电话", "身份证", "专业",
    "申请书", "首次谈话", "积极分子", "培养联系人", "推优", "发展对象", "政审", "党校结业",
    "党委预审", "介绍人", "预备(支部大会)", "入党谈话", "党委审批", "宣誓", "转正申请", "转正",
    "毕业时间", "备注", "第1次", "第2次",
]  # fmt: skip
GROUPS = {0: "基本信息", 9: "入党申请人", 11: "入党积极分子", 14: "发展对象", 19: "预备党员",
          27: "思想汇报"}  # fmt: skip
LETTER = {name: get_column_letter(i + 1) for i, name in enumerate(FIELDS)}

# A full member's dates, each rule kept, written the ways ledgers write them.
FULL = {
    "申请书": "2019/9/10",
    "首次谈话": "2019-09-25",
    "积极分子": "2019.11.1",
    "推优": dt.datetime(2019, 10, 8),  # an Excel date cell
    "发展对象": "2020-11-15",
    "政审": "2021-03-01",
    "党校结业": "2021-04-01",
    "党委预审": "2021-05-01",
    "预备(支部大会)": "2021-06-01",
    "入党谈话": "2021-06-10",
    "党委审批": "2021-07-01",
    "宣誓": "2021-07-01",
    "转正申请": "2022-05-15",
    "转正": "2022-06-01",
    "第1次": "2019-12-01",
    "第2次": "2020/3/1",
}


def person_row(name="赵六", sn="2022001", id_number=ID_A, born="2001-04-09", sex="男", **dates):
    values = {
        "学号": sn,
        "姓名": name,
        "出生": born,
        "性别": sex,
        "民族": "汉族",
        "籍贯": "北京",
        "电话": "13800000000",
        "身份证": id_number,
        "专业": "计算机科学与技术",
        "培养联系人": "王老师",
        "介绍人": "王老师、李老师",
        "毕业时间": "2023-06-30",
        **dates,
    }
    return [values.get(field) for field in FIELDS]


def sheet(*rows, fields=FIELDS, groups=True):
    head = []
    if groups:
        head.append([GROUPS.get(i) for i in range(len(fields))])
    head.append(list(fields))
    return [*head, *rows]


def full_row(**changes):
    dates = {**FULL, **changes}
    return person_row(**{k: v for k, v in dates.items() if k in FIELDS and k not in ("姓名",)})


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
    return make_user("office_a", role=Role.COMMITTEE_OFFICE, unit=school.college_a)


@pytest.fixture
def as_office(client, office):
    client.force_login(office)
    return client


def judge(user, content: bytes, name: str = "台账.xlsx", ignore_unknown: bool = False):
    return service.ledger_upload(
        user, io.BytesIO(content), size=len(content), name=name, ignore_unknown=ignore_unknown
    )


def confirm(user, report, *, subset: str | None = None):
    pending = service.ledger_load(report.token, user)
    assert pending is not None
    return service.ledger_confirm(user, pending, subset=subset)


def cells(report) -> list[tuple[str, int | None, str, str]]:
    return [(e.sheet, e.row, e.column, e.code) for e in report.errors]


def upload(client, content: bytes, name="台账.xlsx"):
    return client.post(reverse("dev_ledger_import"), {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    match = re.search(r"/pipeline/ledger/([A-Za-z0-9_-]{32})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def written() -> tuple[int, int, int]:
    return Person.objects.count(), StepRecord.objects.count(), PersonChange.objects.count()


# ---------------------------------------------------------------- columns and dates


@pytest.mark.parametrize(
    "header, key",
    [
        ("申请书", "step:application"),
        ("首次谈话", "step:applicant_talk"),
        ("积极分子", "step:activist_determined"),
        ("推优", "step:recommendation"),
        ("发展对象", "step:candidate_determined"),
        ("政审", "step:political_review"),
        ("党校结业", "step:training"),
        ("党委预审", "step:pre_review"),
        ("预备(支部大会)", "step:admission_meeting"),
        ("预备（支部大会）", "step:admission_meeting"),
        ("入党谈话", "step:higher_talk"),
        ("党委审批", "step:admission_approval"),
        ("宣誓", "step:oath"),
        ("转正申请", "step:conversion_application"),
        ("转正", "step:conversion_approval"),
        ("第3次思想汇报", "report:3"),
        ("第十一次思想汇报", "report:11"),
        ("思想汇报2", "report:2"),
        ("思想汇报第一次", "report:1"),  # what the reader tries under a 思想汇报 group row
        ("身份证", "id_number"),
        ("出生", "birth_date"),
        ("毕业时间", "expected_graduation"),
        ("备注", "remarks"),
    ],
)
def test_ledger_headers(header, key):
    assert match_ledger_header(header).key == key


@pytest.mark.parametrize("header", ["培养联系人", "介绍人", "序号", "人员类别"])
def test_names_and_derived_columns_are_skipped(header):
    assert match_ledger_header(header) is IGNORED


def test_a_full_history_loads_through_two_header_rows_and_every_date_spelling(office, school):
    applicant = person_row("钱七", "2022002", ID_B, "2001-06-01", "女", 申请书="2024-03-05")
    content = xlsx({BRANCH_A1: sheet(full_row(), applicant)})
    report = judge(office, content)
    assert report.ok, cells(report)
    assert report.counts["new"] == 2 and report.counts["steps"] == 17
    done = confirm(office, report)
    assert done.applied

    person = Person.objects.get(student_number="2022001")
    assert person.unit == school.branch_a1 and person.name == "赵六"
    assert person.stage == Stage.FULL and person.stage_since == D(2022, 6, 1)
    assert (person.applied_on, person.joined_on, person.full_member_on) == (
        D(2019, 9, 10), D(2021, 6, 1), D(2022, 6, 1)
    )  # fmt: skip
    records = {r.step: r for r in StepRecord.objects.filter(person=person)}
    assert records[Step.RECOMMENDATION].on == D(2019, 10, 8)  # the Excel date cell
    assert records[Step.ACTIVIST_DETERMINED].on == D(2019, 11, 1)  # 2019.11.1
    assert records[Step.CONVERSION_APPROVAL].decision == Decision.AGREED
    assert StepRecord.objects.filter(person=person, step=Step.THOUGHT_REPORT).count() == 2
    evidence = records[Step.ADMISSION_APPROVAL].evidence
    assert "台账.xlsx" in evidence and BRANCH_A1 in evidence and "第3行" in evidence
    assert f"{LETTER['党委审批']}3" in evidence
    assert records[Step.ADMISSION_APPROVAL].detail["row"] == 3
    change = person.changes.filter(kind=PersonChange.Kind.IMPORTED, changes__has_key="stage")
    assert change.get().changes["stage"][1] == str(Stage.FULL.label)
    assert AuditEvent.objects.filter(target_type="development.ledger").count() == 1
    assert AuditEvent.objects.filter(target_type="members.person", target_id=str(person.pk),
                                     action=AuditEvent.Action.IMPORT).exists()  # fmt: skip

    applicant = Person.objects.get(student_number="2022002")
    assert applicant.stage == Stage.APPLICANT and applicant.stage_since == D(2024, 3, 5)
    # The pipeline takes over: the applicant's next step is the talk (long overdue).
    step = next_steps(Person.objects.filter(pk=applicant.pk), D(2026, 1, 1))[applicant.pk]
    assert step.step == Step.APPLICANT_TALK and step.late


def test_one_header_row_and_one_sheet_per_branch(office, school):
    fields = ["学号", "姓名", "身份证", "申请书", "积极分子", "首次谈话", "推优"]
    first = ["2022001", "赵六", ID_A, "2021-03-05", "2021-10-01", "2021-03-20", "2021-04-01"]
    second = ["2022002", "钱七", ID_B, "2022-03-05", None, None, None]
    content = xlsx({BRANCH_A1: sheet(first, fields=fields, groups=False),
                    BRANCH_A2: sheet(second, fields=fields, groups=False)})  # fmt: skip
    report = judge(office, content)
    assert report.ok, cells(report)
    assert confirm(office, report).applied
    zhao = Person.objects.get(student_number="2022001")
    qian = Person.objects.get(student_number="2022002")
    assert (zhao.unit, zhao.stage, zhao.stage_since) == (school.branch_a1, Stage.ACTIVIST,
                                                         D(2021, 10, 1))  # fmt: skip
    assert (qian.unit, qian.stage) == (school.branch_a2, Stage.APPLICANT)


# ---------------------------------------------------------------- each rule, at its cell


@pytest.mark.parametrize(
    "changes, column, code",
    [
        ({"首次谈话": "2019-09-01"}, "首次谈话", "date_order"),  # before the application
        ({"发展对象": "2020-11-01"}, "发展对象", "candidate_too_early"),  # exactly one year
        ({"发展对象": "2019-10-01"}, "发展对象", "date_order"),
        ({"党委审批": "2021-09-02"}, "党委审批", "approval_late"),  # 3 months + 1 day
        ({"转正": "2022-05-31"}, "转正", "probation_short"),
        ({"转正申请": "2022-04-30"}, "转正申请", "conversion_too_early"),
        ({"申请书": "2019-05-31"}, "申请书", "under_age"),  # the day before the 18th birthday
        ({"政审": None}, "党委预审", "missing_step"),  # column there, cell empty
        ({"推优": None}, "积极分子", "missing_step"),
        ({"积极分子": None}, "发展对象", "missing_step"),
        (
            {"党委审批": None, "宣誓": None, "转正申请": None, "转正": None},
            "预备(支部大会)",
            "awaiting_approval",
        ),
        ({"宣誓": "2031-07-01"}, "宣誓", "future_date"),
        ({"宣誓": "2021-02-30"}, "宣誓", "invalid_date"),
        ({"第1次": "2019-09-01"}, "第1次", "date_order"),  # a report before the application
        ({"第2次": "2023-01-01"}, "第2次", "report_after_full"),
    ],
)
def test_each_broken_rule_is_reported_at_its_row_and_column(office, changes, column, code):
    broken = person_row("孙八", "2022003", ID_B, "2001-06-01", "女", **{**FULL, **changes})
    content = xlsx({BRANCH_A1: sheet(full_row(), broken)})
    before = written()
    report = judge(office, content)
    assert (BRANCH_A1, 4, LETTER[column], code) in cells(report), cells(report)
    assert all(e.row == 4 for e in report.errors), cells(report)
    message = next(e.message for e in report.errors if e.code == code)
    assert message  # says why, in words
    assert written() == before


def test_the_boundaries_of_the_intervals_pass(office):
    boundary = {"发展对象": "2020-11-02", "党委审批": "2021-09-01", "转正": "2022-06-01",
                "转正申请": "2022-05-01", "宣誓": "2021-09-01", "申请书": "2019-04-09",
                "首次谈话": "2019-04-20", "推优": "2019-05-01"}  # fmt: skip
    report = judge(office, xlsx({BRANCH_A1: sheet(full_row(**boundary))}))
    assert report.ok, cells(report)


def test_a_missing_milestone_column_is_named(office):
    fields = ["学号", "姓名", "身份证", "申请书", "发展对象"]
    row = ["2022001", "赵六", ID_A, "2019-09-10", "2021-01-10"]
    report = judge(office, xlsx({BRANCH_A1: sheet(row, fields=fields, groups=False)}))
    (issue,) = report.errors
    assert (issue.row, issue.column, issue.code) == (2, "E", "missing_step")
    assert "积极分子" in issue.message and "not in this sheet" in issue.message


def test_a_special_case_in_the_remarks_allows_six_months(office):
    late = {"党委审批": "2021-11-20", "宣誓": "2021-11-20"}
    report = judge(office, xlsx({BRANCH_A1: sheet(full_row(**late, 备注="党委换届"))}))
    assert report.ok, cells(report)
    report = judge(office, xlsx({BRANCH_A1: sheet(full_row(**late, 备注="无"))}))
    assert [e.code for e in report.errors] == ["approval_late"]


def test_a_late_talk_is_recorded_with_a_note():
    errors, notes = rules.check(
        rules.RowDates(
            steps={Step.APPLICATION: D(2024, 3, 5), Step.APPLICANT_TALK: D(2024, 4, 6)},
            columns=frozenset({Step.APPLICATION, Step.APPLICANT_TALK}),
            birth=D(2001, 1, 1),
        ),
        D(2025, 1, 1),
    )
    assert errors == []
    assert [(n.key, n.code) for n in notes] == [(step_key(Step.APPLICANT_TALK), "talk_late")]


def test_requirements_pass_through_steps_a_sheet_has_no_column_for():
    # Without 党委预审, the branch meeting needs what the pre-review needs.
    columns = frozenset({Step.POLITICAL_REVIEW, Step.TRAINING, Step.ADMISSION_MEETING})
    assert rules.requirements_of(Step.ADMISSION_MEETING, columns) == [
        Step.POLITICAL_REVIEW, Step.TRAINING
    ]  # fmt: skip
    assert rules.requirements_of(Step.ADMISSION_MEETING, frozenset()) == [Step.CANDIDATE_DETERMINED]


# ---------------------------------------------------------------- all or nothing, or the valid rows


def two_rows_one_bad() -> bytes:
    bad = person_row("孙八", "2022003", ID_B, "2001-06-01", "女", **{**FULL, "转正": "2022-01-01"})
    return xlsx({BRANCH_A1: sheet(full_row(), bad)})


def test_nothing_is_written_while_any_row_has_an_error(as_office, office):
    response = upload(as_office, two_rows_one_bad())
    assert response.status_code == 302
    token = token_of(response)
    page = as_office.get(reverse("dev_ledger_preview", args=[token]))
    assert page.status_code == 200
    assert 'data-code="probation_short"' in page.content.decode()
    before = written()
    response = as_office.post(reverse("dev_ledger_preview", args=[token]), {"action": "confirm"})
    assert response.status_code == 409
    assert written() == before
    assert not AuditEvent.objects.filter(target_type="development.ledger").exists()


def test_the_valid_rows_only_after_an_explicit_confirmation(as_office, office):
    token = token_of(upload(as_office, two_rows_one_bad()))
    url = reverse("dev_ledger_preview", args=[token])
    page = as_office.get(url).content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)
    assert 'value="confirm_valid"' in page and 'name="accept_subset"' in page

    before = written()
    unticked = as_office.post(url, {"action": "confirm_valid", "fingerprint": fingerprint})
    assert unticked.status_code == 400 and written() == before
    stale = as_office.post(
        url, {"action": "confirm_valid", "fingerprint": "0" * 32, "accept_subset": "yes"}
    )
    assert stale.status_code == 409 and written() == before
    assert 'data-code="changed"' in stale.content.decode()

    response = as_office.post(
        url, {"action": "confirm_valid", "fingerprint": fingerprint, "accept_subset": "yes"}
    )
    assert response.status_code == 302
    assert Person.objects.filter(student_number="2022001", stage=Stage.FULL).exists()
    assert not Person.objects.filter(student_number="2022003").exists()
    event = AuditEvent.objects.get(target_type="development.ledger")
    assert event.detail["subset"] is True and event.detail["error_rows"] == 1
    assert as_office.get(url).status_code == 404  # the upload is gone once written


def test_a_write_failure_rolls_back_every_row(office, monkeypatch):
    report = judge(office, xlsx({BRANCH_A1: sheet(full_row(), person_row(
        "钱七", "2022002", ID_B, "2001-06-01", "女", 申请书="2024-03-05"))}))  # fmt: skip
    assert report.ok
    real = service._load_history
    calls = []

    def failing(user, person, plan, report, evidence):
        calls.append(plan.row)
        if len(calls) == 2:
            raise service.ValidationError("boom")
        return real(user, person, plan, report, evidence)

    monkeypatch.setattr(service, "_load_history", failing)
    before = written()
    done = confirm(office, report)
    assert not done.applied and done.errors[-1].code == "write_failed"
    assert written() == before


# ---------------------------------------------------------------- people and scope


def test_rows_out_of_scope_are_refused(office, school):
    carol = ["2021003", "王五", None, "2019-09-10"]  # 学号 of someone in college B
    stranger_sheet = [["2022009", "周九", None, "2024-03-05"]]
    fields = ["学号", "姓名", "身份证", "申请书"]
    content = xlsx({BRANCH_A1: sheet(carol, fields=fields, groups=False),
                    BRANCH_B1: sheet(*stranger_sheet, fields=fields, groups=False)})  # fmt: skip
    report = judge(office, content)
    codes = {(e.sheet, e.row, e.code) for e in report.errors}
    assert (BRANCH_A1, 2, "out_of_scope") in codes
    assert (BRANCH_B1, 2, "no_unit") in codes
    assert school.carol.name not in " ".join(e.message for e in report.errors)
    assert not report.plans


def test_a_known_person_gets_their_history_by_id_number(office, school):
    alice = school.alice
    fields = ["姓名", "申请书", "首次谈话"]
    row = ["张三", "2021-09-01", "2021-09-20"]
    # Without 学号 or 身份证, alice is found by name in the branch (the roster's rule).
    report = judge(office, xlsx({BRANCH_A1: sheet(row, fields=fields, groups=False)}))
    assert report.ok, cells(report)
    (plan,) = report.plans
    assert plan.action == "load" and plan.person.person_id == alice.pk
    assert confirm(office, report).applied
    alice.refresh_from_db()
    assert alice.applied_on == D(2021, 9, 1) and alice.stage_since == D(2021, 9, 1)
    assert StepRecord.objects.filter(person=alice).count() == 2


def test_a_person_already_further_in_partyadmin_is_not_changed(office, school):
    Person.objects.filter(pk=school.alice.pk).update(stage=Stage.FULL)
    fields = ["学号", "姓名", "申请书"]
    report = judge(office, xlsx({BRANCH_A1: sheet(["2021001", "张三", "2021-09-01"],
                                                  fields=fields, groups=False)}))  # fmt: skip
    assert [e.code for e in report.errors] == ["stage_conflict"]


def test_re_importing_the_same_ledger_changes_nothing(office, as_office):
    content = xlsx({BRANCH_A1: sheet(full_row())})
    assert confirm(office, judge(office, content)).applied
    before = written()
    again = judge(office, content)
    assert again.ok and again.counts["unchanged"] == 1 and again.counts["steps"] == 0
    assert again.imported_before
    assert confirm(office, again).applied
    assert written() == before

    token = token_of(upload(as_office, content))
    page = as_office.get(reverse("dev_ledger_preview", args=[token])).content.decode()
    assert 'id="imported-before"' in page


def test_a_ledger_cannot_change_a_recorded_history(office):
    assert confirm(office, judge(office, xlsx({BRANCH_A1: sheet(full_row())}))).applied
    report = judge(office, xlsx({BRANCH_A1: sheet(full_row(宣誓="2021-07-02"))}))
    (issue,) = report.errors
    assert (issue.row, issue.column, issue.code) == (3, LETTER["宣誓"], "history_on_record")
    assert "2021-07-01" in issue.message


# ---------------------------------------------------------------- uploads and tokens


def test_a_refused_file_is_not_stored(as_office, media):
    response = upload(as_office, b"not a workbook")
    assert response.status_code == 400
    assert not (media / "imports").exists() or not list((media / "imports").iterdir())


def test_tokens_belong_to_their_uploader_and_their_kind(as_office, office, client, school):
    token = token_of(upload(as_office, xlsx({BRANCH_A1: sheet(full_row())})))
    # The roster import does not open a ledger's upload.
    assert as_office.get(reverse("people_import_preview", args=[token])).status_code == 404
    other = make_user("office_a2", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    client.force_login(other)
    assert client.get(reverse("dev_ledger_preview", args=[token])).status_code == 404
    roster = roster_services.import_upload(
        office, io.BytesIO(xlsx({BRANCH_A1: [["姓名", "学号"], ["周九", "2022009"]]})), size=0,
        name="r.xlsx",
        ignore_unknown=False,
    )  # fmt: skip
    if roster.token:
        assert as_office.get(reverse("dev_ledger_preview", args=[roster.token])).status_code == 404


def test_the_preview_discards(as_office, media):
    token = token_of(upload(as_office, xlsx({BRANCH_A1: sheet(full_row())})))
    url = reverse("dev_ledger_preview", args=[token])
    assert as_office.post(url, {"action": "discard"}).status_code == 302
    assert as_office.get(url).status_code == 404
    assert Person.objects.filter(student_number="2022001").count() == 0
