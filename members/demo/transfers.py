"""Retained graduates, transfers, letters and mobile members for the demo school, made
through transfers/' services so every page of transfers/ has something to show:

- retention applications in every state: the graduate login's own, approved and placed in
  the retained-graduate branch; one approved two years ago whose deadline is near (apply to
  transfer out now); a draft, one submitted to the office and one returned for changes;
- transfers out: one outside the province whose letter's receipt came back (completed),
  one whose receipt is overdue, one within the province under way in the online system;
- the mobile-member ledger: members away, one of them late for re-verification.

Deterministic like the rest of the demo: people are chosen in id order (the order the
seed created them), every date is placed relative to the calendar's reference day, and
each section runs once (a later run finds its rows and leaves them as they are).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When

from members.demo.dates import Calendar, add_years
from members.demo.people import SECRETARY_POST
from members.demo.tree import SCHOOL_CODE, TreeSpec
from members.models import BranchPost, OrgUnit, Person, Stage, User
from members.models.people import MEMBER_STAGES
from members.scoping import has_unit_perm
from transfers.models import COMMITMENTS, MobileMember, RetentionApplication, Transfer
from transfers.services import letters as letter_services
from transfers.services import mobile as mobile_services
from transfers.services import retention as retention_services
from transfers.services import transfers as transfer_services

RECEIVER = "中共{city}某某科技有限公司委员会"
CITIES = ("深圳市", "杭州市", "成都市", "武汉市")


@dataclass
class Made:
    applications: int = 0
    transfers: int = 0
    mobile: int = 0


def _photo(name: str) -> SimpleUploadedFile:
    """A small, plain JPEG standing for the photo of a handwritten application."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (48, 64), (236, 232, 220)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _members(school: OrgUnit):
    """Members without a login who are not a branch's secretary nor lost."""
    return Person.objects.filter(
        unit__path__startswith=school.path,
        unit__kind=OrgUnit.Kind.BRANCH,
        stage__in=MEMBER_STAGES,
        removed_at__isnull=True,
        user__isnull=True,
        lost_contact=False,
        is_mobile_member=False,
    ).exclude(post=SECRETARY_POST)


def _in(unit: OrgUnit) -> Case:
    return Case(
        When(unit__path__startswith=unit.path, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def _applicants(school: OrgUnit, college: OrgUnit) -> list[Person]:
    """Graduating members of ordinary branches who apply for retention: committee members
    before others (an application changes nothing about them; the others are kept for the
    transfers), the college's first (its office decides), graduating soonest first."""
    people = (
        _members(school)
        .exclude(unit__branch_kind__in=(OrgUnit.BranchKind.RETAINED, OrgUnit.BranchKind.MOBILE))
        .annotate(elsewhere=_in(college), seated=Exists(_seats()))
        .order_by("-seated", "elsewhere", "expected_graduation", "id")
    )
    return list(people[:3])


def _seats():
    return BranchPost.objects.filter(person=OuterRef("pk"))


def _leavers(
    school: OrgUnit, college: OrgUnit, retained: OrgUnit
) -> tuple[list[Person], list[Person]]:
    """Members whose relationship leaves the school: the college's first (its office issues
    the letters and is told of the overdue receipt), retained graduates first among them.
    Returns those without a seat on a committee, who may complete their transfer, and those
    with one, whose transfer stays under way (no committee keeps a member who has gone)."""
    people = (
        _members(school)
        .filter(retention_applications__isnull=True)
        .annotate(elsewhere=_in(college), here=_in(retained), seated=Exists(_seats()))
        .order_by("elsewhere", "here", "id")
    )
    free = list(people.filter(seated=False, post="")[:3])
    seated = list(people.filter(seated=True)[:3])
    return free, seated


def ensure_transfers(tree: TreeSpec, units: dict[str, OrgUnit], cal: Calendar) -> Made:
    """Create what is missing of the transfers demo. Call inside a transaction."""
    first = tree.colleges[0]
    school, college, retained = units[SCHOOL_CODE], units[first.committee], units[first.retained]
    office, admin = _user("demo_office"), _user("demo_school")
    made = Made()
    in_school = {"person__unit__path__startswith": school.path}
    if office is None or admin is None:
        return made
    if not RetentionApplication.objects.filter(**in_school).exists():
        applicants = _applicants(school, college)
        made.applications = _retentions(cal, retained, applicants, office, admin)
    if not Transfer.objects.filter(**in_school).exists():
        made.transfers = _transfers(cal, *_leavers(school, college, retained), admin)
    if not MobileMember.objects.filter(**in_school).exists():
        made.mobile = _mobile(cal, school.path)
    return made


# Retention -----------------------------------------------------------------------------


def _application_data(person: Person, starts_on: dt.date, ends_on: dt.date, **extra) -> dict:
    data = {
        "reason": "employer",
        "category": "away",
        "whereabouts_detail": person.whereabouts_detail or "在深圳市南山区某科技公司实习",
        "mobile": person.mobile or "13800000000",
        "emergency_contact": f"{person.name[:1]}家长",
        "emergency_relation": "父母",
        "emergency_phone": "13900000000",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "commitments": [code for code, _text in COMMITMENTS],
    }
    data.update(extra)
    return data


def _filled(person: Person, actor, starts_on: dt.date, ends_on: dt.date, **extra):
    application = retention_services.application_start(person=person, actor=actor)
    return retention_services.application_save(
        application=application,
        data=_application_data(person, starts_on, ends_on, **extra),
        files=[_photo("留校申请书.jpg")],
        actor=actor,
    )


def _contact(retained: OrgUnit) -> Person | None:
    """The retained-graduate branch's secretary keeps in touch with its graduates."""
    return (
        Person.objects.filter(unit=retained, stage=Stage.FULL, post=SECRETARY_POST)
        .order_by("id")
        .first()
    )


def _retentions(
    cal: Calendar, retained: OrgUnit, people: list[Person], office: User, admin: User
) -> int:
    contact = _contact(retained)
    if contact is None:
        return 0
    made = 0
    start = cal.last_graduation() + dt.timedelta(days=1)  # the day after graduation
    end = add_years(cal.last_graduation(), 2)
    graduate = Person.objects.filter(user__username="demo_graduate").first()
    if graduate is not None and graduate.stage in MEMBER_STAGES:
        _approve(_filled(graduate, graduate.user, start, end), retained, contact, office)
        made += 1
    # Two years nearly over: the graduate must apply to transfer out now.
    abroad = (
        Person.objects.filter(unit=retained, stage=Stage.PROBATIONARY, user__isnull=True)
        .exclude(pk=getattr(graduate, "pk", None))
        .order_by("id")
        .first()
    )
    if abroad is not None:
        ends = cal.ref + dt.timedelta(days=20)
        starts = add_years(ends, -2) + dt.timedelta(days=1)
        application = _filled(
            abroad, office, starts, ends, reason="study_abroad", category="abroad",
            abroad_place="英国 某某大学", abroad_from=starts, abroad_until=ends,
            china_contact=f"{abroad.name[:1]}家长", china_contact_phone="13700000000",
        )  # fmt: skip
        _approve(application, retained, contact, office)
        made += 1
    states = ("submitted", "returned", "draft")  # the office's queue first
    for person, state in zip(people, states, strict=False):
        # The college's office for its own people, the school's organization department else.
        actor = office if has_unit_perm(office, "decide_retention", person.unit) else admin
        application = _filled(person, actor, start, end)
        if state != "draft":
            retention_services.application_submit(application=application, actor=actor)
        if state == "returned":
            retention_services.application_decide(
                application=application,
                decision=retention_services.Decision.RETURN,
                note="请补充接收单位未能及时接收组织关系的证明材料。",
                actor=actor,
            )
        made += 1
    return made


def _approve(application, retained: OrgUnit, contact: Person, office) -> None:
    retention_services.application_submit(application=application, actor=office)
    retention_services.application_decide(
        application=application,
        decision=retention_services.Decision.APPROVE,
        note="同意留校。",
        branch=retained,
        contact_person=contact,
        actor=office,
    )


# Transfers and letters -------------------------------------------------------------------


def _start(person: Person, office, *, reach: str, on: dt.date, n: int):
    return transfer_services.transfer_start(
        person=person,
        destination_kind="employer",
        reach=reach,
        other_heading=RECEIVER.format(city=CITIES[n % len(CITIES)]),
        other_branch="研发中心党支部",
        reason="毕业就业",
        requested_on=on,
        actor=office,
    )


def _transfers(cal: Calendar, free: list[Person], seated: list[Person], office: User) -> int:
    """`office`: the school's organization department, whose scope covers every college."""
    made = 0
    dues = cal.ref.replace(day=1)
    # Outside the province, letter out 60 days ago, its receipt back three weeks later.
    if free:
        issued = cal.ref - dt.timedelta(days=60)
        t = _start(free.pop(0), office, reach="out_of_province", on=issued, n=0)
        letter = letter_services.letter_issue(
            transfer=t, validity_days=30, dues_paid_through=dues, on=issued, actor=office
        )
        letter_services.letter_register_receipt(
            letter=letter,
            received_on=issued + dt.timedelta(days=21),
            receipt_from=t.other_heading,
            actor=office,
        )
        made += 1
    still_open = free + seated
    # Outside the province, letter out 80 days ago, valid 30: its receipt is overdue.
    if still_open:
        issued = cal.ref - dt.timedelta(days=80)
        t = _start(still_open.pop(0), office, reach="out_of_province", on=issued, n=1)
        letter_services.letter_issue(
            transfer=t, validity_days=30, dues_paid_through=dues, on=issued, actor=office
        )
        made += 1
    # Within the province: under way in the online Party system.
    if still_open:
        asked = cal.ref - dt.timedelta(days=5)
        t = _start(still_open.pop(0), office, reach="in_province", on=asked, n=2)
        transfer_services.transfer_record_online(
            transfer=t, reference=f"ZZ{cal.ref:%Y}-{t.pk:04d}", on=asked, actor=office
        )
        made += 1
    return made


# Mobile members --------------------------------------------------------------------------


def _mobile(cal: Calendar, school_path: str) -> int:
    """The members the seed placed in mobile members' branches join the ledger: one away
    five months, one abroad re-verified lately, one not re-verified for over a year."""
    people = list(
        Person.objects.filter(
            unit__path__startswith=school_path,
            unit__branch_kind=OrgUnit.BranchKind.MOBILE,
            stage__in=MEMBER_STAGES,
            removed_at__isnull=True,
            is_mobile_member=True,
        ).order_by("id")[:3]
    )
    plans = (  # (days away, abroad, days since re-verified or None)
        (150, False, None),
        (240, True, 30),
        (400, False, None),  # yearly cadence: late
    )
    for person, (away, abroad, verified) in zip(people, plans, strict=False):
        started = cal.ref - dt.timedelta(days=away)
        entry = mobile_services.mobile_register(
            person=person,
            destination=person.mobile_destination or person.whereabouts_detail or "深圳市",
            contact=person.mobile or "13800000000",
            started_on=started,
            abroad=abroad,
            reason="外出务工",
            actor=None,
        )
        if verified is not None:
            mobile_services.mobile_verify(
                entry=entry, on=cal.ref - dt.timedelta(days=verified), how="电话联系", actor=None
            )
    return len(people)
