"""Benchmark of the home pages beside hand-written SQL for the same figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pa_bench \
        .venv/bin/python bench/home_pages.py --people 100000

Tops the database up with `seed_demo` (as bench/people_list.py does) and with what the
bulk seeding leaves out (bench/home_topup.py: retained graduates, transfers, approvals,
branch meetings, lapse cases; a bulk INSERT of marked rows, only when missing), then for the
school home (organization department), the committee home (a college's office) and the
inspection page of each (half-year, quarter) requests the page `--runs` times after
`--warmup` runs and prints the median time and query count, beside the median time of the
hand-written SQL that computes the same figures, and the ratio page / SQL:

- school: the funnel by college and stage, admissions and conversions per quarter, the open
  approvals, lost contact, retained graduates by category and deadline, the graduation
  campaign per college (graduates, transfers by status, exceptions), open lapse cases by
  count and status, silent branches per college, branch meetings per month and kind;
- committee: the funnel by unit, the open approvals, the office's queues (retention
  applications, pre-reviews, approvals, transfers without a letter, overdue letters),
  branch meetings per month and kind with each branch's last activity;
- inspection: step records per unit and measure in the period, late approvals per unit;
- branch (bench/home_branch.py): the due-and-overdue list (bench/due_list.py's HAND_SQL on
  the branch), stage counts, check-ins awaiting review, late check-ins (education's own
  statement, run raw), leave waiting, lapse warnings and cases, letters waiting and overdue,
  meetings per month and kind this year and the branch's last activity;
- member (/me/, bench/home_branch.py): their record, step records, open check-in plan with
  its check-ins, applications to finish, retention, open lapse cases, latest notifications.

It checks that both give the same funnel, the same retained grid and the same inspection,
and for the branch and member homes the figures listed in bench/home_branch.py's checks.
`--cases branch,member` measures only those.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import home_branch  # noqa: E402  (its bench.due_list sets Django up)
from bench.people_list import _load, seed  # noqa: E402  (sets Django up)
from development.clock import add_months  # noqa: E402
from development.models import ADMISSION_ROUND, Approval, StepRecord  # noqa: E402
from education import clock as edu_clock  # noqa: E402
from education.models import Meeting  # noqa: E402
from members.models import OrgUnit, Person, User  # noqa: E402
from members.models.lapses import LapseCase  # noqa: E402
from members.models.people import MEMBER_STAGES, PIPELINE_STAGES  # noqa: E402
from partyadmin.home import school_figures  # noqa: E402
from partyadmin.home.selectors import STEP_WIDTH, last_quarters, stage_funnel  # noqa: E402
from partyadmin.home.views.common import HOME_UNIT_KINDS  # noqa: E402
from transfers import clock as transfers_clock  # noqa: E402
from transfers.models import (  # noqa: E402
    GraduateException,
    GraduationCampaign,
    IntroductionLetter,
    Retention,
    RetentionApplication,
    Transfer,
)

CASES = {  # --cases name: (label, user, view, ?home=)
    "school": ("school home (organization dept.)", "demo_school", "home_school", ""),
    "committee": ("committee home (college office)", "demo_office", "home_committee", ""),
    "school-inspection": (
        "school inspection (half-year)",
        "demo_school",
        "home_inspection",
        "school",
    ),
    "committee-inspection": (
        "committee inspection (quarter)",
        "demo_office",
        "home_inspection",
        "committee",
    ),
    "branch": ("branch home (secretary)", "demo_secretary", "home_branch", ""),
    "member": ("member home (graduate, /me/)", "demo_graduate", "my_record", ""),
    "member-probationary": ("member home (probationary, /me/)", "demo_member", "my_record", ""),
    # The secretary's own record: a member home with a full notification centre.
    "member-secretary": ("member home (secretary, /me/)", "demo_secretary", "my_record", ""),
}
T = {  # table names
    "person": Person._meta.db_table,
    "unit": OrgUnit._meta.db_table,
    "record": StepRecord._meta.db_table,
    "approval": Approval._meta.db_table,
    "retention": Retention._meta.db_table,
    "application": RetentionApplication._meta.db_table,
    "transfer": Transfer._meta.db_table,
    "letter": IntroductionLetter._meta.db_table,
    "lapse": LapseCase._meta.db_table,
    "meeting": Meeting._meta.db_table,
    "campaign": GraduationCampaign._meta.db_table,
    "exception": GraduateException._meta.db_table,
}
# People of the page's unit (the viewer's grant is on that unit, so scope = the path prefix).
SCOPED = (
    "SELECT p.id FROM {person} p JOIN {unit} u ON u.id = p.unit_id "
    "WHERE u.path LIKE %s AND p.removed_at IS NULL"
)
# The branch and member homes: bench/home_branch.py.


def raw_figures(top: OrgUnit, with_quarters: bool = True) -> dict:
    """The funnel, the quarters (the school home only: the committee home has no such
    chart) and the open approvals, written by hand."""
    person, unit = Person._meta.db_table, OrgUnit._meta.db_table
    record, approval = StepRecord._meta.db_table, Approval._meta.db_table
    width = STEP_WIDTH * (top.depth + 2)
    quarters = last_quarters(timezone.localdate(), 8)
    stages = list(PIPELINE_STAGES)
    marks = ", ".join(["%s"] * len(stages))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT substr(u.path, 1, %s), p.stage, count(*) FROM {person} p "
            f"JOIN {unit} u ON u.id = p.unit_id WHERE u.path LIKE %s AND p.removed_at IS NULL "
            f"AND p.stage IN ({marks}) GROUP BY 1, 2",
            [width, top.path + "%", *stages],
        )
        funnel = {(path, stage): n for path, stage, n in cursor.fetchall()}
        by_quarter = []
        if with_quarters:
            cursor.execute(
                f"SELECT r.step, date_trunc('quarter', r.on), count(*) FROM {record} r "
                f"JOIN {person} p ON p.id = r.person_id JOIN {unit} u ON u.id = p.unit_id "
                f"WHERE u.path LIKE %s AND p.removed_at IS NULL AND r.decision = 'agreed' "
                f"AND r.step IN ('admission_approval', 'conversion_approval') "
                f"AND r.on BETWEEN %s AND %s GROUP BY 1, 2",
                [top.path + "%", quarters[0].start, quarters[-1].end],
            )
            by_quarter = cursor.fetchall()
        cursor.execute(
            f"SELECT a.id FROM {approval} a JOIN {person} p ON p.id = a.person_id "
            f"JOIN {unit} u ON u.id = p.unit_id WHERE u.path LIKE %s AND a.status = 'open' "
            f"ORDER BY a.due_on, a.id LIMIT 50",
            [top.path + "%"],
        )
        approvals = cursor.fetchall()
    return {"funnel": funnel, "quarters": by_quarter, "approvals": approvals}


def _rows(cursor, sql: str, params: list) -> list[tuple]:
    cursor.execute(sql.format(**T, scoped=SCOPED.format(**T)), params)
    return cursor.fetchall()


def raw_retained(cursor, top: OrgUnit, today) -> dict:
    """Active retentions by category and deadline bucket (school_figures.DEADLINE_BUCKETS)."""
    within = add_months(today, school_figures.WITHIN_MONTHS)
    rows = _rows(
        cursor,
        "SELECT r.category, CASE WHEN r.ends_on < %s THEN 'expired' "
        "WHEN r.transfer_apply_by <= %s THEN 'apply_now' WHEN r.ends_on <= %s THEN 'within_3' "
        "ELSE 'later' END, count(*) FROM {retention} r WHERE r.status = 'active' "
        "AND r.person_id IN ({scoped}) GROUP BY 1, 2",
        [today, today, within, top.path + "%"],
    )
    return {(category, bucket): n for category, bucket, n in rows}


def raw_school_extra(cursor, top: OrgUnit, today) -> dict:
    width = STEP_WIDTH * (top.depth + 2)
    like = top.path + "%"
    members = list(MEMBER_STAGES)
    marks = ", ".join(["%s"] * len(members))
    start, end = transfers_clock.graduation_year_bounds(today.year)
    out = {
        "lost": _rows(
            cursor,
            "SELECT count(*) FROM {person} p JOIN {unit} u ON "
            "u.id = p.unit_id WHERE u.path LIKE %s AND p.removed_at IS NULL "
            "AND p.lost_contact",
            [like],
        ),
        "lapses": _rows(
            cursor,
            "SELECT c.count, c.status, count(*) FROM {lapse} c WHERE "
            "c.closed_at IS NULL AND c.person_id IN ({scoped}) GROUP BY 1, 2",
            [like],
        ),
        "campaign": _rows(
            cursor, "SELECT id FROM {campaign} WHERE year = %s ORDER BY id LIMIT 1", [today.year]
        ),
        "graduates": _rows(
            cursor,
            "SELECT substr(u.path, 1, %s), count(DISTINCT p.id) FROM {person} p "
            "JOIN {unit} u ON u.id = p.unit_id WHERE u.path LIKE %s AND p.removed_at IS NULL "
            f"AND p.expected_graduation BETWEEN %s AND %s AND (p.stage IN ({marks}) OR EXISTS "
            "(SELECT 1 FROM {transfer} t WHERE t.person_id = p.id AND t.campaign_year = %s)) "
            "GROUP BY 1",
            [width, like, start, end, *members, today.year],
        ),
        "transfers": _rows(
            cursor,
            "SELECT substr(u.path, 1, %s), t.status, count(*) FROM {transfer} t "
            "JOIN {unit} u ON u.id = t.unit_id WHERE u.path LIKE %s AND t.campaign_year = %s "
            "AND t.direction = 'outgoing' AND t.status <> 'cancelled' GROUP BY 1, 2",
            [width, like, today.year],
        ),
        "exceptions": _rows(
            cursor,
            "SELECT substr(u.path, 1, %s), count(*) FROM {exception} e JOIN {person} p "
            "ON p.id = e.person_id JOIN {unit} u ON u.id = p.unit_id JOIN {campaign} c "
            "ON c.id = e.campaign_id WHERE u.path LIKE %s AND c.year = %s GROUP BY 1",
            [width, like, today.year],
        ),
        "silent": _rows(
            cursor,
            "SELECT substr(u.path, 1, %s), count(*) FILTER (WHERE m.last IS NULL OR "
            "m.last < %s), count(*) FROM {unit} u LEFT JOIN (SELECT branch_id, max(held_on) "
            "AS last FROM {meeting} WHERE status = 'held' AND held_on <= %s GROUP BY 1) m "
            "ON m.branch_id = u.id WHERE u.kind = 'branch' AND u.is_active AND u.path LIKE %s "
            "GROUP BY 1",
            [width, edu_clock.silent_since(today), today, like],
        ),
    }
    out.update(_meetings(cursor, top, today))
    return out


def _meetings(cursor, top: OrgUnit, today) -> dict:
    """Compliance's reading: meetings held per branch, month and kind this year."""
    return {
        "meetings": _rows(
            cursor,
            "SELECT m.branch_id, m.kind, date_trunc('month', m.held_on), count(*) FROM {meeting} "
            "m JOIN {unit} u ON u.id = m.branch_id WHERE u.path LIKE %s AND m.status = 'held' "
            "AND m.held_on BETWEEN %s AND %s GROUP BY 1, 2, 3",
            [top.path + "%", today.replace(month=1, day=1), today.replace(month=12, day=31)],
        )
    }


def raw_queues(cursor, top: OrgUnit, today) -> dict:
    """The office's queues in one statement of scalar subqueries, as the page reads them."""
    round_steps = list(ADMISSION_ROUND)
    marks = ", ".join(["%s"] * len(round_steps))
    like = top.path + "%"
    sql = (
        "SELECT (SELECT count(*) FROM {application} a WHERE a.status = 'submitted' "
        "AND a.person_id IN ({scoped})), "
        "(SELECT min(a.submitted_at) FROM {application} a WHERE a.status = 'submitted' "
        "AND a.person_id IN ({scoped})), "
        "(SELECT count(*) FROM {person} p JOIN {unit} u ON u.id = p.unit_id "
        "WHERE u.path LIKE %s AND p.removed_at IS NULL AND p.stage = 'candidate' AND "
        "(SELECT max(r.id) FROM {record} r WHERE r.person_id = p.id AND r.step = "
        "'branch_review' AND r.decision <> 'refused') > GREATEST("
        "COALESCE((SELECT max(r.id) FROM {record} r WHERE r.person_id = p.id "
        "AND r.step = 'pre_review'), 0), "
        "COALESCE((SELECT max(r.id) FROM {record} r WHERE r.person_id = p.id "
        f"AND r.decision = 'refused' AND r.step IN ({marks})), 0))), "
        "(SELECT count(*) FROM {approval} ap JOIN {person} p ON p.id = ap.person_id WHERE "
        "ap.status = 'open' AND ap.purpose = 'admission' AND p.stage = 'candidate' "
        "AND ap.person_id IN ({scoped})), "
        "(SELECT count(*) FROM {approval} ap JOIN {person} p ON p.id = ap.person_id WHERE "
        "ap.status = 'open' AND ap.purpose = 'conversion' AND p.stage = 'probationary' "
        "AND ap.person_id IN ({scoped})), "
        "(SELECT count(*) FROM {approval} ap WHERE ap.status = 'open' AND ap.due_on < %s "
        "AND ap.person_id IN ({scoped})), "
        "(SELECT count(*) FROM {transfer} t WHERE t.direction = 'outgoing' AND t.status = "
        "'requested' AND NOT EXISTS (SELECT 1 FROM {letter} l WHERE l.transfer_id = t.id) "
        "AND t.person_id IN ({scoped})), "
        "(SELECT count(*) FROM {letter} l JOIN {transfer} t ON t.id = l.transfer_id "
        "WHERE l.status = 'issued' AND l.receipt_due < %s AND t.person_id IN ({scoped}))"
    )
    params = [like, like, like, *round_steps, like, like, today, like, like, today, like]
    return {"queues": _rows(cursor, sql, params)}


def raw_committee_extra(cursor, top: OrgUnit, today) -> dict:
    out = raw_queues(cursor, top, today)
    out.update(_meetings(cursor, top, today))
    out["last"] = _rows(
        cursor,
        "SELECT m.branch_id, max(m.held_on) FROM {meeting} m JOIN {unit} u ON u.id = "
        "m.branch_id WHERE u.path LIKE %s AND m.status = 'held' AND m.held_on <= %s GROUP BY 1",
        [top.path + "%", today],
    )
    return out


def raw_inspection(top: OrgUnit, period, today) -> dict:
    """Per unit below `top`: distinct people per measured step, and late approvals."""
    width = STEP_WIDTH * (top.depth + 2)
    steps = list(school_figures.MEASURE_STEPS.values())
    marks = ", ".join(["%s"] * len(steps))
    like = top.path + "%"
    with connection.cursor() as cursor:
        records = _rows(
            cursor,
            "SELECT substr(u.path, 1, %s), r.step, count(DISTINCT r.person_id) FROM {record} r "
            "JOIN {person} p ON p.id = r.person_id JOIN {unit} u ON u.id = p.unit_id "
            f"WHERE u.path LIKE %s AND p.removed_at IS NULL AND r.step IN ({marks}) "
            "AND r.on BETWEEN %s AND %s AND r.decision <> 'refused' GROUP BY 1, 2",
            [width, like, *steps, period.start, period.end],
        )
        late = _rows(
            cursor,
            "SELECT substr(u.path, 1, %s), count(*) FROM {approval} a JOIN {person} p "
            "ON p.id = a.person_id JOIN {unit} u ON u.id = p.unit_id WHERE u.path LIKE %s "
            "AND p.removed_at IS NULL AND a.due_on BETWEEN %s AND %s AND ((a.status = 'open' "
            "AND a.due_on < %s) OR a.decided_on > a.due_on) GROUP BY 1",
            [width, like, period.start, min(period.end, today), today],
        )
    codes = {step: code for code, step in school_figures.MEASURE_STEPS.items()}
    counts = {(path, codes[step]): n for path, step, n in records}
    counts.update({(path, "late"): n for path, n in late})
    return counts


def raw_page(kind: str, top: OrgUnit, half: bool | None) -> dict:
    """Every figure of one page, written by hand."""
    today = timezone.localdate()
    if half is not None:
        return raw_inspection(top, school_figures.period_containing(today, half), today)
    figures = raw_figures(top, with_quarters=kind == "school")
    with connection.cursor() as cursor:
        if kind == "school":
            figures["retained"] = raw_retained(cursor, top, today)
            figures.update(raw_school_extra(cursor, top, today))
        else:
            figures.update(raw_committee_extra(cursor, top, today))
    return figures


def ours_vs_raw(user, top: OrgUnit, kind: str, half: bool | None) -> str:
    """Do the page's selectors and the hand-written SQL agree?"""
    today = timezone.localdate()
    scoped = Person.objects.restrict(user, "view_people").filter(unit__path__startswith=top.path)
    raw = raw_page(kind, top, half)
    if half is not None:
        period = school_figures.period_containing(today, half)
        ours = {
            (row.unit.path, code): n
            for row in school_figures.inspection(scoped, top, period, today)
            for code, n in row.counts.items()
            if n
        }
        return "same inspection" if ours == raw else "INSPECTION DIFFERS"
    funnel = {
        (row.unit.path, stage): n
        for row in stage_funnel(scoped, top)
        for stage, n in row.counts.items()
    }
    same = ["same funnel" if funnel == raw["funnel"] else "FUNNEL DIFFERS"]
    if kind == "school":
        grid = school_figures.retained_grid(scoped, today)
        same.append("same grid" if grid == raw["retained"] else "GRID DIFFERS")
    return ", ".join(same)


def timed(function, runs: int, warmup: int) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _case(user, view: str, home: str):
    """The hand-written SQL of one page (a callable), the check of its figures against the
    page's selectors (a callable taking the SQL's result), and the people the page covers."""
    today = timezone.localdate()
    if view == "my_record":
        person = Person.objects.select_related("unit").get(user=user)
        return (
            home_branch.member_sql(user, person),
            lambda raw: home_branch.check_member(user, person, raw),
            1,
        )
    kind = home or view.removeprefix("home_")
    top = (
        OrgUnit.objects.restrict(user, "view_people")
        .filter(kind__in=HOME_UNIT_KINDS[kind], is_active=True)
        .order_by("path")
        .first()
    )  # the unit the page shows by default, chosen as the view chooses it
    people = Person.objects.restrict(user).filter(unit__path__startswith=top.path).count()
    if kind == "branch":
        return (
            home_branch.branch_sql(user, top, today),
            lambda raw: home_branch.check_branch(user, top, today, raw),
            people,
        )
    half = (kind == "school") if home else None
    return (
        lambda: raw_page(kind, top, half),
        lambda _raw: ours_vs_raw(user, top, kind, half),
        people,
    )


def run(args: argparse.Namespace) -> None:
    if not args.no_seed:
        seed(args.people, args.seed)
    if not args.no_top_up:
        from bench.home_topup import top_up  # after Django is set up (bench.people_list)

        written = top_up()
        print("top-up:", ", ".join(f"{n:,} {what}" for what, n in written.items()) or "none")
    total = Person.objects.count()
    with connection.cursor() as cursor:  # the app turns JIT off unless PG_JIT=on
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    print(
        f"\nhome pages vs hand-written SQL: {total:,} people, median of {args.runs} runs after "
        f"{args.warmup} warm-up, jit {jit}, load average {_load()}"
    )
    header = f"{'page':<36}{'people':>10}{'page ms':>10}{'q':>4}{'SQL ms':>9}{'page/SQL':>10}"
    print(header)
    print("-" * len(header))
    for key in args.cases:
        label, username, view, home = CASES[key]
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        url = reverse(view) + (f"?home={home}" if home else "")
        raw, check, people = _case(user, view, home)
        page_ms = timed(lambda url=url, client=client: client.get(url), args.runs, args.warmup)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sql_ms = timed(raw, args.runs, args.warmup)
        print(
            f"{label:<36}{people:>10,}{page_ms:>10.1f}{len(queries):>4}{sql_ms:>9.1f}"
            f"{page_ms / sql_ms:>10.2f}  {check(raw())}"
        )
        if args.queries:
            timed_queries = [(float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries]
            in_all = sum(ms for ms, _sql in timed_queries)
            print(f"    {in_all:9.1f} ms  in all {len(queries)} queries")
            for ms, text in sorted(timed_queries, reverse=True)[:3]:
                print(f"    {ms:9.1f} ms  {text[:200]}")
    print(f"load average at the end: {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-seed", action="store_true", help="measure the database as it is")
    parser.add_argument(
        "--no-top-up", action="store_true", help="skip bench/home_topup.py's inserts"
    )
    parser.add_argument(
        "--cases",
        type=lambda text: text.split(","),
        default=list(CASES),
        help=f"comma-separated, of {', '.join(CASES)} (default: all)",
    )
    parser.add_argument(
        "--queries", action="store_true", help="also print the page's three slowest queries"
    )
    parser.add_argument(
        "--no-jit",
        action="store_true",
        help="SET jit = off for the session (page and SQL alike): PostgreSQL's JIT compiles "
        "every statement whose estimated cost passes jit_above_cost, ~1-2 s at 1M people",
    )
    args = parser.parse_args()
    if unknown := set(args.cases) - set(CASES):
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    if connection.vendor != "postgresql":
        raise SystemExit("run it on PostgreSQL: set DATABASE_URL")
    if args.no_jit:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    run(args)


if __name__ == "__main__":
    main()
