"""Retained graduates (seed 000): the application's every state edge, the office's queue
and decisions (also two at once, on PostgreSQL), the retention it opens with its dates,
the PDF for signature, and the two-way examination that holds conversion back."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from core.models import Notification
from development import requirements
from development.models import Step
from development.selectors import load_files
from members.models import BranchPost, OrgUnit, Person, PersonChange, Role
from members.services.org import branch_post_assign
from members.services.people import person_link_account
from tests.factories import School, make_person, make_unit, make_user
from transfers import clock
from transfers.models import (
    COMMITMENTS,
    ApplicationEvent,
    ApplicationStatus,
    EmployerReportLink,
    Examination,
    Retention,
    RetentionApplication,
)
from transfers.services import retention as svc
from transfers.services.retention import Decision

D = dt.date
S = ApplicationStatus


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgids); pages keep the school's language."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def photo(name: str = "application.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (240, 240, 230)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


class Setup:
    """The fixture school with a retained-graduate branch, a graduating member who has an
    account, the college's office, the member's branch secretary and a contact person."""

    def __init__(self, school: School) -> None:
        self.s = school
        self.retained = make_unit(
            "信息工程学院留校党员党支部",
            OrgUnit.Kind.BRANCH,
            school.college_a,
            branch_kind=OrgUnit.BranchKind.RETAINED,
        )
        self.graduate = make_person(school.branch_a1, "毕业生甲", stage="full", mobile="")
        self.user = make_user("graduate")
        person_link_account(person=self.graduate, user=self.user, actor=None)
        self.graduate.refresh_from_db()
        self.office = make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
        self.office2 = make_user("office2", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
        self.secretary = make_user("sec", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)
        self.contact = make_person(self.retained, "联系人老师", stage="full", mobile="13800000000")
        branch_post_assign(
            unit=self.retained,
            person=self.contact,
            post=BranchPost.Post.SECRETARY,
            term_start=D(2025, 1, 1),
            actor=None,
        )

    def complete(self, application, *, actor="applicant", **changes):
        data = {
            "reason": "employer",
            "category": "away",
            "whereabouts_detail": "成都某公司实习",
            "mobile": "13912345678",
            "emergency_contact": "毕业生之母",
            "emergency_relation": "母亲",
            "emergency_phone": "13700000000",
            "starts_on": D(2026, 7, 1),
            "ends_on": D(2028, 7, 1),
            "commitments": [code for code, _text in COMMITMENTS],
        }
        data.update(changes)
        return svc.application_save(
            application=application,
            data=data,
            files=[photo()],
            actor=self.user if actor == "applicant" else actor,
        )

    def submitted(self, person=None):
        """A complete, submitted application: the graduate's own, or one the system made
        for `person`."""
        actor = self.user if person is None else None
        application = svc.application_start(person=person or self.graduate, actor=actor)
        self.complete(application, actor=actor)
        return svc.application_submit(application=application, actor=actor)

    def approve(self, application, actor=None):
        return svc.application_decide(
            application=application,
            decision=Decision.APPROVE,
            branch=self.retained,
            contact_person=self.contact,
            actor=actor or self.office,
        )


@pytest.fixture
def w(school) -> Setup:
    return Setup(school)


def messages_of(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# Dates, at their boundaries ---------------------------------------------------------------


def test_retention_lasts_at_most_two_years():
    start = D(2026, 7, 1)
    assert clock.retention_latest_end(start) == D(2028, 7, 1)
    assert clock.retention_length_ok(start, D(2028, 6, 30))
    assert clock.retention_length_ok(start, D(2028, 7, 1))  # on the day: allowed
    assert not clock.retention_length_ok(start, D(2028, 7, 2))  # the day after: not
    assert not clock.retention_length_ok(start, D(2026, 6, 30))  # before the start
    assert clock.retention_latest_end(D(2024, 2, 29)) == D(2026, 2, 28)


def test_apply_to_transfer_out_one_month_before_the_deadline():
    assert clock.transfer_apply_by(D(2028, 7, 1)) == D(2028, 6, 1)
    assert clock.transfer_apply_by(D(2027, 3, 31)) == D(2027, 2, 28)
    assert clock.transfer_apply_by(D(2028, 1, 15)) == D(2027, 12, 15)
    end = D(2028, 7, 1)
    assert clock.deadline_state(end, D(2028, 5, 31)) == clock.DeadlineState.RUNNING
    assert clock.deadline_state(end, D(2028, 6, 1)) == clock.DeadlineState.APPLY_NOW
    assert clock.deadline_state(end, D(2028, 7, 1)) == clock.DeadlineState.APPLY_NOW
    assert clock.deadline_state(end, D(2028, 7, 2)) == clock.DeadlineState.EXPIRED


def test_submit_refuses_a_retention_longer_than_two_years(w):
    application = svc.application_start(person=w.graduate, actor=w.user)
    w.complete(application, ends_on=D(2028, 7, 2))
    with pytest.raises(ValidationError) as exc:
        svc.application_submit(application=application, actor=w.user)
    assert "2028-07-01" in messages_of(exc) and "2028-07-02" in messages_of(exc)
    w.complete(application, ends_on=D(2028, 7, 1))
    assert svc.application_submit(application=application, actor=w.user).status == S.SUBMITTED


# The whole path and every edge ------------------------------------------------------------


def test_draft_submitted_returned_resubmitted_approved(w):
    application = svc.application_start(person=w.graduate, actor=w.user)
    assert application.status == S.DRAFT and application.unit == w.s.branch_a1
    # An empty draft cannot be submitted, and says what is missing.
    with pytest.raises(ValidationError) as exc:
        svc.application_submit(application=application, actor=w.user)
    text = messages_of(exc)
    assert "reason" in text and "emergency contact" in text and "evidence" in text
    assert RetentionApplication.objects.get(pk=application.pk).status == S.DRAFT

    w.complete(application)
    svc.application_submit(application=application, actor=w.user)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.submitted_at is not None
    # Submitting locks it.
    with pytest.raises(ValidationError) as exc:
        svc.application_save(application=application, data={"statement": "x"}, actor=w.user)
    assert "can no longer be changed" in messages_of(exc)

    with pytest.raises(ValidationError) as exc:
        svc.application_decide(application=application, decision=Decision.RETURN, actor=w.office)
    assert "Say what has to be changed" in messages_of(exc)
    svc.application_decide(
        application=application,
        decision=Decision.RETURN,
        note="请补充单位不接收的证明",
        actor=w.office,
    )
    assert Notification.objects.filter(user=w.user, kind="retention_decided").count() == 1
    application.refresh_from_db()
    assert application.status == S.RETURNED and application.times_returned == 1
    assert application.decision_note == "请补充单位不接收的证明"

    # The graduate fixes it and resubmits.
    svc.application_save(
        application=application,
        data={"statement": "已补充证明"},
        files=[photo("proof.png")],
        actor=w.user,
    )
    svc.application_submit(application=application, actor=w.user)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.documents.count() == 2

    w.approve(application)
    application.refresh_from_db()
    assert application.status == S.APPROVED and application.decided_by == w.office
    # The graduate was told of each decision (returned, then approved) in their centre.
    told = Notification.objects.filter(
        user=w.user, kind="retention_decided", object_id=application.pk
    )
    assert told.count() == 2
    actions = list(application.events.values_list("action", "from_status", "to_status"))
    assert [a for a, _f, _t in actions if a not in ("saved", "evidence")] == [
        "created", "submitted", "returned", "submitted", "approved",
    ]  # fmt: skip
    assert ("approved", "submitted", "approved") in actions

    retention = Retention.objects.get(person=w.graduate)
    assert retention.branch == w.retained and retention.contact_person == w.contact
    assert (retention.starts_on, retention.ends_on) == (D(2026, 7, 1), D(2028, 7, 1))
    assert retention.transfer_apply_by == D(2028, 6, 1)
    # The check-in plan education/ opened: the retention's category and dates.
    plan = retention.checkin_plan
    assert plan.person_id == w.graduate.pk and plan.category == "away"
    assert (plan.starts_on, plan.ends_on) == (D(2026, 7, 1), D(2028, 7, 1))
    # Seed 000's defaults for graduates away: 学习强国, study report, org-life evidence.
    assert sorted(c["kind"] for c in plan.cadences) == sorted(["xuexi", "study_report", "org_life"])
    person = Person.objects.get(pk=w.graduate.pk)
    assert person.unit == w.retained and person.whereabouts == "away"
    assert person.emergency_contact == "毕业生之母"
    move = person.changes.filter(kind=PersonChange.Kind.UPDATED).first()
    assert move.actor == w.office and move.changes["unit"] == [w.s.branch_a1.name, w.retained.name]


def test_rejected_with_a_reason_and_a_new_application_may_follow(w):
    application = w.submitted()
    with pytest.raises(ValidationError) as exc:
        svc.application_decide(application=application, decision=Decision.REJECT, actor=w.office)
    assert "reason for rejecting" in messages_of(exc)
    svc.application_decide(
        application=application, decision=Decision.REJECT, note="已落实工作单位", actor=w.office
    )
    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert not Retention.objects.exists()
    assert Person.objects.get(pk=w.graduate.pk).unit == w.s.branch_a1
    again = svc.application_start(person=w.graduate, actor=w.user)
    assert again.status == S.DRAFT


def test_refused_edges_say_why_and_change_nothing(w):
    application = svc.application_start(person=w.graduate, actor=w.user)
    with pytest.raises(ValidationError) as exc:
        svc.application_start(person=w.graduate, actor=w.user)
    assert "already has a retention application in progress" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        w.approve(application)
    assert "not awaiting a decision" in messages_of(exc)

    w.complete(application)
    svc.application_submit(application=application, actor=w.user)
    with pytest.raises(ValidationError) as exc:
        svc.application_submit(application=application, actor=w.user)
    assert "can no longer be changed" in messages_of(exc)
    # Approving needs a retained-graduate branch and a contact person.
    with pytest.raises(ValidationError) as exc:
        svc.application_decide(
            application=application,
            decision=Decision.APPROVE,
            branch=w.s.branch_a2,
            contact_person=w.graduate,
            actor=w.office,
        )
    text = messages_of(exc)
    assert "is not a retained-graduate branch" in text and "own contact person" in text
    assert RetentionApplication.objects.get(pk=application.pk).status == S.SUBMITTED

    w.approve(application)
    with pytest.raises(ValidationError) as exc:
        w.approve(application, actor=w.office2)
    assert "already decided" in messages_of(exc) and "office" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        svc.application_start(person=w.graduate, actor=w.user)
    assert "already a retained graduate" in messages_of(exc)
    assert Retention.objects.count() == 1


def test_who_may_act(w):
    # Only members apply.
    with pytest.raises(ValidationError) as exc:
        svc.application_start(person=w.s.alice, actor=None)
    assert "Only full or probationary Party members" in messages_of(exc)
    # The branch secretary may start one for a member in scope; a stranger may not.
    application = svc.application_start(person=w.graduate, actor=w.secretary)
    assert application.created_by == w.secretary
    stranger = make_user("b_sec", role=Role.BRANCH_SECRETARY, unit=w.s.branch_b1)
    with pytest.raises(PermissionDenied):
        svc.application_save(application=application, data={}, actor=stranger)
    committee = make_user("b_committee", role=Role.BRANCH_COMMITTEE, unit=w.s.branch_a1)
    with pytest.raises(PermissionDenied):
        svc.application_save(application=application, data={}, actor=committee)
    w.complete(application, actor=w.secretary)
    svc.application_submit(application=application, actor=w.user)
    # Deciding is the committee office's: not the branch secretary's, not another college's.
    with pytest.raises(PermissionDenied):
        w.approve(application, actor=w.secretary)
    other_office = make_user("office_b", role=Role.COMMITTEE_OFFICE, unit=w.s.college_b)
    with pytest.raises(PermissionDenied):
        w.approve(application, actor=other_office)


def test_going_abroad_needs_place_dates_and_a_contact_in_china(w):
    application = svc.application_start(person=w.graduate, actor=w.user)
    w.complete(application, category="abroad", reason="study_abroad")
    with pytest.raises(ValidationError) as exc:
        svc.application_submit(application=application, actor=w.user)
    assert "place and the dates" in messages_of(exc) and "contact person in China" in messages_of(
        exc
    )
    w.complete(
        application,
        category="abroad",
        reason="study_abroad",
        abroad_place="英国 某大学",
        abroad_from=D(2026, 9, 1),
        abroad_until=D(2027, 9, 1),
        china_contact="父亲",
        china_contact_phone="13600000000",
    )
    assert svc.application_submit(application=application, actor=w.user).status == S.SUBMITTED


def test_every_commitment_must_be_accepted(w):
    application = svc.application_start(person=w.graduate, actor=w.user)
    w.complete(application, commitments=["accept_management", "take_part"])
    with pytest.raises(ValidationError) as exc:
        svc.application_submit(application=application, actor=w.user)
    assert "one month before the retention deadline" in messages_of(exc)


# Pages ------------------------------------------------------------------------------------


def _post_form(client, application, action, **extra):
    data = {
        "reason": "employer",
        "category": "away",
        "mobile": "13912345678",
        "emergency_contact": "毕业生之母",
        "emergency_phone": "13700000000",
        "starts_on": "2026-07-01",
        "ends_on": "2028-07-01",
        "commitments": [code for code, _t in COMMITMENTS],
        "action": action,
        **extra,
    }
    return client.post(reverse("retention_edit", args=[application.pk]), data)


def test_graduate_fills_in_submits_and_sees_the_decision(w, client, settings):
    client.force_login(w.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("retention_mine"))
    application = RetentionApplication.objects.get(person=w.graduate)
    assert response["Location"] == reverse("retention_edit", args=[application.pk])
    # Submitting without evidence keeps the draft and lists what is missing.
    response = _post_form(client, application, "submit")
    assert response.status_code == 200
    assert "Upload the evidence" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.DRAFT and application.emergency_contact == "毕业生之母"
    # A renamed program is refused by content; nothing is kept.
    response = _post_form(
        client, application, "save", evidence=SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" * 50)
    )
    assert response.status_code == 200 and 'data-error-for="evidence"' in response.content.decode()
    assert application.documents.count() == 0
    response = _post_form(client, application, "submit", evidence=[photo(), photo("b.jpg")])
    assert response["Location"] == reverse("retention_detail", args=[application.pk])
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.documents.count() == 2
    # Locked: the form sends back to the page.
    response = client.get(reverse("retention_edit", args=[application.pk]))
    assert response.status_code == 302

    office = Client()
    office.force_login(w.office)
    queue = office.get(reverse("retention_queue")).content.decode()
    assert f'data-application-id="{application.pk}"' in queue
    response = office.post(
        reverse("retention_decide", args=[application.pk]),
        {"decision": "return", "note": "请补充手写申请书第二页"},
    )
    assert response.status_code == 302
    mine = client.get(reverse("retention_mine")).content.decode()
    assert "请补充手写申请书第二页" in mine and 'data-status="returned"' in mine


def test_decide_page_offers_only_retained_branches_and_post_holders_in_scope(w, client):
    application = w.submitted()
    client.force_login(w.office)
    response = client.get(reverse("retention_decide", args=[application.pk]))
    form = response.context["form"]
    assert list(form.fields["branch"].queryset) == [w.retained]
    assert list(form.fields["contact_person"].queryset) == [w.contact]
    # The evidence is served through document_download, to the office, not to another college.
    document = application.documents.get()
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 200
    other = Client()
    other.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=w.s.college_b))
    assert other.get(reverse("document_download", args=[document.pk])).status_code == 404
    response = client.post(
        reverse("retention_decide", args=[application.pk]),
        {"decision": "approve", "branch": w.retained.pk, "contact_person": w.contact.pk},
    )
    assert response.status_code == 302
    graduate = Client()
    graduate.force_login(w.user)
    mine = graduate.get(reverse("retention_mine")).content.decode()
    assert 'data-field="apply-by" data-date="2028-06-01"' in mine
    assert w.retained.name in mine and w.contact.name in mine


# session + user (2), the decide_retention scope (1), the rows with their documents counted
# (1), the menu's view_people and import_people scopes and "my record" (3), and saving the
# session (savepoint, update, release: 3).
QUEUE_QUERIES = 9


def test_queue_query_count_is_fixed(w, django_assert_num_queries):
    client = Client()
    client.force_login(w.office)
    for n in (1, 6):
        while RetentionApplication.objects.filter(status=S.SUBMITTED).count() < n:
            person = make_person(w.s.branch_a1, stage="full")
            application = svc.application_start(person=person, actor=None)
            w.complete(application, actor=None)
            svc.application_submit(application=application, actor=None)
        with django_assert_num_queries(QUEUE_QUERIES):
            response = client.get(reverse("retention_queue"))
        assert len(response.context["rows"]) == n


# session + user (2), the view_people scope (1), COUNT for the pager and the page's rows (2),
# the decide_retention scope for the "awaiting decision" link (1), the menu's import_people
# scope and "my record" (2), saving the session (3).
LIST_QUERIES = 10


@pytest.mark.parametrize("status", ["", "submitted"])
def test_list_query_count_is_fixed(w, django_assert_num_queries, status):
    client = Client()
    client.force_login(w.office)
    for n in (1, 7):
        while RetentionApplication.objects.count() < n:
            person = make_person(w.s.branch_a2, stage="full")
            application = svc.application_start(person=person, actor=None)
            w.complete(application, actor=None)
            svc.application_submit(application=application, actor=None)
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get(reverse("retention_list"), {"status": status})
        assert len(response.context["page"].object_list) == n


def test_queue_shows_age_and_only_submitted_in_scope(w, client):
    application = w.submitted()
    RetentionApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=8, hours=1)
    )
    svc.application_start(person=make_person(w.s.branch_a1, stage="full"), actor=None)  # draft
    client.force_login(w.office)
    rows = client.get(reverse("retention_queue")).context["rows"]
    assert [(r.application.pk, r.age_days, r.documents) for r in rows] == [(application.pk, 8, 1)]
    other = Client()
    other.force_login(make_user(role=Role.COMMITTEE_OFFICE, unit=w.s.college_b))
    assert other.get(reverse("retention_queue")).context["rows"] == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_for_signature(w, client, tmp_path):
    application = w.submitted()
    client.force_login(w.user)
    response = client.get(reverse("retention_pdf", args=[application.pk]))
    assert response["Content-Type"] == "application/pdf"
    out = tmp_path / "a.pdf"
    out.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout.replace(" ", "")
    for expected in ("毕业生甲", "2026-07-01", "2028-07-01", "毕业生之母", "13700000000"):
        assert expected in text
    assert w.s.college_a.name in text
    for heading in ("党员留校申请书", "个人基本信息", "留校原因", "承诺", "申请人签名"):
        assert heading in text
    assert "☑" in text and text.count("日期") >= 3  # accepted commitments; three signatures


# Concurrency ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_never_both_succeed():
    w = Setup(School())
    application = w.submitted()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def decide(actor, decision, note):
        translation.activate("en")  # a thread starts in the default language
        try:
            barrier.wait()
            svc.application_decide(
                application=application,
                decision=decision,
                note=note,
                branch=w.retained,
                contact_person=w.contact,
                actor=actor,
            )
            result = decision
        except ValidationError as exc:
            result = "refused: " + " ".join(exc.messages)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=decide, args=(w.office, Decision.APPROVE, "")),
        threading.Thread(target=decide, args=(w.office2, Decision.REJECT, "不符合条件")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [o for o in outcomes if o.startswith("refused")]
    assert len(outcomes) == 2 and len(refused) == 1, outcomes
    assert "already decided" in refused[0]
    application.refresh_from_db()
    decided = [o for o in outcomes if not o.startswith("refused")][0]
    assert application.status == (S.APPROVED if decided == Decision.APPROVE else S.REJECTED)
    assert (
        ApplicationEvent.objects.filter(
            application=application, action__in=["approved", "rejected"]
        ).count()
        == 1
    )
    assert Retention.objects.count() == (1 if decided == Decision.APPROVE else 0)


# Two-way examination ------------------------------------------------------------------------


@pytest.fixture
def probationary(w):
    """A probationary member retained at the school (placed in the retained branch)."""
    person = make_person(w.s.branch_a1, "预备党员乙", stage="probationary")
    Person.objects.filter(pk=person.pk).update(joined_on=D(2025, 6, 1))
    w.approve(w.submitted(person))
    person.refresh_from_db()
    return person


def employer_check(person) -> list[str]:
    f = load_files(Person.objects.filter(pk=person.pk))[person.pk]
    reasons = requirements.unmet(
        requirements.check(f, Step.CONVERSION_MEETING, D(2026, 6, 1), D(2026, 6, 1))
    )
    return [r for r in reasons if "Two-way examination" in r]


def test_conversion_waits_for_the_employers_report(w, probationary):
    assert employer_check(probationary) == []
    with pytest.raises(ValidationError) as exc:
        svc.examination_open(person=w.graduate, employer="某公司", on=D(2026, 1, 5), actor=None)
    assert "probationary members" in messages_of(exc)
    not_retained = make_person(w.s.branch_a1, stage="probationary")
    with pytest.raises(ValidationError) as exc:
        svc.examination_open(person=not_retained, employer="某公司", on=D(2026, 1, 5), actor=None)
    assert "for retained graduates" in messages_of(exc)
    # The retained graduate's branch (the retained-graduate branch) keeps the examination.
    retained_secretary = make_user(role=Role.BRANCH_SECRETARY, unit=w.retained)
    with pytest.raises(PermissionDenied):  # the branch they left no longer keeps them
        svc.examination_open(
            person=probationary, employer="某科技公司", on=D(2026, 1, 5), actor=w.secretary
        )
    examination = svc.examination_open(
        person=probationary, employer="某科技公司", on=D(2026, 1, 5), actor=retained_secretary
    )
    assert examination.retention == Retention.objects.get(person=probationary)
    with pytest.raises(ValidationError) as exc:
        svc.examination_open(
            person=probationary, employer="另一公司", on=D(2026, 1, 6), actor=retained_secretary
        )
    assert "already has an open two-way examination" in messages_of(exc)
    blocked = employer_check(probationary)
    assert len(blocked) == 1 and "required for conversion" in blocked[0]
    f = load_files(Person.objects.filter(pk=probationary.pk))[probationary.pk]
    assert any(
        "Two-way examination" in r
        for r in requirements.unmet(
            requirements.check(f, Step.CONVERSION_APPROVAL, D(2026, 6, 1), D(2026, 6, 1))
        )
    )
    svc.examination_report_upload(
        examination=examination, file=photo("report.jpg"), actor=retained_secretary
    )
    assert employer_check(probationary) == []
    with pytest.raises(ValidationError):
        svc.examination_report_upload(
            examination=examination, file=photo(), actor=retained_secretary
        )


def test_employer_link_is_single_use_expiring_and_hashed(w, probationary):
    examination = svc.examination_open(
        person=probationary, employer="某科技公司", on=D(2026, 1, 5), actor=w.office
    )
    link, token = svc.employer_link_create(examination=examination, actor=w.office)
    assert link.token_hash != token and token not in link.token_hash
    lifetime = link.expires_at - link.created_at
    assert abs(lifetime - dt.timedelta(days=clock.EMPLOYER_LINK_DAYS)) < dt.timedelta(seconds=5)
    employer = Client()
    url = reverse("employer_upload", kwargs={"token": token})
    assert (
        employer.get(reverse("employer_upload", kwargs={"token": token + "x"})).status_code == 404
    )
    assert employer.get(url).status_code == 200
    # A bad file is refused with a message and the link still works.
    response = employer.post(url, {"report": SimpleUploadedFile("r.pdf", b"not a pdf")})
    assert response.status_code == 200 and examination.links.get().used_at is None
    response = employer.post(url, {"report": photo("report.jpg")})
    assert response.status_code == 200 and "employer-done" in response.content.decode()
    examination.refresh_from_db()
    assert examination.report_via_link and examination.report.uploaded_by is None
    assert employer_check(probationary) == []
    assert employer.get(url).status_code == 404  # used
    assert employer.post(url, {"report": photo()}).status_code == 404


def test_an_expired_link_is_not_found(w, probationary):
    examination = svc.examination_open(
        person=probationary, employer="某科技公司", on=D(2026, 1, 5), actor=w.office
    )
    _link, token = svc.employer_link_create(examination=examination, actor=w.office)
    EmployerReportLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(reverse("employer_upload", kwargs={"token": token})).status_code == 404


def test_the_graduate_may_upload_the_report_themselves(w, probationary, client):
    user = make_user("prob")
    person_link_account(person=probationary, user=user, actor=None)
    examination = svc.examination_open(
        person=probationary, employer="某科技公司", on=D(2026, 1, 5), actor=w.office
    )
    client.force_login(user)
    response = client.post(
        reverse("examination_upload", args=[examination.pk]), {"report": photo("r.jpg")}
    )
    assert response.status_code == 302
    examination.refresh_from_db()
    assert examination.report.uploaded_by == user
    # The graduate cannot make employer links: that is the branch's.
    assert client.post(reverse("examination_link", args=[examination.pk])).status_code == 404


def test_my_retention_page_without_a_record_and_starting_needs_one(db, client):
    client.force_login(make_user("nobody"))
    response = client.get(reverse("retention_mine"))
    assert response.status_code == 200 and 'id="no-record"' in response.content.decode()
    assert client.post(reverse("retention_mine")).status_code == 404


def test_the_branch_secretary_starts_one_from_the_persons_page(w, client):
    client.force_login(w.secretary)
    page = client.get(reverse("person_detail", args=[w.graduate.pk])).content.decode()
    assert reverse("retention_start", args=[w.graduate.pk]) in page
    response = client.post(reverse("retention_start", args=[w.graduate.pk]))
    application = RetentionApplication.objects.get(person=w.graduate)
    assert response["Location"] == reverse("retention_edit", args=[application.pk])
    assert application.created_by == w.secretary
    # A second one is refused with the reason, on the person's page.
    response = client.post(reverse("retention_start", args=[w.graduate.pk]), follow=True)
    assert RetentionApplication.objects.filter(person=w.graduate).count() == 1
    assert any("in progress" in str(m) or "办理中" in str(m) for m in response.context["messages"])


def test_a_decision_on_a_decided_application_is_refused_on_the_page(w, client):
    application = w.submitted()
    w.approve(application)
    client.force_login(w.office2)
    response = client.post(
        reverse("retention_decide", args=[application.pk]), {"decision": "reject", "note": "x"}
    )
    assert response.status_code == 200
    assert RetentionApplication.objects.get(pk=application.pk).status == S.APPROVED
    assert ApplicationEvent.objects.filter(application=application, action="rejected").count() == 0


def test_a_wrong_photo_is_taken_off_a_draft_but_not_off_a_submitted_one(w, client):
    application = svc.application_start(person=w.graduate, actor=w.user)
    w.complete(application)
    w.complete(application)  # a second photo
    wrong = application.documents.first()
    client.force_login(w.user)
    url = reverse("retention_document_remove", args=[application.pk])
    assert client.post(url, {"document": wrong.pk}).status_code == 302
    assert application.documents.count() == 1 and wrong.removed_at is None  # file is kept
    assert application.events.filter(action="evidence_removed", note=wrong.original_name)
    svc.application_submit(application=application, actor=w.user)
    kept = application.documents.get()
    client.post(url, {"document": kept.pk})
    assert application.documents.count() == 1


def test_the_conversion_meeting_service_refuses_until_the_report_is_there(school):
    """End to end through development's services: the whole pipeline up to the conversion
    meeting, an open two-way examination, and the meeting waits for the report."""
    from tests.test_dev_helpers import Pipeline

    walk = Pipeline(school).walk(make_person(school.branch_a1, birth_date=D(2001, 9, 1)))
    walk.until(Step.CONVERSION_MEETING)
    person = walk.person
    assert person.stage == "probationary"
    examination = Examination.objects.create(  # a fixture: straight to the ORM
        person=person, employer="某科技公司", opened_on=D(2023, 1, 5)
    )
    with pytest.raises(ValidationError) as exc:
        walk.do(Step.CONVERSION_MEETING)
    assert "employer's assessment report" in messages_of(exc)
    assert Person.objects.get(pk=person.pk).stage == "probationary"
    svc.examination_report_upload(examination=examination, file=photo("report.jpg"), actor=None)
    walk.do(Step.CONVERSION_MEETING)
    walk.do(Step.CONVERSION_APPROVAL)
    assert Person.objects.get(pk=person.pk).stage == "full"


def test_retained_graduates_with_their_deadline_states(w, client, django_assert_num_queries):
    w.approve(w.submitted())  # ends 2028-07-01, apply by 2028-06-01
    others = []
    for ends in (D(2026, 1, 10), D(2026, 12, 1)):
        person = make_person(w.s.branch_a1, stage="full")
        application = svc.application_start(person=person, actor=None)
        w.complete(application, actor=None, starts_on=D(2025, 1, 1), ends_on=ends)
        svc.application_submit(application=application, actor=None)
        w.approve(application)
        others.append(person)
    client.force_login(w.office)
    today = D(2026, 11, 15)  # the second must apply now; the first has expired
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "localdate", lambda: today)
        rows = client.get(reverse("retained_list")).context["rows"]
        assert [(r.retention.person, r.state) for r in rows] == [
            (others[0], "expired"), (others[1], "apply_now"), (w.graduate, "running"),
        ]  # fmt: skip
        for state, expected in (("expired", [others[0]]), ("apply_now", [others[1]])):
            rows = client.get(reverse("retained_list"), {"state": state}).context["rows"]
            assert [r.retention.person for r in rows] == expected
        # session, user, scope, the rows, the menu (2), saving the session (3): 1 or 3 rows.
        for state in ("expired", ""):
            with django_assert_num_queries(9):
                client.get(reverse("retained_list"), {"state": state})
    # The branch they left no longer sees them; the retained branch's secretary does.
    other = Client()
    other.force_login(make_user(role=Role.BRANCH_SECRETARY, unit=w.s.branch_a1))
    assert other.get(reverse("retained_list")).context["rows"] == []
    keeper = Client()
    keeper.force_login(make_user(role=Role.BRANCH_SECRETARY, unit=w.retained))
    assert len(keeper.get(reverse("retained_list")).context["rows"]) == 3


# The graduate's documents follow them to the retained-graduate branch -----------------------


def _status(user, document) -> int:
    client = Client()
    client.force_login(user)
    return client.get(reverse("document_download", args=[document.pk])).status_code


def test_documents_follow_the_graduate_to_the_retained_branch(w):
    from core.models import AuditEvent, Document
    from core.uploads import document_store

    application = w.submitted()
    evidence = application.documents.get()
    step_doc = document_store(  # a development step's evidence, kept by the old branch
        file=photo("apply.jpg"), kind="development.application", unit=w.s.branch_a1,
        person=w.graduate, actor=None,
    )  # fmt: skip
    college_doc = document_store(
        file=photo(), kind="other", unit=w.s.college_a, person=w.graduate, actor=None
    )
    neighbour_doc = document_store(
        file=photo(), kind="other", unit=w.s.branch_a1, person=w.s.alice, actor=None
    )
    keeper = make_user(role=Role.BRANCH_SECRETARY, unit=w.retained)
    outsider = make_user(role=Role.BRANCH_SECRETARY, unit=w.s.branch_b1)
    assert _status(keeper, evidence) == 404  # not theirs yet
    retention = w.approve(application).retention
    for document in (evidence, step_doc):
        document.refresh_from_db()
        assert document.unit == w.retained
        assert _status(keeper, document) == 200
        assert _status(outsider, document) == 404
        assert _status(w.secretary, document) == 404  # the branch they left keeps them no more
        assert _status(w.user, document) == 200  # the graduate's own
    # What the college holds and what is about someone else stay where they were.
    assert Document.objects.get(pk=college_doc.pk).unit == w.s.college_a
    assert Document.objects.get(pk=neighbour_doc.pk).unit == w.s.branch_a1
    audit = AuditEvent.objects.get(
        target_type="transfers.retention", target_id=str(retention.pk), summary__contains="→"
    )
    assert audit.detail["documents"] == sorted([evidence.pk, step_doc.pk])
    assert audit.detail["to_unit"] == w.retained.pk


def test_evidence_filed_under_an_earlier_branch_follows_too(w):
    """The branch moved the graduate after they started: their evidence still follows."""
    application = w.submitted()
    Person.objects.filter(pk=w.graduate.pk).update(unit=w.s.branch_a2)
    evidence = application.documents.get()
    w.approve(application)
    evidence.refresh_from_db()
    assert evidence.unit == w.retained


def test_the_employers_report_is_kept_by_the_retained_branch(w, probationary):
    keeper = make_user(role=Role.BRANCH_SECRETARY, unit=w.retained)
    examination = svc.examination_open(
        person=probationary, employer="某科技公司", on=D(2026, 1, 5), actor=keeper
    )
    svc.examination_report_upload(examination=examination, file=photo("r.jpg"), actor=keeper)
    examination.refresh_from_db()
    assert examination.report.unit == w.retained
    assert _status(keeper, examination.report) == 200
    assert (
        _status(make_user(role=Role.BRANCH_SECRETARY, unit=w.s.branch_b1), examination.report)
        == 404
    )


# Transferring out ends the retention --------------------------------------------------------


@pytest.fixture
def retained(w):
    """The graduate, approved and placed; dues paid so a letter may be issued."""
    retention = w.approve(w.submitted()).retention
    Person.objects.filter(pk=w.graduate.pk).update(dues_paid_through=D(2026, 6, 1))
    w.keeper = make_user(role=Role.BRANCH_SECRETARY, unit=w.retained)
    return retention


def _start_out(w, reach):
    from transfers.services.transfers import transfer_start

    return transfer_start(
        person=w.graduate, destination_kind="employer", reach=reach,
        other_heading="中共某某科技有限公司委员会", actor=w.keeper,
    )  # fmt: skip


def test_completing_a_transfer_out_ends_the_retention(w, retained):
    from education.models import PlanStatus
    from transfers.services import transfers as T

    t = _start_out(w, "in_province")
    T.transfer_record_online(transfer=t, reference="ZZ-1", actor=w.keeper)
    retained.refresh_from_db()
    assert retained.status == Retention.Status.ACTIVE  # under way is not done
    T.transfer_complete(transfer=t, evidence="系统显示已接收", actor=w.keeper)
    retained.refresh_from_db()
    assert retained.status == Retention.Status.ENDED
    assert retained.ended_on == timezone.localdate() and retained.ended_by == w.keeper
    assert retained.end_reason == Retention.EndReason.TRANSFERRED_OUT
    assert retained.ended_by_transfer_id == t.pk
    assert retained.end_note == "中共某某科技有限公司委员会"
    assert retained.checkin_plan.status == PlanStatus.CLOSED
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(
        target_type="transfers.retention", target_id=str(retained.pk), summary__contains="ended"
    ).exists()
    # Ended once: a second end is refused and says when.
    with pytest.raises(ValidationError) as exc:
        svc.retention_end(
            retention=retained, on=timezone.localdate(), reason="transferred_out", actor=None
        )
    assert "already ended on" in messages_of(exc)


def test_registering_the_letters_receipt_ends_the_retention(w, retained):
    from transfers.services import letters as L

    t = _start_out(w, "out_of_province")
    letter = L.letter_issue(transfer=t, actor=w.office)
    L.letter_register_receipt(
        letter=letter, receipt_from="中共某某科技有限公司委员会", actor=w.keeper
    )
    retained.refresh_from_db()
    assert retained.status == Retention.Status.ENDED and retained.ended_by_transfer_id == t.pk


def test_a_cancelled_transfer_leaves_the_retention_running(w, retained):
    from transfers.services import transfers as T

    T.transfer_cancel(transfer=_start_out(w, "in_province"), reason="改去读研", actor=w.keeper)
    retained.refresh_from_db()
    assert retained.status == Retention.Status.ACTIVE and retained.ended_on is None


def test_if_the_retention_cannot_end_the_transfer_does_not_complete(w, retained, monkeypatch):
    from transfers.services import transfers as T

    t = _start_out(w, "in_province")
    T.transfer_record_online(transfer=t, reference="ZZ-1", actor=w.keeper)

    def refuse(**kwargs):
        raise ValidationError("no")

    monkeypatch.setattr(svc, "retention_end", refuse)
    with pytest.raises(ValidationError):
        T.transfer_complete(transfer=t, evidence="系统显示已接收", actor=w.keeper)
    t.refresh_from_db()
    w.graduate.refresh_from_db()
    assert t.status == "sent" and w.graduate.stage == "full"


def test_ending_a_retention_is_refused_outside_scope_in_the_future_and_for_nothing(w, retained):
    today = timezone.localdate()
    outsider = make_user(role=Role.BRANCH_SECRETARY, unit=w.s.branch_b1)
    with pytest.raises(PermissionDenied):
        svc.retention_end(retention=retained, on=today, reason="transferred_out", actor=outsider)
    with pytest.raises(PermissionDenied):  # the branch they left no longer keeps them
        svc.retention_end(retention=retained, on=today, reason="transferred_out", actor=w.secretary)
    with pytest.raises(ValidationError) as exc:
        svc.retention_end(
            retention=retained, on=today + dt.timedelta(days=1), reason="transferred_out",
            actor=w.keeper,
        )  # fmt: skip
    assert "future" in messages_of(exc)
    with pytest.raises(ValueError):
        svc.retention_end(retention=retained, on=today, reason="bored", actor=w.keeper)
    retained.refresh_from_db()
    assert retained.status == Retention.Status.ACTIVE
    # The office that decides retention may end it.
    svc.retention_end(retention=retained, on=today, reason="transferred_out", actor=w.office)
    retained.refresh_from_db()
    assert retained.status == Retention.Status.ENDED and retained.ended_by == w.office
