"""Education objects for the permission matrix: one of each kind inside branch_a1 and one
in the other school's branch."""

import datetime as dt

from education.models import GraduateNomination, LeaveRequest
from education.services import appraisal as ap
from education.services import meetings as m
from education.services import service as sv
from education.services import training as tr
from tests.factories import make_person

KINDS = ("meeting", "leave", "course", "work", "appraisal", "nomination")


class EducationTargets:
    def __init__(self, inside_branch, outside_branch) -> None:
        self.objects = {True: self._build(inside_branch), False: self._build(outside_branch)}

    @staticmethod
    def _build(branch) -> dict:
        today = dt.date.today()
        member = make_person(
            branch, f"党员{branch.pk}", stage="full", expected_graduation=dt.date(today.year, 6, 30)
        )
        meeting = m.meeting_plan(
            unit=branch,
            kind="theme_day",
            held_on=today + dt.timedelta(days=7),
            start_time=dt.time(19),
            topic="主题党日",
            place="党员之家",
            actor=None,
        )
        course = tr.course_create(
            unit=branch,
            school="college",
            audience="activist",
            name="入党积极分子培训班",
            start=today - dt.timedelta(days=10),
            end=today - dt.timedelta(days=8),
            actor=None,
        )
        return {
            "meeting": meeting,
            "leave": LeaveRequest.objects.create(meeting=meeting, person=member, reason="实习"),
            "course": course,
            "work": sv.work_assign(person=member, title="整理台账", assigned_on=today, actor=None),
            "appraisal": ap.appraisal_open(branch=branch, year=today.year, actor=None),
            "nomination": GraduateNomination.objects.create(
                person=member, year=today.year, citation="优秀"
            ),
        }

    def target(self, kind: str, inside: bool):
        return self.objects[inside][kind]
