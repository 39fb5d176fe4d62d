"""A public notice (公示) as the branch posts it: heading, the people with the items such
notices list, period, places, and whom to tell about objections.

The notice is a Chinese document whatever the interface language (like the Excel forms), so
its wording is fixed here, in the seeds' terms: 公示, 发展对象, 预备党员, 转正 (seed 002's
"对拟接收的新党员或拟转正的预备党员的情况 … 进行公示"; seed 004's notices in two places).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from development import clock
from development.authority import approving_committee
from development.models import NoticeEntry, PublicNotice, Purpose, Step
from development.requirements import PersonFile
from development.selectors import load_files, rules_for
from members.models import BranchPost, Person

SEX = {Person.Sex.MALE: "男", Person.Sex.FEMALE: "女"}
ADMISSION_COLUMNS = (
    "序号", "姓名", "性别", "民族", "出生年月", "学历", "专业班级",
    "递交入党申请书时间", "确定为入党积极分子时间", "确定为发展对象时间", "拟发展时间",
)  # fmt: skip
CONVERSION_COLUMNS = (
    "序号", "姓名", "性别", "民族", "出生年月", "学历", "专业班级",
    "递交入党申请书时间", "入党时间", "预备期满时间", "拟转正时间",
)  # fmt: skip


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def cn_month(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月" if day else ""


def dotted(day: dt.date | None) -> str:
    return f"{day:%Y.%m.%d}" if day else ""


@dataclass(frozen=True)
class NoticeSheet:
    notice: PublicNotice
    title: str
    lead: str
    columns: tuple[str, ...]
    rows: list[list[str]]
    period: str
    places: str
    objections: str
    contact: str
    signed_by: str
    signed_on: str


def _major_class(person: Person) -> str:
    return " ".join(p for p in (person.major, person.class_name) if p)


def _row(index: int, f: PersonFile, notice: PublicNotice) -> list[str]:
    person = f.person
    start = [
        str(index),
        person.name,
        SEX.get(person.sex, ""),
        person.ethnicity,
        f"{person.birth_date:%Y.%m}" if person.birth_date else "",
        person.education,
        _major_class(person),
        dotted(f.applied_on or person.applied_on),
    ]
    if notice.purpose == Purpose.ADMISSION:
        candidate = f.last(Step.CANDIDATE_DETERMINED)
        # The branch meets once the notice has run its course; the month it can first meet.
        meeting = f.last(Step.ADMISSION_MEETING)
        intended = meeting.on if meeting and meeting.on > notice.end else None
        intended = intended or clock.meeting_earliest(notice.end)
        return start + [
            dotted(f.activist_on),
            dotted(candidate.on if candidate else None),
            cn_month(intended),
        ]
    end = f.probation_end
    return start + [dotted(person.joined_on), dotted(end), dotted(end)]


def _names(people: list[Person]) -> str:
    if not people:
        return ""
    if len(people) == 1:
        return f"{people[0].name}同志"
    return f"{people[0].name}等{len(people)}名同志"


def _secretary(notice: PublicNotice, today: dt.date) -> Person | None:
    post = (
        BranchPost.objects.filter(unit=notice.unit, post=BranchPost.Post.SECRETARY)
        .filter(term_start__lte=today)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
        .select_related("person")
        .order_by("-term_start")
        .first()
    )
    return post.person if post else None


def notice_sheet(notice: PublicNotice, today: dt.date) -> NoticeSheet:
    entries = list(
        NoticeEntry.objects.filter(notice=notice)
        .select_related("person__unit")
        .order_by("person__name", "person_id")
    )
    people = [e.person for e in entries]
    files = load_files(people)
    rows = [_row(i, files[p.pk], notice) for i, p in enumerate(people, 1)]
    branch = notice.unit.name
    committee = approving_committee(notice.unit)
    committee_name = committee.name if committee else "上级党委"
    count = len(people)
    if notice.purpose == Purpose.ADMISSION:
        title = f"关于拟接收{_names(people)}为中共预备党员的公示"
        lead = (
            f"根据《中国共产党章程》和《中国共产党发展党员工作细则》的有关规定，经{branch}"
            f"支部委员会审查、{committee_name}预审同意，拟接收以下{count}名发展对象为中共预备"
            "党员。在召开支部党员大会之前，现将有关情况予以公示，接受党员和群众监督。"
        )
        columns = ADMISSION_COLUMNS
    else:
        pre_reviewed = rules_for(notice.unit).conversion_pre_review
        pre_review = f"、{committee_name}预审同意" if pre_reviewed else ""
        title = f"关于{_names(people)}预备党员拟转为中共正式党员的公示"
        lead = (
            f"根据《中国共产党章程》和《中国共产党发展党员工作细则》的有关规定，以下{count}名"
            f"预备党员预备期已满（将满），本人已提出书面转正申请，经{branch}支部委员会研究"
            f"{pre_review}，拟按期转为中共正式党员。在召开支部党员大会之前，现将有关情况予以"
            "公示，接受党员和群众监督。"
        )
        columns = CONVERSION_COLUMNS
    secretary = _secretary(notice, today)
    contact = ""
    if secretary is not None:
        contact = f"联系人：{secretary.name}（{branch}书记）"
        if secretary.mobile:
            contact += f"，联系电话：{secretary.mobile}"
    return NoticeSheet(
        notice=notice,
        title=title,
        lead=lead,
        columns=columns,
        rows=rows,
        period=f"{cn_date(notice.start)}至{cn_date(notice.end)}",
        places="、".join(notice.places),
        objections=(
            f"公示期间，党员和群众如对公示对象有意见，可通过来电、来信、来访等方式向{branch}"
            f"或{committee_name}反映。反映问题应实事求是，以个人名义反映的应署真实姓名，"
            "以单位名义反映的应加盖公章。"
        ),
        contact=contact,
        signed_by=branch if branch.startswith("中共") else f"中共{branch}",
        signed_on=cn_date(notice.start),
    )
