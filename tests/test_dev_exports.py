"""The development ledger and the five filing forms: reopened with openpyxl and checked."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent
from development.exports import FILING_FORMS, LEDGER_GROUPS
from development.models import Step
from members.models import Role
from tests.factories import make_id_number, make_user
from tests.test_dev_helpers import Pipeline

pytestmark = pytest.mark.django_db
LEDGER_FIELDS = [name for _group, names in LEDGER_GROUPS for name in names]


@pytest.fixture
def world(school):
    """A full member with a thought report and a probationary member in college A; an
    activist in college B, which college A's office must never export."""
    pipe = Pipeline(school)
    id_number = make_id_number(dt.date(2001, 9, 1), serial=402)  # even: a woman
    full = pipe.walk(
        pipe.applicant(
            sex="female",
            student_number="2019001",
            id_number=id_number,
            remarks='=HYPERLINK("http://x")',
        )
    )
    full.until(Step.APPLICANT_TALK)
    full.do(Step.THOUGHT_REPORT)
    full.do(Step.THOUGHT_REPORT, on=full.on[Step.THOUGHT_REPORT] + dt.timedelta(days=90))
    full.until(None)
    probationary = pipe.walk(pipe.applicant(student_number="2019002")).until(Step.OATH)
    other = Pipeline(school, branch=school.branch_b1, voters=0)
    outsider = other.walk(other.applicant(student_number="2019003")).until(Step.ACTIVIST_FILED)
    return {"pipe": pipe, "full": full, "prob": probationary, "out": outsider, "id": id_number}


def download(client, name: str, **params):
    kwargs = {"kind": params.pop("kind")} if "kind" in params else None
    response = client.get(reverse(name, kwargs=kwargs), params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def names_in(workbook, column: int) -> set[str]:
    return {
        row[column]
        for sheet in workbook.worksheets
        for row in rows_of(sheet)
        if row and len(row) > column and isinstance(row[column], str)
    }


# The ledger ---------------------------------------------------------------------------------


def test_ledger_has_two_header_rows_one_sheet_per_branch_and_the_steps(client, school, world):
    pipe, full = world["pipe"], world["full"]
    client.force_login(pipe.office)
    book = download(client, "dev_ledger_export")
    assert school.branch_a1.name in book.sheetnames
    sheet = book[school.branch_a1.name]
    rows = rows_of(sheet)
    assert rows[0][0] == "基本信息" and "入党积极分子" in rows[0] and "思想汇报" in rows[0]
    assert list(rows[1][: len(LEDGER_FIELDS)]) == LEDGER_FIELDS
    assert rows[1][len(LEDGER_FIELDS)] == "第1次思想汇报"
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}

    header = rows[1]
    row = next(r for r in rows[2:] if r[header.index("姓名")] == full.person.name)

    def value(column):
        cell = row[header.index(column)]
        return cell.date() if isinstance(cell, dt.datetime) else cell

    assert value("党支部") == school.branch_a1.name
    assert value("学号") == "2019001"
    assert value("性别") == "女"
    assert value("申请书") == full.on[Step.APPLICATION]
    assert value("首次谈话") == full.on[Step.APPLICANT_TALK]
    assert value("积极分子") == full.on[Step.ACTIVIST_DETERMINED]
    assert value("发展对象") == full.on[Step.CANDIDATE_DETERMINED]
    assert value("党委预审") == full.on[Step.PRE_REVIEW]
    assert value("预备(支部大会)") == full.on[Step.ADMISSION_MEETING]
    assert value("党委审批") == full.on[Step.ADMISSION_APPROVAL]
    assert value("宣誓") == full.on[Step.OATH]
    assert value("转正申请") == full.on[Step.CONVERSION_APPLICATION]
    assert value("转正") == full.person.full_member_on
    contacts = [m.name for m in pipe.members[:2]]
    assert value("培养联系人") == "、".join(contacts)
    assert value("介绍人") == "、".join(contacts)
    assert value("第1次思想汇报") == full.on[Step.THOUGHT_REPORT] - dt.timedelta(days=90)
    assert value("第2次思想汇报") == full.on[Step.THOUGHT_REPORT]
    # The office may see ID numbers in its college: the full number; formulas neutralised.
    assert value("身份证") == world["id"]
    assert value("备注").startswith("'=")

    # Scope: the other college's people are nowhere in the workbook.
    assert world["out"].person.name not in names_in(book, header.index("姓名"))
    assert school.branch_b1.name not in book.sheetnames
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("at")
    assert event.detail["export"] == "development ledger" and event.detail["rows"] >= 2


def test_ledger_masks_id_numbers_for_those_who_may_not_see_them(client, school, world):
    client.force_login(make_user(role=Role.ORGANIZER, unit=school.college_a))
    book = download(client, "dev_ledger_export")
    sheet = book[school.branch_a1.name]
    rows = rows_of(sheet)
    header = rows[1]
    row = next(r for r in rows[2:] if r[header.index("姓名")] == world["full"].person.name)
    assert "*" in row[header.index("身份证")]


def test_ledger_narrowed_to_a_unit(client, school, world):
    client.force_login(make_user(role=Role.SCHOOL_ADMIN, unit=school.school))
    everything = download(client, "dev_ledger_export")
    assert school.branch_b1.name in everything.sheetnames
    college_a = download(client, "dev_ledger_export", unit=school.college_a.pk)
    assert school.branch_b1.name not in college_a.sheetnames


# Filing forms -------------------------------------------------------------------------------


def _form_rows(client, kind: str, **params):
    book = download(client, "dev_filing_export", kind=kind, **params)
    sheet = book.worksheets[0]
    rows = rows_of(sheet)
    return sheet, rows[0][0], list(rows[2]), rows[3:]


@pytest.mark.parametrize("kind", list(FILING_FORMS))
def test_each_filing_form_has_its_title_and_columns(client, world, kind):
    form = FILING_FORMS[kind]
    client.force_login(world["pipe"].office)
    sheet, title, header, _rows = _form_rows(client, kind)
    assert sheet.title == form.title
    assert title.endswith(form.title) and title.startswith("信息工程学院党委")
    assert header == list(form.columns)


def test_filing_forms_list_the_people_at_their_stage(client, school, world):
    pipe, prob = world["pipe"], world["prob"]
    client.force_login(pipe.office)
    _sheet, _title, header, rows = _form_rows(client, "admitted_probationary")
    names = [r[header.index("姓名")] for r in rows]
    assert names == [prob.person.name]  # the full member is past this stage
    row = rows[0]
    assert row[header.index("序号")] == 1
    assert row[header.index("支部大会通过时间")].date() == prob.on[Step.ADMISSION_MEETING]
    assert row[header.index("入党宣誓时间")] is None  # the oath is still to come
    assert row[header.index("入党介绍人")] == "、".join(m.name for m in pipe.members[:2])

    # With a period: everyone admitted in it, the full member too.
    since = min(world["full"].on[Step.ADMISSION_APPROVAL], prob.on[Step.ADMISSION_APPROVAL])
    _s, title, header, rows = _form_rows(client, "admitted_probationary", since=since.isoformat())
    assert {r[header.index("姓名")] for r in rows} == {prob.person.name, world["full"].person.name}
    # Activists of the other college are not the office's to file.
    _s, _t, header, rows = _form_rows(client, "activist_filing")
    assert world["out"].person.name not in {r[header.index("姓名")] for r in rows}
    other_office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_b)
    client.force_login(other_office)
    _s, _t, header, rows = _form_rows(client, "activist_filing")
    row = next(r for r in rows if r[header.index("姓名")] == world["out"].person.name)
    assert row[header.index("推荐方式")] == "团组织推优"
    assert (
        row[header.index("确定为入党积极分子时间")].date()
        == world["out"].on[Step.ACTIVIST_DETERMINED]
    )


def test_conversion_pre_review_list(client, school, world):
    pipe = world["pipe"]
    applying = pipe.walk(pipe.applicant()).until(Step.CONVERSION_NOTICE)
    client.force_login(pipe.office)
    _s, _t, header, rows = _form_rows(client, "conversion_pre_review")
    assert [r[header.index("姓名")] for r in rows] == [applying.person.name]
    row = rows[0]
    assert row[header.index("转正申请时间")].date() == applying.on[Step.CONVERSION_APPLICATION]
    assert row[header.index("预备期满时间")].date() == applying.probation_end()


# Refusals -----------------------------------------------------------------------------------


def test_exports_need_export_people(client, school):
    client.force_login(make_user(role=Role.BRANCH_COMMITTEE, unit=school.branch_a1))
    assert client.get(reverse("dev_ledger_export")).status_code == 404
    assert client.get(reverse("dev_exports")).status_code == 404
    url = reverse("dev_filing_export", kwargs={"kind": "activist_filing"})
    assert client.get(url).status_code == 404


def test_bad_selection_says_why_and_exports_nothing(client, school):
    client.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a))
    client.cookies["django_language"] = "en"
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    response = client.get(reverse("dev_ledger_export"), {"since": "2024/13/01"})
    assert response.status_code == 400
    assert "write the date as YYYY-MM-DD" in response.content.decode()
    response = client.get(reverse("dev_ledger_export"), {"unit": school.college_b.pk})
    assert response.status_code == 400
    assert "Choose a unit you may export." in response.content.decode()
    url = reverse("dev_filing_export", kwargs={"kind": "candidate_filing"})
    response = client.get(url, {"since": "2024-05-01", "until": "2024-01-01"})
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == before
    assert client.get(reverse("dev_filing_export", kwargs={"kind": "nothing"})).status_code == 404


# A fixed number of queries ------------------------------------------------------------------

# session + user (2); export_people scope (1); the most thought reports (1); the people (1);
# per chunk of 2000: step records, assignments, extensions (3); view_id_number scope (1);
# the audit entry (1); the session save (3).
LEDGER_QUERIES = 12


def test_ledger_query_count_does_not_grow_with_the_people(
    client, school, django_assert_num_queries
):
    pipe = Pipeline(school)
    client.force_login(pipe.office)
    counts = []
    for size in (1, 6):
        while school.branch_a1.people.filter(stage="activist").count() < size:
            pipe.walk(pipe.applicant()).until(Step.ACTIVIST_FILED)
        with django_assert_num_queries(LEDGER_QUERIES) as captured:
            response = client.get(reverse("dev_ledger_export"))
            b"".join(response.streaming_content)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_ledger_reads_back_into_the_roster_import_unchanged(
    client, school, world, settings, tmp_path
):
    """The ledger is a ledger the school's own importer understands: reading it back plans
    no change and finds no error."""
    from members.excel import services

    settings.MEDIA_ROOT = tmp_path
    admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    client.force_login(admin)
    response = client.get(reverse("dev_ledger_export"))
    data = b"".join(response.streaming_content)
    report = services.import_upload(
        admin, io.BytesIO(data), size=len(data), name="台账.xlsx", ignore_unknown=False
    )
    assert report.refused is None
    assert [i.message for i in report.errors] == []
    assert report.counts["new"] == 0 and report.counts["update"] == 0
    assert report.counts["unchanged"] >= 3
