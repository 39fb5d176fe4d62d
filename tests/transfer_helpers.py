"""Fixtures shared by the transfer tests: members ready to transfer and the two roles."""

from __future__ import annotations

import datetime as dt

from members.models import Person
from members.models.access import Role
from tests.factories import make_person, make_user
from transfers.models import DestinationKind, Reach
from transfers.services.transfers import transfer_start


def make_member(unit, name: str = "赵六", *, stage: str = "full", **fields) -> Person:
    fields.setdefault("birth_date", dt.date(2002, 3, 4))
    fields.setdefault("sex", "female")
    fields.setdefault("mobile", "13800001111")
    person = make_person(unit, name, stage=stage, **fields)
    Person.objects.filter(pk=person.pk).update(dues_paid_through=dt.date(2026, 6, 1))
    person.refresh_from_db()
    return person


def start_out(person, *, reach=Reach.OUT_OF_PROVINCE, actor=None, **fields):
    fields.setdefault("destination_kind", DestinationKind.EMPLOYER)
    fields.setdefault("other_heading", "中共某某科技有限公司委员会")
    fields.setdefault("other_branch", "研发部党支部")
    return transfer_start(person=person, reach=reach, actor=actor, **fields)


def secretary(school):
    return make_user(role=Role.BRANCH_SECRETARY, unit=school.branch_a1)


def office(school):
    return make_user(role=Role.COMMITTEE_OFFICE, unit=school.college_a)
