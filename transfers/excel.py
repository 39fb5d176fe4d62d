"""The three registration forms of seed 003 as workbooks: the graduate Party member roster,
the organization-relationship transfer registration (DESIGN §9's columns) and the
delayed-graduation / incomplete-study list.

Written like the roster export (members/excel/export.py): write-only openpyxl into a
temporary file, rows read with .iterator() with everything joined, text cells neutralised,
full ID numbers only where the user may see them, and every export in the audit log.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core import crypto
from core.audit import audit_record
from core.models import AuditEvent
from development.clock import age_on
from members.excel.columns import DEGREE_VALUES, SEX_VALUES, STAGE_VALUES
from members.excel.export import CHUNK_SIZE, neutralise
from members.models import OrgUnit, Person, Stage
from members.scoping import has_unit_perm
from transfers import selectors
from transfers.models import GraduationCampaign, Reach

FORMS = {
    "roster": "毕业生党员名册登记表",
    "transfers": "毕业生党员转出组织关系情况登记表",
    "exceptions": "延迟毕业、肄业党员信息登记表",
}
ROSTER_HEADERS = (
    "序号", "分党委", "党支部", "姓名", "性别", "民族", "出生年月", "学号", "学历层次",
    "正式或预备", "入党年月", "转正年月", "身份证号", "专业", "联系电话", "毕业时间",
)  # fmt: skip
TRANSFER_HEADERS = (
    "序号", "介绍信编号", "分党委", "党员类别", "姓名", "性别", "年龄", "民族", "正式或预备",
    "入党年月", "身份证号", "所往基层党委", "介绍信抬头", "转移类别", "党费交至",
)  # fmt: skip
EXCEPTION_HEADERS = (
    "序号", "分党委", "党支部", "姓名", "性别", "学号", "正式或预备", "类别", "原因",
    "预计毕业时间",
)  # fmt: skip
CATEGORY_TEXT = {"full": "正式", "probationary": "预备"}
REACH_TEXT = {Reach.IN_PROVINCE: "省内转移", Reach.OUT_OF_PROVINCE: "省外转移（纸质介绍信）"}
EXCEPTION_TEXT = {"delayed": "延迟毕业", "incomplete": "肄业"}


def _month(day) -> str | None:
    return f"{day.year}年{day.month}月" if day else None


class Context:
    """Per export: the committee above each unit (one query) and the ID-number counter."""

    def __init__(self, user, campaign: GraduationCampaign) -> None:
        self.user = user
        units = OrgUnit.objects.filter(pk__in=campaign.unit.ancestor_ids) | OrgUnit.objects.filter(
            path__startswith=campaign.unit.path
        )
        self.by_id = {u.pk: u for u in units.only("id", "name", "kind", "path")}
        self.unmasked = 0

    def committee_name(self, unit: OrgUnit) -> str:
        for step in reversed(unit.ancestor_ids):
            found = self.by_id.get(step)
            if found is not None and found.kind == OrgUnit.Kind.COMMITTEE:
                return found.name
        return ""

    def id_number(self, person: Person) -> str | None:
        if person.id_number_encrypted and has_unit_perm(self.user, "view_id_number", person.unit):
            self.unmasked += 1
            return crypto.decrypt(person.id_number_encrypted)
        return person.id_number_masked or None


def _category(person: Person) -> str | None:
    if person.stage in (Stage.FULL, Stage.PROBATIONARY):
        return CATEGORY_TEXT[person.stage]
    return STAGE_VALUES.get(person.stage)


def roster_rows(ctx: Context, campaign: GraduationCampaign) -> Iterator[list[Any]]:
    people = (
        selectors.graduates(ctx.user, campaign)
        .select_related("unit")
        .order_by("unit__path", "name", "id")
    )
    for n, p in enumerate(people.iterator(chunk_size=CHUNK_SIZE), 1):
        yield [
            n, ctx.committee_name(p.unit), p.unit.name, p.name, SEX_VALUES.get(p.sex), p.ethnicity,
            _month(p.birth_date), p.student_number, DEGREE_VALUES.get(p.degree_level),
            _category(p), _month(p.joined_on), _month(p.full_member_on), ctx.id_number(p),
            p.major, p.mobile, _month(p.expected_graduation),
        ]  # fmt: skip


def transfer_rows(ctx: Context, campaign: GraduationCampaign) -> Iterator[list[Any]]:
    transfers = (
        selectors.campaign_transfers(ctx.user, campaign)
        .select_related("person", "person__unit", "unit")
        .order_by("unit__path", "person__name", "id")
    )
    letters = {
        letter.transfer_id: letter
        for letter in selectors.letters_for(ctx.user)
        .filter(transfer__in=transfers.values("pk"))
        .exclude(status="voided")
        .order_by("transfer_id", "id")
    }  # the latest letter of each transfer wins
    for n, t in enumerate(transfers.iterator(chunk_size=CHUNK_SIZE), 1):
        p, letter = t.person, letters.get(t.pk)
        dues = letter.dues_paid_through if letter else p.dues_paid_through
        yield [
            n, letter.serial if letter else None, ctx.committee_name(t.unit),
            DEGREE_VALUES.get(p.degree_level), p.name, SEX_VALUES.get(p.sex),
            age_on(p.birth_date, t.requested_on) if p.birth_date else None, p.ethnicity,
            CATEGORY_TEXT.get(t.category), _month(p.joined_on), ctx.id_number(p),
            t.other_committee, t.other_heading, REACH_TEXT.get(t.reach), _month(dues),
        ]  # fmt: skip


def exception_rows(ctx: Context, campaign: GraduationCampaign) -> Iterator[list[Any]]:
    entries = (
        selectors.campaign_exceptions(ctx.user, campaign)
        .select_related("person", "person__unit")
        .order_by("person__unit__path", "person__name", "id")
    )
    for n, e in enumerate(entries.iterator(chunk_size=CHUNK_SIZE), 1):
        p = e.person
        yield [
            n, ctx.committee_name(p.unit), p.unit.name, p.name, SEX_VALUES.get(p.sex),
            p.student_number, _category(p), EXCEPTION_TEXT[e.kind], e.reason,
            _month(e.new_graduation),
        ]  # fmt: skip


ROWS = {
    "roster": (ROSTER_HEADERS, roster_rows),
    "transfers": (TRANSFER_HEADERS, transfer_rows),
    "exceptions": (EXCEPTION_HEADERS, exception_rows),
}


def _write(title: str, headers: Iterable[str], rows: Iterator[list[Any]], out: IO[bytes]) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    sheet.append([WriteOnlyCell(sheet, value=title)])
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([neutralise(v) for v in row])
        count += 1
    workbook.save(out)
    return count


def export_form(user, campaign: GraduationCampaign, form: str) -> tuple[IO[bytes], str]:
    """One of the seed-003 forms for the part of `campaign` the user may see."""
    headers, rows = ROWS[form]
    title = f"{campaign.year}届{FORMS[form]}"
    ctx = Context(user, campaign)
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    try:
        count = _write(title, headers, rows(ctx, campaign), out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target=campaign,
        summary=f"{title}: {count} rows, {ctx.unmasked} unmasked ID numbers",
        detail={"form": form, "rows": count, "unmasked_id_numbers": ctx.unmasked},
    )
    return out, f"{title}.xlsx"


MOBILE_TITLE = "流动党员台账"
MOBILE_HEADERS = (
    "序号", "党支部", "姓名", "性别", "正式或预备", "流入地", "出国（境）", "流入地党组织",
    "流动党员活动证编号", "联系方式", "外出日期", "最近核实日期", "下次核实截止", "核实逾期",
    "帮扶人",
)  # fmt: skip


def mobile_rows(queryset, today) -> Iterator[list[Any]]:
    entries = queryset.select_related("person", "unit", "helper").order_by("unit__path", "id")
    for n, e in enumerate(entries.iterator(chunk_size=CHUNK_SIZE), 1):
        p = e.person
        yield [
            n, e.unit.name, p.name, SEX_VALUES.get(p.sex), _category(p), e.destination,
            "是" if e.abroad else "否", e.host_organization, e.card_number, e.contact,
            e.started_on, e.last_verified_on, e.verification_due,
            "是" if today > e.verification_due else "否", e.helper.name if e.helper else None,
        ]  # fmt: skip


def export_mobile(user, queryset, today) -> tuple[IO[bytes], str]:
    """The open mobile-member ledger the user may see (already scoped and filtered)."""
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    try:
        count = _write(MOBILE_TITLE, MOBILE_HEADERS, mobile_rows(queryset, today), out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target_type="transfers.mobilemember",
        summary=f"{MOBILE_TITLE}: {count} rows",
        detail={"rows": count},
    )
    return out, f"{MOBILE_TITLE}-{today:%Y%m%d}.xlsx"
