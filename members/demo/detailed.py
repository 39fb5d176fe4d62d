"""The small demo population, created one person at a time through the services, so each
person has the history a real roster import leaves (created, then the loaded stage), and
branch committees elected from the people in each branch."""

import datetime as dt
import random

from members.demo.dates import Calendar, add_years
from members.demo.people import SECRETARY_POST, PeopleGenerator
from members.demo.tree import TreeSpec
from members.models import BranchPost, OrgUnit, Person, Stage
from members.selectors import current_posts
from members.services.history import person_load_historical_stage
from members.services.org import branch_post_assign
from members.services.people import person_create, person_update

EVIDENCE = "演示数据：学校发展党员台账（manage.py seed_demo --seed {seed}）"
COMMITTEE_POSTS = (
    (BranchPost.Post.ORGANIZATION, "组织委员"),
    (BranchPost.Post.PROPAGANDA, "宣传委员"),
    (BranchPost.Post.DISCIPLINE, "纪检委员"),
)
TEACHER_BRANCH_TERM_YEARS = 3


def create_people(gen: PeopleGenerator, units: dict[str, OrgUnit], start: int, stop: int) -> int:
    """People `start` … `stop - 1`, through person_create and person_load_historical_stage.
    Call inside a transaction."""
    evidence = EVIDENCE.format(seed=gen.seed)
    for index in range(start, stop):
        spec = gen.person(index)
        person = person_create(
            actor=None, unit=units[spec.branch_code], id_number=spec.id_number, **spec.fields
        )
        if spec.stage != Stage.APPLICANT:  # a new person already is an applicant
            person_load_historical_stage(
                person=person,
                stage=spec.stage,
                since=spec.stage_since,
                evidence=evidence,
                actor=None,
            )
    return stop - start


def _term(unit: OrgUnit, cal: Calendar, rng: random.Random) -> tuple[dt.date, dt.date]:
    """Terms start in September (seed 004: branches are adjusted in the first month of the
    academic year): a year for student branches, three for teachers'."""
    years = TEACHER_BRANCH_TERM_YEARS if unit.branch_kind == OrgUnit.BranchKind.TEACHER else 1
    first = cal.year_start.replace(year=cal.year_start.year - rng.randrange(years))
    start = min(first + dt.timedelta(days=rng.randrange(20)), cal.ref)
    return start, add_years(first, years) - dt.timedelta(days=1)


def assign_posts(tree: TreeSpec, units: dict[str, OrgUnit], cal: Calendar, seed: int) -> int:
    """Elect a committee for every demo branch that has none: the scripted secretary, and
    full members (longest standing first) as committee members, so seed 002's rules hold
    wherever the branch has such people. Returns the number of seats filled."""
    filled = 0
    for code in tree.branch_codes():
        unit = units[code]
        rng = random.Random(f"{seed}:posts:{code}")
        start, end = _term(unit, cal, rng)
        held = {seat.post: seat.person_id for seat in current_posts([unit], cal.ref)}
        if held:  # a branch elects its committee once; later runs leave it as it is
            continue
        people = Person.objects.filter(unit=unit, removed_at__isnull=True)
        if BranchPost.Post.SECRETARY not in held:
            secretary = people.filter(post=SECRETARY_POST).order_by("id").first()
            if secretary is not None:
                branch_post_assign(
                    unit=unit,
                    person=secretary,
                    post=BranchPost.Post.SECRETARY,
                    term_start=start,
                    term_end=end,
                    actor=None,
                )
                held[BranchPost.Post.SECRETARY] = secretary.pk
                filled += 1
        for post, title in COMMITTEE_POSTS:
            if post in held:
                continue
            member = (
                people.filter(stage=Stage.FULL, post="")
                .exclude(pk__in=held.values())
                .order_by("full_member_on", "id")
                .first()
            )
            if member is None:
                break
            branch_post_assign(
                unit=unit, person=member, post=post, term_start=start, term_end=end, actor=None
            )
            person_update(
                person=member, actor=None, data={"post": title}, reason="演示数据：支部委员会分工"
            )
            held[post] = member.pk
            filled += 1
    return filled
