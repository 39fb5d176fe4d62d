"""Every view × every role, inside and outside its scope: a generated matrix.

Each view names the permission it needs and the object it acts on. For each actor the
expected answer is computed from ROLE_PERMISSIONS and where the role is granted, never
written by hand: allowed (a page, a form with errors, or a redirect that is not to the
login page) or 404 (never 403). Anonymous users are sent to the login page. A test also
checks that every routed view of the app is in the matrix, so a new view cannot skip it.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from development.models import BranchMeeting, NoticeObjection, PublicNotice, Veto
from education.models import Checkin, CheckinPlan
from members.models import BranchPost, LapseCase, LapseCount, LapseStatus, OrgUnit, Role
from members.models.access import ROLE_PERMISSIONS
from members.services.org import branch_post_assign
from members.services.people import person_remove
from tests.education_world import KINDS as EDUCATION_KINDS
from tests.education_world import EducationTargets
from tests.factories import School, make_person, make_unit, make_user
from tests.transfer_helpers import make_member, start_out
from transfers.models import Examination, RetentionApplication
from transfers.services.campaign import campaign_create
from transfers.services.letters import letter_issue
from transfers.services.mobile import mobile_register

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class View:
    name: str
    perm: str
    target: str  # "none", "person", "removed_person", "unit", "branch", "post", a record kind
    method: str = "get"
    kwargs: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return "-".join([self.name, *(value for _key, value in self.kwargs)])


VIEWS = [
    View("people_list", "view_people", "none"),
    View("person_create", "change_people", "none"),
    View("person_detail", "view_people", "person"),
    View("person_edit", "change_people", "person"),
    View("person_remove", "change_people", "person"),
    View("person_restore", "change_people", "removed_person", "post"),
    View("person_id_number", "view_id_number", "person", "post"),
    View("org_tree", "view_people", "none"),
    View("org_unit_create", "manage_tree", "none"),
    View("org_unit_detail", "view_people", "unit"),
    View("org_unit_edit", "manage_tree", "unit"),
    View("org_unit_move", "manage_tree", "unit"),
    View("org_post_create", "manage_tree", "branch"),
    View("org_post_end", "manage_tree", "post", "post"),
    View("org_roles", "manage_roles", "unit"),
    # ---- a2: development read and print side ----
    *(
        View("dev_queue", "approval_authority", "none", kwargs=(("kind", kind),))
        for kind in ("pre_review", "approval", "conversion_pre_review", "conversion_approval")
    ),
    View("dev_record", "view_people", "person"),
    View("dev_record_pdf", "view_people", "person"),
    View("dev_notice_pdf", "view_people", "notice"),
    View("dev_exports", "export_people", "none"),
    View("dev_ledger_export", "export_people", "none"),
    *(
        View("dev_filing_export", "export_people", "none", kwargs=(("kind", kind),))
        for kind in (
            "activist_filing",
            "candidate_filing",
            "admission_candidates",
            "admitted_probationary",
            "conversion_pre_review",
        )
    ),
    # ---- end a2 ----
    View("people_export", "export_people", "none"),
    View("people_import", "import_people", "none"),
    # perm "own": only the person the object belongs to (the member actor), never staff.
    View("checkin_submit", "own", "plan", "post"),
    View("checkin_queue", "review_checkins", "none"),
    View("checkin_late", "review_checkins", "none"),
    View("checkin_review", "review_checkins", "checkin"),
    View("checkin_plan_detail", "review_checkins", "plan"),
    View("checkin_plan_new", "review_checkins", "person"),
    View("checkin_plan_close", "review_checkins", "plan", "post"),
    View("checkin_rules", "manage_tree", "school"),
    View("dues_index", "manage_dues", "none"),
    View("dues_person", "manage_dues", "person"),
    View("dues_sheet", "manage_dues", "branch"),
    View("dues_import", "manage_dues", "none"),
    View("dues_export", "manage_dues", "none"),
    View("retention_list", "view_people", "none"),
    View("retention_queue", "decide_retention", "none"),
    View("retained_list", "view_people", "none"),
    View("retention_start", "change_people", "person", "post"),
    View("retention_detail", "view_people", "retention"),
    View("retention_edit", "change_people", "retention"),
    View("retention_document_remove", "change_people", "retention", "post"),
    View("retention_decide", "decide_retention", "retention"),
    View("retention_pdf", "view_people", "retention"),
    View("examination_open", "change_people", "person"),
    View("examination_detail", "view_people", "examination"),
    View("examination_upload", "change_people", "examination", "post"),
    View("examination_link", "change_people", "examination", "post"),
    View("dev_board", "view_people", "none"),
    View("dev_step", "change_people", "person", kwargs=(("step", "application"),)),
    View("dev_step", "change_people", "person", kwargs=(("step", "pre_review"),)),
    View("dev_step", "view_people", "person", kwargs=(("step", "higher_talk"),)),
    View("dev_meeting_new", "change_people", "branch", kwargs=(("purpose", "admission"),)),
    View("dev_meeting_detail", "view_people", "dev_meeting"),
    View("dev_notice_new", "change_people", "branch", kwargs=(("purpose", "conversion"),)),
    View("dev_notice_detail", "view_people", "notice"),
    View("dev_objection_new", "change_people", "notice", "post"),
    View("dev_objection_resolve", "change_people", "objection", "post"),
    View("dev_special_case", "change_people", "person", "post"),
    View("dev_fact", "change_people", "person", kwargs=(("kind", "veto"),)),
    View("dev_veto_lift", "change_people", "veto"),
    View("transfer_list", "manage_transfers", "none"),
    View("transfer_start", "manage_transfers", "none"),
    View("transfer_incoming", "manage_transfers", "none"),
    View("transfer_detail", "manage_transfers", "transfer"),
    View("transfer_online", "manage_transfers", "transfer", "post"),
    View("transfer_complete", "manage_transfers", "transfer", "post"),
    View("transfer_cancel", "manage_transfers", "transfer", "post"),
    View("letter_issue", "issue_letters", "transfer"),
    View("letter_list", "manage_transfers", "none"),
    View("letter_pdf", "issue_letters", "letter"),
    View("letter_receipt", "manage_transfers", "letter"),
    View("letter_reissue", "issue_letters", "letter", "post"),
    View("issuer_edit", "issue_letters", "committee"),
    View("campaign_list", "manage_transfers", "none"),
    View("campaign_detail", "manage_transfers", "campaign"),
    View("campaign_edit", "issue_letters", "campaign"),
    View("campaign_export", "manage_transfers", "campaign"),
    View("campaign_exception", "manage_transfers", "campaign", "post"),
    View("mobile_list", "manage_transfers", "none"),
    View("mobile_create", "manage_transfers", "none"),
    View("mobile_export", "manage_transfers", "none"),
    View("mobile_detail", "manage_transfers", "mobile"),
    View("mobile_verify", "manage_transfers", "mobile", "post"),
    View("mobile_pair", "manage_transfers", "mobile", "post"),
    View("mobile_end", "manage_transfers", "mobile", "post"),
    # education/: branch life
    View("meeting_list", "view_people", "none"),
    View("meeting_create", "record_meetings", "none"),
    View("meeting_detail", "view_people", "meeting"),
    View("meeting_record", "record_meetings", "meeting"),
    View("meeting_cancel", "record_meetings", "meeting", "post"),
    View("meeting_attach", "record_meetings", "meeting", "post"),
    View("leave_register", "record_meetings", "none"),
    View("leave_decide", "record_meetings", "leave", "post"),
    # Compliance: report readers, and those who keep a branch's meetings (either permission).
    View("compliance", "record_meetings|view_reports", "none"),
    View("compliance_unit", "record_meetings|view_reports", "branch"),
    View("course_list", "view_people", "none"),
    View("course_create", "record_meetings", "none"),
    View("course_detail", "view_people", "course"),
    View("course_session_add", "record_meetings", "course", "post"),
    View("course_result_add", "record_meetings", "course", "post"),
    View("volunteer_list", "view_people", "none"),
    View("volunteer_create", "record_meetings", "none"),
    View("five_ones", "view_people", "none"),
    View("five_ones_record", "record_meetings", "none", "post"),
    View("work_list", "view_people", "none"),
    View("work_create", "record_meetings", "none"),
    View("work_done", "record_meetings", "work", "post"),
    View("work_reopen", "record_meetings", "work", "post"),
    View("appraisal_list", "view_people", "none"),
    View("appraisal_open", "record_meetings", "none"),
    View("appraisal_detail", "view_people", "appraisal"),
    View("appraisal_rate", "record_meetings", "appraisal", "post"),
    View("appraisal_close", "record_meetings", "appraisal", "post"),
    View("nomination_list", "view_people", "none"),
    View("nomination_create", "record_meetings", "none"),
    View("nomination_decide", "change_people", "nomination", "post"),
    View("lapse_list", "handle_lapses", "none"),
    View("lapse_case_detail", "handle_lapses", "lapse_case"),
    View("lapse_case_act", "handle_lapses", "lapse_case", "post"),
    View("lapse_case_approve", "approve_removal", "lapse_case", "post"),
    View("dev_ledger_import", "import_people", "none"),
]
# What a member may do on their own records (alice's, inside) though they hold no grant.
OWN_VIEWS = {
    "person_detail",
    "dev_record",
    "dev_record_pdf",
    "retention_detail",
    "retention_edit",
    "retention_document_remove",
    "retention_pdf",
    "examination_detail",
    "examination_upload",
}
# Views outside the generated matrix, each with where it is tested instead.
ELSEWHERE = {
    "people_import_preview": "tests/test_excel_import.py (a token owned by its uploader)",
    "dev_ledger_preview": "tests/test_dev_ledger_import.py (a token owned by its uploader)",
    "my_record": "test_my_record_shows_only_own_record below",
    "home": "test_home_sends_each_actor_somewhere_they_may_go below",
    "healthz": "tests/test_accounts.py",
    "home_school": "tests/test_home.py (by where the grants sit, and ?unit= inside scope)",
    "home_committee": "tests/test_home.py",
    "home_branch": "tests/test_home.py",
    "home_inspection": "tests/test_home_school.py (committee or school in scope, ?cell= too)",
    "home_retained": "tests/test_home_school.py (scoped people behind the retained grid)",
    "document_download": "tests/test_uploads.py (by unit scope and by whom it is about)",
    "checkin_mine": "tests/test_education_checkins.py (the user's own plan, or none)",
    "dues_import_preview": "tests/test_education_dues.py (a token owned by its uploader)",
    "retention_mine": "tests/test_retention.py (the graduate's own page) and the browser journey",
    "employer_upload": "tests/test_retention.py (no account: a single-use, expiring token)",
    "my_meetings": "tests/test_edu_views.py::test_member_pages_show_only_own_meetings",
    "leave_request": "tests/test_edu_views.py::test_member_pages_show_only_own_meetings",
    "leave_withdraw": "tests/test_edu_views.py::test_member_pages_show_only_own_meetings",
    "my_lapse_case": "tests/test_lapse_views.py (only the member whose case it is)",
    "notification_list": "tests/test_notifications.py (each user sees only their own)",
    "notification_open": "tests/test_notifications.py (someone else's is a 404)",
    "notification_read_all": "tests/test_notifications.py (marks only the user's own)",
}

# (actor name, role, attribute of the fixture naming the unit it is granted on)
ACTORS = [
    ("school_admin", Role.SCHOOL_ADMIN, "school"),
    ("committee_office", Role.COMMITTEE_OFFICE, "college_a"),
    ("organizer", Role.ORGANIZER, "college_a"),
    ("branch_secretary", Role.BRANCH_SECRETARY, "branch_a1"),
    ("branch_committee", Role.BRANCH_COMMITTEE, "branch_a1"),
    ("member", None, None),
]


class World:
    """The fixture school plus a second school, so even the school-wide role has an
    outside; targets inside every role's scope sit in branch_a1."""

    def __init__(self) -> None:
        self.s = School()
        other_root = self.other_root = make_unit("另一所大学党委", OrgUnit.Kind.SCHOOL)
        other_college = make_unit("外校学院党委", OrgUnit.Kind.COMMITTEE, other_root)
        self.other_branch = make_unit("外校党支部", OrgUnit.Kind.BRANCH, other_college)
        self.stranger = make_person(self.other_branch, "外校学生")
        secretary_in = make_person(self.s.branch_a1, "书记甲", stage="full")
        secretary_out = make_person(self.other_branch, "书记乙", stage="full")
        day = dt.date(2025, 9, 1)
        self.post_in = branch_post_assign(
            unit=self.s.branch_a1,
            person=secretary_in,
            post=BranchPost.Post.SECRETARY,
            term_start=day,
            actor=None,
        )
        self.post_out = branch_post_assign(
            unit=self.other_branch,
            person=secretary_out,
            post=BranchPost.Post.SECRETARY,
            term_start=day,
            actor=None,
        )
        self.removed_in = make_person(self.s.branch_a1, "已移除甲")
        self.removed_out = make_person(self.other_branch, "已移除乙")
        for person in (self.removed_in, self.removed_out):
            person_remove(person=person, actor=None, reason="测试")
        # Retention applications and two-way examinations (fixtures: straight to the ORM).
        self.retention_in, self.retention_out = (
            RetentionApplication.objects.create(person=p, unit=p.unit)
            for p in (self.s.alice, self.stranger)
        )
        self.examination_in, self.examination_out = (
            Examination.objects.create(person=p, employer="某公司", opened_on=day)
            for p in (self.s.alice, self.stranger)
        )

        # Check-in plans and a check-in each, set up as fixtures (the member actor is alice).
        self.plan_in, self.checkin_in = make_checkin(self.s.alice)
        self.plan_out, self.checkin_out = make_checkin(self.stranger)
        # Pipeline records, as fixtures (the services are tested in tests/test_dev_*.py).
        self.notices, self.meetings, self.objections, self.vetoes = {}, {}, {}, {}
        for inside, unit, person in ((True, self.s.branch_a1, self.s.alice),
                                     (False, self.other_branch, self.stranger)):  # fmt: skip
            self.notices[inside] = notice = PublicNotice.objects.create(
                unit=unit, purpose="admission", start=day, end=day, places=["学院楼栋"]
            )
            self.objections[inside] = NoticeObjection.objects.create(
                notice=notice, person=person, received_on=day, content="异议"
            )
            self.vetoes[inside] = Veto.objects.create(
                person=person, kind="college", raised_on=day, raised_by="学院", reason="测试"
            )
            self.meetings[inside] = BranchMeeting.objects.create(
                unit=unit, held_on=day, purpose="admission", voting_members_counted=1,
                present_voting=1,
            )  # fmt: skip
        self.other_college = other_college
        self.transfer_in = start_out(make_member(self.s.branch_a1, "转出甲"))
        self.transfer_out = start_out(make_member(self.other_branch, "转出乙"))
        self.letter_in = letter_issue(transfer=start_out(make_member(self.s.branch_a1)), actor=None)
        self.letter_out = letter_issue(
            transfer=start_out(make_member(self.other_branch)), actor=None
        )
        self.campaign_in = campaign_create(unit=self.s.college_a, year=2026, actor=None)
        self.campaign_out = campaign_create(unit=other_college, year=2026, actor=None)
        day = dt.date(2026, 3, 1)
        self.mobile_in = mobile_register(
            person=make_member(self.s.branch_a1), destination="深圳", contact="1", started_on=day,
            actor=None,
        )  # fmt: skip
        self.mobile_out = mobile_register(
            person=make_member(self.other_branch), destination="深圳", contact="1", started_on=day,
            actor=None,
        )  # fmt: skip
        self.education = EducationTargets(self.s.branch_a1, self.other_branch)
        self.lapse_in, self.lapse_out = (
            LapseCase.objects.create(
                person=person,
                count=LapseCount.ORG_LIFE,
                gap_since=dt.date(2025, 1, 1),
                lapses_on=dt.date(2025, 7, 1),
                status=LapseStatus.LAPSED,
                opened_on=dt.date(2025, 6, 1),
            )
            for person in (secretary_in, secretary_out)
        )

    def target(self, kind: str, inside: bool):
        if kind in EDUCATION_KINDS:
            return self.education.target(kind, inside)
        return {
            "plan": self.plan_in if inside else self.plan_out,
            "checkin": self.checkin_in if inside else self.checkin_out,
            "school": self.s.school if inside else self.other_root,
            "person": self.s.alice if inside else self.stranger,
            "removed_person": self.removed_in if inside else self.removed_out,
            "unit": self.s.branch_a1 if inside else self.other_branch,
            "branch": self.s.branch_a1 if inside else self.other_branch,
            "post": self.post_in if inside else self.post_out,
            "retention": self.retention_in if inside else self.retention_out,
            "examination": self.examination_in if inside else self.examination_out,
            "notice": self.notices[inside],
            "dev_meeting": self.meetings[inside],
            "objection": self.objections[inside],
            "veto": self.vetoes[inside],
            "transfer": self.transfer_in if inside else self.transfer_out,
            "letter": self.letter_in if inside else self.letter_out,
            "committee": self.s.college_a if inside else self.other_college,
            "campaign": self.campaign_in if inside else self.campaign_out,
            "mobile": self.mobile_in if inside else self.mobile_out,
            "lapse_case": self.lapse_in if inside else self.lapse_out,
        }[kind]


def make_checkin(person):
    day = dt.date(2025, 9, 1)
    plan = CheckinPlan.objects.create(
        person=person, category="away", starts_on=day, ends_on=dt.date(2026, 8, 31),
        cadences=[{"kind": "xuexi", "unit": "week", "every": 2}],
    )  # fmt: skip
    checkin = Checkin.objects.create(
        plan=plan, kind="xuexi", period_index=0, period_start=day, due_on=dt.date(2025, 9, 14),
        status="submitted", submitted_at=timezone.now(), first_submitted_on=day,
    )  # fmt: skip
    return plan, checkin


def holds(role: str | None, perm: str) -> bool:
    if "|" in perm:  # any one of them is enough
        return any(holds(role, one) for one in perm.split("|"))
    if perm == APPROVAL_AUTHORITY:
        from development.authority import APPROVAL_ROLES

        return role in APPROVAL_ROLES
    return role is not None and perm in ROLE_PERMISSIONS[role]


# Not a guardian permission: approval authority on a committee (development.authority).
APPROVAL_AUTHORITY = "approval_authority"


def make_actor(world: World, actor: str, role, unit_attr):
    if role is None:
        user = make_user(f"m_{actor}")
        world.s.alice.user = user
        world.s.alice.save(update_fields=["user"])
        return user
    return make_user(f"u_{actor}", role=role, unit=getattr(world.s, unit_attr))


def call(client, view: View, obj):
    kwargs = {**({"pk": obj.pk} if obj is not None else {}), **dict(view.kwargs)}
    url = reverse(view.name, kwargs=kwargs or None)
    return client.post(url, {}) if view.method == "post" else client.get(url)


def is_allowed(response) -> bool:
    if response.status_code in (200, 400):
        return True
    return response.status_code in (301, 302) and reverse("login") not in response["Location"]


CASES = [
    (actor, view, inside)
    for actor in ACTORS
    for view in VIEWS
    for inside in ((True, False) if view.target != "none" else (True,))
]


@pytest.mark.parametrize(
    "actor, view, inside",
    CASES,
    ids=[f"{a[0]}-{v.label}-{'in' if i else 'out'}" for a, v, i in CASES],
)
def test_matrix(client, actor, view, inside):
    world = World()
    name, role, unit_attr = actor
    client.force_login(make_actor(world, name, role, unit_attr))
    obj = None if view.target == "none" else world.target(view.target, inside)
    expected = holds(role, view.perm) and inside
    if view.perm == "own":
        expected = role is None and inside
    # A member reads their own record and acts on their own retention application: the
    # objects outside every grant they may reach.
    if role is None and view.name in OWN_VIEWS and inside:
        expected = True
    response = call(client, view, obj)
    if expected:
        assert is_allowed(response), f"{name} should reach {view.name}: {response.status_code}"
    else:
        assert response.status_code == 404, (
            f"{name} must get 404 on {view.name}, got {response.status_code}"
        )


@pytest.mark.parametrize("view", VIEWS, ids=[v.label for v in VIEWS])
def test_anonymous_is_sent_to_login(client, view):
    world = World()
    obj = None if view.target == "none" else world.target(view.target, True)
    response = call(client, view, obj)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_every_routed_view_is_in_the_matrix():
    def names(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin" and pattern.namespace is None:
                    yield from names(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    app_views = {n for n in names(get_resolver().url_patterns)} - {
        "login", "logout", "password_change", "password_change_done", "set_language",
    }  # fmt: skip
    covered = {v.name for v in VIEWS} | set(ELSEWHERE)
    assert app_views - covered == set()


def test_my_record_shows_only_own_record(client):
    world = World()
    user = make_actor(world, "member", None, None)
    client.force_login(user)
    response = client.get(reverse("my_record"))
    assert response.status_code == 200
    assert world.s.alice.name in response.content.decode()
    assert world.s.bob.name not in response.content.decode()


@pytest.mark.parametrize("actor", ACTORS, ids=[a[0] for a in ACTORS])
def test_home_sends_each_actor_somewhere_they_may_go(client, actor):
    world = World()
    client.force_login(make_actor(world, *actor))
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
