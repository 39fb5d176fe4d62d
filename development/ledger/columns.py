"""The development ledger's columns (DESIGN §9): each dated step column names a pipeline step;
the personal columns are the roster's (members/excel/columns.py), so people are matched,
created and updated by the roster's rules.

Column keys: a step column is "step:<Step>", the N-th thought report "report:<N>"; the rest
are the roster's keys. The roster's date columns that are steps here (申请书, 积极分子,
发展对象, 预备(支部大会), 转正) are read as the steps they record.
"""

from __future__ import annotations

import re

from development.models import Step
from members.excel.columns import IGNORED, Column, Ignored, Kind, match_header, normalize_header

STEP_PREFIX = "step:"
REPORT_PREFIX = "report:"


def step_key(step: str) -> str:
    return f"{STEP_PREFIX}{step}"


# The ledger's steps in the order a ledger writes them, with the headers schools use.
STEP_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        Step.APPLICATION,
        "申请书",
        ("申请入党日期", "申请入党时间", "入党申请日期", "递交申请书日期",
         "递交入党申请书日期", "申请日期", "入党申请书"),
    ),
    (Step.APPLICANT_TALK, "首次谈话", ("首次谈话日期", "首次谈话时间", "谈话", "谈话日期")),
    (Step.RECOMMENDATION, "推优", ("推优日期", "推优时间", "团组织推优")),
    (
        Step.ACTIVIST_DETERMINED,
        "积极分子",
        ("入党积极分子", "确定为入党积极分子日期", "确定积极分子日期", "确定为积极分子日期",
         "列为积极分子", "积极分子日期"),
    ),
    (
        Step.CANDIDATE_DETERMINED,
        "发展对象",
        ("确定为发展对象日期", "确定发展对象日期", "列为发展对象", "发展对象日期"),
    ),
    (Step.POLITICAL_REVIEW, "政审", ("政治审查", "政审日期", "政审时间")),
    (Step.TRAINING, "党校结业", ("党校结业日期", "党校培训", "党校结业时间", "党校")),
    (Step.PRE_REVIEW, "党委预审", ("预审", "预审日期", "党委预审日期")),
    (
        Step.ADMISSION_MEETING,
        "预备(支部大会)",
        ("预备党员(支部大会)", "支部大会(预备)", "接收预备党员日期", "发展为预备党员日期",
         "入党日期", "入党时间", "预备", "支部大会"),
    ),
    (Step.HIGHER_TALK, "入党谈话", ("入党谈话日期", "党委谈话")),
    (Step.ADMISSION_APPROVAL, "党委审批", ("审批", "审批日期", "党委审批日期")),
    (Step.OATH, "宣誓", ("入党宣誓", "宣誓日期", "入党宣誓日期")),
    (Step.CONVERSION_APPLICATION, "转正申请", ("转正申请日期", "转正申请书")),
    (
        Step.CONVERSION_APPROVAL,
        "转正",
        ("转正日期", "转正时间", "转正(支部大会)", "转为正式党员日期"),
    ),
)  # fmt: skip
LEDGER_STEPS: tuple[str, ...] = tuple(step for step, _h, _a in STEP_COLUMNS)
STEP_HEADER: dict[str, str] = {step: header for step, header, _a in STEP_COLUMNS}

# Known ledger columns that are not imported: names (contacts and introducers are assigned in
# PartyAdmin, with their dates), derived values, and what the stage dates already say.
IGNORED_LEDGER = (
    "培养联系人", "培养人", "介绍人", "入党介绍人", "序号", "编号", "年龄", "党龄",
    "人员类别", "类别", "正式或预备", "党员类别", "党籍状态", "党籍",
)  # fmt: skip
# The roster's date columns that are steps in a ledger.
ROSTER_STEP_KEYS = {
    "applied_on": Step.APPLICATION,
    "activist_on": Step.ACTIVIST_DETERMINED,
    "candidate_on": Step.CANDIDATE_DETERMINED,
    "joined_on": Step.ADMISSION_MEETING,
    "full_member_on": Step.CONVERSION_APPROVAL,
}
# Roster columns a ledger does not set: the stage follows from the steps.
ROSTER_IGNORED_KEYS = ("category", "status")

_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九十")}
_REPORT = re.compile(
    r"^(?:思想汇报)?(?:第([0-9一二三四五六七八九十]+)次)(?:思想汇报)?$|^思想汇报\(?([0-9]+)\)?$"
)

_BY_HEADER: dict[str, Column] = {}
for _step, _header, _aliases in STEP_COLUMNS:
    for _text in (_header, *_aliases):
        _BY_HEADER[normalize_header(_text)] = Column(step_key(_step), _header, Kind.DATE)
_IGNORED = {normalize_header(text) for text in IGNORED_LEDGER}


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 2 and text[0] == "十":  # 十一 … 十九
        return 10 + _NUMERALS.get(text[1], 0)
    if len(text) in (2, 3) and text[1] == "十":  # 二十, 二十三
        return _NUMERALS.get(text[0], 0) * 10 + (_NUMERALS.get(text[2], 0) if len(text) == 3 else 0)
    return _NUMERALS.get(text)


def report_number(key: str) -> int | None:
    return int(key[len(REPORT_PREFIX) :]) if key.startswith(REPORT_PREFIX) else None


def match_ledger_header(text: object) -> Column | Ignored | None:
    """A ledger header: a step, a thought report, a roster column, or IGNORED. Under a group
    row 思想汇报 the reader tries "思想汇报第1次" for a field "第1次"."""
    key = normalize_header(text)
    if not key:
        return None
    if key in _BY_HEADER:
        return _BY_HEADER[key]
    if key in _IGNORED:
        return IGNORED
    report = _REPORT.match(key)
    if report:
        number = _number(report.group(1) or report.group(2))
        if number:
            return Column(f"{REPORT_PREFIX}{number}", f"第{number}次思想汇报", Kind.DATE)
    matched = match_header(text)
    if isinstance(matched, Column):
        if matched.key in ROSTER_STEP_KEYS:
            return _BY_HEADER[normalize_header(STEP_HEADER[ROSTER_STEP_KEYS[matched.key]])]
        if matched.key in ROSTER_IGNORED_KEYS:
            return IGNORED
    if key == "思想汇报":
        return IGNORED  # a group row over 第1次, 第2次 …
    return matched
