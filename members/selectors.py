"""Read-side rules about the tree and its people."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from members.models import BranchPost, OrgUnit, Stage

STUDENT_BRANCH_KINDS = (OrgUnit.BranchKind.UNDERGRADUATE, OrgUnit.BranchKind.GRADUATE)
# Seed 004: branches are set up and adjusted once a year, in the first month of the
# academic year (September).
ADJUSTMENT_MONTH = 9


@dataclass(frozen=True)
class Warning:
    unit_id: int
    message: str


def current_posts(units: QuerySet[OrgUnit] | list[OrgUnit], today: dt.date) -> QuerySet[BranchPost]:
    return (
        BranchPost.objects.filter(unit__in=units, term_start__lte=today)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
        .select_related("person", "unit")
    )


def party_standing_years(full_member_on: dt.date | None, today: dt.date) -> float:
    """Party standing (党龄) counts from the day probation ended."""
    if full_member_on is None or full_member_on > today:
        return 0.0
    return (today - full_member_on).days / 365.25


def _more_than_one_year(full_member_on: dt.date | None, today: dt.date) -> bool:
    if full_member_on is None:
        return False
    try:
        anniversary = full_member_on.replace(year=full_member_on.year + 1)
    except ValueError:  # 29 February
        anniversary = full_member_on.replace(year=full_member_on.year + 1, day=28)
    return today > anniversary


def branch_warnings(units: list[OrgUnit], today: dt.date) -> list[Warning]:
    """Seed 002 and 004 rules on branch committees, for a page of units in one query."""
    warnings: list[Warning] = []
    by_unit: dict[int, list[BranchPost]] = {}
    for seat in current_posts([u for u in units if u.kind == OrgUnit.Kind.BRANCH], today):
        by_unit.setdefault(seat.unit_id, []).append(seat)
    for unit in units:
        if unit.kind != OrgUnit.Kind.BRANCH or not unit.is_active:
            continue
        seats = by_unit.get(unit.pk, [])
        if not any(s.post == BranchPost.Post.SECRETARY for s in seats):
            warnings.append(Warning(unit.pk, _("%(unit)s has no secretary.") % {"unit": unit.name}))
        for seat in seats:
            warnings.extend(_seat_warnings(unit, seat, today))
    return warnings


def _seat_warnings(unit: OrgUnit, seat: BranchPost, today: dt.date) -> list[Warning]:
    found = []
    person = seat.person
    if person.stage != Stage.FULL:
        found.append(
            Warning(
                unit.pk,
                _("%(post)s %(name)s of %(unit)s is not a full member; committee members must be.")
                % {"post": seat.get_post_display(), "name": person.name, "unit": unit.name},
            )
        )
    if (
        seat.post == BranchPost.Post.SECRETARY
        and unit.branch_kind in STUDENT_BRANCH_KINDS
        and not _more_than_one_year(person.full_member_on, today)
    ):
        found.append(
            Warning(
                unit.pk,
                _(
                    "Secretary %(name)s of %(unit)s has not more than one year of Party standing; "
                    "a student branch secretary needs more."
                )
                % {"name": person.name, "unit": unit.name},
            )
        )
    if seat.term_start.month != ADJUSTMENT_MONTH:
        found.append(
            Warning(
                unit.pk,
                _(
                    "%(post)s of %(unit)s took office on %(date)s, outside the first month of the "
                    "academic year when branches are set up and adjusted."
                )
                % {
                    "post": seat.get_post_display(),
                    "unit": unit.name,
                    "date": seat.term_start.isoformat(),
                },
            )
        )
    return found
