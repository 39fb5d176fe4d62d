"""Factories for tests. Org units and people go through the services so paths, history and
encryption are always as production makes them."""

import datetime as dt
import itertools

from core.idnumber import checksum_char
from members.models import OrgUnit, Person, User
from members.services.access import role_grant
from members.services.org import org_unit_create
from members.services.people import person_create

_seq = itertools.count(1)


def make_id_number(
    born: dt.date = dt.date(2003, 5, 17), region: str = "110105", serial: int | None = None
) -> str:
    serial = next(_seq) % 1000 if serial is None else serial
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + checksum_char(first17)


def make_unit(
    name: str | None = None,
    kind: str = OrgUnit.Kind.BRANCH,
    parent: OrgUnit | None = None,
    **fields,
) -> OrgUnit:
    if parent is None and kind != OrgUnit.Kind.SCHOOL:
        raise ValueError("give a parent")
    if kind == OrgUnit.Kind.BRANCH:
        fields.setdefault("branch_kind", OrgUnit.BranchKind.UNDERGRADUATE)
    return org_unit_create(
        name=name or f"unit {next(_seq)}", kind=kind, parent=parent, actor=None, **fields
    )


def make_person(
    unit: OrgUnit,
    name: str | None = None,
    *,
    id_number: str | None = None,
    stage: str | None = None,
    **fields,
) -> Person:
    """`stage` is set directly, as a fixture only: production code never does this."""
    person = person_create(
        actor=None, unit=unit, name=name or f"同学{next(_seq)}", id_number=id_number, **fields
    )
    if stage is not None:
        Person.objects.filter(pk=person.pk).update(stage=stage)
        person.refresh_from_db()
    return person


def make_user(
    username: str | None = None,
    *,
    role: str | None = None,
    unit: OrgUnit | None = None,
    password: str = "Secret-pass-123",
    **fields,
) -> User:
    user = User.objects.create_user(
        username=username or f"user{next(_seq)}", password=password, **fields
    )
    if role is not None:
        role_grant(user=user, unit=unit, role=role, actor=None)
    return user


class School:
    """A small tree: school → two colleges → (general branch →) branches, with people."""

    def __init__(self) -> None:
        K = OrgUnit.Kind
        self.school = make_unit("某某大学党委", K.SCHOOL)
        self.college_a = make_unit(
            "信息工程学院党委", K.COMMITTEE, self.school, has_approval_power=True
        )
        self.college_b = make_unit("农学院党委", K.COMMITTEE, self.school, has_approval_power=True)
        self.general_a = make_unit("信息工程学院学生党总支", K.GENERAL_BRANCH, self.college_a)
        self.branch_a1 = make_unit("计算机本科生第一党支部", K.BRANCH, self.general_a)
        self.branch_a2 = make_unit(
            "软件工程研究生党支部",
            K.BRANCH,
            self.college_a,
            branch_kind=OrgUnit.BranchKind.GRADUATE,
        )
        self.branch_b1 = make_unit("农学本科生党支部", K.BRANCH, self.college_b)
        self.alice = make_person(
            self.branch_a1, "张三", id_number=make_id_number(), student_number="2021001"
        )
        self.bob = make_person(
            self.branch_a2,
            "李四",
            id_number=make_id_number(dt.date(2000, 1, 2)),
            student_number="2021002",
        )
        self.carol = make_person(
            self.branch_b1,
            "王五",
            id_number=make_id_number(dt.date(2002, 2, 28)),
            student_number="2021003",
        )
