"""The full-process record (全程纪实) page and PDF, and the public notice (公示) PDF."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from development import services as s
from development.models import Purpose, Step
from development.record import steps_keep_documents
from members.models import BranchPost, Role
from members.services.org import branch_post_assign
from tests.factories import make_user
from tests.test_dev_helpers import Pipeline, make_full_member

pytestmark = pytest.mark.django_db
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils"
)


@pytest.fixture
def pipe(school) -> Pipeline:
    return Pipeline(school)


def english(client):
    client.cookies["django_language"] = "en"


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text with the spaces and line breaks of its layout taken out."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.split())


def full_walk(pipe: Pipeline):
    person = pipe.applicant(sex="female", education="本科", major="计算机科学与技术")
    walk = pipe.walk(person).until(Step.APPLICANT_TALK)
    walk.do(Step.THOUGHT_REPORT)
    return walk.until(None)


# The page -----------------------------------------------------------------------------------


def test_record_page_shows_every_step_with_date_actor_decision(client, pipe):
    walk = full_walk(pipe)
    pipe.office.last_name, pipe.office.first_name = "王", "老师"
    pipe.office.save()
    client.force_login(pipe.office)
    english(client)
    response = client.get(reverse("dev_record", args=[walk.person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for step in (
        Step.APPLICATION,
        Step.ACTIVIST_DETERMINED,
        Step.CANDIDATE_DETERMINED,
        Step.PRE_REVIEW,
        Step.ADMISSION_MEETING,
        Step.ADMISSION_APPROVAL,
        Step.OATH,
        Step.CONVERSION_APPROVAL,
        Step.THOUGHT_REPORT,
    ):
        assert f'data-step="{step}"' in html, step
        assert str(Step(step).label) in html
    assert walk.on[Step.PRE_REVIEW].isoformat() in html
    assert "王老师" in html  # the pre-review was recorded by the office
    assert "agreed" in html
    # Meetings with their votes, the notices, the approvals.
    assert 'id="record-meetings"' in html and "Passed:" in html
    assert 'id="record-notices"' in html
    assert "学区、学院楼栋" in html
    admission_notice = walk.notices[Purpose.ADMISSION]
    assert reverse("dev_notice_pdf", args=[admission_notice.pk]) in html
    assert 'id="record-approvals"' in html
    assert "组织员" in html  # who held the talk before approval
    assert reverse("dev_record_pdf", args=[walk.person.pk]) in html


def test_record_shows_an_extension_of_probation(client, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_APPLICATION)
    extension = s.probation_extend(
        person=walk.person,
        months=6,
        on=walk.on[Step.OATH] + dt.timedelta(days=30),
        reason="先锋模范作用发挥不够",
        actor=pipe.office,
    )
    client.force_login(pipe.secretary)
    english(client)
    html = client.get(reverse("dev_record", args=[walk.person.pk])).content.decode()
    assert 'id="record-probation"' in html
    assert "by 6 months" in html and extension.new_end.isoformat() in html
    assert "先锋模范作用发挥不够" in html
    assert 'data-step="extension"' in html


def test_record_lists_the_person_s_documents(client, pipe, settings, tmp_path):
    from core.uploads import document_store

    settings.MEDIA_ROOT = tmp_path
    person = pipe.applicant()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    document = document_store(
        file=SimpleUploadedFile("申请书.pdf", pdf),
        kind="application",
        unit=person.unit,
        person=person,
        actor=None,
    )
    client.force_login(pipe.secretary)
    html = client.get(reverse("dev_record", args=[person.pk])).content.decode()
    assert reverse("document_download", args=[document.pk]) in html
    assert "申请书.pdf" in html


def test_record_scope(client, school, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ACTIVIST_DETERMINED)
    url = reverse("dev_record", args=[walk.person.pk])
    client.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_b))
    assert client.get(url).status_code == 404
    assert client.get(reverse("dev_record_pdf", args=[walk.person.pk])).status_code == 404
    # The member reads their own record, and nobody else's.
    member = make_user()
    walk.person.user = member
    walk.person.save(update_fields=["user"])
    client.force_login(member)
    assert client.get(url).status_code == 200
    other = pipe.applicant()
    assert client.get(reverse("dev_record", args=[other.pk])).status_code == 404


def test_record_query_count_does_not_grow_with_the_record(client, pipe, django_assert_num_queries):
    short = pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK).person
    long = full_walk(pipe).person
    client.force_login(pipe.office)
    counts = []
    for person in (short, long):
        with django_assert_num_queries(RECORD_QUERIES) as captured:
            assert client.get(reverse("dev_record", args=[person.pk])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# session + user (2); the person (1, with the view_people scope: 1); the record's tables:
# steps, opinions, votes, objections, notice entries, assignments, approvals, extension,
# cancellation, vetoes, training, volunteering, experiences (13); documents (1); the next
# step's file (11: load_files of a person already loaded); the menu's import_people scope
# and own person (2); session save (3).
RECORD_QUERIES = 35 + (1 if steps_keep_documents() else 0)  # documents of the steps


# The PDFs -----------------------------------------------------------------------------------


@needs_pdftotext
def test_record_pdf_has_the_chinese_record(client, pipe, tmp_path):
    walk = full_walk(pipe)
    client.force_login(pipe.office)
    response = client.get(reverse("dev_record_pdf", args=[walk.person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "发展党员全程纪实" in text
    assert walk.person.name in text
    for label in ("递交入党申请书", "具有审批权限的基层党委预审", "支部大会讨论接收预备党员",
                  "上级党委审批预备党员转正", "入党宣誓"):  # fmt: skip
        assert label in text, label
    assert walk.on[Step.OATH].isoformat() in text
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, target_id=str(walk.person.pk)
    ).exists()


def _secretary(pipe: Pipeline, mobile: str = "13800000000"):
    secretary = make_full_member(pipe.branch, name="赵书记", mobile=mobile)
    branch_post_assign(
        unit=pipe.branch,
        person=secretary,
        post=BranchPost.Post.SECRETARY,
        term_start=dt.date(2020, 9, 1),
        actor=None,
    )
    return secretary


@needs_pdftotext
def test_admission_notice_pdf_lists_the_people_as_posted(client, pipe, tmp_path):
    _secretary(pipe)
    first = pipe.applicant(sex="female", education="本科", major="软件工程", class_name="2101班")
    walk = pipe.walk(first).until(Step.ADMISSION_NOTICE)
    walk.do(Step.ADMISSION_NOTICE)
    notice = walk.notices[Purpose.ADMISSION]
    client.force_login(pipe.secretary)
    response = client.get(reverse("dev_notice_pdf", args=[notice.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    name = walk.person.name
    assert f"关于拟接收{name}同志为中共预备党员的公示" in text
    assert "拟接收以下1名发展对象为中共预备党员" in text
    assert "在召开支部党员大会之前" in text
    for header in ("姓名", "性别", "民族", "出生年月", "学历", "递交入党申请书时间",
                   "确定为入党积极分子时间", "确定为发展对象时间", "拟发展时间"):  # fmt: skip
        assert header in text, header
    assert name in text and "女" in text and "汉族" in text and "本科" in text
    assert walk.on[Step.APPLICATION].strftime("%Y.%m.%d") in text
    assert walk.on[Step.ACTIVIST_DETERMINED].strftime("%Y.%m.%d") in text
    assert walk.on[Step.CANDIDATE_DETERMINED].strftime("%Y.%m.%d") in text
    start, end = notice.start, notice.end
    assert (
        f"公示时间：{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月" in text
    )
    assert "公示地点：学区、学院楼栋" in text
    assert "信息工程学院党委" in text  # where objections may also go
    assert "联系人：赵书记" in text and "13800000000" in text


@needs_pdftotext
def test_conversion_notice_pdf(client, pipe, tmp_path):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_NOTICE)
    walk.do(Step.CONVERSION_NOTICE)
    notice = walk.notices[Purpose.CONVERSION]
    client.force_login(pipe.office)
    text = pdf_text(client.get(reverse("dev_notice_pdf", args=[notice.pk])).content, tmp_path)
    assert "预备党员拟转为中共正式党员的公示" in text
    assert "入党时间" in text and "预备期满时间" in text
    assert walk.person.joined_on.strftime("%Y.%m.%d") in text


def test_notice_pdf_scope(client, school, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    notice = walk.notices[Purpose.ADMISSION]
    client.force_login(make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_b1))
    assert client.get(reverse("dev_notice_pdf", args=[notice.pk])).status_code == 404
    client.force_login(make_user())  # an account without any grant
    assert client.get(reverse("dev_notice_pdf", args=[notice.pk])).status_code == 404


@pytest.mark.skipif(
    not steps_keep_documents(), reason="step records keep documents once a1's branch is merged"
)
def test_a_step_s_documents_are_listed_with_the_step(client, pipe, settings, tmp_path):
    from development.services.evidence import step_documents_attach

    settings.MEDIA_ROOT = tmp_path
    walk = pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK)
    record = walk.person.step_records.get(step=Step.APPLICATION)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    (document,) = step_documents_attach(
        record=record, files=[SimpleUploadedFile("入党申请书.pdf", pdf)], actor=pipe.secretary
    )
    client.force_login(pipe.secretary)
    html = client.get(reverse("dev_record", args=[walk.person.pk])).content.decode()
    row = html[html.index('data-step="application"') :].split("</tr>")[0]
    assert reverse("document_download", args=[document.pk]) in row
    assert "入党申请书.pdf" in row
