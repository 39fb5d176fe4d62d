"""Top-up for bench/home_pages.py: the bulk seeding (`seed_demo --people N`) writes people and
step records, but no retained graduates, transfers, branch meetings or approvals, and lapse
cases only where the lapse job has run. The school and committee homes read all of them, so
without these rows their figures would be zeros and their SQL would not be measured.

`top_up()` inserts, in bulk (`bulk_create`: one multi-row INSERT per batch), only what is
missing, so a second run adds nothing; every row it writes is marked so it can be found:

- retained graduates: 0.5 % of the full members, one approved `RetentionApplication` and its
  active `Retention` each, categories in turn, deadlines spread from 60 days ago to 400 days
  on; 0.1 % more with a *submitted* application (the office's retention queue). Marked by
  `whereabouts_detail = "bench top-up"`.
- transfers: 0.2 % of the full members with an outgoing transfer requested and no letter
  (marked `reason = "bench top-up"`), and this year's graduation campaign for the school.
- approvals: 1 % of the development candidates with an open admission approval from a
  branch meeting (one meeting per branch, `note = "bench top-up"`), due dates spread from
  120 days ago to 60 days on, so some are overdue; half as many decided late (approved a
  week after their due day).
- branch meetings (education): every second branch holds a theme Party day each month of
  this year up to last month (`topic = "bench top-up"`), so some branches are silent and
  some are not.
- lapse cases: only when the table is empty, 1 % of the full members, the four counts in
  turn, half of them at the five-month warning.

Then it runs ANALYZE on those tables (a bulk load leaves the planner's estimates stale).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from development.clock import add_months, add_years
from development.models import Approval, ApprovalStatus, BranchMeeting, Purpose
from education.models import Meeting, MeetingKind, MeetingStatus
from members.models import OrgUnit, Person, Stage
from members.models.lapses import LapseCase, LapseCount, LapseStatus
from members.models.people import MEMBER_STAGES
from transfers import clock
from transfers.models import (
    ApplicationStatus,
    Direction,
    GraduationCampaign,
    Retention,
    RetentionApplication,
    RetentionCategory,
    Transfer,
    TransferStatus,
)
from transfers.services.campaign import campaign_create

MARK = "bench top-up"
BATCH = 5_000


def _sample(queryset, share: float, offset: int = 0) -> list[tuple[int, int]]:
    """(person id, unit id) of every n-th person of `queryset`, n = 1 / share."""
    step = max(1, round(1 / share))
    ids = queryset.order_by("pk").values_list("pk", "unit_id")
    return [row for i, row in enumerate(ids.iterator(chunk_size=20_000)) if i % step == offset]


def _bulk(model, rows: Iterable) -> int:
    rows = list(rows)
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])
    return len(rows)


def _retained(today: dt.date, full) -> dict[str, int]:
    if RetentionApplication.objects.filter(whereabouts_detail=MARK).exists():
        return {}
    categories = itertools.cycle(RetentionCategory.values)
    chosen = _sample(full, 0.005)
    waiting = _sample(full, 0.001, offset=1)
    now = timezone.now()
    applications = []
    for (pk, unit_id), category in zip(chosen, categories, strict=False):
        applications.append(
            RetentionApplication(
                person_id=pk, unit_id=unit_id, status=ApplicationStatus.APPROVED,
                reason="no_employer", category=category, whereabouts_detail=MARK,
                submitted_at=now, decided_at=now,
            )
        )  # fmt: skip
    for pk, unit_id in waiting:
        applications.append(
            RetentionApplication(
                person_id=pk, unit_id=unit_id, status=ApplicationStatus.SUBMITTED,
                reason="no_employer", category=RetentionCategory.ON_CAMPUS,
                whereabouts_detail=MARK, submitted_at=now - dt.timedelta(days=pk % 30),
            )
        )  # fmt: skip
    _bulk(RetentionApplication, applications)
    approved = RetentionApplication.objects.filter(
        whereabouts_detail=MARK, status=ApplicationStatus.APPROVED
    ).values_list("pk", "person_id", "unit_id", "category")
    retentions = []
    for i, (app_pk, person_id, unit_id, category) in enumerate(approved.iterator()):
        ends_on = today + dt.timedelta(days=(i * 7) % 460 - 60)
        retentions.append(
            Retention(
                person_id=person_id, application_id=app_pk, branch_id=unit_id,
                contact_person_id=person_id, category=category,
                starts_on=add_years(ends_on, -1),
                ends_on=ends_on, transfer_apply_by=clock.transfer_apply_by(ends_on),
            )
        )  # fmt: skip
    return {"retentions": _bulk(Retention, retentions), "waiting": len(waiting)}


def _transfers(today: dt.date, full, school: OrgUnit) -> dict[str, int]:
    if not GraduationCampaign.objects.filter(unit=school, year=today.year).exists():
        campaign_create(unit=school, year=today.year, actor=None)
    if Transfer.objects.filter(reason=MARK).exists():
        return {}
    rows = [
        Transfer(
            person_id=pk, unit_id=unit_id, direction=Direction.OUTGOING,
            destination_kind="employer", reach="out_of_province",
            other_heading="中共某某公司委员会", category="full", reason=MARK,
            requested_on=today - dt.timedelta(days=pk % 40), status=TransferStatus.REQUESTED,
            campaign_year=today.year,
        )
        for pk, unit_id in _sample(full, 0.002, offset=2)
    ]  # fmt: skip
    return {"transfers": _bulk(Transfer, rows)}


def _approvals(today: dt.date) -> dict[str, int]:
    if BranchMeeting.objects.filter(note=MARK).exists():
        return {}
    candidates = Person.objects.filter(stage=Stage.CANDIDATE, removed_at__isnull=True)
    chosen = _sample(candidates, 0.01)
    late = _sample(candidates, 0.005, offset=1)
    branches = {unit_id for _pk, unit_id in chosen + late}
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=branches)}
    meetings = {
        unit_id: BranchMeeting(
            unit_id=unit_id, held_on=today - dt.timedelta(days=90),
            purpose=Purpose.ADMISSION, voting_members_counted=10, present_voting=9, note=MARK,
        )
        for unit_id in branches
    }  # fmt: skip
    _bulk(BranchMeeting, meetings.values())
    by_unit = dict(BranchMeeting.objects.filter(note=MARK).values_list("unit_id", "pk"))

    def committee(unit_id: int) -> int:
        return units[unit_id].ancestor_ids[1]  # the college (the tree's second level)

    rows = []
    for i, (pk, unit_id) in enumerate(chosen):
        due = today + dt.timedelta(days=i % 180 - 120)
        rows.append(
            Approval(
                person_id=pk, purpose=Purpose.ADMISSION, meeting_id=by_unit[unit_id],
                committee_id=committee(unit_id), opened_on=add_months(due, -3), due_on=due,
                status=ApprovalStatus.OPEN,
            )
        )  # fmt: skip
    for i, (pk, unit_id) in enumerate(late):
        due = today - dt.timedelta(days=i % 300 + 10)
        rows.append(
            Approval(
                person_id=pk, purpose=Purpose.ADMISSION, meeting_id=by_unit[unit_id],
                committee_id=committee(unit_id), opened_on=add_months(due, -3), due_on=due,
                status=ApprovalStatus.APPROVED, decided_on=due + dt.timedelta(days=7),
            )
        )  # fmt: skip
    return {"approvals": _bulk(Approval, rows)}


def _meetings(today: dt.date) -> dict[str, int]:
    if Meeting.objects.filter(topic=MARK).exists():
        return {}
    branches = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH, is_active=True).order_by("path")
    rows = []
    for branch in list(branches)[::2]:
        for month in range(1, today.month):
            rows.append(
                Meeting(
                    unit_id=branch.pk, branch_id=branch.pk, kind=MeetingKind.THEME_DAY,
                    held_on=dt.date(today.year, month, 15), start_time=dt.time(19, 0),
                    place="bench", topic=MARK, status=MeetingStatus.HELD,
                )
            )  # fmt: skip
    return {"meetings": _bulk(Meeting, rows)}


def _lapses(today: dt.date, full) -> dict[str, int]:
    if LapseCase.objects.exists():
        return {}
    counts = itertools.cycle(LapseCount.values)
    rows = []
    for i, ((pk, _unit), count) in enumerate(zip(_sample(full, 0.01), counts, strict=False)):
        warning = i % 2 == 0
        rows.append(
            LapseCase(
                person_id=pk, count=count, gap_since=add_months(today, -6 + warning),
                lapses_on=add_months(today, warning), opened_on=today,
                status=LapseStatus.WARNING if warning else LapseStatus.LAPSED,
                lapsed_on=None if warning else today,
            )
        )  # fmt: skip
    return {"lapse cases": _bulk(LapseCase, rows)}


def top_up() -> dict[str, int]:
    """Insert what the home figures read and the bulk seeding leaves out (see the module
    docstring); returns how many rows of each kind it wrote."""
    today = timezone.localdate()
    school = OrgUnit.objects.get(kind=OrgUnit.Kind.SCHOOL, depth=0)
    full = Person.objects.filter(stage__in=MEMBER_STAGES, removed_at__isnull=True)
    written: dict[str, int] = {}
    with transaction.atomic():
        for part in (
            _retained(today, full),
            _transfers(today, full, school),
            _approvals(today),
            _meetings(today),
            _lapses(today, full),
        ):
            written.update(part)
    _analyze()
    return written


def _analyze() -> None:
    """Fresh planner statistics for the tables the figures read: after a bulk load (ours, or
    the lapse job's half a million cases) stale estimates turn a hash join into a nested
    loop over every row (seen: 4.3 s instead of 1.8 s for the open lapse cases at 1M)."""
    from django.db import connection

    models = (LapseCase, Retention, RetentionApplication, Transfer, Approval, BranchMeeting,
              Meeting)  # fmt: skip
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
