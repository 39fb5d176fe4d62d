"""Party-school hours and volunteer service are the pipeline's source of hours; the five
ones of graduates; the appraisal's rules (a third rounded down, probationary not rated)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from development import selectors as dev
from development.models import TrainingKind
from education import clock, selectors
from education.models import AttendanceStatus, FiveOne, MeetingKind, Rating, TrainingResult
from education.services import appraisal as ap
from education.services import meetings as m
from education.services import service as sv
from education.services import training as tr
from members.models.access import Role
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English msgids."""
    with translation.override("en"):
        yield


TODAY = timezone.localdate()
ONE = dt.timedelta(days=1)


@pytest.fixture
def secretary(school):
    return make_user("sec", role=Role.BRANCH_SECRETARY, unit=school.branch_a1)


def _course(school, audience=TrainingKind.CANDIDATE, days=3):
    return tr.course_create(
        unit=school.college_a,
        school="college",
        audience=audience,
        name="发展对象培训班",
        start=TODAY - dt.timedelta(days=days + 1),
        end=TODAY - ONE,
        actor=None,
    )


def test_party_school_results_are_the_pipelines_training_hours(school):
    person = make_person(school.branch_a1, "甲", stage="candidate")
    course = _course(school)
    tr.course_session_add(course=course, held_on=course.start, topic="党章", hours=8, actor=None)
    with pytest.raises(ValidationError, match="outside it"):
        tr.course_session_add(
            course=course, held_on=course.end + ONE, topic="x", hours=1, actor=None
        )
    tr.training_result_record(
        course=course, person=person, days=3, hours=Decimal("24.5"), actor=None
    )
    with pytest.raises(ValidationError, match="already has a result"):
        tr.training_result_record(course=course, person=person, days=1, hours=1, actor=None)
    with pytest.raises(ValidationError, match="cannot count"):
        tr.training_result_record(
            course=_course(school, days=1), person=person, days=5, hours=1, actor=None
        )
    # Activist training does not count for the candidates' concentrated training.
    activists = _course(school, audience=TrainingKind.ACTIVIST)
    tr.training_result_record(course=activists, person=person, days=2, hours=16, actor=None)
    total = dev.training_hours(person)
    assert (total.days, total.hours) == (Decimal(3), Decimal("24.5"))
    assert dev.load_files([person])[person.pk].training == total


def test_a_course_outside_the_persons_units_is_refused(school):
    course = tr.course_create(
        unit=school.branch_b1,
        school="college",
        audience="activist",
        name="x",
        start=TODAY - ONE,
        end=TODAY - ONE,
        actor=None,
    )
    with pytest.raises(ValidationError, match="which runs this course"):
        tr.training_result_record(course=course, person=school.alice, days=1, hours=1, actor=None)


def test_volunteer_service_is_the_source_of_the_50_hours(school, secretary):
    joined = TODAY - dt.timedelta(days=100)
    person = make_person(school.branch_a1, "乙", stage="probationary", joined_on=joined)
    sv.volunteer_service_record(
        person=person, on=joined - ONE, hours=20, activity="迎新", actor=secretary
    )
    sv.volunteer_service_record(
        person=person, on=joined, hours=Decimal("30.5"), activity="义工", actor=secretary
    )
    with pytest.raises(ValidationError, match="more than zero"):
        sv.volunteer_service_record(person=person, on=joined, hours=0, activity="x", actor=None)
    with pytest.raises(ValidationError, match="future"):
        sv.volunteer_service_record(
            person=person, on=TODAY + ONE, hours=1, activity="x", actor=None
        )
    # Hours during probation only: from the day the branch meeting admitted them.
    assert dev.volunteer_hours(person) == Decimal("30.5")
    # The pipeline's own service writes through to the same records.
    from development.services import volunteer_record

    volunteer_record(person=person, on=joined + ONE, hours=2, activity="社区", actor=None)
    assert dev.volunteer_hours(person) == Decimal("32.5")


def test_development_training_record_writes_through(school):
    from development.models import TrainingRecord

    row = TrainingRecord.objects.create(
        person=school.alice, kind="activist", course="c", start=TODAY, end=TODAY, days=1, hours=8
    )
    result = tr.result_from_development(row)
    assert TrainingResult.objects.get(development_record=row) == result
    assert result.hours == 8 and result.course is None


def test_five_ones_from_records_and_registrations(school, secretary):
    graduation = dt.date(TODAY.year + 1, 6, 30)
    window_start, _end = clock.graduation_window(graduation)
    grad = make_person(school.branch_a1, "丙", stage="full", expected_graduation=graduation)
    other = make_person(school.branch_a1, "丁", stage="full", expected_graduation=graduation)
    lecture = m.meeting_plan(
        unit=school.branch_a1,
        kind=MeetingKind.LECTURE,
        held_on=TODAY,
        start_time=dt.time(0),
        topic="t",
        place="p",
        actor=None,
    )
    m.meeting_record(
        meeting=lecture,
        minutes="m",
        attendance={grad.pk: AttendanceStatus.PRESENT, other.pk: AttendanceStatus.ABSENT},
        actor=None,
    )
    sv.five_ones_record(
        person=grad, item=FiveOne.BOOK, on=TODAY, note="《共产党宣言》", actor=secretary
    )
    sv.volunteer_service_record(
        person=grad, on=window_start - ONE, hours=2, activity="早了", actor=None
    )
    done = selectors.five_ones([grad, other])
    if window_start <= TODAY:
        assert done[grad.pk][FiveOne.LECTURE] == TODAY
        assert done[grad.pk][FiveOne.ORG_LIFE] == TODAY
        assert done[grad.pk][FiveOne.BOOK] == TODAY
    assert done[grad.pk][FiveOne.VOLUNTEER] is None  # before the last academic year
    assert done[grad.pk][FiveOne.OATH] is None
    assert all(v is None for v in done[other.pk].values())


def test_graduation_window_edges():
    assert clock.graduation_window(dt.date(2025, 6, 30)) == (
        dt.date(2024, 9, 1),
        dt.date(2025, 6, 30),
    )


# Appraisal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n, quota", [(0, 0), (2, 0), (3, 1), (4, 1), (5, 1), (6, 2), (7, 2)])
def test_a_third_rounded_down(n, quota):
    assert clock.excellent_quota(n) == quota


def _appraisal(school, full: int, probationary: int = 1):
    people = [make_person(school.branch_a1, f"正{i}", stage="full") for i in range(full)]
    probs = [
        make_person(school.branch_a1, f"预{i}", stage="probationary") for i in range(probationary)
    ]
    appraisal = ap.appraisal_open(branch=school.branch_a1, year=TODAY.year, actor=None)
    entries = {e.person_id: e for e in appraisal.entries.all()}
    return appraisal, [entries[p.pk] for p in people], [entries[p.pk] for p in probs]


@pytest.mark.parametrize("n, allowed", [(2, 0), (3, 1), (4, 1), (7, 2)])
def test_at_most_a_third_excellent(school, n, allowed):
    appraisal, full, _probs = _appraisal(school, n)
    ratings = {e.pk: Rating.QUALIFIED for e in full}
    too_many = {**ratings, **{e.pk: Rating.EXCELLENT for e in full[: allowed + 1]}}
    with pytest.raises(ValidationError, match=f"At most {allowed} of the {n} members"):
        ap.appraisal_rate(appraisal=appraisal, ratings=too_many, actor=None)
    assert not appraisal.entries.exclude(rating="").exists()  # nothing half-saved
    ok = {**ratings, **{e.pk: Rating.EXCELLENT for e in full[:allowed]}}
    ap.appraisal_rate(appraisal=appraisal, ratings=ok, actor=None)
    assert appraisal.entries.filter(rating=Rating.EXCELLENT).count() == allowed
    closed = ap.appraisal_close(appraisal=appraisal, actor=None)
    assert closed.status == "closed"
    with pytest.raises(ValidationError, match="concluded"):
        ap.appraisal_rate(appraisal=appraisal, ratings=ok, actor=None)


def test_probationary_members_take_part_but_are_not_rated(school):
    appraisal, full, probs = _appraisal(school, 3, probationary=2)
    assert appraisal.entries.count() == 5 and all(e.probationary for e in probs)
    with pytest.raises(ValidationError, match="probationary member: they take part"):
        ap.appraisal_rate(appraisal=appraisal, ratings={probs[0].pk: Rating.QUALIFIED}, actor=None)
    # The third is of the three full members only: one excellent, not (5 // 3).
    with pytest.raises(ValidationError, match="At most 1 of the 3"):
        ap.appraisal_rate(
            appraisal=appraisal, ratings={e.pk: Rating.EXCELLENT for e in full[:2]}, actor=None
        )
    with pytest.raises(ValidationError, match="Rate every full member"):
        ap.appraisal_close(appraisal=appraisal, actor=None)
    with pytest.raises(ValidationError, match="already has an appraisal"):
        ap.appraisal_open(branch=school.branch_a1, year=TODAY.year, actor=None)


def test_appraisal_shows_the_years_attendance_and_leave(school):
    person = make_person(school.branch_a1, "戊", stage="full")
    held = m.meeting_plan(
        unit=school.branch_a1,
        kind=MeetingKind.THEME_DAY,
        held_on=TODAY,
        start_time=dt.time(0),
        topic="t",
        place="p",
        actor=None,
    )
    m.meeting_record(
        meeting=held, minutes="m", attendance={person.pk: AttendanceStatus.ABSENT}, actor=None
    )
    summary = selectors.attendance_summaries([person.pk], TODAY.year)[person.pk]
    assert (summary.present, summary.absent, summary.on_leave) == (0, 1, 0)


def test_outstanding_graduate_nomination(school, secretary):
    grad = make_person(
        school.branch_a1, "己", stage="full", expected_graduation=dt.date(TODAY.year, 6, 30)
    )
    with pytest.raises(ValidationError, match="does not graduate"):
        ap.nomination_create(person=grad, year=TODAY.year + 1, citation="x", actor=secretary)
    nomination = ap.nomination_create(
        person=grad, year=TODAY.year, citation="志愿服务", actor=secretary
    )
    # A branch nominates; the committee with approval power selects.
    with pytest.raises(ValidationError, match="committee with approval power"):
        ap.nomination_decide(nomination=nomination, selected=True, actor=secretary)
    office = make_user("office", role=Role.COMMITTEE_OFFICE, unit=school.college_a)
    assert ap.nomination_decide(nomination=nomination, selected=True, actor=office).status == (
        "selected"
    )
