"""Benchmark of the home pages beside hand-written SQL for the same figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pa_bench \
        .venv/bin/python bench/home_pages.py --people 100000

Tops the database up with `seed_demo` (as bench/people_list.py does), then for the school
home (organization department) and the committee home (a college's office) requests the page
`--runs` times after `--warmup` runs and prints the median time and query count, beside the
median time of the hand-written SQL that computes the same figures (the funnel by unit and
stage, admissions and conversions per quarter, the open approvals), and the ratio page / SQL.
It also checks that both give the same funnel.
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

from bench.people_list import _load, seed  # noqa: E402  (sets Django up)
from development.models import Approval, StepRecord  # noqa: E402
from members.models import OrgUnit, Person, User  # noqa: E402
from members.models.people import PIPELINE_STAGES  # noqa: E402
from partyadmin.home.selectors import STEP_WIDTH, last_quarters, stage_funnel  # noqa: E402
from partyadmin.home.views.common import HOME_UNIT_KINDS  # noqa: E402

CASES = (
    ("school home (organization dept.)", "demo_school", "home_school"),
    ("committee home (college office)", "demo_office", "home_committee"),
)
# The branch home's figures are the due-and-overdue list: bench/due_list.py measures it
# beside its own hand-written SQL.


def raw_figures(top: OrgUnit) -> dict:
    """The page's figures in three statements written by hand."""
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


def timed(function, runs: int, warmup: int) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def run(args: argparse.Namespace) -> None:
    if not args.no_seed:
        seed(args.people, args.seed)
    total = Person.objects.count()
    print(
        f"\nhome pages vs hand-written SQL: {total:,} people, median of {args.runs} runs after "
        f"{args.warmup} warm-up, load average {_load()}"
    )
    header = f"{'page':<36}{'people':>10}{'page ms':>10}{'q':>4}{'SQL ms':>9}{'page/SQL':>10}"
    print(header)
    print("-" * len(header))
    for label, username, view in CASES:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        url = reverse(view)
        kind = view.removeprefix("home_")
        top = (
            OrgUnit.objects.restrict(user, "view_people")
            .filter(kind__in=HOME_UNIT_KINDS[kind], is_active=True)
            .order_by("path")
            .first()
        )  # the unit the page shows by default, chosen as the view chooses it
        page_ms = timed(lambda url=url, client=client: client.get(url), args.runs, args.warmup)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        sql_ms = timed(lambda top=top: raw_figures(top), args.runs, args.warmup)
        people = Person.objects.restrict(user).filter(unit__path__startswith=top.path).count()
        scoped = Person.objects.restrict(user, "view_people").filter(
            unit__path__startswith=top.path
        )
        ours = {
            (row.unit.path, stage): n
            for row in stage_funnel(scoped, top)
            for stage, n in row.counts.items()
        }
        check = "same funnel" if ours == raw_figures(top)["funnel"] else "FUNNEL DIFFERS"
        print(
            f"{label:<36}{people:>10,}{page_ms:>10.1f}{len(queries):>4}{sql_ms:>9.1f}"
            f"{page_ms / sql_ms:>10.2f}  {check}"
        )
    print(f"load average at the end: {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-seed", action="store_true", help="measure the database as it is")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("run it on PostgreSQL: set DATABASE_URL")
    run(args)


if __name__ == "__main__":
    main()
