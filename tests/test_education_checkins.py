"""Graduates' check-ins: plans by category, submission, review edges, late flags, the
graduate's own page, uploads refused with nothing stored, pinned query counts."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import Document
from education import selectors
from education.models import Checkin, CheckinEvent, CheckinKind, CheckinPlan, CheckinStatus
from education.services import checkins as svc
from members.models import Person, Role
from members.services.people import person_link_account
from tests.factories import make_person, make_unit, make_user

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2025, 8, 20)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(svc, "today", lambda: TODAY)


def jpeg(name="xuexi.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def graduate(school):
    person = make_person(school.branch_a1, "毕业生甲", stage="full", whereabouts="away")
    user = make_user("grad")
    person_link_account(person=person, user=user, actor=None)
    person.refresh_from_db()
    return person


@pytest.fixture
def secretary(school):
    return make_user("sec", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)


PLAN_START, PLAN_END = D(2025, 7, 1), D(2026, 6, 30)


def open_plan(person, category="away", start=PLAN_START, end=PLAN_END, actor=None):
    return svc.checkin_plan_open(
        person=person, category=category, starts_on=start, ends_on=end, actor=actor
    )


# ---- plans -------------------------------------------------------------------------------


def test_default_kinds_and_cadences_by_category(graduate, school):
    plan = open_plan(graduate)
    assert plan.cadences == [
        {"kind": "xuexi", "unit": "week", "every": 2},
        {"kind": "study_report", "unit": "month", "every": 1},
        {"kind": "org_life", "unit": "month", "every": 1},
    ]
    abroad = make_person(school.branch_a1, "出国乙", stage="probationary")
    assert open_plan(abroad, "abroad").cadences == [
        {"kind": "abroad_report", "unit": "month", "every": 6}
    ]


def test_school_rules_replace_the_defaults(graduate, school):
    svc.checkin_rules_set(school=school.school, rules=[("away", "xuexi", "week", 1)], actor=None)
    assert open_plan(graduate).cadences == [{"kind": "xuexi", "unit": "week", "every": 1}]
    with pytest.raises(ValidationError):
        open_plan(make_person(school.branch_a1, stage="full"), "abroad")


def test_a_new_plan_ends_the_open_one_the_day_before(graduate):
    first = open_plan(graduate)
    second = open_plan(graduate, "abroad", start=D(2025, 9, 1))
    first.refresh_from_db()
    assert first.status == "closed" and first.ends_on == D(2025, 8, 31)
    assert second.status == "open"
    with pytest.raises(ValidationError):
        open_plan(graduate, "away", start=D(2025, 9, 1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"category": "graduated"},
        {"end": D(2025, 6, 30)},
        {"end": D(2029, 7, 1)},
    ],
)
def test_plan_refusals(graduate, kwargs):
    with pytest.raises(ValidationError):
        open_plan(graduate, **kwargs)
    assert not CheckinPlan.objects.exists()


def test_only_members_keep_check_ins(school):
    with pytest.raises(ValidationError):
        open_plan(school.alice)  # an applicant


def test_plan_scope(graduate, school):
    outsider = make_user("other", role=Role.BRANCH_SECRETARY, unit=school.branch_b1)
    with pytest.raises(PermissionDenied):
        open_plan(graduate, actor=outsider)
    office = make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    assert open_plan(graduate, actor=office).opened_by == office


# ---- submitting and reviewing -------------------------------------------------------------


def submit(plan, kind="xuexi", index=0, files=None, text="", actor=None):
    return svc.checkin_submit(
        plan=plan,
        kind=kind,
        period_index=index,
        text=text,
        files=[jpeg()] if files is None else files,
        actor=actor or plan.person.user,
    )


def test_submit_accept_and_org_life_counts(graduate, secretary):
    plan = open_plan(graduate)
    checkin = submit(plan, "org_life", 0, text="线上参加主题党日")
    assert checkin.status == CheckinStatus.SUBMITTED
    assert checkin.due_on == D(2025, 7, 31) and checkin.was_late  # sent on 20 August
    assert checkin.documents.count() == 1
    svc.checkin_accept(checkin=checkin, actor=secretary)
    checkin.refresh_from_db()
    assert checkin.status == CheckinStatus.ACCEPTED and checkin.reviewed_by == secretary
    assert Person.objects.get(pk=graduate.pk).last_org_life_on == checkin.submitted_at.date()


def test_send_back_then_resubmit(graduate, secretary):
    plan = open_plan(graduate)
    checkin = submit(plan)
    with pytest.raises(ValidationError):
        svc.checkin_return(checkin=checkin, reason="  ", actor=secretary)
    svc.checkin_return(checkin=checkin, reason="截图看不到积分", actor=secretary)
    checkin.refresh_from_db()
    assert checkin.status == CheckinStatus.RETURNED and checkin.return_reason == "截图看不到积分"
    again = submit(plan)
    assert again.pk == checkin.pk and again.submissions == 2
    assert again.status == CheckinStatus.SUBMITTED
    assert list(checkin.events.values_list("action", flat=True)) == [
        "submitted", "returned", "resubmitted",
    ]  # fmt: skip


def test_review_state_edges(graduate, secretary):
    plan = open_plan(graduate)
    checkin = submit(plan)
    with pytest.raises(ValidationError):
        submit(plan)  # waiting for review: cannot send twice
    svc.checkin_accept(checkin=checkin, actor=secretary)
    with pytest.raises(ValidationError):
        svc.checkin_accept(checkin=checkin, actor=secretary)
    with pytest.raises(ValidationError):
        svc.checkin_return(checkin=checkin, reason="迟了", actor=secretary)
    with pytest.raises(ValidationError):
        submit(plan)  # accepted: done
    assert CheckinEvent.objects.filter(checkin=checkin).count() == 2


def test_review_scope(graduate, school):
    checkin = submit(open_plan(graduate))
    outsider = make_user("other", role=Role.BRANCH_COMMITTEE, unit=school.branch_b1)
    with pytest.raises(PermissionDenied):
        svc.checkin_accept(checkin=checkin, actor=outsider)
    organizer = make_user("org", role=Role.ORGANIZER, unit=school.college_a)
    with pytest.raises(PermissionDenied):
        svc.checkin_return(checkin=checkin, reason="x", actor=organizer)


def test_only_the_graduate_submits(graduate, secretary):
    plan = open_plan(graduate)
    with pytest.raises(PermissionDenied):
        submit(plan, actor=secretary)


@pytest.mark.parametrize(
    "kind, index, files, text",
    [
        ("xuexi", 4, None, ""),  # period 4 starts 26 August: not yet
        ("xuexi", 0, [], "没有截图"),  # a screenshot is required
        ("study_report", 0, [], ""),  # nothing at all
        ("abroad_report", 0, None, ""),  # not in an "away" plan
    ],
)
def test_submission_refusals_store_nothing(graduate, kind, index, files, text):
    plan = open_plan(graduate)
    with pytest.raises(ValidationError):
        submit(plan, kind, index, files=files, text=text)
    assert not Checkin.objects.exists() and not Document.objects.exists()


def test_period_boundaries_decide_what_can_be_sent(graduate, monkeypatch):
    plan = open_plan(graduate)  # two-week periods start 1, 15, 29 July, 12, 26 August
    monkeypatch.setattr(svc, "today", lambda: D(2025, 8, 25))
    with pytest.raises(ValidationError):
        submit(plan, index=4)
    monkeypatch.setattr(svc, "today", lambda: D(2025, 8, 26))
    assert submit(plan, index=4).period_start == D(2025, 8, 26)


# ---- what is due, done, sent back and late -----------------------------------------------


def states(plan, day, kind="xuexi"):
    boards = selectors.plan_board(plan, list(plan.checkins.all()), day)
    board = next(b for b in boards if b.kind == kind)
    return {s.period.index: s.state for s in board.slots}


def test_board_states_at_the_due_date(graduate, secretary):
    plan = open_plan(graduate)
    # Period 0 is 1–14 July: due on the 14th, late from the 15th.
    assert states(plan, D(2025, 7, 14))[0] == "due"
    assert states(plan, D(2025, 7, 14))[1] == "upcoming"
    assert states(plan, D(2025, 7, 15))[0] == "late"
    checkin = submit(plan, index=1)
    assert states(plan, D(2025, 8, 20))[1] == "submitted"
    svc.checkin_return(checkin=checkin, reason="模糊", actor=secretary)
    assert states(plan, D(2025, 7, 28))[1] == "returned"
    assert states(plan, D(2025, 7, 29))[1] == "late"  # sent back and past due
    submit(plan, index=1)
    svc.checkin_accept(checkin=checkin, actor=secretary)
    assert states(plan, D(2025, 8, 20))[1] == "accepted"
    assert (
        selectors.late_count(plan, list(plan.checkins.all()), D(2025, 8, 20)) == 4
    )  # xuexi 0 and 2, July report, July org life


def test_late_by_branch(graduate, school, secretary):
    open_plan(graduate)
    other = make_person(school.branch_a1, "毕业生丙", stage="full")
    plan = open_plan(other, "abroad")
    far = make_person(school.branch_b1, "外院丁", stage="full")
    open_plan(far)
    branches = selectors.late_by_branch(secretary, TODAY)
    assert [b.unit for b in branches] == [school.branch_a1]
    entry = branches[0]
    assert entry.plans == 2
    assert [p.plan.person for p in entry.people_late] == [graduate]
    assert plan.pk not in [p.plan.pk for p in entry.people_late]  # abroad: not due until Dec


# ---- pages -------------------------------------------------------------------------------


def test_graduate_page_shows_due_late_and_forms(client, graduate):
    plan = open_plan(graduate)
    client.force_login(graduate.user)
    response = client.get(reverse("checkin_mine"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-plan-id="{plan.pk}"' in body
    assert 'capture="environment"' in body and 'accept="image/*"' in body
    assert 'data-slot="xuexi-3"' in body and 'data-state="late"' in body


def test_graduate_page_without_plan(client, school):
    client.force_login(make_user("nobody"))
    assert 'id="no-plan"' in client.get(reverse("checkin_mine")).content.decode()


def post_checkin(client, plan, kind="xuexi", index=3, **files):
    prefix = f"{kind}-{index}"
    data = {"prefix": prefix, f"{prefix}-kind": kind, f"{prefix}-period": index,
            f"{prefix}-text": "本期积分"}  # fmt: skip
    for name, f in files.items():
        data[f"{prefix}-{name}"] = f
    return client.post(reverse("checkin_submit", kwargs={"pk": plan.pk}), data)


def test_upload_from_the_page(client, graduate):
    plan = open_plan(graduate)
    client.force_login(graduate.user)
    response = post_checkin(client, plan, photos=jpeg())
    assert response.status_code == 302
    checkin = Checkin.objects.get()
    assert checkin.kind == CheckinKind.XUEXI and checkin.period_index == 3
    assert checkin.documents.get().person == graduate


def test_refused_upload_says_why_and_stores_nothing(client, graduate, media):
    plan = open_plan(graduate)
    client.force_login(graduate.user)
    fake = SimpleUploadedFile("xuexi.jpg", b"MZ\x90\x00" + b"\x00" * 100)
    response = post_checkin(client, plan, files=fake)
    assert response.status_code == 400
    assert 'data-error-for="files"' in response.content.decode()
    assert not Checkin.objects.exists() and not Document.objects.exists()
    assert not (media / "documents").exists() or not any((media / "documents").rglob("*.*"))


def test_someone_elses_plan_is_not_found(client, graduate, secretary):
    plan = open_plan(graduate)
    client.force_login(secretary)
    assert post_checkin(client, plan, photos=jpeg()).status_code == 404


def test_review_page_accepts_and_sends_back(client, graduate, secretary):
    plan = open_plan(graduate)
    first = submit(plan, index=2)
    second = submit(plan, index=3)
    client.force_login(secretary)
    url = reverse("checkin_review", kwargs={"pk": first.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "return", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "return", "reason": "看不清"}).status_code == 302
    first.refresh_from_db()
    assert first.status == "returned"
    url = reverse("checkin_review", kwargs={"pk": second.pk})
    assert client.post(url, {"action": "accept"}).status_code == 302
    assert client.post(url, {"action": "accept"}).status_code == 400  # already accepted


def test_secretary_opens_a_plan_by_hand(client, graduate, secretary):
    client.force_login(secretary)
    url = reverse("checkin_plan_new", kwargs={"pk": graduate.pk})
    assert 'value="away" selected' in client.get(url).content.decode()
    response = client.post(url, {"category": "away", "starts_on": "2025-07-01",
                                 "ends_on": "2025-06-01"})  # fmt: skip
    assert response.status_code == 400 and not CheckinPlan.objects.exists()
    response = client.post(url, {"category": "away", "starts_on": "2025-07-01",
                                 "ends_on": "2027-06-30"})  # fmt: skip
    plan = CheckinPlan.objects.get()
    assert response["Location"] == reverse("checkin_plan_detail", kwargs={"pk": plan.pk})
    assert plan.opened_by == secretary


def test_rules_page(client, school):
    admin = make_user("admin", role=Role.SCHOOL_ADMIN, unit=school.school)
    client.force_login(admin)
    url = reverse("checkin_rules", kwargs={"pk": school.school.pk})
    assert client.get(url).status_code == 200
    data = {"abroad-abroad_report-enabled": "on", "abroad-abroad_report-every": "3",
            "abroad-abroad_report-unit": "month"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert svc.rules_for(school.school.pk, "abroad") == [
        {"kind": "abroad_report", "unit": "month", "every": 3}
    ]
    assert svc.rules_for(school.school.pk, "away") == []
    bad = {"away-xuexi-enabled": "on"}
    assert client.post(url, bad).status_code == 400


# ---- query counts ------------------------------------------------------------------------


def populate(school, n):
    branches = [school.branch_a1] + [
        make_unit(f"留校党员党支部{i}", parent=school.college_a) for i in range(n // 5)
    ]
    for i in range(n):
        person = make_person(branches[i % len(branches)], f"毕业生{i}", stage="full")
        person_link_account(person=person, user=make_user(f"g{n}_{i}"), actor=None)
        plan = open_plan(person)
        submit(plan, index=i % 3)


# session and user (2), the menu's scopes (view_people, import_people, review_checkins,
# manage_dues) and own person (5), saving the session (3), then the queue's COUNT and page
# (2), or the late list's units with their plan counts and the late plans, counted by the
# database (2).
QUEUE_QUERIES = 10
LATE_QUERIES = 10


@pytest.mark.parametrize("n", [3, 15])
def test_queue_and_late_query_counts(client, school, django_assert_num_queries, n):
    populate(school, n)
    client.force_login(make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a))
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("checkin_queue"))
    assert response.content.decode().count("data-checkin-id=") == n
    with django_assert_num_queries(LATE_QUERIES):
        response = client.get(reverse("checkin_late"))
    assert response.content.decode().count("data-person-id=") == n


def test_member_page_links_to_plan_and_dues(client, graduate, secretary, school):
    client.force_login(secretary)
    body = client.get(reverse("person_detail", kwargs={"pk": graduate.pk})).content.decode()
    assert 'id="checkin-plan-link"' in body and 'id="dues-link"' in body
    body = client.get(reverse("person_detail", kwargs={"pk": school.alice.pk})).content.decode()
    assert 'id="education-links"' not in body  # an applicant keeps neither


def test_plan_page_flags_late_check_ins(client, graduate, secretary):
    plan = open_plan(graduate)
    client.force_login(secretary)
    body = client.get(reverse("checkin_plan_detail", kwargs={"pk": plan.pk})).content.decode()
    assert 'data-late="5"' in body  # xuexi 0–2, the July report and July org life


def test_a_period_without_a_form_still_says_why(client, graduate):
    plan = open_plan(graduate)
    client.force_login(graduate.user)
    response = post_checkin(client, plan, index=9, photos=jpeg())  # starts in November
    assert response.status_code == 400 and 'id="submit-errors"' in response.content.decode()
    assert not Checkin.objects.exists() and not Document.objects.exists()


def test_secretary_closes_a_plan_with_a_reason(client, graduate, secretary):
    plan = open_plan(graduate)
    client.force_login(secretary)
    url = reverse("checkin_plan_close", kwargs={"pk": plan.pk})
    client.post(url, {"reason": ""})
    plan.refresh_from_db()
    assert plan.status == "open"
    assert client.post(url, {"reason": "组织关系已转出"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "closed" and plan.ends_on == TODAY
    assert plan.close_reason == "组织关系已转出"
