"""Benchmark of the lapse job beside one hand-written SQL statement that finds the same
members.

    createdb -h 127.0.0.1 -U postgres pa_bench_lapse
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pa_bench_lapse \
        .venv/bin/python bench/lapse_job.py --people 100000

Migrates, tops the database up to `--people` with `manage.py seed_demo`, then sets the three
lapse-count fields (last org life, dues paid up to, last assigned work) and lost contact of
every member in bulk with SQL, spread over the last ten months so that some members are
fine, some at five months and some past six. Then, `--runs` times:

- empties the lapse tables and runs `lapse_sweep` (the first run: every case opened, its
  steps recorded, the branch notified),
- runs it again at once (the steady state of every later night: nothing new),
- runs the single SQL statement that selects the same members (any count at five months),

and prints the median wall time, the query count and the Python peak memory of each, the
number of members each found (they must agree) and the ratio job / SQL.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import tracemalloc
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

from members import lapse_clock  # noqa: E402
from members.models import LapseCase  # noqa: E402
from members.services.lapses import lapse_sweep  # noqa: E402

MEMBERS = "stage IN ('probationary', 'full') AND removed_at IS NULL"

# Spread the three fields over the last 300 days by id (deterministic), and one member in
# 97 lost contact: roughly a third of the members reach five months on some count.
SPREAD = f"""
UPDATE members_person SET
    last_org_life_on = %(today)s::date - ((id * 7) %% 300)::int,
    dues_paid_through = date_trunc('month', %(today)s::date - ((id * 11) %% 300)::int)::date,
    last_work_done_on = %(today)s::date - ((id * 13) %% 300)::int,
    lost_contact = (id %% 97 = 0),
    lost_contact_since = CASE WHEN id %% 97 = 0 THEN %(today)s::date - (id %% 400)::int END
WHERE {MEMBERS}
"""

# The same members in one statement: any count whose gap began on or before the five-month
# cutoff (the job's rule, written by hand).
BY_HAND = f"""
SELECT count(*) FROM members_person
WHERE {MEMBERS} AND (
    COALESCE(last_org_life_on, joined_on) <= %(cut)s
    OR (dues_paid_through IS NULL AND joined_on <= %(cut)s)
    OR dues_paid_through < %(month)s
    OR COALESCE(last_work_done_on, joined_on) <= %(cut)s
    OR (lost_contact AND lost_contact_since <= %(cut)s)
)
"""


def loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def measure(fn):
    """(seconds, queries, peak Python memory in MB, result) of one call."""
    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, len(queries), peak / 1e6, result


def empty_lapse_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE members_lapsestep, members_lapsecase, core_notification")


def by_hand(today: dt.date) -> int:
    cut = lapse_clock.cutoff(today, lapse_clock.WARNING_MONTHS)
    with connection.cursor() as cursor:
        cursor.execute(BY_HAND, {"cut": cut, "month": lapse_clock.month_start(cut)})
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {loadavg()}")
    if not args.no_seed:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", people=args.people, verbosity=1)
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(SPREAD, {"today": today})
        cursor.execute("ANALYZE members_person")
        cursor.execute("SELECT count(*) FROM members_person")
        people = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM members_person WHERE {MEMBERS}")
        members = cursor.fetchone()[0]
    print(f"{people:,} people, {members:,} members, today {today}")

    first, steady, sql = [], [], []
    for run in range(args.runs):
        empty_lapse_tables()
        first.append(measure(lapse_sweep))
        steady.append(measure(lapse_sweep))
        sql.append(measure(lambda: by_hand(today)))
        flagged = LapseCase.objects.values("person").distinct().count()
        print(
            f"run {run + 1}: first {first[-1][0]:.2f} s, again {steady[-1][0]:.2f} s, "
            f"SQL {sql[-1][0]:.3f} s; members flagged: job {flagged:,}, SQL {sql[-1][3]:,}"
        )
        assert flagged == sql[-1][3], "the job and the SQL disagree"

    def row(label, figures):
        median = statistics.median(f[0] for f in figures)
        queries = sorted({f[1] for f in figures})
        peak = max(f[2] for f in figures)
        return label, median, queries, peak

    rows = [row("lapse_sweep, first run", first), row("lapse_sweep, again", steady)]
    rows.append(row("hand-written SQL", sql))
    sql_median = rows[-1][1]
    print(f"\n{members:,} members; medians of {args.runs} runs; load average {loadavg()}")
    print("| what | median s | queries | peak Python MB | / SQL |")
    print("|---|---|---|---|---|")
    for label, median, queries, peak in rows:
        q = ", ".join(map(str, queries))
        print(f"| {label} | {median:.3f} | {q} | {peak:.1f} | {median / sql_median:.1f} |")
    opened = first[-1][3]
    print(
        f"\nfirst run opened {opened['opened']:,} cases, {opened['notifications']:,} notifications"
    )


if __name__ == "__main__":
    main()
