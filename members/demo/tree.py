"""The demo school's organization tree: a pure description first, then created through
`members.services.org` (get-or-create by unit code, so a second run adds nothing).

School committee → 8 college committees (with approval power) and the school organs'
committee → student general branches where a college is large → branches of every kind
→ a few party groups.
"""

from dataclasses import dataclass, field

from members.demo.dates import Calendar
from members.models import OrgUnit
from members.services.org import org_unit_create

K = OrgUnit.Kind
B = OrgUnit.BranchKind

SCHOOL_CODE = "DEMO"
SCHOOL_NAME = "某某大学党委"
ORGANS_CODE = "DEMO-JG"


@dataclass(frozen=True)
class College:
    code: str  # two digits, also inside student numbers
    name: str
    majors: tuple[tuple[str, str], ...]  # (major, short form used in class names)
    grad_majors: tuple[str, ...]  # master's branches, one per major
    research_groups: tuple[str, ...]  # doctoral branches, one per research group
    undergrad_by_grade: bool  # undergraduate branches by grade, else by major
    general_branch: bool  # students grouped under a 学生党总支
    mobile_branch: bool


COLLEGES: tuple[College, ...] = (
    College("01", "信息工程学院",
            (("计算机科学与技术", "计科"), ("软件工程", "软工"), ("网络工程", "网工"),
             ("数据科学与大数据技术", "数据")),
            ("计算机科学与技术", "软件工程"), ("智能信息处理研究所",), True, True, True),
    College("02", "农学院",
            (("农学", "农学"), ("植物保护", "植保"), ("种子科学与工程", "种子")),
            ("作物学",), ("作物遗传育种课题组",), False, True, False),
    College("03", "经济学院",
            (("经济学", "经济"), ("金融学", "金融"), ("国际经济与贸易", "国贸")),
            ("金融",), (), True, True, True),
    College("04", "人文与新闻传播学院",
            (("汉语言文学", "汉语言"), ("新闻学", "新闻")),
            ("中国语言文学",), (), False, False, False),
    College("05", "马克思主义学院",
            (("思想政治教育", "思政"),),
            ("马克思主义理论",), ("马克思主义中国化研究中心",), False, False, False),
    College("06", "机电工程学院",
            (("机械设计制造及其自动化", "机制"), ("电气工程及其自动化", "电气"),
             ("车辆工程", "车辆")),
            ("机械工程",), ("智能制造课题组",), True, True, True),
    College("07", "化学与材料学院",
            (("化学", "化学"), ("应用化学", "应化"), ("材料科学与工程", "材料")),
            ("化学",), ("功能材料课题组",), False, True, False),
    College("08", "外国语学院",
            (("英语", "英语"), ("日语", "日语"), ("翻译", "翻译")),
            ("外国语言文学",), (), False, False, False),
)  # fmt: skip


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None
    branch_kind: str = ""
    has_approval_power: bool = False


@dataclass
class CollegeBranches:
    """Codes of a college's branches by the people they hold (what the generator needs)."""

    college: College
    committee: str
    undergrad_by_grade: dict[int, str] = field(default_factory=dict)
    undergrad_by_major: dict[str, str] = field(default_factory=dict)
    masters: list[tuple[str, str]] = field(default_factory=list)  # (major, branch code)
    doctoral: list[tuple[str, str]] = field(default_factory=list)  # (group, branch code)
    teachers: list[str] = field(default_factory=list)
    retained: str = ""
    mobile: str = ""

    def undergrad_branch(self, grade: int, major: str) -> str:
        if self.college.undergrad_by_grade:
            return self.undergrad_by_grade[grade]
        return self.undergrad_by_major[major]


@dataclass
class TreeSpec:
    units: list[UnitSpec]
    colleges: list[CollegeBranches]
    organs_teachers: list[str]
    organs_mobile: str

    def unit(self, code: str) -> UnitSpec:
        return next(u for u in self.units if u.code == code)

    def branch_codes(self) -> list[str]:
        return [u.code for u in self.units if u.kind == K.BRANCH]


def describe_tree(cal: Calendar) -> TreeSpec:
    """The whole tree as data, in creation order (every parent before its children)."""
    units = [UnitSpec(SCHOOL_CODE, SCHOOL_NAME, K.SCHOOL, None)]
    colleges = []
    for c in COLLEGES:
        cb = _describe_college(c, cal, units)
        colleges.append(cb)
    units.append(UnitSpec(ORGANS_CODE, "机关党委", K.COMMITTEE, SCHOOL_CODE, "", True))
    organs = [
        ("T1", "党政办公室党支部"),
        ("T2", "组织部、宣传部联合党支部"),
        ("T3", "学生工作部（处）党支部"),
    ]
    organs_teachers = []
    for suffix, name in organs:
        units.append(UnitSpec(f"{ORGANS_CODE}-{suffix}", name, K.BRANCH, ORGANS_CODE, B.TEACHER))
        organs_teachers.append(f"{ORGANS_CODE}-{suffix}")
    mobile = f"{ORGANS_CODE}-MOB"
    units.append(UnitSpec(mobile, "毕业生流动党员党支部", K.BRANCH, ORGANS_CODE, B.MOBILE))
    return TreeSpec(units, colleges, organs_teachers, mobile)


def _describe_college(c: College, cal: Calendar, units: list[UnitSpec]) -> CollegeBranches:
    committee = f"DEMO-{c.code}"
    units.append(UnitSpec(committee, f"{c.name}党委", K.COMMITTEE, SCHOOL_CODE, "", True))
    cb = CollegeBranches(college=c, committee=committee)
    students_parent = committee
    if c.general_branch:
        students_parent = f"{committee}-ZZ"
        units.append(UnitSpec(students_parent, f"{c.name}学生党总支", K.GENERAL_BRANCH, committee))

    def branch(suffix: str, name: str, kind: str, parent: str) -> str:
        code = f"{committee}-{suffix}"
        units.append(UnitSpec(code, f"{c.name}{name}", K.BRANCH, parent, kind))
        return code

    if c.undergrad_by_grade:
        for grade in cal.undergrad_grades():
            cb.undergrad_by_grade[grade] = branch(
                f"UG{grade}", f"{grade}级本科生党支部", B.UNDERGRADUATE, students_parent
            )
    else:
        for n, (major, _short) in enumerate(c.majors, start=1):
            cb.undergrad_by_major[major] = branch(
                f"UM{n}", f"{major}专业本科生党支部", B.UNDERGRADUATE, students_parent
            )
    for n, major in enumerate(c.grad_majors, start=1):
        code = branch(f"MS{n}", f"{major}硕士研究生党支部", B.GRADUATE, students_parent)
        cb.masters.append((major, code))
    for n, group in enumerate(c.research_groups, start=1):
        code = branch(f"PHD{n}", f"{group}博士研究生党支部", B.GRADUATE, students_parent)
        cb.doctoral.append((group, code))
        units.append(UnitSpec(f"{code}-G1", f"{c.name}{group}党小组", K.GROUP, code))
    teacher_names = ["教工第一党支部", "教工第二党支部"] if len(c.majors) >= 3 else ["教工党支部"]
    for n, name in enumerate(teacher_names, start=1):
        cb.teachers.append(branch(f"T{n}", name, B.TEACHER, committee))
    first_teachers = cb.teachers[0]
    for n, name in enumerate(("第一党小组", "第二党小组"), start=1):
        units.append(
            UnitSpec(f"{first_teachers}-G{n}", f"{c.name}教工{name}", K.GROUP, first_teachers)
        )
    cb.retained = branch("RET", "留校党员党支部", B.RETAINED, students_parent)
    for n, name in enumerate(("境内党小组", "境外党小组"), start=1):
        units.append(
            UnitSpec(f"{cb.retained}-G{n}", f"{c.name}留校党员{name}", K.GROUP, cb.retained)
        )
    if c.mobile_branch:
        cb.mobile = branch("MOB", "流动党员党支部", B.MOBILE, students_parent)
    return cb


def ensure_tree(spec: TreeSpec) -> dict[str, OrgUnit]:
    """Create the units that are missing (matched by code inside the demo school) and return
    every unit of the spec by code. Call inside a transaction."""
    school = OrgUnit.objects.filter(code=SCHOOL_CODE, kind=K.SCHOOL).first()
    existing: dict[str, OrgUnit] = {}
    if school is not None:
        existing = {u.code: u for u in OrgUnit.objects.filter(path__startswith=school.path)}
    for u in spec.units:
        if u.code in existing:
            continue
        parent = existing[u.parent_code] if u.parent_code else None
        existing[u.code] = org_unit_create(
            name=u.name,
            kind=u.kind,
            parent=parent,
            actor=None,
            branch_kind=u.branch_kind,
            has_approval_power=u.has_approval_power,
            code=u.code,
        )
    return {u.code: existing[u.code] for u in spec.units}


def find_demo_school() -> OrgUnit | None:
    return OrgUnit.objects.filter(code=SCHOOL_CODE, kind=K.SCHOOL).first()
