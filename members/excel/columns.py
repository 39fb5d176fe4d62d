"""The roster's columns: what each header means, in which order the export writes them.

The file format is Chinese whatever the interface language: headers and enumerated values
are those of the national member data items (全国党员管理信息系统) and of the ledgers schools
keep, so an exported roster reads like theirs and imports back unchanged. The interface
around the file (messages, pages) is translated as usual.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    BOOL = "bool"
    GRADE = "grade"
    ID_NUMBER = "id_number"
    UNIT = "unit"
    CATEGORY = "category"
    STATUS = "status"
    SEX = "sex"
    DEGREE = "degree"
    WHEREABOUTS = "whereabouts"
    EMAIL = "email"


@dataclass(frozen=True)
class Column:
    key: str  # a Person field, or one of the pseudo-fields below
    header: str  # what the export writes
    kind: Kind
    aliases: tuple[str, ...] = ()


# Pseudo-fields: read from the file, not stored as such.
#   id_number      → person_create/person_update's id_number argument
#   category       → the stage loaded with person_load_historical_stage
#   status         → checked against the stage (suspension is a lapse case, not an import)
#   activist_on / candidate_on → dates of ledger steps, used as the loaded stage's date
PSEUDO_FIELDS = ("id_number", "category", "status", "activist_on", "candidate_on")

# National data items first, in their order, then the student fields of DESIGN §9.
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", Kind.TEXT, ("名字", "党员姓名", "学生姓名")),
    Column("sex", "性别", Kind.SEX),
    Column("ethnicity", "民族", Kind.TEXT),
    Column(
        "id_number",
        "公民身份号码",
        Kind.ID_NUMBER,
        ("身份证号", "身份证", "身份证号码", "公民身份证号", "公民身份证号码", "证件号码"),
    ),
    Column("birth_date", "出生日期", Kind.DATE, ("出生", "出生年月", "出生年月日")),
    Column("education", "学历", Kind.TEXT, ("文化程度", "最高学历")),
    Column("category", "人员类别", Kind.CATEGORY, ("正式或预备", "党员类别", "类别", "人员身份")),
    Column("unit", "所在党支部", Kind.UNIT, ("党支部", "支部", "所在支部", "党支部名称")),
    Column(
        "joined_on",
        "入党日期",
        Kind.DATE,
        (
            "入党时间",
            "入党年月",
            "预备(支部大会)",
            "预备党员(支部大会)",
            "支部大会(预备)",
            "接收预备党员日期",
            "发展为预备党员日期",
        ),
    ),
    Column(
        "full_member_on",
        "转正日期",
        Kind.DATE,
        ("转正", "转正时间", "转正(支部大会)", "转为正式党员日期"),
    ),
    Column("post", "工作岗位", Kind.TEXT, ("职务", "岗位")),
    Column(
        "mobile",
        "手机号码",
        Kind.TEXT,
        ("电话", "联系电话", "手机", "手机号", "联系方式", "电话号码"),
    ),
    Column("landline", "固定电话", Kind.TEXT, ("座机", "办公电话")),
    Column("home_address", "家庭住址", Kind.TEXT, ("家庭地址", "住址", "通讯地址")),
    Column("status", "党籍状态", Kind.STATUS, ("党籍",)),
    Column("lost_contact", "是否失联", Kind.BOOL, ("失联", "失去联系", "是否失去联系")),
    Column("lost_contact_since", "失去联系日期", Kind.DATE, ("失联日期", "失联时间")),
    Column("is_mobile_member", "是否为流动党员", Kind.BOOL, ("流动党员", "是否流动党员")),
    Column("mobile_destination", "外出流向", Kind.TEXT, ("流向", "流动去向", "外出流动去向")),
    Column("student_number", "学号", Kind.TEXT, ("学工号",)),
    Column("college", "学院", Kind.TEXT, ("所在学院", "院系")),
    Column("major", "专业", Kind.TEXT, ("所学专业",)),
    Column("class_name", "班级", Kind.TEXT, ("班级名称",)),
    Column("grade", "年级", Kind.GRADE),
    Column("degree_level", "学历层次", Kind.DEGREE, ("培养层次", "层次")),
    Column("dormitory", "宿舍", Kind.TEXT, ("宿舍号", "寝室", "寝室号", "宿舍地址")),
    Column("household_registration", "户籍所在地", Kind.TEXT, ("户籍", "户口所在地", "户籍地")),
    Column("native_place", "籍贯", Kind.TEXT),
    Column("emergency_contact", "紧急联系人", Kind.TEXT),
    Column("emergency_phone", "紧急联系人电话", Kind.TEXT, ("紧急联系电话", "紧急联系人手机")),
    Column(
        "expected_graduation",
        "预计毕业时间",
        Kind.DATE,
        ("毕业时间", "预计毕业日期", "毕业日期"),
    ),
    Column("whereabouts", "去向", Kind.WHEREABOUTS, ("毕业去向", "当前去向")),
    Column("whereabouts_detail", "去向说明", Kind.TEXT, ("去向详情",)),
    Column(
        "applied_on",
        "申请入党日期",
        Kind.DATE,
        (
            "申请书",
            "申请入党时间",
            "入党申请日期",
            "递交申请书日期",
            "递交入党申请书日期",
            "申请日期",
        ),
    ),
    Column(
        "activist_on",
        "确定为入党积极分子日期",
        Kind.DATE,
        ("积极分子", "入党积极分子", "确定积极分子日期", "确定为积极分子日期", "列为积极分子"),
    ),
    Column(
        "candidate_on",
        "确定为发展对象日期",
        Kind.DATE,
        ("发展对象", "确定发展对象日期", "列为发展对象"),
    ),
    Column("email", "电子邮箱", Kind.EMAIL, ("邮箱", "email", "e-mail")),
    Column("remarks", "备注", Kind.TEXT),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
# The export leaves out the ledger-step dates: the system's own history holds them.
EXPORT_COLUMNS = tuple(c for c in COLUMNS if c.key not in ("activist_on", "candidate_on"))

# Columns of the development ledger and of the transfer forms that a roster import does
# not load: they are skipped, and the preview says so.
IGNORED_HEADERS = (
    "序号", "编号", "首次谈话", "首次谈话日期", "谈话", "培养联系人", "培养人", "推优",
    "推优日期", "政审", "政治审查", "党校结业", "党校培训", "党校结业日期", "党委预审", "预审",
    "介绍人", "入党介绍人", "入党谈话", "党委审批", "审批", "审批日期", "宣誓", "入党宣誓",
    "宣誓日期", "转正申请", "转正申请日期", "思想汇报", "年龄", "党龄", "照片", "公示",
    "公示日期", "介绍信编号", "分党委", "所往基层党委", "介绍信抬头", "转移类别", "党费交至",
    "入党志愿书", "志愿书编号", "备案", "备案日期", "考察意见",
)  # fmt: skip
# "第3次思想汇报", "思想汇报3", "第三次": repeated thought-report columns.
_NTH = r"第[0-9一二三四五六七八九十]+次"
IGNORED_PATTERN = re.compile(rf"^({_NTH})?思想汇报[0-9]*$|^{_NTH}$")


def normalize_header(text: object) -> str:
    """Header text as compared: full-width folded, no spaces or line breaks, no markers."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = re.sub(r"\s+", "", value)
    return value.strip("*:").lower()


_BY_HEADER: dict[str, Column] = {}
for _column in COLUMNS:
    for _text in (_column.header, *_column.aliases):
        _BY_HEADER[normalize_header(_text)] = _column
_IGNORED = {normalize_header(text) for text in IGNORED_HEADERS}


class Ignored:
    """Marker: a header the importer knows and skips on purpose."""


IGNORED = Ignored()


def match_header(text: object) -> Column | Ignored | None:
    key = normalize_header(text)
    if not key:
        return None
    if key in _BY_HEADER:
        return _BY_HEADER[key]
    if key in _IGNORED or IGNORED_PATTERN.match(key):
        return IGNORED
    return None


# Enumerated values as the file writes them, and the spellings the importer accepts.
SEX_VALUES = {"male": "男", "female": "女"}
SEX_ALIASES = {"男": "male", "女": "female", "m": "male", "f": "female"}

# Every stage has a label so that an export reads back; only pipeline stages can be loaded.
STAGE_VALUES = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "probationary": "预备党员",
    "full": "正式党员",
    "transferred_out": "已转出",
    "probation_cancelled": "取消预备党员资格",
    "lapsed_removed": "自行脱党除名",
    "removed": "除名",
    "suspended": "停止党籍",
    "deceased": "已去世",
    "withdrawn": "撤回入党申请",
}
STAGE_ALIASES = {
    "申请人": "applicant",
    "积极分子": "activist",
    "预备": "probationary",
    "中共预备党员": "probationary",
    "正式": "full",
    "中共党员": "full",
}

STATUS_NORMAL = "正常"
STATUS_SUSPENDED = "停止党籍"
STATUS_ALIASES = {"正常": STATUS_NORMAL, "停止党籍": STATUS_SUSPENDED, "停止": STATUS_SUSPENDED}

DEGREE_VALUES = {
    "junior_college": "专科",
    "bachelor": "本科",
    "master": "硕士研究生",
    "doctor": "博士研究生",
    "staff": "教职工",
}
DEGREE_ALIASES = {
    "大专": "junior_college",
    "高职": "junior_college",
    "本科生": "bachelor",
    "硕士": "master",
    "研究生": "master",
    "博士": "doctor",
    "教师": "staff",
    "职工": "staff",
}

WHEREABOUTS_VALUES = {
    "on_campus": "在校",
    "away": "外出实习或工作",
    "abroad": "出国（境）",
    "graduated": "已离校",
    "unknown": "不详",
}
WHEREABOUTS_ALIASES = {
    "外出": "away",
    "实习": "away",
    "工作": "away",
    "出国": "abroad",
    "出境": "abroad",
    "境外": "abroad",
    "国外": "abroad",
    "离校": "graduated",
    "未知": "unknown",
}

BOOL_VALUES = {True: "是", False: "否"}
BOOL_ALIASES = {
    "是": True, "否": False, "有": True, "无": False, "y": True, "n": False, "yes": True,
    "no": False, "true": True, "false": False, "1": True, "0": False, "√": True, "✓": True,
    "×": False, "x": False,
}  # fmt: skip


def lookup(value: str, values: dict[str, str], aliases: dict[str, str]) -> str | None:
    """The code of an enumerated cell: the written label, an alias, or the code itself."""
    key = unicodedata.normalize("NFKC", value).strip().lower()
    for code, label in values.items():
        if key in (unicodedata.normalize("NFKC", label).lower(), code):
            return code
    return aliases.get(key)
