"""manage.py seed_demo: build (or top up) the demo school and print one login per role.

    manage.py seed_demo                      # the default demo (400 people, with history)
    manage.py seed_demo --seed 7             # another, equally plausible school population
    manage.py seed_demo --people 1000000     # top up to a million for benchmarks (bulk)
    manage.py seed_demo --if-empty           # only on a database without any org unit

Deterministic for a seed (dates are relative to the first day of the current month),
idempotent (units are matched by code, people counted in the demo school, accounts by
username), and always ends with the demo logins.
"""

import time
import unicodedata
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from members.demo import accounts, bulk, detailed
from members.demo import education as education_demo
from members.demo import transfers as transfers_demo
from members.demo.dates import Calendar
from members.demo.people import ID_SPACE, PeopleGenerator
from members.demo.tree import SCHOOL_CODE, TreeSpec, describe_tree, ensure_tree, find_demo_school
from members.models import OrgUnit, Person

DEFAULT_PEOPLE = 400
DEFAULT_DETAILED = 400  # the first people are created through the services, with history


class Command(BaseCommand):
    help = "Build the demo school (idempotent) and print one demo login per role."
    requires_system_checks: list[str] = []  # data only; the run script checks elsewhere

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help=f"people the demo school should hold (default {DEFAULT_PEOPLE}); "
            "more are added if it holds fewer, none are ever taken away",
        )
        parser.add_argument(
            "--detailed",
            type=int,
            default=DEFAULT_DETAILED,
            help="how many of them are created one by one through the services, with "
            f"history (default {DEFAULT_DETAILED}); the rest are bulk-inserted",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the demo logins) if any org unit exists",
        )
        parser.add_argument(
            "--chunk", type=int, default=bulk.CHUNK, help="rows per bulk transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and OrgUnit.objects.exists():
            self.stdout.write("The database already has org units; the demo was not loaded.")
            self._print_logins(accounts.existing_logins())
            return
        began = time.monotonic()
        cal = Calendar.for_today(timezone.localdate())
        tree = describe_tree(cal)
        gen = PeopleGenerator(options["seed"], cal, tree)
        people = options["people"]
        if not gen.coverage <= people <= ID_SPACE:
            raise CommandError(f"--people must be between {gen.coverage} and {ID_SPACE}")
        created_logins = self._build(gen, tree, cal, people, options)
        self.stdout.write(f"Done in {time.monotonic() - began:.1f} s.")
        self._print_logins(created_logins)

    def _build(
        self,
        gen: PeopleGenerator,
        tree: TreeSpec,
        cal: Calendar,
        people: int,
        options: dict[str, Any],
    ) -> list[accounts.Login]:
        fresh = find_demo_school() is None
        with transaction.atomic():
            units = ensure_tree(tree)
        school = units[SCHOOL_CODE]
        have = Person.objects.filter(unit__path__startswith=school.path).count()
        self.stdout.write(
            f"{'Building' if fresh else 'Topping up'} the demo school {school.name} "
            f"(seed {gen.seed}, {len(units)} units, {have} people so far, reference day "
            f"{cal.ref:%Y-%m-%d})."
        )
        detailed_stop = min(people, max(options["detailed"], gen.coverage))
        if have < detailed_stop:
            began = time.monotonic()
            with transaction.atomic():
                detailed.create_people(gen, units, have, detailed_stop)
            self.stdout.write(
                f"  {detailed_stop - have} people with history in {time.monotonic() - began:.1f} s"
            )
            have = detailed_stop
        with transaction.atomic():
            seats = detailed.assign_posts(tree, units, cal, gen.seed)
            if seats:
                self.stdout.write(f"  {seats} branch committee seats filled")
            first = tree.colleges[0]
            logins = accounts.ensure_accounts(
                accounts.Places(
                    school=school,
                    college=units[first.committee],
                    branch=units[gen.home_branch],
                    retained=units[first.retained],
                )
            )
        with transaction.atomic():
            made = transfers_demo.ensure_transfers(tree, units, cal)
        if made.applications or made.transfers or made.mobile:
            self.stdout.write(
                f"  transfers: {made.applications} retention applications, "
                f"{made.transfers} transfers, {made.mobile} mobile members"
            )
        with transaction.atomic():
            education_demo.seed_education(
                units=units, home=gen.home_branch, retained=first.retained, cal=cal
            )
        if have < people:
            unit_ids = {code: unit.pk for code, unit in units.items()}
            added = bulk.insert_people(
                gen, unit_ids, have, people, chunk=options["chunk"], progress=self._progress
            )
            self.stdout.write(f"  {added} people bulk-inserted")
        self._summary(school)
        if not fresh:  # passwords may have been changed since the first run
            return accounts.existing_logins()
        return logins

    def _progress(self, done: int, total: int, seconds: float) -> None:
        rate = done / seconds if seconds else 0.0
        self.stdout.write(f"  bulk: {done}/{total} people, {seconds:.0f} s, {rate:,.0f}/s")

    def _summary(self, school: OrgUnit) -> None:
        units = Counter(OrgUnit.objects.subtree_of(school).values_list("kind", flat=True))
        stages = dict(
            Person.objects.filter(unit__path__startswith=school.path)
            .values_list("stage")
            .annotate(n=Count("id"))
            .order_by()
        )
        kinds = ", ".join(f"{OrgUnit.Kind(k).label} {n}" for k, n in sorted(units.items()))
        by_stage = ", ".join(f"{k} {n}" for k, n in sorted(stages.items()))
        self.stdout.write(f"Units: {kinds}.")
        self.stdout.write(f"People: {sum(stages.values())} ({by_stage}).")

    def _print_logins(self, logins: list[accounts.Login]) -> None:
        if not logins:
            self.stdout.write("No demo logins in this database.")
            return
        self.stdout.write("")
        self.stdout.write("Demo logins 演示账号 (one per role):")
        for login in logins:
            a = login.account
            password = login.password or "(changed since the demo was built)"
            role = f"{a.title_zh} / {accounts.english_title(a)}"
            self.stdout.write(
                f"  {_pad(a.username, 16)} {_pad(password, 18)} {_pad(role, 42)} {login.unit}"
            )


def _pad(text: str, width: int) -> str:
    """Left-justify in a terminal, where a Chinese character takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 0)
