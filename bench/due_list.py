"""Benchmark of the due-and-overdue list: the selector beside one hand-written SQL query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pa_bench \
        .venv/bin/python bench/due_list.py --people 100000

Migrates the database and tops it up to `--people` with `manage.py seed_demo` (bulk people
in the pipeline come with their step records), then, in one process, for a college-scoped
user (committee office) and a school-wide user (organization department), computes the due
list as the selector does (`development.selectors.due_and_overdue` over
`Person.objects.restrict(user)`, the next 30 days and everything late) and with ONE
hand-written PostgreSQL query that implements the same rules (`HAND_SQL` below), `--runs`
times each after `--warmup` runs, alternating; prints the median wall time, the query count,
the ratio selector / SQL, and whether both lists hold the same people with the same due days.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from development import clock  # noqa: E402
from development.models import ADMISSION_ROUND, CONVERSION_ROUND, StepRecord  # noqa: E402
from development.requirements import ACTIVE_STAGES  # noqa: E402
from development.selectors import due_and_overdue  # noqa: E402
from members.models import Person, User  # noqa: E402
from members.scoping import granted_paths  # noqa: E402

HORIZON_DAYS = 30  # due_and_overdue's default

# The selector's rules (development/selectors.py: next_step, timing, _done; requirements.py:
# PersonFile) in one statement. Per person in scope and in an active stage:
#   cuts   the last refusal of each round (and, for conversion, an extension): a round step
#          counts only when recorded after it; applied_on / activist_on: the last accepted
#          application / activist determination
#   facts  which steps are done, and the half-yearly assessments since activist_on
#   due    applicant: the talk, one month after the application, while it is not on record;
#          candidate: the open approval's due day once every step before the talk by the
#          higher committee is done; probationary: the end of probation (extension included)
#          while the conversion's application, pre-review (where the school asks for it),
#          notice or meeting is missing, then the open approval's; activist and candidate
#          also the next assessment, 6 months per assessment done after activist_on.
HAND_SQL = """
WITH people AS (
    SELECT p.id, p.stage, p.joined_on, CAST(split_part(u.path, '.', 1) AS integer) AS school_id
    FROM members_person p
    JOIN members_orgunit u ON u.id = p.unit_id
    WHERE (u.path LIKE ANY(%(prefixes)s) OR p.user_id = %(user_id)s)
      AND p.stage = ANY(%(active)s)
      AND p.removed_at IS NULL
),
records AS (
    SELECT r.person_id, r.id, r.step, r."on" AS day, r.decision <> 'refused' AS accepted
    FROM development_steprecord r
    JOIN people ON people.id = r.person_id
),
cuts AS (
    SELECT person_id,
        coalesce(max(id) FILTER (WHERE step = ANY(%(admission)s) AND NOT accepted), 0)
            AS admission_cut,
        coalesce(max(id) FILTER (WHERE (step = ANY(%(conversion)s) AND NOT accepted)
                                 OR step = 'extension'), 0) AS conversion_cut,
        max(day) FILTER (WHERE step = 'application' AND accepted) AS applied_on,
        max(day) FILTER (WHERE step = 'activist_determined' AND accepted) AS activist_on
    FROM records
    GROUP BY person_id
),
facts AS (
    SELECT r.person_id,
        bool_or(step = 'applicant_talk' AND accepted) AS talk,
        bool_or(step = 'candidate_filed' AND accepted) AS candidate_filed,
        bool_or(step = 'political_review' AND accepted) AS political_review,
        bool_or(step = 'branch_review' AND id > admission_cut) AS branch_review,
        bool_or(step = 'pre_review' AND id > admission_cut) AS pre_review,
        bool_or(step = 'application_form' AND id > admission_cut) AS application_form,
        bool_or(step = 'admission_notice' AND id > admission_cut) AS admission_notice,
        bool_or(step = 'admission_meeting' AND id > admission_cut) AS admission_meeting,
        bool_or(step = 'higher_talk' AND id > admission_cut) AS higher_talk,
        bool_or(step = 'admission_approval' AND id > admission_cut) AS admission_approval,
        bool_or(step = 'admission_filed' AND accepted) AS admission_filed,
        bool_or(step = 'placement' AND accepted) AS placement,
        bool_or(step = 'oath' AND accepted) AS oath,
        bool_or(step = 'conversion_application' AND id > conversion_cut) AS conversion_application,
        bool_or(step = 'conversion_pre_review' AND id > conversion_cut) AS conversion_pre_review,
        bool_or(step = 'conversion_notice' AND id > conversion_cut) AS conversion_notice,
        bool_or(step = 'conversion_meeting' AND id > conversion_cut) AS conversion_meeting,
        bool_or(step = 'conversion_approval' AND id > conversion_cut) AS conversion_approval,
        count(*) FILTER (WHERE step = 'assessment' AND accepted
                         AND day BETWEEN c.activist_on AND %(today)s) AS assessments
    FROM records r
    JOIN cuts c USING (person_id)
    GROUP BY r.person_id
),
training AS (
    SELECT t.person_id, sum(t.days) AS days, sum(t.hours) AS hours
    FROM development_trainingrecord t
    JOIN people ON people.id = t.person_id
    WHERE t.kind = 'candidate' AND t.passed
    GROUP BY t.person_id
),
introducers AS (
    SELECT a.person_id, count(*) AS n
    FROM development_assignment a
    JOIN people ON people.id = a.person_id
    WHERE a.kind = 'introducer' AND a.assigned_on <= %(today)s
      AND (a.ended_on IS NULL OR a.ended_on > %(today)s)
    GROUP BY a.person_id
),
timed AS (
    SELECT p.id,
        CASE p.stage
        WHEN 'applicant' THEN
            CASE WHEN c.applied_on IS NOT NULL AND NOT coalesce(f.talk, false)
                 THEN (c.applied_on + interval '1 month')::date END
        WHEN 'candidate' THEN
            CASE WHEN f.candidate_filed AND coalesce(i.n, 0) = 2 AND f.political_review
                  AND (coalesce(t.days, 0) >= coalesce(lr.training_min_days, %(min_days)s)
                       OR coalesce(t.hours, 0) >= coalesce(lr.training_min_hours, %(min_hours)s))
                  AND f.branch_review AND f.pre_review AND f.application_form
                  AND f.admission_notice AND f.admission_meeting
                  AND NOT (f.higher_talk AND f.admission_approval)
                 THEN ap.due_on END
        WHEN 'probationary' THEN
            CASE WHEN NOT (coalesce(f.admission_filed, false) AND f.placement AND f.oath)
                 THEN NULL
                 WHEN NOT (f.conversion_application
                           AND (f.conversion_pre_review
                                OR NOT coalesce(lr.conversion_pre_review, false))
                           AND f.conversion_notice AND f.conversion_meeting)
                 THEN ((p.joined_on + interval '1 year')::date
                       + make_interval(months => coalesce(e.months, 0)))::date
                 WHEN NOT f.conversion_approval THEN ap.due_on END
        END AS due,
        CASE WHEN p.stage IN ('activist', 'candidate') AND c.activist_on IS NOT NULL
             THEN (c.activist_on
                   + make_interval(months => 6 * (coalesce(f.assessments, 0)::int + 1)))::date
        END AS assessment_due
    FROM people p
    LEFT JOIN cuts c ON c.person_id = p.id
    LEFT JOIN facts f ON f.person_id = p.id
    LEFT JOIN training t ON t.person_id = p.id
    LEFT JOIN introducers i ON i.person_id = p.id
    LEFT JOIN development_approval ap ON ap.person_id = p.id AND ap.status = 'open'
    LEFT JOIN development_extension e ON e.person_id = p.id
    LEFT JOIN development_localrules lr ON lr.school_id = p.school_id
)
SELECT id, LEAST(due, assessment_due) AS due_on
FROM timed
WHERE LEAST(due, assessment_due) <= %(horizon)s
ORDER BY due_on, id
"""


@dataclass(frozen=True)
class Figure:
    median_ms: float
    queries: int
    result: list[tuple[int, dt.date]]
    slowest: tuple[tuple[float, str], ...] = ()


def hand_sql(user: User, today: dt.date) -> list[tuple[int, dt.date]]:
    params = {
        "prefixes": [f"{path}%" for path in granted_paths(user, "view_people")],
        "user_id": user.pk,
        "active": list(ACTIVE_STAGES),
        "admission": list(ADMISSION_ROUND),
        "conversion": list(CONVERSION_ROUND),
        "today": today,
        "horizon": today + dt.timedelta(days=HORIZON_DAYS),
        "min_days": clock.TRAINING_MIN_DAYS,
        "min_hours": clock.TRAINING_MIN_HOURS,
    }
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        return [(pk, due) for pk, due in cursor.fetchall()]


def selector(user: User, today: dt.date) -> list[tuple[int, dt.date]]:
    found = due_and_overdue(Person.objects.restrict(user), today, horizon_days=HORIZON_DAYS)
    return [(n.person_id, n.due_on) for n in found]


def timed(func, user: User, today: dt.date, capture: bool) -> tuple[float, Figure | None]:
    """One call's wall time; with `capture`, also its queries and result (recording the SQL
    costs microseconds per query, nothing beside a call of seconds)."""
    if not capture:
        began = time.perf_counter()
        func(user, today)
        return (time.perf_counter() - began) * 1000, None
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        result = func(user, today)
        ms = (time.perf_counter() - began) * 1000
    slowest = sorted(
        ((float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries), reverse=True
    )[:3]
    return ms, Figure(ms, len(queries), result, tuple(slowest))


def run(args: argparse.Namespace) -> None:
    if not args.no_seed:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", people=args.people, seed=args.seed, verbosity=1)
    total = Person.objects.count()
    records = StepRecord.objects.count()
    if not records:
        print("warning: no step records; seed a fresh database (seed_demo writes them in bulk)")
    today = timezone.localdate()
    with connection.cursor() as cursor:
        if args.no_jit:
            cursor.execute("SET jit = off")
        cursor.execute("SELECT version()")
        version = " ".join(cursor.fetchone()[0].split()[:2])
    print(
        f"\ndue-and-overdue list, selector vs one SQL query: {total:,} people, {records:,} step "
        f"records, {version}, {os.cpu_count()} cores, today {today}, median of {args.runs} "
        f"runs after {args.warmup} warm-up{', jit off' if args.no_jit else ''}, "
        f"load average {_load()}"
    )
    header = (
        f"{'user':<32}{'in scope':>10}{'due':>8}{'selector ms':>13}{'q':>4}{'SQL ms':>10}"
        f"{'q':>3}{'ratio':>8}  same"
    )
    print(header)
    print("-" * len(header))
    for username, label in (
        ("demo_office", "college (committee office)"),
        ("demo_school", "school (organization dept.)"),
    ):
        user = User.objects.get(username=username)
        ours = sql = None
        in_scope = Person.objects.restrict(user).filter(stage__in=ACTIVE_STAGES).count()
        for _ in range(args.warmup):
            selector(user, today)
            hand_sql(user, today)
        ours_times: list[float] = []
        sql_times: list[float] = []
        for run_number in range(args.runs):  # alternate, so both meet the same cache state
            ms, figure = timed(selector, user, today, capture=run_number == 0)
            ours_times.append(ms)
            ours = figure or ours
            ms, figure = timed(hand_sql, user, today, capture=run_number == 0)
            sql_times.append(ms)
            sql = figure or sql
        ours_ms, sql_ms = statistics.median(ours_times), statistics.median(sql_times)
        same = ours.result == sql.result
        print(
            f"{label:<32}{in_scope:>10,}{len(ours.result):>8,}{ours_ms:>13.1f}{ours.queries:>4}"
            f"{sql_ms:>10.1f}{sql.queries:>3}{ours_ms / sql_ms:>8.1f}  "
            + ("yes" if same else _difference(ours.result, sql.result))
        )
        if args.queries:
            for name, figure in (("selector", ours), ("sql", sql)):
                for ms, text in figure.slowest:
                    print(f"    {name:<8} {ms:9.1f} ms  {text[:300]}")
    print(f"load average at the end: {_load()}")


def _difference(ours: list, theirs: list) -> str:
    a, b = set(ours), set(theirs)
    sample = sorted(a ^ b)[:5]
    return f"NO: {len(a - b)} only in the selector, {len(b - a)} only in SQL, e.g. {sample}"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000, help="people to seed (top-up)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--no-seed", action="store_true", help="measure the database as it is")
    parser.add_argument(
        "--no-jit", action="store_true", help="SET jit = off for this session (PostgreSQL)"
    )
    parser.add_argument(
        "--queries", action="store_true", help="also print the three slowest queries of each"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("the hand-written query is PostgreSQL's; set DATABASE_URL")
    run(args)


if __name__ == "__main__":
    main()
