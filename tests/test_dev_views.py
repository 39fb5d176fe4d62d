"""The pipeline's screens: the board, one form per step (allowed, refused with the service's
message and nothing written, out of scope 404), meetings and notices, and the panels on a
person's page and on a member's own page."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from core.models import Document
from core.uploads import document_path
from development import clock
from development.forms import STEP_FORMS
from development.models import (
    Approval,
    BranchMeeting,
    NoticeObjection,
    ObjectionStatus,
    PublicNotice,
    Purpose,
    Step,
    StepRecord,
)
from development.services import local_rules_update
from development.views.common import APPROVAL_STEPS
from members.models import Person, Role, Stage
from members.services.people import person_link_account
from tests.factories import make_person, make_user
from tests.test_dev_helpers import OPINIONS, ORDER, Pipeline, Walk

pytestmark = pytest.mark.django_db
ONE = dt.timedelta(days=1)
# session + user (2), view_people scope (1), units (1), stage counts (1), four columns (4),
# the files (12), change_people scope for the links (1), the menu's own person (1),
# session save (3), the latest notices and meetings (2)
BOARD_QUERIES = 28


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pipe(school) -> Pipeline:
    return Pipeline(school)


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def step_data(walk: Walk, step: str, on: dt.date) -> dict:
    """What a user types into the form of `step`, dated `on`."""
    day = on.isoformat()
    members = [str(m.pk) for m in walk.p.members[:2]]
    return {
        Step.APPLICATION: {"on": day, "evidence": "入党申请书", "evidence_ref": "SQ-1"},
        Step.APPLICANT_TALK: {"on": day, "talked_by": "组织委员", "note": "谈话"},
        Step.RECOMMENDATION: {"on": day, "kind": "youth_league", "recommenders": "团支部"},
        Step.ACTIVIST_DETERMINED: {"on": day, "note": "支委会研究", "evidence": "会议记录"},
        Step.ACTIVIST_FILED: {"on": day, "filed_with": "学院党委"},
        Step.CONTACTS_ASSIGNED: {"on": day, "members": members},
        Step.ASSESSMENT: {"on": day, "assessor": "支部", "conclusion": "合格"},
        Step.THOUGHT_REPORT: {"on": day, "title": "思想汇报"},
        Step.CANDIDATE_DETERMINED: {
            "on": day,
            **{f"opinion_{k}": v for k, v in OPINIONS.items()},
        },
        Step.CANDIDATE_FILED: {"on": day, "filed_with": "学院党委"},
        Step.INTRODUCERS_ASSIGNED: {"on": day, "members": members},
        Step.POLITICAL_REVIEW: {"on": day, "passed": "yes", "conclusion": "政治合格"},
        Step.TRAINING: {
            "course": "发展对象培训班",
            "start": day,
            "end": (on + 2 * ONE).isoformat(),
            "days": "3",
            "hours": "24",
            "passed": "on",
        },
        Step.BRANCH_REVIEW: {"on": day, "agreed": "yes"},
        Step.PRE_REVIEW: {"on": day, "passed": "yes"},
        Step.APPLICATION_FORM: {"on": day, "form_number": "No.001"},
        Step.HIGHER_TALK: {"on": day, "talked_by": "组织员"},
        Step.ADMISSION_APPROVAL: {"on": day, "approve": "yes"},
        Step.ADMISSION_FILED: {"on": day, "filed_with": "组织部"},
        Step.PLACEMENT: {"on": day},
        Step.OATH: {"on": day},
        Step.CONVERSION_APPLICATION: {"on": day, "evidence": "转正申请书"},
        Step.CONVERSION_APPROVAL: {"on": day, "approve": "yes"},
    }[step]


def actor_of(pipe: Pipeline, step: str):
    return pipe.office if step in APPROVAL_STEPS or step == Step.HIGHER_TALK else pipe.secretary


def step_url(person: Person, step: str) -> str:
    return reverse("dev_step", kwargs={"pk": person.pk, "step": step})


# The forms of the walk's steps, each allowed, refused and out of scope --------------------

FORM_STEPS = [s for s in ORDER if s in STEP_FORMS and s != Step.ASSESSMENT]


@pytest.mark.parametrize("step", FORM_STEPS)
def test_step_form_records_the_step(pipe, step):
    walk = pipe.walk(pipe.applicant()).until(step)
    on = walk.default_date(step)
    client = client_for(actor_of(pipe, step))
    assert client.get(step_url(walk.person, step)).status_code == 200
    response = client.post(step_url(walk.person, step), step_data(walk, step, on))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == reverse("person_detail", kwargs={"pk": walk.person.pk})
    record = StepRecord.objects.filter(person=walk.person, step=step).latest("id")
    assert record.on == (on + 2 * ONE if step == Step.TRAINING else on)
    assert record.actor == actor_of(pipe, step)


@pytest.mark.parametrize("step", FORM_STEPS)
def test_step_form_refusal_shows_the_service_message_and_writes_nothing(pipe, step):
    walk = pipe.walk(pipe.applicant()).until(step)
    before = StepRecord.objects.count(), Person.objects.get(pk=walk.person.pk).stage
    future = dt.date.today() + dt.timedelta(days=400)
    response = client_for(actor_of(pipe, step)).post(
        step_url(walk.person, step), step_data(walk, step, future)
    )
    assert response.status_code == 200
    shown = future + 2 * ONE if step == Step.TRAINING else future  # a course: its last day
    assert f"The date {shown.isoformat()} is in the future." in response.content.decode()
    assert (StepRecord.objects.count(), Person.objects.get(pk=walk.person.pk).stage) == before


@pytest.mark.parametrize("step", sorted(STEP_FORMS))
def test_step_form_out_of_scope_is_404(pipe, school, step):
    outsider = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_b1)
    person = pipe.applicant()
    client = client_for(outsider)
    assert client.get(step_url(person, step)).status_code == 404
    assert client.post(step_url(person, step), {"on": "2021-03-01"}).status_code == 404
    assert not StepRecord.objects.filter(person=person).exists()


def test_unknown_step_is_404(pipe):
    person = pipe.applicant()
    assert client_for(pipe.secretary).get(step_url(person, "promote")).status_code == 404


def test_too_early_candidacy_names_the_rule_and_the_days(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CANDIDATE_DETERMINED)
    early = walk.default_date(Step.CANDIDATE_DETERMINED) - 10 * ONE
    response = client_for(pipe.secretary).post(
        step_url(walk.person, Step.CANDIDATE_DETERMINED),
        step_data(walk, Step.CANDIDATE_DETERMINED, early),
    )
    text = response.content.decode()
    assert "Activist cultivation has not lasted more than one year: 10 days short." in text
    # The requirements are shown for the day given, not today.
    assert response.context["checks_on"] == early
    walk.person.refresh_from_db()
    assert walk.person.stage == Stage.ACTIVIST


def test_too_early_in_chinese(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CANDIDATE_DETERMINED)
    early = walk.default_date(Step.CANDIDATE_DETERMINED) - 3 * ONE
    client = Client()
    client.force_login(pipe.secretary)
    with translation.override("zh-hans"):
        response = client.post(
            step_url(walk.person, Step.CANDIDATE_DETERMINED),
            step_data(walk, Step.CANDIDATE_DETERMINED, early),
        )
    assert "积极分子培养考察未满一年，还差 3 天。" in response.content.decode()


def test_secretary_sees_who_may_decide_instead_of_an_approval_form(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.PRE_REVIEW)
    client = client_for(pipe.secretary)
    response = client.get(step_url(walk.person, Step.PRE_REVIEW))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "the committee with approval power, can record" in response.context["refusal"]
    client.post(step_url(walk.person, Step.PRE_REVIEW), {"on": "2022-05-01", "passed": "yes"})
    assert not StepRecord.objects.filter(person=walk.person, step=Step.PRE_REVIEW).exists()


def test_a_refusal_can_be_recorded(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.POLITICAL_REVIEW)
    on = walk.default_date(Step.POLITICAL_REVIEW)
    data = step_data(walk, Step.POLITICAL_REVIEW, on) | {"passed": "no"}
    client_for(pipe.secretary).post(step_url(walk.person, Step.POLITICAL_REVIEW), data)
    record = StepRecord.objects.get(person=walk.person, step=Step.POLITICAL_REVIEW)
    assert record.decision == "refused" and record.note == "政治合格"


def test_evidence_is_recorded(pipe):
    person = pipe.applicant()
    walk = pipe.walk(person)
    data = step_data(walk, Step.APPLICATION, walk.start)
    client_for(pipe.secretary).post(step_url(person, Step.APPLICATION), data)
    record = StepRecord.objects.get(person=person, step=Step.APPLICATION)
    assert (record.evidence, record.evidence_ref) == ("入党申请书", "SQ-1")


def test_extension_withdrawal_and_archive_forms(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_APPLICATION)
    on = walk.on[Step.OATH] + ONE
    office = client_for(pipe.office)
    response = office.post(
        step_url(walk.person, Step.EXTENSION), {"on": on, "months": "3", "reason": "表现"}
    )
    assert "at least 6 and at most 12 months; 3 given." in response.content.decode()
    office.post(step_url(walk.person, Step.EXTENSION), {"on": on, "months": "6", "reason": "表现"})
    walk.person.refresh_from_db()
    assert walk.person.probation_extension.months == 6

    other = pipe.applicant()
    w2 = pipe.walk(other).until(Step.APPLICANT_TALK)
    client_for(pipe.secretary).post(
        step_url(other, Step.WITHDRAWAL), {"on": w2.start + ONE, "reason": "本人申请"}
    )
    other.refresh_from_db()
    assert other.stage == Stage.WITHDRAWN


# Meetings and notices --------------------------------------------------------------------


def test_notice_objection_meeting_through_the_pages(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_NOTICE)
    person = walk.person
    sec = client_for(pipe.secretary)
    start = walk.default_date(Step.ADMISSION_NOTICE)
    url = reverse("dev_notice_new", kwargs={"pk": pipe.branch.pk, "purpose": "admission"})
    page = sec.get(url, {"person": person.pk})
    assert page.status_code == 200 and person.name in page.content.decode()
    # No place: the service's message, nothing posted.
    response = sec.post(url, {"start": start, "places": " ", "people": [person.pk]})
    assert "Say where the notice is posted." in response.content.decode() or (
        "This field is required." in response.content.decode()
    )
    assert not PublicNotice.objects.exists()
    response = sec.post(url, {"start": start, "places": "学区\n学院楼栋", "people": [person.pk]})
    notice = PublicNotice.objects.get()
    assert response["Location"] == reverse("dev_notice_detail", kwargs={"pk": notice.pk})
    assert notice.places == ["学区", "学院楼栋"]

    # An objection blocks the meeting until resolved.
    sec.post(
        reverse("dev_objection_new", kwargs={"pk": notice.pk}),
        {"person": person.pk, "received_on": start, "content": "反映问题"},
    )
    objection = NoticeObjection.objects.get()
    meeting_url = reverse("dev_meeting_new", kwargs={"pk": pipe.branch.pk, "purpose": "admission"})
    held = notice.end + ONE
    data = {"held_on": held, **{f"att_{m.pk}": "present" for m in pipe.members}}
    data |= {f"vote_{person.pk}": "on", f"for_{person.pk}": "5", f"against_{person.pk}": "0"}
    data |= {f"abstain_{person.pk}": "0", f"wfor_{person.pk}": "0", f"wtotal_{person.pk}": "0"}
    response = sec.post(meeting_url, data)
    assert "1 objection(s) to the public notice are not resolved." in response.content.decode()
    assert not BranchMeeting.objects.exists()
    sec.post(
        reverse("dev_objection_resolve", kwargs={"pk": objection.pk}),
        {f"o{objection.pk}-on": start, f"o{objection.pk}-upheld": "no",
         f"o{objection.pk}-resolution": "查无实据"},
    )  # fmt: skip
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED

    # Too few for: the meeting is on record and the page says why it failed.
    data[f"for_{person.pk}"] = "2"
    response = sec.post(meeting_url, data)
    meeting = BranchMeeting.objects.get()
    detail = sec.get(reverse("dev_meeting_detail", kwargs={"pk": meeting.pk})).content.decode()
    assert "Votes for: 2, not more than half of the 5 full members" in detail
    assert not Approval.objects.exists()


def test_meeting_passes_and_opens_the_approval(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    person = walk.person
    held = walk.default_date(Step.ADMISSION_MEETING)
    data = {"held_on": held, **{f"att_{m.pk}": "present" for m in pipe.members[:3]}}
    data |= {f"att_{m.pk}": "absent" for m in pipe.members[3:]}
    data |= {f"vote_{person.pk}": "on", f"for_{person.pk}": "2", f"against_{person.pk}": "1"}
    data |= {f"abstain_{person.pk}": "0", f"wfor_{person.pk}": "1", f"wtotal_{person.pk}": "2"}
    url = reverse("dev_meeting_new", kwargs={"pk": pipe.branch.pk, "purpose": "admission"})
    response = client_for(pipe.secretary).post(url, data)
    meeting = BranchMeeting.objects.get()
    assert response["Location"] == reverse("dev_meeting_detail", kwargs={"pk": meeting.pk})
    detail = client_for(pipe.office).get(response["Location"]).content.decode()
    assert "Passed: 3 votes for (written opinions included) of the 5 full members" in detail
    assert Approval.objects.get(person=person).status == "open"


def test_meeting_and_notice_pages_out_of_scope(pipe, school):
    outsider = client_for(make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_b1))
    for name in ("dev_meeting_new", "dev_notice_new"):
        url = reverse(name, kwargs={"pk": pipe.branch.pk, "purpose": "admission"})
        assert outsider.get(url).status_code == 404
        assert outsider.post(url, {}).status_code == 404
    # Only a branch holds a branch general meeting; an unknown purpose is not a page.
    sec = client_for(pipe.secretary)
    url = reverse("dev_meeting_new", kwargs={"pk": pipe.branch.pk, "purpose": "party"})
    assert sec.get(url).status_code == 404
    office = client_for(pipe.office)
    url = reverse("dev_meeting_new", kwargs={"pk": school.college_a.pk, "purpose": "admission"})
    assert office.get(url).status_code == 404


# The board -------------------------------------------------------------------------------


def test_board_groups_people_by_stage_with_marks_and_links(pipe):
    late = pipe.walk(pipe.applicant(name="迟到")).until(Step.APPLICANT_TALK)  # talk overdue
    activist = pipe.walk(pipe.applicant(name="积极")).until(Step.ACTIVIST_FILED)
    response = client_for(pipe.secretary).get(reverse("dev_board"))
    assert response.status_code == 200
    columns = {c["stage"]: c for c in response.context["columns"]}
    applicants = {c.person.pk: c for c in columns[Stage.APPLICANT]["cards"]}
    card = applicants[late.person.pk]
    assert card.next.step == Step.APPLICANT_TALK and card.late
    assert card.url == step_url(late.person, Step.APPLICANT_TALK)
    assert [c.person.pk for c in columns[Stage.ACTIVIST]["cards"]] == [activist.person.pk]
    html = response.content.decode()
    assert f'href="{card.url}"' in html and 'data-mark="late"' in html


def test_board_for_a_viewer_has_no_action_links(pipe, school):
    pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK)
    viewer = make_user(role=Role.BRANCH_COMMITTEE, unit=pipe.branch)
    response = client_for(viewer).get(reverse("dev_board"))
    cards = [c for col in response.context["columns"] for c in col["cards"]]
    assert cards and all(c.url == "" for c in cards)


def test_board_unit_chooser_stays_in_scope(pipe, school):
    make_person(school.branch_b1, "外院", birth_date=dt.date(2001, 1, 1))
    client = client_for(pipe.office)
    response = client.get(reverse("dev_board"), {"unit": school.branch_b1.pk})
    assert response.context["unit"] == school.college_a  # not offered: the default
    names = [c.person.name for col in response.context["columns"] for c in col["cards"]]
    assert "外院" not in names
    assert client_for(make_user()).get(reverse("dev_board")).status_code == 404


@pytest.mark.parametrize("size", [2, 12])
def test_board_query_count_is_fixed(pipe, django_assert_num_queries, size):
    for i in range(size):
        walk = pipe.walk(pipe.applicant(name=f"人{i}"))
        walk.until([Step.APPLICANT_TALK, Step.ACTIVIST_FILED, Step.CANDIDATE_FILED][i % 3])
    client = client_for(pipe.secretary)
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse("dev_board"))
    assert sum(c["count"] for c in response.context["columns"]) == size + 1  # and 张三


# The person's panel and the member's own page ---------------------------------------------


def test_person_page_links_to_the_next_action(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.RECOMMENDATION)
    html = (
        client_for(pipe.secretary)
        .get(reverse("person_detail", kwargs={"pk": walk.person.pk}))
        .content.decode()
    )
    assert f'id="dev-next-action" href="{step_url(walk.person, Step.RECOMMENDATION)}"' in html


def test_my_record_shows_the_next_step_and_what_it_needs(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CANDIDATE_DETERMINED)
    member = make_user()
    person_link_account(person=walk.person, user=member, actor=None)
    html = client_for(member).get(reverse("my_record")).content.decode()
    assert 'data-next-step="candidate_determined"' in html
    assert 'id="dev-next-action"' not in html  # a member reads, the branch acts
    assert "Activist filed with the higher committee" in html  # a met requirement


def test_special_case_gives_the_approval_six_months(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_APPROVAL)
    approval = Approval.objects.get(person=walk.person)
    office = client_for(pipe.office)
    page = office.get(step_url(walk.person, Step.ADMISSION_APPROVAL))
    assert page.context["special_form"] is not None
    url = reverse("dev_special_case", kwargs={"pk": walk.person.pk})
    # The branch may not: the service's reason, nothing changed.
    refused = client_for(pipe.secretary).post(url, {"reason": "换届"})
    assert "the committee with approval power" in refused.content.decode()
    approval.refresh_from_db()
    assert not approval.special_case
    response = office.post(url, {"reason": "党委换届"})
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.special_case and approval.special_reason == "党委换届"
    assert approval.due_on == clock.approval_due(approval.opened_on, special=True)
    again = office.post(url, {"reason": "再次"})
    assert "The special case is already on record." in again.content.decode()


def test_board_lists_the_latest_notices_and_meetings(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.HIGHER_TALK)
    response = client_for(pipe.secretary).get(reverse("dev_board"))
    notice, meeting = walk.notices[Purpose.ADMISSION], BranchMeeting.objects.get()
    assert response.context["notices"] == [notice]
    assert response.context["meetings"] == [meeting]
    html = response.content.decode()
    assert reverse("dev_notice_detail", kwargs={"pk": notice.pk}) in html
    assert reverse("dev_meeting_detail", kwargs={"pk": meeting.pk}) in html


# Documents as evidence --------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile("申请书.png", out.getvalue())


def test_step_keeps_its_documents(pipe, media):
    person = pipe.applicant()
    walk = pipe.walk(person)
    data = step_data(walk, Step.APPLICATION, walk.start) | {"documents": [png(), png()]}
    response = client_for(pipe.secretary).post(step_url(person, Step.APPLICATION), data)
    assert response.status_code == 302
    record = StepRecord.objects.get(person=person, step=Step.APPLICATION)
    documents = list(record.documents.all())
    assert len(documents) == 2
    assert {(d.person_id, d.unit_id, d.kind) for d in documents} == {
        (person.pk, person.unit_id, "development.application")
    }
    assert all(document_path(d).exists() for d in documents)


def test_a_refused_step_keeps_no_file_and_a_bad_file_is_refused(pipe, media):
    person = pipe.applicant()
    walk = pipe.walk(person)
    client = client_for(pipe.secretary)
    future = step_data(walk, Step.APPLICATION, dt.date.today() + 30 * ONE)
    response = client.post(step_url(person, Step.APPLICATION), future | {"documents": png()})
    assert "is in the future" in response.content.decode()
    assert not Document.objects.exists()
    fake = SimpleUploadedFile("scan.png", b"MZ\x90\x00 not a picture")
    data = step_data(walk, Step.APPLICATION, walk.start) | {"documents": fake}
    response = client.post(step_url(person, Step.APPLICATION), data)
    assert response.status_code == 200
    assert response.context["form"].errors["documents"]
    assert not StepRecord.objects.filter(person=person).exists()
    assert not Document.objects.exists()


def test_documents_only_on_steps_that_have_them(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK)
    client = client_for(pipe.secretary)
    talk = client.get(step_url(walk.person, Step.APPLICANT_TALK)).context["form"]
    assert "documents" not in talk.fields
    report = client.get(step_url(walk.person, Step.THOUGHT_REPORT)).context["form"]
    assert "documents" in report.fields


def test_other_step_forms(pipe, school):
    local_rules_update(school=school.school, actor=None, conversion_pre_review=True)
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_APPLICATION)
    person, sec, office = walk.person, client_for(pipe.secretary), client_for(pipe.office)
    day = walk.on[Step.OATH] + ONE
    sec.post(step_url(person, Step.ASSESSMENT), {"on": day, "assessor": "支部", "conclusion": "好"})
    sec.post(step_url(person, Step.THOUGHT_REPORT), {"on": day, "title": "第四季度"})
    walk.do(Step.CONVERSION_APPLICATION)
    on = walk.on[Step.CONVERSION_APPLICATION] + ONE
    office.post(step_url(person, Step.CONVERSION_PRE_REVIEW), {"on": on, "passed": "yes"})
    steps = set(StepRecord.objects.filter(person=person).values_list("step", flat=True))
    assert {Step.ASSESSMENT, Step.THOUGHT_REPORT, Step.CONVERSION_PRE_REVIEW} <= steps
    # Cancelling needs a reason; then the person's file can be archived.
    response = office.post(step_url(person, Step.CANCELLATION), {"on": on, "reason": ""})
    assert response.context["form"].errors["reason"]
    office.post(step_url(person, Step.CANCELLATION), {"on": on, "reason": "不合格"})
    person.refresh_from_db()
    assert person.stage == Stage.PROBATION_CANCELLED
    sec.post(step_url(person, Step.ARCHIVE), {"on": on, "location": "档案室"})
    archive = StepRecord.objects.get(person=person, step=Step.ARCHIVE)
    assert archive.detail == {"location": "档案室"}


# Facts of the local rules ----------------------------------------------------------------


def test_a_veto_blocks_until_lifted(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ACTIVIST_DETERMINED)
    person, sec = walk.person, client_for(pipe.secretary)
    fact = reverse("dev_fact", kwargs={"pk": person.pk, "kind": "veto"})
    day = walk.on[Step.RECOMMENDATION]
    response = sec.post(fact, {"kind": "dormitory", "on": day, "raised_by": "宿管", "reason": ""})
    assert response.context["form"].errors["reason"]
    sec.post(fact, {"kind": "dormitory", "on": day, "raised_by": "宿管", "reason": "违纪"})
    veto = person.development_vetoes.get()
    panel = sec.get(reverse("person_detail", kwargs={"pk": person.pk})).content.decode()
    assert "A dormitory civility veto raised on" in panel
    lift = reverse("dev_veto_lift", kwargs={"pk": veto.pk})
    assert lift in panel
    on = walk.default_date(Step.ACTIVIST_DETERMINED)
    refused = sec.post(step_url(person, Step.ACTIVIST_DETERMINED), {"on": on})
    assert "stands: 违纪" in refused.content.decode()
    # Lifting before it was raised is refused with the service's reason.
    early = sec.post(lift, {"on": day - ONE, "reason": "已整改"})
    assert "cannot be lifted before it was raised" in early.content.decode()
    sec.post(lift, {"on": day + ONE, "reason": "已整改"})
    sec.post(step_url(person, Step.ACTIVIST_DETERMINED), {"on": on})
    person.refresh_from_db()
    assert person.stage == Stage.ACTIVIST


def test_experiences_and_volunteer_hours_when_the_school_asks(pipe, school):
    walk = pipe.walk(pipe.applicant()).until(Step.OATH)
    local_rules_update(
        school=school.school, actor=None, experiences_required=True, volunteer_hours_required=True
    )
    person, sec = walk.person, client_for(pipe.secretary)
    panel = sec.get(reverse("person_detail", kwargs={"pk": person.pk})).content.decode()
    for kind in ("veto", "experience", "volunteer"):
        assert reverse("dev_fact", kwargs={"pk": person.pk, "kind": kind}) in panel
    url = reverse("dev_fact", kwargs={"pk": person.pk, "kind": "volunteer"})
    response = sec.post(url, {"on": walk.on[Step.PLACEMENT], "hours": "0", "activity": "支教"})
    assert "Volunteer hours must be more than zero." in response.content.decode()
    sec.post(url, {"on": walk.on[Step.PLACEMENT], "hours": "12.5", "activity": "支教"})
    assert person.development_volunteering.get().hours == 12.5
    url = reverse("dev_fact", kwargs={"pk": person.pk, "kind": "experience"})
    sec.post(url, {"label": "担任校内外志愿者", "on": walk.on[Step.PLACEMENT]})
    assert person.development_experiences.get().label == "担任校内外志愿者"
    assert sec.get(reverse("dev_fact", kwargs={"pk": person.pk, "kind": "x"})).status_code == 404
