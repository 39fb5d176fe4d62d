"""What a user may see of transfers, letters, campaigns and mobile members: every queryset
here goes through the one scoping method (members.scoping.scope_q) on the unit's path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from members.models import OrgUnit, Person
from members.models.people import MEMBER_STAGES
from members.scoping import granted_paths, scope_q
from transfers import clock
from transfers.models import (
    Direction,
    GraduateException,
    GraduationCampaign,
    IntroductionLetter,
    LetterStatus,
    MobileMember,
    Transfer,
    TransferStatus,
)


def transfers_for(user, perm: str = "manage_transfers") -> QuerySet[Transfer]:
    return Transfer.objects.filter(scope_q(user, perm, field="unit__path"))


def letters_for(user, perm: str = "manage_transfers") -> QuerySet[IntroductionLetter]:
    return IntroductionLetter.objects.filter(scope_q(user, perm, field="transfer__unit__path"))


def overdue_q(today: dt.date) -> Q:
    """A letter overdue for its receipt: issued, no receipt, and past validity plus one
    month (receipt_due is the clock's). As a Q so a count can carry it too."""
    return Q(status=LetterStatus.ISSUED, receipt_due__lt=today)


def overdue_letters(queryset: QuerySet[IntroductionLetter], today: dt.date):
    return queryset.filter(overdue_q(today))


def late_mobile(queryset: QuerySet[MobileMember], today: dt.date):
    """Still away and not re-verified by the due day (verification_due is the clock's)."""
    return queryset.filter(ended_on__isnull=True, verification_due__lt=today)


def mobile_for(user, perm: str = "manage_transfers") -> QuerySet[MobileMember]:
    return MobileMember.objects.filter(scope_q(user, perm, field="unit__path"))


def members_for(user, perm: str = "manage_transfers") -> QuerySet[Person]:
    return Person.objects.restrict(user, perm).filter(stage__in=MEMBER_STAGES)


def _ancestor_ids(paths: tuple[str, ...]) -> set[int]:
    return {int(step) for path in paths for step in path.split(".") if step}


def campaigns_for(user, perm: str = "manage_transfers") -> QuerySet[GraduationCampaign]:
    """Campaigns organized in the user's subtree, or above it (a school's campaign is the
    branches' campaign too): ancestors are read from the granted paths, no extra query."""
    paths = granted_paths(user, perm)
    return GraduationCampaign.objects.filter(
        scope_q(user, perm, field="unit__path") | Q(unit_id__in=_ancestor_ids(paths))
    )


def campaign_scope_q(user, campaign: GraduationCampaign, *, field: str = "unit__path") -> Q:
    """Within the campaign's unit and within what the user may see."""
    return Q(**{f"{field}__startswith": campaign.unit.path}) & scope_q(
        user, "manage_transfers", field=field
    )


def graduates(user, campaign: GraduationCampaign) -> QuerySet[Person]:
    start, end = clock.graduation_year_bounds(campaign.year)
    return (
        Person.objects.filter(removed_at__isnull=True)
        .filter(campaign_scope_q(user, campaign))
        .filter(expected_graduation__range=(start, end))
        .filter(Q(stage__in=MEMBER_STAGES) | Q(transfers__campaign_year=campaign.year))
        .distinct()
    )


def campaign_transfers(user, campaign: GraduationCampaign) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(campaign_scope_q(user, campaign))
        .filter(campaign_year=campaign.year, direction=Direction.OUTGOING)
        .exclude(status=TransferStatus.CANCELLED)
    )


def campaign_exceptions(user, campaign: GraduationCampaign) -> QuerySet[GraduateException]:
    return GraduateException.objects.filter(campaign=campaign).filter(
        campaign_scope_q(user, campaign, field="person__unit__path")
    )


@dataclass
class Progress:
    unit: OrgUnit
    graduates: int = 0
    started: int = 0
    completed: int = 0
    exceptions: int = 0
    children: list = field(default_factory=list)

    @property
    def unreported(self) -> int:
        return max(0, self.graduates - self.started - self.exceptions)


# The numbers of a Progress row whose people can be listed (campaign_people).
CAMPAIGN_MEASURES = ("graduates", "started", "completed", "exceptions", "unreported")


def campaign_people(
    user, campaign: GraduationCampaign, unit: OrgUnit, measure: str
) -> QuerySet[Person]:
    """The people behind one number of `unit`'s Progress row (its whole subtree), counted
    as campaign_progress counts them: a transfer by the unit it was started from, everyone
    else by the unit they are in. Scoped as the campaign's own figures are."""
    below = unit.path
    transfers = campaign_transfers(user, campaign)
    exceptions = campaign_exceptions(user, campaign).values("person_id")
    if measure == "started":
        people = Person.objects.filter(
            pk__in=transfers.filter(unit__path__startswith=below).values("person_id")
        )
    elif measure == "completed":
        people = Person.objects.filter(
            pk__in=transfers.filter(
                unit__path__startswith=below, status=TransferStatus.COMPLETED
            ).values("person_id")
        )
    elif measure == "exceptions":
        people = Person.objects.filter(
            pk__in=exceptions.filter(person__unit__path__startswith=below)
        )
    else:
        people = graduates(user, campaign).filter(unit__path__startswith=below)
        if measure == "unreported":
            people = people.exclude(pk__in=transfers.values("person_id")).exclude(pk__in=exceptions)
    return people.select_related("unit").order_by("name", "id")


def campaign_progress(user, campaign: GraduationCampaign) -> list[Progress]:
    """Per branch, and summed per general branch and committee: graduates, transfers
    started (destination reported), completed, and delayed/incomplete. Four queries."""
    units = list(
        OrgUnit.objects.filter(campaign_scope_q(user, campaign, field="path"))
        .exclude(kind=OrgUnit.Kind.GROUP)
        .order_by("path")
    )
    rows = {u.pk: Progress(unit=u) for u in units}
    # Each unit's count is summed into every row above it that the user sees.
    lineage = {u.pk: [pk for pk in u.ancestor_ids if pk in rows] for u in units}

    def add(unit_id: int, attr: str, n: int) -> None:
        for pk in lineage.get(unit_id, ()):
            setattr(rows[pk], attr, getattr(rows[pk], attr) + n)

    for row in graduates(user, campaign).values("unit_id").annotate(n=Count("id", distinct=True)):
        add(row["unit_id"], "graduates", row["n"])
    per_status = (
        campaign_transfers(user, campaign).values("unit_id", "status").annotate(n=Count("id"))
    )
    for row in per_status:
        add(row["unit_id"], "started", row["n"])
        if row["status"] == TransferStatus.COMPLETED:
            add(row["unit_id"], "completed", row["n"])
    for row in (
        campaign_exceptions(user, campaign).values("person__unit_id").annotate(n=Count("id"))
    ):
        add(row["person__unit_id"], "exceptions", row["n"])
    return [rows[u.pk] for u in units]
