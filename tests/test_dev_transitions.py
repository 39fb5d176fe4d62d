"""Every transition allowed and refused: the whole path, a missing previous step, the wrong
stage, an actor out of scope, a committee without approval power; and what each records."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from core.models import AuditEvent
from development import clock
from development import services as s
from development.admin import StepRecordAdmin
from development.models import (
    STAGE_REQUIRES,
    Approval,
    ApprovalStatus,
    Assignment,
    Decision,
    Step,
    StepRecord,
    VetoKind,
)
from development.services import VoteInput
from members.models import OrgUnit, PersonChange, Role, Stage
from members.services.org import org_unit_update
from tests.factories import make_person, make_unit, make_user
from tests.test_dev_helpers import ORDER, D, Pipeline, make_full_member

pytestmark = pytest.mark.django_db
ONE = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pipe(school) -> Pipeline:
    return Pipeline(school)


def refused(call, *fragments: str, error=ValidationError) -> str:
    with pytest.raises(error) as caught:
        call()
    if error is PermissionDenied:
        return ""
    text = " ".join(caught.value.messages)
    for fragment in fragments:
        assert fragment in text, text
    return text


# The whole path, and what it leaves on record ---------------------------------------------


def test_applicant_to_full_member_leaves_a_complete_record(pipe):
    walk = pipe.walk(pipe.applicant()).until(None)
    person = walk.person
    assert person.stage == Stage.FULL
    meeting = walk.on[Step.ADMISSION_MEETING]
    assert person.joined_on == meeting
    assert person.full_member_on == clock.probation_end(meeting)
    assert person.stage_since == walk.on[Step.CONVERSION_APPROVAL]
    # Every step the stage requires is on record, agreed or done.
    kept = set(
        StepRecord.objects.filter(person=person)
        .exclude(decision=Decision.REFUSED)
        .values_list("step", flat=True)
    )
    assert set(STAGE_REQUIRES[Stage.FULL]) <= kept
    # Each stage change is in the person's history with before and after.
    stages = [
        c.changes["stage"]
        for c in PersonChange.objects.filter(person=person, kind=PersonChange.Kind.STAGE).order_by(
            "id"
        )
    ]
    assert stages == [
        ["applicant", "applicant"],
        ["applicant", "activist"],
        ["activist", "development candidate"],
        ["development candidate", "probationary member"],
        ["probationary member", "full member"],
    ]
    # Every record carries its actor and has an audit entry.
    records = StepRecord.objects.filter(person=person)
    assert not records.filter(actor__isnull=True).exists()
    audited = set(
        AuditEvent.objects.filter(target_type="development.steprecord").values_list(
            "target_id", flat=True
        )
    )
    assert {str(pk) for pk in records.values_list("pk", flat=True)} <= audited
    approvals = Approval.objects.filter(person=person).order_by("id")
    assert [a.status for a in approvals] == [ApprovalStatus.APPROVED, ApprovalStatus.APPROVED]
    s.archive_record(person=person, on=person.stage_since + ONE, actor=pipe.secretary)


# A step without the step before it --------------------------------------------------------

MISSING = [
    (Step.APPLICANT_TALK, Step.APPLICATION, "“Application received” is not on record."),
    (Step.RECOMMENDATION, Step.APPLICATION, "“Application received” is not on record."),
    (Step.ACTIVIST_DETERMINED, Step.APPLICANT_TALK, "“Talk with the applicant” is not"),
    (Step.ACTIVIST_DETERMINED, Step.RECOMMENDATION, "“Recommendation by Party members"),
    (Step.ACTIVIST_FILED, Step.ACTIVIST_DETERMINED, "is applicant"),
    (Step.CANDIDATE_DETERMINED, Step.ACTIVIST_FILED, "“Activist filed with the higher"),
    (Step.CANDIDATE_DETERMINED, Step.CONTACTS_ASSIGNED, "No cultivation contact"),
    (Step.CANDIDATE_DETERMINED, Step.ASSESSMENT, "Half-yearly assessments: 0 on record"),
    (Step.BRANCH_REVIEW, Step.CANDIDATE_FILED, "“Development candidate filed"),
    (Step.BRANCH_REVIEW, Step.INTRODUCERS_ASSIGNED, "Two introducers are needed; 0"),
    (Step.BRANCH_REVIEW, Step.POLITICAL_REVIEW, "“Political review” is not on record."),
    (Step.BRANCH_REVIEW, Step.TRAINING, "Concentrated training: 0 days"),
    (Step.PRE_REVIEW, Step.BRANCH_REVIEW, "“Branch committee review” is not on record."),
    (Step.APPLICATION_FORM, Step.PRE_REVIEW, "“Pre-review by the committee"),
    (Step.ADMISSION_NOTICE, Step.PRE_REVIEW, "“Pre-review by the committee"),
    (Step.ADMISSION_MEETING, Step.APPLICATION_FORM, "“Application form issued”"),
    (Step.ADMISSION_MEETING, Step.ADMISSION_NOTICE, "“Public notice before admission”"),
    (Step.HIGHER_TALK, Step.ADMISSION_MEETING, "No admission is awaiting approval."),
    (Step.ADMISSION_APPROVAL, Step.HIGHER_TALK, "“Talk by the higher committee”"),
    (Step.CONVERSION_APPLICATION, Step.OATH, "“Admission oath” is not on record."),
    (Step.CONVERSION_NOTICE, Step.CONVERSION_APPLICATION, "“Written application for"),
    (Step.CONVERSION_MEETING, Step.CONVERSION_NOTICE, "“Public notice before conversion”"),
    (Step.CONVERSION_APPROVAL, Step.CONVERSION_MEETING, "No conversion is awaiting"),
]


DEPENDS_ON_MISSING = {
    (Step.RECOMMENDATION, Step.APPLICATION): (Step.APPLICANT_TALK,),
    (Step.ADMISSION_NOTICE, Step.PRE_REVIEW): (Step.APPLICATION_FORM,),
}


@pytest.mark.parametrize("step, missing, message", MISSING)
def test_step_refused_without_the_step_before(pipe, step, missing, message):
    walk = pipe.walk(pipe.applicant())
    # Steps that need the missing one are left out as well.
    skipped = {missing, *DEPENDS_ON_MISSING.get((step, missing), ())}
    for current in ORDER[: ORDER.index(step)]:
        if current in skipped:
            continue
        if current == Step.ASSESSMENT:
            walk.do(current)
            walk.do(current)
        else:
            walk.do(current)
    last = max(walk.on.values(), default=walk.start)
    try:
        on = max(walk.default_date(step), last)
    except (KeyError, TypeError, AttributeError):
        on = last + 30 * ONE
    stage = walk.person.stage
    refused(lambda: walk.do(step, on), message)
    walk.person.refresh_from_db()
    assert walk.person.stage == stage
    assert not StepRecord.objects.filter(person=walk.person, step=step, on=on).exists()


# The wrong stage ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reached, step",
    [
        (Step.ACTIVIST_FILED, Step.ACTIVIST_DETERMINED),  # an activist is not made twice
        (Step.ACTIVIST_FILED, Step.APPLICANT_TALK),
        (Step.CANDIDATE_FILED, Step.CANDIDATE_DETERMINED),
        (Step.CANDIDATE_FILED, Step.CONVERSION_APPLICATION),
        (Step.ADMISSION_FILED, Step.BRANCH_REVIEW),
        (Step.ADMISSION_FILED, Step.ADMISSION_APPROVAL),
        (Step.ACTIVIST_FILED, Step.INTRODUCERS_ASSIGNED),
    ],
)
def test_step_refused_in_the_wrong_stage(pipe, reached, step):
    walk = pipe.walk(pipe.applicant()).until(reached)
    on = max(walk.on.values()) + ONE
    refused(lambda: walk.do(step, on), "needs")


def test_endings_in_the_wrong_stage(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CANDIDATE_FILED)
    person, on = walk.person, walk.on[Step.CANDIDATE_DETERMINED] + ONE
    refused(
        lambda: s.probation_cancel(person=person, on=on, reason="x", actor=pipe.office),
        "“Probation cancelled” needs probationary member",
    )
    refused(
        lambda: s.probation_extend(person=person, months=6, on=on, reason="x", actor=pipe.office),
        "needs probationary member",
    )
    refused(lambda: s.archive_record(person=person, on=on, actor=pipe.secretary), "needs")


# Scope and authority -----------------------------------------------------------------------


def test_actor_out_of_scope_is_not_let_in(school, pipe):
    stranger = make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_b1)
    person = pipe.applicant()
    refused(
        lambda: s.person_apply(person=person, applied_on=D(2021, 3, 1), actor=stranger),
        error=PermissionDenied,
    )
    walk = pipe.walk(person).until(Step.ACTIVIST_DETERMINED)
    for step in (Step.ACTIVIST_DETERMINED, Step.THOUGHT_REPORT):
        refused(lambda step=step: walk.do(step, actor=stranger), error=PermissionDenied)
    other_office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_b)
    walk.until(Step.PRE_REVIEW)
    refused(lambda: walk.do(Step.PRE_REVIEW, actor=other_office), error=PermissionDenied)


def test_branch_and_general_branch_cannot_pre_review_or_approve(school, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.PRE_REVIEW)
    general_office = make_user(role=Role.COMMITTEE_OFFICE, unit=school.general_a)
    for actor in (pipe.secretary, general_office):
        refused(
            lambda actor=actor: walk.do(Step.PRE_REVIEW, actor=actor),
            "Only 信息工程学院党委, the committee with approval power, can record",
            "a general branch or a branch reviews and forwards",
        )
    walk.until(Step.ADMISSION_APPROVAL)
    refused(
        lambda: walk.do(Step.ADMISSION_APPROVAL, actor=general_office),
        "Only 信息工程学院党委",
    )
    refused(lambda: walk.do(Step.ADMISSION_APPROVAL, actor=pipe.secretary), "Only 信息工程学院党委")
    walk.do(Step.ADMISSION_APPROVAL)  # the college's office may
    assert walk.person.stage == Stage.PROBATIONARY


def test_committee_without_approval_power(school, pipe):
    org_unit_update(unit=school.college_a, actor=None, has_approval_power=False)
    walk = pipe.walk(pipe.applicant()).until(Step.PRE_REVIEW)
    refused(
        lambda: walk.do(Step.PRE_REVIEW),
        "No committee with approval power is above 计算机本科生第一党支部",
    )
    # When the school committee holds the power, its office decides and the college's cannot.
    org_unit_update(unit=school.school, actor=None, has_approval_power=True)
    refused(lambda: walk.do(Step.PRE_REVIEW), "Only 某某大学党委")
    school_admin = make_user(role=Role.SCHOOL_ADMIN, unit=school.school)
    walk.do(Step.PRE_REVIEW, actor=school_admin)


def test_revoked_grant_loses_approval_authority(pipe):
    from members.models import RoleGrant
    from members.services.access import role_revoke

    walk = pipe.walk(pipe.applicant()).until(Step.PRE_REVIEW)
    role_revoke(grant=RoleGrant.objects.get(user=pipe.office), actor=None)
    refused(lambda: walk.do(Step.PRE_REVIEW), error=PermissionDenied)


def test_higher_talk_by_committee_or_organizer_not_branch(school, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.HIGHER_TALK)
    refused(lambda: walk.do(Step.HIGHER_TALK, actor=pipe.secretary), "organizer above the branch")
    organizer = make_user(role=Role.ORGANIZER, unit=school.general_a)
    walk.do(Step.HIGHER_TALK, actor=organizer)


# Contacts and introducers ------------------------------------------------------------------


def test_contacts_are_one_or_two_full_members_on_that_date(school, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CONTACTS_ASSIGNED)
    on = walk.default_date(Step.CONTACTS_ASSIGNED)
    late_member = make_full_member(pipe.branch, since=on + ONE)
    probationer = make_person(pipe.branch, stage=Stage.PROBATIONARY)
    elsewhere = make_full_member(make_unit("外校支部", OrgUnit.Kind.SCHOOL))
    refused(lambda: walk.do(Step.CONTACTS_ASSIGNED, contacts=[]), "one or two")
    refused(lambda: walk.do(Step.CONTACTS_ASSIGNED, contacts=pipe.members[:3]), "3 given")
    for member in (late_member, probationer):
        refused(
            lambda member=member: walk.do(Step.CONTACTS_ASSIGNED, contacts=[member]),
            f"{member.name} is not a full member on {on.isoformat()}",
        )
    refused(lambda: walk.do(Step.CONTACTS_ASSIGNED, contacts=[elsewhere]), "cannot be")
    refused(lambda: walk.do(Step.CONTACTS_ASSIGNED, contacts=[walk.person]), "cannot be")
    walk.do(Step.CONTACTS_ASSIGNED, contacts=[pipe.members[0]])
    # A new assignment ends the one before it.
    walk.do(Step.CONTACTS_ASSIGNED, on + 10 * ONE, contacts=pipe.members[1:3])
    live = Assignment.objects.filter(person=walk.person, ended_on__isnull=True)
    assert sorted(a.member_id for a in live) == sorted(m.pk for m in pipe.members[1:3])


def test_exactly_two_introducers(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.INTRODUCERS_ASSIGNED)
    refused(lambda: walk.do(Step.INTRODUCERS_ASSIGNED, introducers=pipe.members[:1]), "1 given")
    refused(lambda: walk.do(Step.INTRODUCERS_ASSIGNED, introducers=pipe.members[:3]), "3 given")
    walk.do(Step.INTRODUCERS_ASSIGNED)


def test_candidate_needs_every_opinion(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CANDIDATE_DETERMINED)
    refused(
        lambda: walk.do(Step.CANDIDATE_DETERMINED, opinions={"party_group": "同意"}),
        "Opinions not yet gathered: cultivation contacts、Party members、people outside",
    )


# Failed attempts and rounds ----------------------------------------------------------------


def test_failed_political_review_may_be_followed_by_another(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.POLITICAL_REVIEW)
    walk.do(Step.POLITICAL_REVIEW, passed=False)
    walk.until(Step.TRAINING)  # nothing else is blocked yet
    walk.do(Step.TRAINING)
    refused(lambda: walk.do(Step.BRANCH_REVIEW), "“Political review” is not on record.")
    walk.do(Step.POLITICAL_REVIEW, walk.on[Step.TRAINING] + ONE)
    refused(lambda: walk.do(Step.POLITICAL_REVIEW, walk.on[Step.TRAINING] + ONE), "already")
    walk.do(Step.BRANCH_REVIEW, walk.on[Step.TRAINING] + 2 * ONE)


def test_refused_pre_review_ends_the_round(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.PRE_REVIEW)
    walk.do(Step.PRE_REVIEW, passed=False)
    refused(lambda: walk.do(Step.APPLICATION_FORM), "“Pre-review by the committee")
    refused(lambda: walk.do(Step.PRE_REVIEW), "“Branch committee review” is not on record.")
    walk.do(Step.BRANCH_REVIEW, walk.on[Step.PRE_REVIEW] + ONE)
    walk.do(Step.PRE_REVIEW, walk.on[Step.PRE_REVIEW] + 2 * ONE)
    walk.do(Step.APPLICATION_FORM, walk.on[Step.PRE_REVIEW] + ONE)


def test_a_lost_vote_opens_no_approval_and_ends_the_round(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    walk.do(Step.ADMISSION_MEETING, votes_for=2)
    assert not Approval.objects.filter(person=walk.person).exists()
    refused(lambda: walk.do(Step.HIGHER_TALK), "No admission is awaiting approval.")
    refused(
        lambda: walk.do(Step.ADMISSION_MEETING, walk.on[Step.ADMISSION_MEETING] + ONE),
        "“Application form issued” is not on record.",
    )


def test_objections_block_the_meeting_until_resolved(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    notice = walk.notices["admission"]
    objection = s.notice_objection_record(
        notice=notice,
        person=walk.person,
        received_on=notice.start + ONE,
        content="寝室卫生长期不合格",
        actor=pipe.secretary,
    )
    refused(lambda: walk.do(Step.ADMISSION_MEETING), "1 objection(s) to the public notice")
    s.notice_objection_resolve(
        objection=objection,
        on=notice.end,
        upheld=False,
        resolution="经核实已整改",
        actor=pipe.secretary,
    )
    walk.do(Step.ADMISSION_MEETING)


def test_an_objection_found_true_ends_the_round(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING)
    notice = walk.notices["admission"]
    objection = s.notice_objection_record(
        notice=notice, person=walk.person, received_on=notice.start, content="x", actor=None
    )
    s.notice_objection_resolve(
        objection=objection, on=notice.end, upheld=True, resolution="属实", actor=pipe.secretary
    )
    refused(lambda: walk.do(Step.ADMISSION_MEETING), "“Public notice before admission”")
    refused(
        lambda: s.notice_objection_resolve(
            objection=objection, on=notice.end, upheld=False, resolution="x", actor=None
        ),
        "already resolved",
    )


def test_withdrawal_closes_an_open_approval(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.HIGHER_TALK)
    on = walk.on[Step.ADMISSION_MEETING] + ONE
    refused(
        lambda: s.application_withdraw(person=walk.person, on=on, reason="", actor=None),
        "Say why",
    )
    s.application_withdraw(person=walk.person, on=on, reason="本人申请撤回", actor=pipe.secretary)
    walk.person.refresh_from_db()
    assert (walk.person.stage, walk.person.stage_since) == (Stage.WITHDRAWN, on)
    assert Approval.objects.get(person=walk.person).status == ApprovalStatus.WITHDRAWN
    refused(lambda: walk.do(Step.HIGHER_TALK, on), "is application withdrawn")


def test_cancellation_of_probation(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_APPLICATION)
    on = walk.on[Step.OATH] + 30 * ONE
    refused(
        lambda: s.probation_cancel(person=walk.person, on=on, reason="x", actor=pipe.secretary),
        "Only 信息工程学院党委",
    )
    s.probation_cancel(person=walk.person, on=on, reason="不履行党员义务", actor=pipe.office)
    walk.person.refresh_from_db()
    assert (walk.person.stage, walk.person.stage_since) == (Stage.PROBATION_CANCELLED, on)
    refused(lambda: walk.do(Step.CONVERSION_APPLICATION), "needs probationary member")
    s.archive_record(person=walk.person, on=on, actor=pipe.secretary)


def test_a_pending_conversion_approval_must_be_decided_before_an_extension(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_APPROVAL)
    on = walk.on[Step.CONVERSION_MEETING] + ONE
    extend = lambda: s.probation_extend(  # noqa: E731
        person=walk.person, months=6, on=on, reason="x", actor=pipe.office
    )
    refused(extend, "An approval of conversion is open since")
    walk.do(Step.CONVERSION_APPROVAL, on, approve=False)
    extend()


# Vetoes, experiences, conversion pre-review (local rules) -----------------------------------


def test_a_standing_veto_blocks_every_step_forward(school, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.CANDIDATE_DETERMINED)
    veto = s.veto_raise(
        person=walk.person,
        kind=VetoKind.DORMITORY,
        on=D(2022, 1, 5),
        raised_by="学区宿管中心",
        reason="“脏乱差”寝室未整改",
        actor=pipe.secretary,
    )
    refused(lambda: walk.do(Step.CANDIDATE_DETERMINED), "dormitory civility veto raised on")
    walk.do(Step.THOUGHT_REPORT, D(2022, 2, 1))  # recording facts is not blocked
    s.veto_lift(veto=veto, on=D(2022, 3, 1), reason="已整改", actor=pipe.secretary)
    walk.do(Step.CANDIDATE_DETERMINED)
    # A school that does not apply a kind of veto neither records nor counts it.
    s.local_rules_update(school=school.school, actor=None, veto_teachers=False)
    refused(
        lambda: s.veto_raise(
            person=walk.person,
            kind=VetoKind.TEACHERS,
            on=D(2022, 5, 1),
            raised_by="任课教师",
            reason="x",
            actor=pipe.secretary,
        ),
        "does not apply the teachers' veto",
    )


def test_required_experiences(school, pipe):
    s.local_rules_update(school=school.school, actor=None, experiences_required=True)
    walk = pipe.walk(pipe.applicant()).until(Step.BRANCH_REVIEW)
    refused(lambda: walk.do(Step.BRANCH_REVIEW), "Required experiences missing: 担任校内外志愿者")
    for label in (
        "担任校内外志愿者",
        "正式加入团队参与暑期社会实践",
        "带动班级学风建设、帮助困难同学",
    ):
        s.experience_record(person=walk.person, label=label, on=D(2021, 7, 1), actor=None)
    walk.do(Step.BRANCH_REVIEW)


def test_conversion_pre_review_when_the_school_asks_for_it(school, pipe):
    s.local_rules_update(school=school.school, actor=None, conversion_pre_review=True)
    walk = pipe.walk(pipe.applicant()).until(Step.CONVERSION_NOTICE)
    refused(lambda: walk.do(Step.CONVERSION_NOTICE), "“Pre-review of conversion”")
    s.conversion_pre_review_decide(
        person=walk.person,
        on=walk.on[Step.CONVERSION_APPLICATION],
        passed=True,
        actor=pipe.office,
    )
    walk.do(Step.CONVERSION_NOTICE)


def test_a_group_for_placement_must_belong_to_the_branch(school, pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.PLACEMENT)
    other_group = make_unit("第二党小组", OrgUnit.Kind.GROUP, school.branch_a2)
    own_group = make_unit("第一党小组", OrgUnit.Kind.GROUP, pipe.branch)
    on = walk.default_date(Step.PLACEMENT)
    refused(
        lambda: s.placement_record(person=walk.person, on=on, group=other_group, actor=None),
        "is not a Party group of",
    )
    record = s.placement_record(person=walk.person, on=on, group=own_group, actor=None)
    assert record.detail["group"] == own_group.pk


# Records cannot be edited ------------------------------------------------------------------


def test_records_are_append_only_and_once_steps_unique(pipe, rf):
    walk = pipe.walk(pipe.applicant()).until(Step.APPLICANT_TALK)
    record = StepRecord.objects.get(person=walk.person, step=Step.APPLICATION)
    record.on = D(2020, 1, 1)
    with pytest.raises(RuntimeError):
        record.save()
    with pytest.raises(RuntimeError):
        record.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        StepRecord.objects.create(person=walk.person, step=Step.APPLICATION, on=D(2021, 3, 2))
    refused(
        lambda: s.person_apply(person=walk.person, applied_on=D(2021, 3, 2), actor=None),
        "already on record",
    )
    admin = StepRecordAdmin(StepRecord, None)
    assert not admin.has_change_permission(rf.get("/")) and not admin.has_add_permission(None)


def test_two_open_approvals_are_impossible(pipe):
    walk = pipe.walk(pipe.applicant()).until(Step.HIGHER_TALK)
    approval = Approval.objects.get(person=walk.person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(
            person=walk.person,
            purpose=approval.purpose,
            meeting=approval.meeting,
            committee=approval.committee,
            opened_on=approval.opened_on,
            due_on=approval.due_on,
        )


def test_meeting_votes_on_several_people_separately(pipe):
    walks = [pipe.walk(pipe.applicant()).until(Step.ADMISSION_MEETING) for _ in range(2)]
    on = max(w.default_date(Step.ADMISSION_MEETING) for w in walks)
    refused(
        lambda: s.admission_meeting_record(
            branch=pipe.branch,
            held_on=on,
            attendance=pipe.attendance(),
            votes=[VoteInput(walks[0].person, 5), VoteInput(walks[0].person, 5)],
            actor=pipe.secretary,
        ),
        "once each",
    )
    s.admission_meeting_record(
        branch=pipe.branch,
        held_on=on,
        attendance=pipe.attendance(),
        votes=[VoteInput(walks[0].person, 5), VoteInput(walks[1].person, 2, 3)],
        actor=pipe.secretary,
    )
    decisions = [
        StepRecord.objects.get(person=w.person, step=Step.ADMISSION_MEETING).decision for w in walks
    ]
    assert decisions == [Decision.AGREED, Decision.REFUSED]
