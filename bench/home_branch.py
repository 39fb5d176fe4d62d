"""The branch secretary's home and the member's home, written by hand, for bench/home_pages.py.

Each `*_sql` function returns a callable that computes every figure of the page with raw SQL
(built once, so the timer measures the statements, not their assembly), and each `check_*`
compares the page's own selectors with that SQL on the figures that are simple to compare.

Where SQL would only copy Python arithmetic, the SQL side says so:
- the branch's late check-ins run education's own statement (`with_late`, the cadence
  arithmetic done by the database), compiled once and executed raw;
- the member's check-ins due: SQL reads the open plan and its check-ins; which periods are
  due comes from the plan's cadences (education.cadence), microseconds of Python not timed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.db.models import Count, Window

from bench.due_list import HAND_SQL
from core.models import Notification
from development import clock as dev_clock
from development.models import ADMISSION_ROUND, CONVERSION_ROUND, StepRecord
from development.requirements import ACTIVE_STAGES
from development.selectors import due_and_overdue, load_files
from education import clock as edu_clock
from education.models import (
    Checkin,
    CheckinPlan,
    CheckinStatus,
    DuesPayment,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    MeetingStatus,
    PlanStatus,
)
from education.selectors import checkins as checkin_selectors
from education.selectors import life as life_selectors
from members.models import LapseCase, LapseStatus, OrgUnit, Person
from partyadmin.home import branch_items, selectors
from partyadmin.home.views.branch import DUE_HORIZON_DAYS
from transfers.models import IntroductionLetter, LetterStatus, Retention, RetentionApplication
from transfers.models.retention import EDITABLE_STATUSES

T = {
    "person": Person._meta.db_table,
    "unit": OrgUnit._meta.db_table,
    "record": StepRecord._meta.db_table,
    "checkin": Checkin._meta.db_table,
    "plan": CheckinPlan._meta.db_table,
    "leave": LeaveRequest._meta.db_table,
    "meeting": Meeting._meta.db_table,
    "lapse": LapseCase._meta.db_table,
    "letter": IntroductionLetter._meta.db_table,
    "transfer": IntroductionLetter._meta.get_field("transfer").related_model._meta.db_table,
    "dues": DuesPayment._meta.db_table,
    "application": RetentionApplication._meta.db_table,
    "retention": Retention._meta.db_table,
    "notification": Notification._meta.db_table,
}
LIMIT = branch_items.ITEM_LIMIT


def _rows(cursor, sql: str, params: list | dict) -> list[tuple]:
    cursor.execute(sql.format(**T) if isinstance(params, list) else sql, params)
    return cursor.fetchall()


# ---- the branch home -----------------------------------------------------------------------


def _due(cursor, unit: OrgUnit, today: dt.date) -> list[tuple[int, dt.date, str]]:
    """bench/due_list.py's HAND_SQL restricted to the branch (the page's scope: the viewer's
    people under the branch's path; the viewer's grant covers the branch), the page's
    horizon, then the names of those listed (as the page fetches them)."""
    params = {
        "prefixes": [unit.path + "%"],
        "user_id": None,  # NULL matches no one: the path alone is the scope
        "active": list(ACTIVE_STAGES),
        "admission": list(ADMISSION_ROUND),
        "conversion": list(CONVERSION_ROUND),
        "today": today,
        "horizon": today + dt.timedelta(days=DUE_HORIZON_DAYS),
        "min_days": dev_clock.TRAINING_MIN_DAYS,
        "min_hours": dev_clock.TRAINING_MIN_HOURS,
    }
    due = _rows(cursor, HAND_SQL, params)
    names = dict(
        _rows(cursor, "SELECT id, name FROM {person} WHERE id = ANY(%s)", [[pk for pk, _ in due]])
    )
    return [(pk, day, names[pk]) for pk, day in due]


def _late_statement(user, unit: OrgUnit, today: dt.date) -> tuple[str, tuple]:
    """Education's late-check-in statement for the branch, as the page builds it."""
    plans = (
        checkin_selectors.with_late(checkin_selectors.open_plans(user), today)
        .filter(r_late__gt=0, person__unit__path__startswith=unit.path)
        .order_by("-r_late", "person__name", "pk")
        .annotate(family_total=Window(Count("id")))[:LIMIT]
    )
    return plans.query.sql_with_params()


def branch_sql(user, unit: OrgUnit, today: dt.date) -> Callable[[], dict]:
    like = unit.path + "%"
    late_sql, late_params = _late_statement(user, unit, today)
    start, end = edu_clock.compliance_period(today)
    tomorrow = edu_clock.day_starts(today + dt.timedelta(days=1))

    def run() -> dict:
        with connection.cursor() as cursor:
            out = {"due": _due(cursor, unit, today)}
            out["stages"] = _rows(
                cursor,
                "SELECT p.stage, count(*) FROM {person} p JOIN {unit} u ON u.id = p.unit_id "
                "WHERE u.path LIKE %s AND p.removed_at IS NULL GROUP BY 1",
                [like],
            )
            out["checkins"] = _rows(
                cursor,
                "SELECT c.id, p.name, u.name, count(*) OVER () FROM {checkin} c "
                "JOIN {plan} pl ON pl.id = c.plan_id JOIN {person} p ON p.id = pl.person_id "
                "JOIN {unit} u ON u.id = p.unit_id WHERE u.path LIKE %s AND c.status = %s "
                "AND p.removed_at IS NULL ORDER BY c.submitted_at, c.id LIMIT %s",
                [like, CheckinStatus.SUBMITTED, LIMIT],
            )
            cursor.execute(late_sql, late_params)
            out["late"] = cursor.fetchall()
            out["leaves"] = _rows(
                cursor,
                "SELECT l.id, m.held_on, p.name, count(*) OVER () FROM {leave} l "
                "JOIN {meeting} m ON m.id = l.meeting_id JOIN {unit} u ON u.id = m.unit_id "
                "JOIN {person} p ON p.id = l.person_id WHERE u.path LIKE %s AND m.status = %s "
                "AND l.status = %s AND p.removed_at IS NULL "
                "ORDER BY m.held_on, m.start_time, l.requested_at, l.id LIMIT %s",
                [like, MeetingStatus.PLANNED, LeaveStatus.REQUESTED, LIMIT],
            )
            # The first LIMIT of each family (warnings apart from the rest) and its total.
            out["lapses"] = _rows(
                cursor,
                "SELECT warning, id, name, n FROM (SELECT c.status = %s AS warning, c.id, "
                "p.name, row_number() OVER w AS k, count(*) OVER (PARTITION BY c.status = %s) "
                "AS n FROM {lapse} c JOIN {person} p ON p.id = c.person_id JOIN {unit} u "
                "ON u.id = p.unit_id WHERE u.path LIKE %s AND p.removed_at IS NULL AND "
                "c.closed_at IS NULL WINDOW w AS (PARTITION BY c.status = %s "
                "ORDER BY c.lapses_on, c.id)) s WHERE k <= %s",
                [LapseStatus.WARNING] * 2 + [like, LapseStatus.WARNING, LIMIT],
            )
            out["letters"] = _rows(
                cursor,
                "SELECT l.id, l.receipt_due < %s, count(*) OVER (), count(*) FILTER "
                "(WHERE l.receipt_due < %s) OVER () FROM {letter} l JOIN {transfer} t "
                "ON t.id = l.transfer_id JOIN {unit} u ON u.id = t.unit_id WHERE "
                "u.path LIKE %s AND l.status = %s ORDER BY l.receipt_due, l.id LIMIT %s",
                [today, today, like, LetterStatus.ISSUED, LIMIT],
            )
            out["meetings"] = _rows(
                cursor,
                "SELECT kind, date_trunc('month', held_on), count(*) FROM {meeting} "
                "WHERE branch_id = %s AND status = %s AND held_on BETWEEN %s AND %s "
                "GROUP BY 1, 2",
                [unit.pk, MeetingStatus.HELD, start, end],
            )
            out["activity"] = _rows(
                cursor,
                "SELECT (SELECT max(held_on) FROM {meeting} WHERE branch_id = %s AND "
                "status = %s AND held_on <= %s), (SELECT max(c.submitted_at) FROM {checkin} c "
                "JOIN {plan} pl ON pl.id = c.plan_id JOIN {person} p ON p.id = pl.person_id "
                "JOIN {unit} u ON u.id = p.unit_id WHERE u.path LIKE %s AND c.status IN "
                "(%s, %s) AND c.submitted_at < %s), (SELECT max(d.paid_on) FROM {dues} d "
                "JOIN {person} p ON p.id = d.person_id JOIN {unit} u ON u.id = p.unit_id "
                "WHERE u.path LIKE %s AND d.paid_on <= %s), EXISTS (SELECT 1 FROM {unit} "
                "WHERE parent_id = %s AND kind = %s AND is_active)",
                [unit.pk, MeetingStatus.HELD, today, like, *life_selectors.ACTIVE_CHECKINS]
                + [tomorrow, like, today, unit.pk, OrgUnit.Kind.GROUP],
            )
        return out

    return run


def _total(family) -> int | None:
    return None if family is None else family.total


def check_branch(user, unit: OrgUnit, today: dt.date, raw: dict) -> str:
    """The page's selectors against the SQL: the due list (people, due days, order), the
    stage counts, every family's total and the meetings held per kind this year."""
    people = Person.objects.restrict(user, "view_people").filter(unit__path__startswith=unit.path)
    due = due_and_overdue(people, today, horizon_days=DUE_HORIZON_DAYS)
    lapses = branch_items.lapses(user, unit)
    letters = branch_items.letters(user, unit, today)
    ours = {
        "due": [(n.person_id, n.due_on) for n in due],
        "stages": selectors.stage_counts(people),
        "checkins": _total(branch_items.checkins_to_review(user, unit)),
        "late": _total(branch_items.checkins_late(user, unit, today)),
        "leaves": _total(branch_items.leave_awaiting_decision(user, unit)),
        "warnings": lapses and lapses.warnings.total,
        "cases": lapses and lapses.cases.total,
        "waiting": letters and letters.waiting.total,
        "overdue": letters and letters.overdue.total,
        "held": _held_by_kind(unit, today),
    }
    sql = {
        "due": [(pk, day) for pk, day, _name in raw["due"]],
        "stages": dict(raw["stages"]),
        "checkins": raw["checkins"][0][-1] if raw["checkins"] else 0,
        "late": raw["late"][0][-1] if raw["late"] else 0,
        "leaves": raw["leaves"][0][-1] if raw["leaves"] else 0,
        "warnings": next((n for w, _i, _p, n in raw["lapses"] if w), 0),
        "cases": next((n for w, _i, _p, n in raw["lapses"] if not w), 0),
        "waiting": raw["letters"][0][2] if raw["letters"] else 0,
        "overdue": raw["letters"][0][3] if raw["letters"] else 0,
        "held": _sum_by_kind(raw["meetings"]),
    }
    differ = [k for k in ours if ours[k] is not None and ours[k] != sql[k]]
    denied = [k for k in ours if ours[k] is None]
    text = f"same {len(ours) - len(differ) - len(denied)} figures ({len(sql['due'])} due"
    text += ", " + ", ".join(f"{k} {sql[k]}" for k in ("warnings", "cases", "leaves", "waiting"))
    text += ")"
    if denied:
        text += f"; not shown to the viewer: {', '.join(denied)}"
    return text + (f"; DIFFER: {', '.join(differ)}" if differ else "")


def _held_by_kind(unit: OrgUnit, today: dt.date) -> dict[str, int]:
    start, end = edu_clock.compliance_period(today)
    row = life_selectors.compliance(OrgUnit.objects.filter(pk=unit.pk), start, end, today)[0]
    return {k.kind: k.held for k in row.kinds if k.held}


def _sum_by_kind(rows: list[tuple]) -> dict[str, int]:
    held: dict[str, int] = {}
    for kind, _month, n in rows:
        held[kind] = held.get(kind, 0) + n
    return held


# ---- the member's home ---------------------------------------------------------------------


def member_sql(user, person: Person) -> Callable[[], dict]:
    """The member's record and stage, their step records, the open check-in plan with its
    check-ins, applications to finish, the active retention, open lapse cases, the latest
    notifications and the unread count: one statement each, by indexed person or user."""
    pid = person.pk

    def run() -> dict:
        with connection.cursor() as cursor:
            return {
                "person": _rows(
                    cursor,
                    "SELECT p.id, p.name, p.stage, p.stage_since, u.name FROM {person} p "
                    "JOIN {unit} u ON u.id = p.unit_id WHERE p.user_id = %s",
                    [user.pk],
                ),
                "records": _rows(
                    cursor,
                    'SELECT id, step, "on", decision FROM {record} WHERE person_id = %s '
                    "ORDER BY id",
                    [pid],
                ),
                "checkins": _rows(
                    cursor,
                    "SELECT pl.id, pl.starts_on, pl.ends_on, pl.cadences, c.kind, "
                    "c.period_index, c.status, c.return_reason FROM {plan} pl LEFT JOIN "
                    "{checkin} c ON c.plan_id = pl.id WHERE pl.person_id = %s AND pl.status = %s "
                    "AND pl.id = (SELECT min(id) FROM {plan} WHERE person_id = %s AND status = %s)",
                    [pid, PlanStatus.OPEN, pid, PlanStatus.OPEN],
                ),
                "applications": _rows(
                    cursor,
                    "SELECT id, status FROM {application} WHERE person_id = %s AND "
                    "status = ANY(%s) ORDER BY id DESC",
                    [pid, list(EDITABLE_STATUSES)],
                ),
                "retention": _rows(
                    cursor,
                    "SELECT id, ends_on FROM {retention} WHERE person_id = %s AND status = %s "
                    "ORDER BY id LIMIT 1",
                    [pid, Retention.Status.ACTIVE],
                ),
                "lapses": _rows(
                    cursor,
                    "SELECT id, status, lapses_on FROM {lapse} WHERE person_id = %s AND "
                    "closed_at IS NULL ORDER BY opened_on, id",
                    [pid],
                ),
                "notifications": _rows(
                    cursor,
                    "SELECT id, kind, subject, due_on FROM {notification} WHERE user_id = %s "
                    "ORDER BY created_at DESC, id DESC LIMIT %s",
                    [user.pk, branch_items.NOTIFICATIONS_SHOWN],
                ),
                "unread": _rows(
                    cursor,
                    "SELECT count(*) FROM {notification} WHERE user_id = %s AND read_at IS NULL",
                    [user.pk],
                ),
            }

    return run


def check_member(user, person: Person, raw: dict) -> str:
    """The page's selectors against the SQL: stage, step records, applications, open lapse
    cases and the latest notifications (the same rows in the same order)."""
    ours = {
        "stage": person.stage,
        "records": [r.pk for r in load_files([person])[person.pk].records],
        "applications": [a.pk for a in branch_items.my_open_applications(person)],
        "lapses": list(LapseCase.objects.open().filter(person=person).values_list("pk", flat=True)),
        "notifications": [n.pk for n in branch_items.my_notifications(user)],
    }
    sql = {
        "stage": raw["person"][0][2],
        "records": [row[0] for row in raw["records"]],
        "applications": [row[0] for row in raw["applications"]],
        "lapses": sorted(row[0] for row in raw["lapses"]),
        "notifications": [row[0] for row in raw["notifications"]],
    }
    ours["lapses"] = sorted(ours["lapses"])
    differ = [k for k in ours if ours[k] != sql[k]]
    text = (
        f"same {len(ours) - len(differ)} figures ({len(sql['records'])} step records, "
        f"{len(sql['notifications'])} notifications, {len(sql['lapses'])} lapse cases)"
    )
    return text + (f"; DIFFER: {', '.join(differ)}" if differ else "")
