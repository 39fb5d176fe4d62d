"""Benchmark of the people list beside Django's admin changelist for the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pa_bench \
        .venv/bin/python bench/people_list.py --people 100000

Migrates the database and tops it up to `--people` with `manage.py seed_demo` (it never
deletes, so a bigger database is measured at its own size), then, in one process, for a
college-scoped user (committee office) and a school-wide user (organization department)
and for the first and a deep page, requests our list (`people_list?page=N`) and the admin
changelist (`/admin/members/person/?p=N`, as a superuser, filtered to the same units)
`--runs` times after `--warmup` runs, and prints the median server time, the query count
and the ratio ours / admin. Times are those of Django's test client: the whole request
through middleware, view and template, without a network.
"""

import argparse
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from members.models import OrgUnit, Person, User  # noqa: E402

PER_PAGE = 50  # both lists show 50 rows a page
ADMIN_URL = "/admin/members/person/"


@dataclass(frozen=True)
class Case:
    label: str
    user: User
    ours: str  # URL of our list
    admin: str  # URL of the admin changelist for the same rows
    rows: int  # people the user can see


@dataclass(frozen=True)
class Figure:
    median_ms: float | None
    queries: int | None
    note: str = ""
    slowest: tuple[tuple[float, str], ...] = ()  # (ms, sql) of the slowest queries


def measure(
    ours: tuple[Client, str], admin: tuple[Client, str], runs: int, warmup: int
) -> tuple[Figure, Figure]:
    """Median wall time of `runs` requests to each after `warmup`, alternating between the
    two so that both meet the same cache state, and the queries of one more request each."""
    pair = {"ours": ours, "admin": admin}
    failed: dict[str, str] = {}
    for name, (client, url) in pair.items():
        for _ in range(warmup):
            status = client.get(url).status_code
            if status != 200:
                failed[name] = f"HTTP {status}"
                break
    times: dict[str, list[float]] = {name: [] for name in pair}
    for _ in range(runs):
        for name, (client, url) in pair.items():
            if name in failed:
                continue
            began = time.perf_counter()
            client.get(url)
            times[name].append((time.perf_counter() - began) * 1000)
    figures = []
    for name, (client, url) in pair.items():
        if name in failed:
            figures.append(Figure(None, None, failed[name]))
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        slowest = sorted(
            ((float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries), reverse=True
        )[:3]
        figures.append(Figure(statistics.median(times[name]), len(queries), "", tuple(slowest)))
    return figures[0], figures[1]


def seed(people: int, seed_value: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=people, seed=seed_value, verbosity=1)


def bench_superuser() -> User:
    user, created = User.objects.get_or_create(
        username="bench_admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def cases(deep: str) -> list[Case]:
    try:
        ours = reverse("people_list")
    except NoReverseMatch:
        ours = "/people/"
    found = []
    for username, label in (
        ("demo_office", "college (committee office)"),
        ("demo_school", "school (organization dept.)"),
    ):
        user = User.objects.get(username=username)
        grant = user.role_grants.filter(revoked_at__isnull=True).select_related("unit").first()
        rows = Person.objects.restrict(user).count()
        # The same rows in the admin: people of the units in the grant's subtree.
        unit_ids = OrgUnit.objects.subtree_of(grant.unit).values_list("id", flat=True)
        scope = "unit__in=" + ",".join(str(pk) for pk in sorted(unit_ids))
        last = max(1, -(-rows // PER_PAGE))
        deep_page = last if deep == "last" else min(int(deep), last)
        for page in (1, deep_page):
            found.append(
                Case(
                    f"{label}, page {page}",
                    user,
                    f"{ours}?page={page}",
                    f"{ADMIN_URL}?{scope}&p={page}",
                    rows,
                )
            )
    return found


def run(args: argparse.Namespace) -> None:
    if not args.no_seed:
        seed(args.people, args.seed)
    total = Person.objects.count()
    if total > args.people:
        print(f"note: the database holds {total} people, more than --people {args.people}")
    admin = bench_superuser()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version()" if connection.vendor == "postgresql" else "SELECT 'SQLite'"
        )
        version = " ".join(cursor.fetchone()[0].split()[:2])
    print(
        f"\npeople list vs admin changelist: {total:,} people, {version}, "
        f"{os.cpu_count()} cores, median of {args.runs} runs after {args.warmup} warm-up, "
        f"load average {_load()}"
    )
    header = (
        f"{'user, page':<44}{'rows':>9}{'ours ms':>10}{'q':>4}{'admin ms':>10}{'q':>4}"
        f"{'ours/admin':>12}"
    )
    print(header)
    print("-" * len(header))
    ours_client, admin_client = Client(), Client()
    admin_client.force_login(admin)
    for case in cases(args.deep_page):
        ours_client.force_login(case.user)
        ours, theirs = measure(
            (ours_client, case.ours), (admin_client, case.admin), args.runs, args.warmup
        )
        ratio = (
            f"{ours.median_ms / theirs.median_ms:.2f}"
            if ours.median_ms is not None and theirs.median_ms
            else "n/a"
        )
        print(
            f"{case.label:<44}{case.rows:>9,}{_ms(ours):>10}{_q(ours):>4}"
            f"{_ms(theirs):>10}{_q(theirs):>4}{ratio:>12}"
        )
        if args.queries:
            for name, figure in (("ours", ours), ("admin", theirs)):
                for ms, sql in figure.slowest:
                    print(f"    {name:<5} {ms:8.1f} ms  {sql[:300]}")
    print(f"load average at the end: {_load()}")


def _load() -> str:
    """Other work on the machine skews the figures; say how much there was."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _ms(figure: Figure) -> str:
    return f"{figure.median_ms:.1f}" if figure.median_ms is not None else figure.note


def _q(figure: Figure) -> str:
    return str(figure.queries) if figure.queries is not None else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000, help="people to seed (top-up)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--deep-page", default="1000", help="the deep page: a number (capped at the last) or 'last'"
    )
    parser.add_argument("--no-seed", action="store_true", help="measure the database as it is")
    parser.add_argument(
        "--queries", action="store_true", help="also print the three slowest queries of each"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("warning: not on PostgreSQL; set DATABASE_URL for figures worth recording")
    run(args)


if __name__ == "__main__":
    main()
